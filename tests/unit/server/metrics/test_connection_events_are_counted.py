"""What the HTTP layer reports (connections opened and closed, clients refused or cut off, by reason) is
exported as ``gitplane_open_connections`` and ``gitplane_rejected_requests_total{reason}``. The reasons are a
fixed set: an unknown one raises in strict metrics (tests) and is counted as ``other`` otherwise, so it can
neither create series nor go unnoticed."""

from __future__ import annotations

import pytest

from gitplane.server.metrics import REJECTION_REASONS, ServerMetrics
from tests.unit.server.asgi_client import CATALOG
from tests.unit.server.metrics.scrape import Scrape


def scrape(metrics: ServerMetrics) -> Scrape:
    return Scrape.parse(metrics.exposition().decode())


def test_open_connections_follow_the_events() -> None:
    metrics = ServerMetrics(CATALOG, strict=True)
    for _ in range(3):
        metrics.connection_opened()
    metrics.connection_closed()
    assert scrape(metrics).value("gitplane_open_connections") == 2


def test_every_reason_is_exported_from_the_start_and_counts() -> None:
    metrics = ServerMetrics(CATALOG, strict=True)
    metrics.rejected("header-timeout")
    metrics.rejected("header-timeout")
    metrics.rejected("truncated-body")
    reasons = {labels["reason"]: value for labels, value in
               ((s.labels, s.value) for s in scrape(metrics).samples if s.name == "gitplane_rejected_requests_total")}
    assert reasons == {**dict.fromkeys((*REJECTION_REASONS, "other"), 0.0), "header-timeout": 2.0,
                       "truncated-body": 1.0}


@pytest.mark.parametrize("reason", ["header_timeout", "other", ""])
def test_an_unknown_reason_raises_when_strict(reason: str) -> None:
    with pytest.raises(ValueError, match="unknown rejection reason"):
        ServerMetrics(CATALOG, strict=True).rejected(reason)


def test_an_unknown_reason_is_counted_as_other_in_service() -> None:
    metrics = ServerMetrics(CATALOG)
    metrics.rejected("header_timeout")
    assert scrape(metrics).value("gitplane_rejected_requests_total", reason="other") == 1
    assert scrape(metrics).value("gitplane_rejected_requests_total", reason="header-timeout") == 0
