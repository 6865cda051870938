"""Go regular expressions for CRD ``pattern`` values, through RE2.

kube compiles a schema's ``pattern`` with Go's ``regexp`` package, whose syntax and semantics are RE2's: no
backreferences or lookaround, ``$`` only at the end of the text, ``\\pL`` classes, leftmost-first matching, and
an unanchored search (``MatchString``). Python's ``re`` differs on each of those, so patterns go through the
RE2 library itself (the ``google-re2`` binding), which parses the same language Go does.

    compile_go(pattern)   the compiled pattern (cached), or raises GoRegexError with Go's error text
    go_error(pattern)     Go's ``regexp.Compile`` error text (``error parsing regexp: missing closing ):
                          `(a` ``), or None when the pattern compiles

RE2's C++ error codes name the same conditions as Go's ``regexp/syntax`` errors with slightly different words;
the table below maps them so that the CRD structural check can quote Go's message.
"""

from __future__ import annotations

import functools
from typing import Any

import re2  # type: ignore[import-untyped]

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False

# RE2 C++ error text -> Go regexp/syntax ErrorCode text.
_GO_CODES = (
    ("missing )", "missing closing )"),
    ("missing ]", "missing closing ]"),
    ("unexpected )", "unexpected )"),
    ("trailing \\", "trailing backslash at end of expression"),
    ("invalid escape sequence", "invalid escape sequence"),
    ("invalid character class range", "invalid character class range"),
    ("invalid character class", "invalid character class"),
    ("no argument for repetition operator", "missing argument to repetition operator"),
    ("missing argument to repetition operator", "missing argument to repetition operator"),
    ("bad repetition operator", "invalid nested repetition operator"),
    ("invalid repetition size", "invalid repeat count"),
    ("invalid perl operator", "invalid or unsupported Perl syntax"),
    ("invalid named capture group", "invalid named capture"),
    ("invalid UTF-8", "invalid UTF-8"),
    ("pattern too large", "expression too large"),
    ("bad nesting", "expression nests too deeply"),
)


class GoRegexError(ValueError):
    """A pattern Go's ``regexp.Compile`` refuses; ``str()`` is Go's error text."""


def _go_text(pattern: str, message: str) -> str:
    code, sep, arg = message.partition(": ")
    if code.startswith("invalid perl operator") and arg.startswith("(?<"):
        # Go reads "(?<" as the start of a named group (``(?<name>``), so lookbehinds fail as a bad name.
        rest = pattern[pattern.find(arg):]
        end = rest.find(">")
        return f"error parsing regexp: invalid named capture: `{rest if end < 0 else rest[:end + 1]}`"
    for re2_code, go_code in _GO_CODES:
        if code.startswith(re2_code):
            return f"error parsing regexp: {go_code}: `{arg if sep else ''}`"
    return f"error parsing regexp: {message}"


@functools.lru_cache(maxsize=4096)
def compile_go(pattern: str) -> Any:
    """The RE2 program for ``pattern``.

    Raises:
        GoRegexError: the pattern does not compile; the message is Go's.
    """
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        raw = exc.args[0] if exc.args else ""
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        raise GoRegexError(_go_text(pattern, text)) from None


def go_error(pattern: str) -> str | None:
    try:
        compile_go(pattern)
    except GoRegexError as exc:
        return str(exc)
    return None


def matches(pattern: str, text: str) -> bool:
    """Go's ``regexp.MustCompile(pattern).MatchString(text)`` (pattern already known to compile)."""
    return compile_go(pattern).search(text) is not None
