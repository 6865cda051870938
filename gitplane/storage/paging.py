"""Key ranges and list pages, shared by the backends.

A list reads a range of encoded keys. Every key under a prefix extends the prefix's encoding, which ends in
``/``, so the keys under it lie strictly between the encoding and the same string with its last ``/`` replaced
by ``0`` (the next character). ``start_after`` raises the lower end. Object names are never empty, so no key
equals a prefix's own encoding.

A list at an older revision R starts from the current records in the range and overlays an :class:`Override`
for every key written after R: its state at R (the ``previous`` of its first event after R) and whether it
exists now. :func:`assemble_page` merges both into one page and counts ``remaining``. A backend fetches at
least ``limit + 1`` current records besides the overridden keys that still exist (see :func:`rows_needed`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from gitplane.storage.interface import Page, Prefix, Record, Revision


def key_range(prefix: Prefix, start_after: str | None) -> tuple[str, str]:
    """The open interval ``(low, high)`` of encoded keys under ``prefix`` after ``start_after``."""
    encoded = prefix.encode()
    high = encoded[:-1] + "0"
    if start_after is None or start_after < encoded:
        return encoded, high
    return start_after, high


@dataclass(frozen=True, slots=True)
class Override:
    """How a key written after revision R differs from now: its record at R (None: absent at R) and whether
    it exists now."""

    then: Record | None
    exists_now: bool


def rows_needed(limit: int, overrides: Mapping[str, Override]) -> int:
    """How many current records a page needs at least (-1: all): ``limit + 1`` besides overridden keys."""
    if not limit:
        return -1
    return limit + 1 + sum(1 for override in overrides.values() if override.exists_now)


def assemble_page(current: list[Record], overrides: Mapping[str, Override], *, limit: int,
                  revision: Revision, count_after: Callable[[str], int]) -> Page:
    """Build the page at ``revision`` from the current records of the range (in key order, at least
    :func:`rows_needed` of them or all) and the overrides of keys written since.

    ``count_after(key)`` counts the current records of the range after the encoded ``key``.
    """
    records = current
    if overrides:
        records = [record for record in current if record.key.encode() not in overrides]
        records.extend(override.then for override in overrides.values() if override.then is not None)
        records.sort(key=_encoded_key)
    if not limit or len(records) <= limit:
        return Page(records=records, revision=revision, more=False, remaining=0)
    page = records[:limit]
    last = page[-1].key.encode()
    remaining = count_after(last)
    for key, override in overrides.items():
        if key > last:
            remaining += (override.then is not None) - override.exists_now
    return Page(records=page, revision=revision, more=True, remaining=remaining)


def _encoded_key(record: Record) -> str:
    return record.key.encode()
