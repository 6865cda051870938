"""Human durations for the AGE columns of server-side tables, exactly as kube prints them.

``human_duration`` is ``k8s.io/apimachinery/pkg/util/duration.HumanDuration`` (two or three significant
figures: ``70s``, ``3m10s``, ``47h``, ``2d1h``, ``2y1d``); ``age`` is the printers'
``translateTimestampSince``: the duration from an RFC 3339 timestamp to ``now``, or ``<unknown>`` when there
is no timestamp. The arithmetic is done in integer nanoseconds and truncates like Go's integer division, so
the boundaries match kube's tests.
"""

from __future__ import annotations

from datetime import UTC, datetime

_SECOND = 1_000_000_000
_MINUTE = 60 * _SECOND
_HOUR = 60 * _MINUTE


def human_duration(seconds: float) -> str:
    """Render a duration given in seconds the way ``kubectl get`` shows ages."""
    return _human_nanoseconds(round(seconds * _SECOND))


def _human_nanoseconds(nanoseconds: int) -> str:
    whole_seconds = int(nanoseconds / _SECOND) if nanoseconds < 0 else nanoseconds // _SECOND
    if whole_seconds < -1:
        return "<invalid>"
    if whole_seconds < 0:
        return "0s"
    if whole_seconds < 60 * 2:
        return f"{whole_seconds}s"
    minutes = nanoseconds // _MINUTE
    if minutes < 10:
        remainder = whole_seconds % 60
        return f"{minutes}m" if remainder == 0 else f"{minutes}m{remainder}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = nanoseconds // _HOUR
    if hours < 8:
        remainder = minutes % 60
        return f"{hours}h" if remainder == 0 else f"{hours}h{remainder}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        remainder = hours % 24
        return f"{hours // 24}d" if remainder == 0 else f"{hours // 24}d{remainder}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if days == 0 else f"{hours // 24 // 365}y{days}d"
    return f"{hours // 24 // 365}y"


def parse_timestamp(timestamp: str) -> datetime | None:
    """An RFC 3339 timestamp (``Time`` or ``MicroTime``) as an aware datetime, or ``None`` if unreadable."""
    try:
        parsed = datetime.fromisoformat(timestamp)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def age(timestamp: str | None, now: datetime) -> str:
    """The time since ``timestamp`` as a human duration; ``<unknown>`` when unset (kube's zero time)."""
    if not timestamp:
        return "<unknown>"
    parsed = parse_timestamp(timestamp)
    if parsed is None:
        return "<unknown>"
    delta = now - parsed
    return _human_nanoseconds((delta.days * 86_400 + delta.seconds) * _SECOND + delta.microseconds * 1000)
