"""Ages print exactly as kube's HumanDuration (kube's duration_test.go tables)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gitplane.api import duration

_SECOND = 1.0
_MS = 0.001
_NS = 1e-9
_MINUTE = 60.0
_HOUR = 3600.0
_DAY = 24 * _HOUR
_YEAR = 365 * _DAY


@pytest.mark.parametrize(("seconds", "text"), [
    pytest.param(_SECOND, "1s", id="1s"),
    pytest.param(70 * _SECOND, "70s", id="70s"),
    pytest.param(190 * _SECOND, "3m10s", id="190s"),
    pytest.param(70 * _MINUTE, "70m", id="70m"),
    pytest.param(47 * _HOUR, "47h", id="47h"),
    pytest.param(49 * _HOUR, "2d1h", id="49h"),
    pytest.param((8 * 24 + 2) * _HOUR, "8d", id="8d2h"),
    pytest.param(367 * _DAY, "367d", id="367d"),
    pytest.param(2 * _YEAR + 25 * _HOUR, "2y1d", id="2y25h"),
    pytest.param(8 * _YEAR + 2 * _HOUR, "8y", id="8y2h"),
])
def test_human_duration_examples(seconds: float, text: str) -> None:
    """kube's TestHumanDuration table."""
    assert duration.human_duration(seconds) == text


@pytest.mark.parametrize(("seconds", "text"), [
    pytest.param(-2 * _SECOND, "<invalid>", id="-2s"),
    pytest.param(-2 * _SECOND + _NS, "0s", id="-2s+1ns"),
    pytest.param(0.0, "0s", id="0"),
    pytest.param(_SECOND - _MS, "0s", id="999ms"),
    pytest.param(2 * _MINUTE - _MS, "119s", id="2m-1ms"),
    pytest.param(2 * _MINUTE, "2m", id="2m"),
    pytest.param(2 * _MINUTE + _SECOND, "2m1s", id="2m1s"),
    pytest.param(10 * _MINUTE - _MS, "9m59s", id="10m-1ms"),
    pytest.param(10 * _MINUTE, "10m", id="10m"),
    pytest.param(10 * _MINUTE + _SECOND, "10m", id="10m1s"),
    pytest.param(3 * _HOUR - _MS, "179m", id="3h-1ms"),
    pytest.param(3 * _HOUR, "3h", id="3h"),
    pytest.param(3 * _HOUR + _MINUTE, "3h1m", id="3h1m"),
    pytest.param(8 * _HOUR - _MS, "7h59m", id="8h-1ms"),
    pytest.param(8 * _HOUR, "8h", id="8h"),
    pytest.param(8 * _HOUR + 59 * _MINUTE, "8h", id="8h59m"),
    pytest.param(2 * _DAY - _MS, "47h", id="2d-1ms"),
    pytest.param(2 * _DAY, "2d", id="2d"),
    pytest.param(2 * _DAY + _HOUR, "2d1h", id="2d1h"),
    pytest.param(8 * _DAY - _MS, "7d23h", id="8d-1ms"),
    pytest.param(8 * _DAY, "8d", id="8d"),
    pytest.param(8 * _DAY + 23 * _HOUR, "8d", id="8d23h"),
    pytest.param(2 * _YEAR - _MS, "729d", id="2y-1ms"),
    pytest.param(2 * _YEAR, "2y", id="2y"),
    pytest.param(2 * _YEAR + 23 * _HOUR, "2y", id="2y23h"),
    pytest.param(2 * _YEAR + 23 * _HOUR + 59 * _MINUTE, "2y", id="2y23h59m"),
    pytest.param(2 * _YEAR + 24 * _HOUR - _MS, "2y", id="2y1d-1ms"),
    pytest.param(2 * _YEAR + 24 * _HOUR, "2y1d", id="2y1d"),
    pytest.param(3 * _YEAR, "3y", id="3y"),
    pytest.param(4 * _YEAR, "4y", id="4y"),
    pytest.param(5 * _YEAR, "5y", id="5y"),
    pytest.param(6 * _YEAR, "6y", id="6y"),
    pytest.param(7 * _YEAR, "7y", id="7y"),
    pytest.param(8 * _YEAR - _MS, "7y364d", id="8y-1ms"),
    pytest.param(8 * _YEAR, "8y", id="8y"),
    pytest.param(8 * _YEAR + 364 * _DAY, "8y", id="8y364d"),
    pytest.param(9 * _YEAR, "9y", id="9y"),
])
def test_human_duration_boundaries(seconds: float, text: str) -> None:
    """kube's TestHumanDurationBoundaries table."""
    assert duration.human_duration(seconds) == text


NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(("timestamp", "text"), [
    pytest.param(None, "<unknown>", id="unset"),
    pytest.param("", "<unknown>", id="empty"),
    pytest.param("2024-05-01T11:55:00Z", "5m", id="time"),
    pytest.param("2024-05-01T11:59:59.500000Z", "0s", id="micro-time"),
    pytest.param("2024-05-01T13:55:00+02:00", "5m", id="offset"),
    pytest.param("2024-05-01T12:00:05Z", "<invalid>", id="future"),
])
def test_age_since_timestamp(timestamp: str | None, text: str) -> None:
    """An age is the human duration since the timestamp, <unknown> when unset."""
    assert duration.age(timestamp, NOW) == text
