"""The server's Prometheus metrics: one registry per server, served at ``/metrics`` in the text format.

Why one registry per server (never prometheus_client's global one): the unit tests assemble many servers in
one process, and each must count only its own requests. :func:`~gitplane.server.assembly.assemble` builds one
:class:`ServerMetrics` and hands it to what reports into it: the app (requests), the in-flight limit, the store
collector and the HTTP layer.

What reports, and how the numbers flow (everything is plain ints updated on the event loop, or on the store's
threads for the store's own numbers; prometheus_client only renders them when ``/metrics`` is scraped):

* requests: :class:`~gitplane.server.metrics_requests.RequestMetrics` (``apiserver_request_total``,
  ``apiserver_request_duration_seconds``, ``apiserver_longrunning_requests``,
  ``apiserver_request_terminations_total``), fed by :class:`~gitplane.server.app.App` once per response;
* the in-flight limit (:mod:`gitplane.server.stages.inflight`): ``apiserver_current_inflight_requests
  {request_kind="readOnly"|"mutating"}``, read from its pools at scrape time; as in kube it is the most
  requests in flight at once, here since the previous scrape;
* the HTTP layer calls three methods, each a counter update that costs well under a microsecond:

  ``connection_opened()``  a connection finished its TLS handshake (``gitplane_open_connections`` + 1)
  ``connection_closed()``  an opened connection closed, for whatever reason (``gitplane_open_connections`` - 1)
  ``rejected(reason)``     the server refused or cut off a client (``gitplane_rejected_requests_total{reason}``);
                           ``reason`` is one of :data:`REJECTION_REASONS`. Any other value is counted as
                           ``other``, or raises ValueError when the metrics were made ``strict`` (tests), so a
                           misspelt reason can neither create series nor go unnoticed.

  "inflight-limit" is counted by the in-flight limit itself, through :meth:`ServerMetrics.inflight_rejected`.
* the store (:mod:`gitplane.server.metrics_store`): commit and checkpoint timings, batch sizes, WAL size and
  revision, read from the store's own counters at scrape time;
* the process: prometheus_client's process, platform and garbage-collector collectors.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, GCCollector, PlatformCollector, ProcessCollector, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from gitplane.server.catalog import Catalog
from gitplane.server.metrics_requests import RequestMetrics
from gitplane.server.request import Request
from gitplane.server.stages.inflight import InflightLimit

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
"""The Prometheus text exposition format, as kube-apiserver serves it."""
REJECTION_REASONS = ("inflight-limit", "header-too-large", "header-timeout", "body-timeout", "idle-timeout",
                     "connection-limit", "truncated-body")
OTHER_REASON = "other"


class ServerMetrics:
    """The metrics of one server (see the module docstring)."""

    def __init__(self, catalog: Catalog, *, strict: bool = False) -> None:
        self.registry = CollectorRegistry()
        self.requests = RequestMetrics(catalog)
        self.open_connections = 0
        self.rejections = dict.fromkeys((*REJECTION_REASONS, OTHER_REASON), 0)
        self._strict = strict
        self.registry.register(self.requests)
        self.registry.register(_ServerCollector(self))
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)

    def add(self, collector: Collector) -> None:
        """Export ``collector``'s metrics too."""
        self.registry.register(collector)

    def connection_opened(self) -> None:
        self.open_connections += 1

    def connection_closed(self) -> None:
        self.open_connections -= 1

    def rejected(self, reason: str) -> None:
        if reason not in self.rejections or reason == OTHER_REASON:
            if self._strict:
                raise ValueError(f"unknown rejection reason {reason!r}; expected one of {REJECTION_REASONS}")
            reason = OTHER_REASON
        self.rejections[reason] += 1

    def inflight_rejected(self, request: Request) -> None:
        """The in-flight limit refused ``request`` with 429 (kube counts it as a termination as well)."""
        self.requests.terminated(request, 429)
        self.rejected("inflight-limit")

    def watch_inflight(self, limit: InflightLimit) -> None:
        """Export the in-flight limit's pools as ``apiserver_current_inflight_requests``."""
        self.add(_InflightCollector(limit))

    def exposition(self) -> bytes:
        """Every metric, in the Prometheus text format (:data:`CONTENT_TYPE`)."""
        return generate_latest(self.registry)


class _ServerCollector(Collector):
    def __init__(self, metrics: ServerMetrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        metrics = self._metrics
        yield GaugeMetricFamily("gitplane_open_connections", "Client connections open now (TLS handshake done).",
                                value=metrics.open_connections)
        rejected = CounterMetricFamily("gitplane_rejected_requests_total",
                                       "Requests and connections the server refused or cut off, by reason.",
                                       labels=["reason"])
        for reason, count in metrics.rejections.items():
            rejected.add_metric([reason], count)
        yield rejected


class _InflightCollector(Collector):
    def __init__(self, limit: InflightLimit) -> None:
        self._limit = limit

    def collect(self) -> Iterator[Metric]:
        gauge = GaugeMetricFamily("apiserver_current_inflight_requests",
                                  "Maximal number of currently used inflight request limit of this apiserver per "
                                  "request kind since the last scrape.", labels=["request_kind"])
        for pool in (self._limit.read_only, self._limit.mutating):
            gauge.add_metric([pool.kind], pool.take_peak())
        yield gauge
