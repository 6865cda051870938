"""``Warning`` response headers, bounded as kube-apiserver bounds them.

A request collects warnings as it goes (unknown or duplicate fields, deprecations); echoed whole, thousands of
long unknown field names made one header line megabytes long, and clients refused the response
(``LineTooLong``) of a write that had succeeded. kube's warning recorder
(``k8s.io/apiserver/pkg/endpoints/filters/warning.go``) adds them one by one with these rules, reproduced here:

    each text once (the first time it is added), in order; empty texts are skipped
    a text Go cannot put in a header (control characters, or not valid UTF-8) is left out
    while the texts written stay within 4096 runes (characters), each is written whole
    once one would exceed 4096: every text so far is written again cut to its first 256 runes, and from then
    on texts are cut to 256 runes and added while fewer than 4096 runes are written (the last may pass it)

Texts are cut on character boundaries without an ellipsis, and non-ASCII is sent as UTF-8, as Go writes it.
Each header reads ``299 - "<text>"`` with ``"`` and ``\\`` escaped.

One rule is ours: at most :data:`MAX_HEADERS` headers. Short warnings (``unknown field "a1"``) fit kube's
limits a hundred at a time, and Python's ``http.client`` (under the kubernetes client) refuses a response of
more than 100 header lines; past the count, one last header says how many warnings were left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

TOTAL_RUNES = 4 * 1024
ITEM_RUNES = 256
MAX_HEADERS = 50

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # Go's unicode.IsControl


def _header(text: str) -> tuple[bytes, bytes] | None:
    """The header for one text, or None when Go's ``NewWarningHeader`` would refuse it."""
    if _CONTROL.search(text):
        return None
    try:
        value = text.replace("\\", "\\\\").replace('"', '\\"').encode()
    except UnicodeEncodeError:  # a lone surrogate: not valid UTF-8
        return None
    return b"warning", b'299 - "' + value + b'"'


def warning_headers(texts: Iterable[str]) -> list[tuple[bytes, bytes]]:
    """The ``Warning`` headers for the warnings of one request, in the order they were added."""
    recorded: list[str] = []
    seen: set[str] = set()
    headers: list[tuple[bytes, bytes]] = []
    written = 0
    truncating = False
    for added in texts:
        if not added or (truncating and written >= TOTAL_RUNES) or added in seen:
            continue
        seen.add(added)
        recorded.append(added)
        text = added[:ITEM_RUNES] if truncating else added
        header = _header(text)
        if header is None:
            continue
        if written + len(text) <= TOTAL_RUNES or truncating:
            written += len(text)
            headers.append(header)
            continue
        # over the limit: start again with every text so far cut to ITEM_RUNES
        truncating = True
        headers, written = [], 0
        for earlier in recorded:
            cut = earlier[:ITEM_RUNES]
            replayed = _header(cut)
            if replayed is not None:
                written += len(cut)
                headers.append(replayed)
    if len(headers) > MAX_HEADERS:
        left_out = len(headers) - MAX_HEADERS + 1
        headers[MAX_HEADERS - 1:] = [(b"warning", f'299 - "{left_out} more warnings were left out"'.encode())]
    return headers
