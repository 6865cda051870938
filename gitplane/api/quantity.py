"""Kubernetes resource quantities (``100m``, ``1Gi``, ``1e3``, ``0.5``): parsing, comparison, canonical form.

A :class:`Quantity` holds the exact value as ``unscaled * 10**scale`` plus the suffix family it was written in
(its format), mirroring ``k8s.io/apimachinery/pkg/api/resource``:

    "1.5Gi" --parse--> 1610612736 (BinarySI) --str--> "1536Mi"
    "0.5"   --parse--> 5e-1 (DecimalSI)      --str--> "500m"
    "100m"  --parse--> 100e-3, kept verbatim --str--> "100m"

kube keeps two representations, an int64 with a decimal exponent for everything that fits (the fast path) and
an arbitrary-precision decimal rounded up to nano units otherwise; which one a value lands in decides its
rounding, whether the input text is kept as the canonical string (an input that is already canonical, and the
odd ``+1``, print back as written), and how a value shows in Go-syntax error messages. Both are reproduced.
Parse errors carry kube's messages; a request body with a bad quantity is a 400 whose text ends with them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from gitplane.api import gosyntax

DECIMAL_SI = "DecimalSI"
BINARY_SI = "BinarySI"
DECIMAL_EXPONENT = "DecimalExponent"

FORMAT_WRONG = ("quantities must match the regular expression "
                "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
NUMERIC_WRONG = "unable to parse numeric part of quantity"
SUFFIX_WRONG = "unable to parse quantity's suffix"

_MAX_INT64 = (1 << 63) - 1
_MAX_INT64_DIGITS = 18
_NANO = -9
MAX_MILLI_VALUE = _MAX_INT64 // 1000
_DECIMAL_SUFFIXES = {"": 0, "n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_NAMES = {exponent: name for name, exponent in _DECIMAL_SUFFIXES.items()}
_BINARY_NAMES = {exponent // 10: name for name, exponent in _BINARY_SUFFIXES.items()}
_SUFFIX_CHARS = frozenset("eEinumkKMGTP")
_DIGITS = frozenset("0123456789")


class QuantityError(ValueError):
    """A string that is not a quantity; the message is kube's."""


@dataclass(frozen=True, slots=True)
class Quantity:
    """An exact quantity: ``unscaled * 10**scale`` written in ``format``."""

    unscaled: int
    scale: int
    format: str = DECIMAL_SI
    text: str = ""
    """The string kube keeps from parsing (an input already in canonical form), else ``""``."""
    big: bool = False
    """Held as kube's arbitrary-precision decimal rather than its int64 fast form."""

    @classmethod
    def parse(cls, text: str) -> Quantity:
        """kube's ``ParseQuantity``.

        Raises:
            QuantityError: with kube's message when ``text`` is not a quantity.
        """
        if not text:
            raise QuantityError(FORMAT_WRONG)
        if text == "0":
            return cls(0, 0, DECIMAL_SI, "0")
        positive, value, whole, fraction, suffix = _split(text)
        base, exponent, fmt = _interpret(suffix)
        fast = _fast_path(text, positive, (whole, fraction), exponent, fmt)
        if fast is not None:
            return fast
        try:
            amount = Fraction(Decimal(value))
        except InvalidOperation:
            raise QuantityError(NUMERIC_WRONG) from None
        amount *= Fraction(base) ** exponent
        negative = amount < 0
        amount = abs(amount)
        nanos = math.ceil(amount * 10**9)
        if fmt == BINARY_SI and nanos > _MAX_INT64 * 10**9:
            nanos = _MAX_INT64 * 10**9
        if fmt == BINARY_SI and 0 < nanos < 10**9:
            fmt = DECIMAL_SI
        return cls(-nanos if negative else nanos, _NANO, fmt, big=True)

    @classmethod
    def from_json(cls, value: str | int | float) -> Quantity:
        """A quantity as it appears in JSON (kube also accepts numbers and surrounding blanks).

        Raises:
            QuantityError: with kube's message when the value is not a quantity.
        """
        if isinstance(value, str):
            return cls.parse(value.strip())
        if isinstance(value, bool):
            raise QuantityError(FORMAT_WRONG)
        return cls.parse(repr(value))

    @property
    def exact(self) -> Fraction:
        return Fraction(self.unscaled) * Fraction(10) ** self.scale

    def compare(self, other: Quantity) -> int:
        """-1, 0 or 1 as this quantity is less than, equal to or greater than ``other`` (kube's ``Cmp``)."""
        mine, theirs = self.exact, other.exact
        return (mine > theirs) - (mine < theirs)

    def sign(self) -> int:
        return (self.unscaled > 0) - (self.unscaled < 0)

    def scaled_value(self, scale: int) -> int:
        """kube's ``ScaledValue``: the value in units of ``10**scale``, rounded away from zero, as an int64
        (with kube's behaviour on overflow: 0 for the int64 form, wrap-around for the decimal form)."""
        if not self.big:
            if self.scale < scale:
                return _round_away(self.unscaled, scale - self.scale)
            shifted = self.unscaled * 10 ** (self.scale - scale)
            return shifted if -_MAX_INT64 - 1 <= shifted <= _MAX_INT64 else 0
        difference = scale - self.scale
        if difference <= 0:
            return _wrap_int64(self.unscaled * 10**-difference)
        divisor = 10**difference
        if self.unscaled < _MAX_INT64 and difference < 19:
            small = _wrap_int64(self.unscaled)
            quotient = abs(small) // divisor
            quotient = -quotient if small < 0 else quotient
            remainder = small - quotient * divisor
        else:
            quotient, remainder = divmod(self.unscaled, divisor)
        return _wrap_int64(quotient + 1 if remainder else quotient)

    def value(self) -> int:
        return self.scaled_value(0)

    def milli_value(self) -> int:
        return self.scaled_value(-3)

    def __str__(self) -> str:
        return self.text or _canonical(self)

    def go_syntax(self, stringified: bool = True) -> str:
        """The value as Go's ``%#v`` prints a ``resource.Quantity`` in field errors.

        ``stringified`` says whether kube called ``String()`` on it first (which caches the canonical text).
        kube prints a memory address for the decimal form; the decimal value stands in for it here.
        """
        cached = str(self) if stringified else self.text
        if self.big:
            amount = ("i:resource.int64Amount{value:0, scale:0}, "
                      f"d:resource.infDecAmount{{Dec:(*inf.Dec)({self.exact})}}")
        else:
            amount = (f"i:resource.int64Amount{{value:{self.unscaled}, scale:{self.scale}}}, "
                      "d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}")
        return (f"resource.Quantity{{{amount}, s:{gosyntax.go_quote(cached)}, "
                f"Format:{gosyntax.go_quote(self.format)}}}")


def _split(text: str) -> tuple[bool, str, str, str, str]:
    """kube's ``parseQuantityString``: sign, the numeric text, its whole and fraction digits, the suffix."""
    position, end = 0, len(text)
    positive = True
    if text[0] in "+-":
        positive = text[0] == "+"
        position = 1
    while position < end and text[position] == "0":
        position += 1
    if position >= end:
        return positive, "0", "0", "", ""
    start = position
    while position < end and text[position] in _DIGITS:
        position += 1
    whole = text[start:position] or "0"
    fraction = ""
    if position < end and text[position] == ".":
        position += 1
        start = position
        while position < end and text[position] in _DIGITS:
            position += 1
        fraction = text[start:position]
    value = text[:position]
    suffix_start = position
    while position < end and text[position] in _SUFFIX_CHARS:
        position += 1
    if position < end and text[position] in "+-":
        position += 1
    while position < end and text[position] in _DIGITS:
        position += 1
    if position < end:
        raise QuantityError(FORMAT_WRONG)
    return positive, value, whole, fraction, text[suffix_start:]


def _interpret(suffix: str) -> tuple[int, int, str]:
    if suffix in _DECIMAL_SUFFIXES:
        return 10, _DECIMAL_SUFFIXES[suffix], DECIMAL_SI
    if suffix in _BINARY_SUFFIXES:
        return 2, _BINARY_SUFFIXES[suffix], BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE":
        try:
            exponent = _parse_int64(suffix[1:])
        except ValueError:
            raise QuantityError(SUFFIX_WRONG) from None
        return 10, _wrap_int32(exponent), DECIMAL_EXPONENT
    raise QuantityError(SUFFIX_WRONG)


def _fast_path(text: str, positive: bool, digits_parts: tuple[str, str], exponent: int,
               fmt: str) -> Quantity | None:
    """kube's int64 representation, when the digits fit it; also decides whether the input text is kept."""
    whole, fraction = digits_parts
    mantissa = 1
    if fmt == BINARY_SI:
        scale = 0
        if exponent < 0 or fraction:
            return None
        mantissa = 1 << exponent
        precision = 15 - len(whole) - int(exponent * 3 / 10) - 1
    else:
        scale = exponent
        precision = _MAX_INT64_DIGITS - len(whole) - len(fraction)
    if precision < 0:
        return None
    scale -= len(fraction)
    if scale < _NANO:
        return None
    shifted = whole + fraction
    digits = int(shifted)
    result = digits * mantissa
    if result > _MAX_INT64:
        return None
    if not positive:
        result = -result
    if fmt == BINARY_SI:
        keep = exponent % 10 == 0 and digits & 0x07 != 0
    else:
        keep = scale % 3 == 0 and not shifted.endswith("000") and shifted[0] != "0"
    return Quantity(result, scale, fmt, text if keep else "")


def _canonical(quantity: Quantity) -> str:
    """kube's ``CanonicalizeBytes``: the largest suffix that keeps an integer mantissa."""
    if quantity.unscaled == 0:
        return "0"
    fmt = quantity.format
    whole = 0
    if fmt == BINARY_SI:
        if -1024 < quantity.exact < 1024:
            fmt = DECIMAL_SI
        else:
            rounded = quantity.scaled_value(0) if quantity.scale < 0 else quantity.unscaled * 10**quantity.scale
            if Fraction(rounded) != quantity.exact:
                fmt = DECIMAL_SI
            whole = rounded
    if fmt == BINARY_SI:
        times = 0
        magnitude = abs(whole)
        while magnitude >= 1024 and magnitude % 1024 == 0:
            magnitude //= 1024
            times += 1
        return f"{-magnitude if whole < 0 else magnitude}{_BINARY_NAMES.get(times, '')}"
    magnitude, exponent = abs(quantity.unscaled), quantity.scale
    while magnitude >= 10 and magnitude % 10 == 0:
        magnitude //= 10
        exponent += 1
    adjust = exponent % 3
    magnitude *= 10**adjust
    exponent -= adjust
    number = -magnitude if quantity.unscaled < 0 else magnitude
    name = _DECIMAL_NAMES.get(exponent) if fmt != DECIMAL_EXPONENT else None
    if name is not None:
        return f"{number}{name}"
    return f"{number}e{exponent}" if exponent else str(number)  # beyond E (or n): kube's exponent form


def _round_away(value: int, digits: int) -> int:
    """Drop ``digits`` decimal digits, rounding away from zero (kube's ``negativeScaleInt64``)."""
    divisor: int = 10**digits
    magnitude, remainder = divmod(abs(value), divisor)
    if remainder:
        magnitude += 1
    return -magnitude if value < 0 else magnitude


def _parse_int64(text: str) -> int:
    digits = text[1:] if text[:1] in "+-" else text
    if not digits or not all(char in _DIGITS for char in digits):
        raise ValueError(text)
    value = int(text)
    if not -_MAX_INT64 - 1 <= value <= _MAX_INT64:
        raise ValueError(text)
    return value


def _wrap_int32(value: int) -> int:
    return (value + 2**31) % 2**32 - 2**31


def _wrap_int64(value: int) -> int:
    return (value + 2**63) % 2**64 - 2**63
