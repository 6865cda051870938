"""Label selectors: the ``labelSelector`` query parameter and the ``metav1.LabelSelector`` object.

Both forms become one value, :class:`LabelSelector`, a sorted tuple of :class:`Requirement` (AND of all):

    "env in (prod,dev),!canary,tier"  --LabelSelector.parse-->  (env in (dev,prod)) (!canary) (tier)
    {"matchLabels": {...}, "matchExpressions": [...]}  --LabelSelector.from_dict-->  same shape

The string grammar, the lexer's notion of whitespace and operators, the validation of keys and values and
every error message follow ``k8s.io/apimachinery/pkg/labels/selector.go``: a bad selector is a 400 whose
message is exactly kube's (``unable to parse requirement: ...``), because clients print it. ``str()`` gives
kube's canonical form (values sorted), which parses back to an equal selector. ``matches`` runs on the list
and watch hot paths, so requirements are plain tuples and matching does no allocation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from gitplane.api import errors, gosyntax
from gitplane.api.validation import names

IN = "in"
NOT_IN = "notin"
EQUALS = "="
DOUBLE_EQUALS = "=="
NOT_EQUALS = "!="
EXISTS = "exists"
DOES_NOT_EXIST = "!"
GREATER_THAN = "gt"
LESS_THAN = "lt"

_BINARY_OPERATORS = ("in", "notin", "=", "==", "!=", "gt", "lt")
_ALL_OPERATORS = (*_BINARY_OPERATORS, "exists", "!")
_SYMBOLS = {")": ")", ",": ",", "!": "!", "==": "==", "=": "=", ">": "gt", "<": "lt", "!=": "!=", "(": "("}
_KEYWORDS = {"in": IN, "notin": NOT_IN}
_SPECIAL = frozenset("=!(),><")
_WHITESPACE = frozenset(" \t\r\n")
_IDENTIFIER = "identifier"
_END = "end"


@dataclass(frozen=True, slots=True)
class Requirement:
    """One ``key op values`` term; values are sorted and unique, as kube keeps them."""

    key: str
    operator: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        op = self.operator
        if op == EXISTS:
            return self.key in labels
        if op == DOES_NOT_EXIST:
            return self.key not in labels
        value = labels.get(self.key)
        if op in (IN, EQUALS, DOUBLE_EQUALS):
            return value is not None and value in self.values
        if op in (NOT_IN, NOT_EQUALS):
            return value is None or value not in self.values
        if value is None:
            return False
        try:
            have, want = _go_int64(value), _go_int64(self.values[0])
        except ValueError:
            return False
        return have > want if op == GREATER_THAN else have < want

    def __str__(self) -> str:
        op = self.operator
        if op == EXISTS:
            return self.key
        if op == DOES_NOT_EXIST:
            return "!" + self.key
        joined = ",".join(self.values)
        if op in (IN, NOT_IN):
            return f"{self.key} {op} ({joined})"
        symbol = {GREATER_THAN: ">", LESS_THAN: "<"}.get(op, op)
        return f"{self.key}{symbol}{joined}"


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """An AND of requirements, sorted by key; ``nothing`` marks kube's match-nothing selector."""

    requirements: tuple[Requirement, ...] = ()
    nothing: bool = False

    @classmethod
    def parse(cls, text: str) -> LabelSelector:
        """Parse the string syntax; an empty string selects everything.

        Raises:
            APIError: 400 BadRequest with kube's message when the selector is malformed or invalid.
        """
        if not text:
            return _EVERYTHING
        parsed = _Parser(text).parse()
        return cls(tuple(sorted(parsed, key=_by_key)))

    @classmethod
    def from_dict(cls, selector: Mapping[str, Any] | None) -> LabelSelector:
        """Convert a ``metav1.LabelSelector`` (kube's ``LabelSelectorAsSelector``): ``None`` selects nothing,
        an empty selector everything.

        Raises:
            APIError: 400 BadRequest with kube's message for an unknown operator or an invalid key or value.
                Objects are validated with :func:`validate_label_selector` first, which reports field paths.
        """
        if selector is None:
            return _NOTHING
        match_labels = selector.get("matchLabels") or {}
        expressions = selector.get("matchExpressions") or []
        if not match_labels and not expressions:
            return _EVERYTHING
        found = [new_requirement(key, EQUALS, [value]) for key, value in match_labels.items()]
        for expression in expressions:
            operator = _SELECTOR_OPERATORS.get(expression.get("operator"))
            if operator is None:
                shown = gosyntax.go_quote(expression.get("operator", ""))
                raise errors.bad_request(f"{shown} is not a valid label selector operator")
            values = expression.get("values") or None
            found.append(new_requirement(expression.get("key", ""), operator, values))
        return cls(tuple(sorted(found, key=_by_key)))

    @property
    def empty(self) -> bool:
        """True when the selector does not restrict anything."""
        return not self.requirements and not self.nothing

    def matches(self, labels: Mapping[str, str]) -> bool:
        if self.nothing:
            return False
        return all(requirement.matches(labels) for requirement in self.requirements)

    def requires_exact_match(self, key: str) -> str | None:
        """The single value the selector requires for ``key``, if it pins one (``RequiresExactMatch``)."""
        for requirement in self.requirements:
            if requirement.key == key:
                if requirement.operator in (EQUALS, DOUBLE_EQUALS, IN) and len(requirement.values) == 1:
                    return requirement.values[0]
                return None
        return None

    def __str__(self) -> str:
        return ",".join(str(requirement) for requirement in self.requirements)


_EVERYTHING = LabelSelector()
_NOTHING = LabelSelector(nothing=True)
_SELECTOR_OPERATORS = {"In": IN, "NotIn": NOT_IN, "Exists": EXISTS, "DoesNotExist": DOES_NOT_EXIST}


def _by_key(requirement: Requirement) -> str:
    return requirement.key


def _go_int64(text: str) -> int:
    """``strconv.ParseInt(text, 10, 64)``: optional sign, decimal digits, within int64."""
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits.isascii() or not digits.isdigit():
        raise ValueError(text)
    value = int(text)
    if not -(2**63) <= value < 2**63:
        raise ValueError(text)
    return value


def new_requirement(key: str, operator: str, values: Iterable[str] | None) -> Requirement:
    """kube's ``NewRequirement``: validate and build one requirement (values sorted and de-duplicated).

    ``None`` stands for Go's nil slice of values (it prints differently in the messages).

    Raises:
        APIError: 400 BadRequest listing every problem, as kube's aggregated error reads.
    """
    value_list = list(values or ())
    shown = gosyntax.go_string_slice(values if values is None else value_list)
    found = [str(error) for error in names.validate_label_key(key, "key")]
    if operator in (IN, NOT_IN):
        if not value_list:
            found.append(f"values: Invalid value: {shown}: "
                         "for 'in', 'notin' operators, values set can't be empty")
    elif operator in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS):
        if len(value_list) != 1:
            found.append(f"values: Invalid value: {shown}: "
                         "exact-match compatibility requires one single value")
    elif operator in (EXISTS, DOES_NOT_EXIST):
        if value_list:
            found.append(f"values: Invalid value: {shown}: "
                         "values set must be empty for exists and does not exist")
    elif operator in (GREATER_THAN, LESS_THAN):
        if len(value_list) != 1:
            found.append(f"values: Invalid value: {shown}: "
                         "for 'Gt', 'Lt' operators, exactly one value is required")
        for index, value in enumerate(value_list):
            try:
                _go_int64(value)
            except ValueError:
                problem = "for 'Gt', 'Lt' operators, the value must be an integer"
                found.append(str(errors.invalid_value(f"values[{index}]", value, problem)))
    else:
        allowed = ", ".join(f'"{op}"' for op in _ALL_OPERATORS)
        shown_operator = gosyntax.go_quote(operator)
        found.append(f"operator: Unsupported value: {shown_operator}: supported values: {allowed}")
    for index, value in enumerate(value_list):
        problems = names.is_valid_label_value(value)
        if problems:
            found.append(str(errors.invalid_value(f"values[{index}][{key}]", value, "; ".join(problems))))
    if found:
        unique = list(dict.fromkeys(found))
        raise errors.bad_request(unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]")
    return Requirement(key, operator, tuple(sorted(set(value_list))))


class _Parser:
    """kube's two-phase parser: lex everything, then a recursive descent with one token of lookahead."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _lex(text)
        self.position = 0

    def _lookahead(self, values: bool) -> tuple[str, str]:
        token, literal = self.tokens[self.position]
        if values and token in (IN, NOT_IN):
            token = _IDENTIFIER
        return token, literal

    def _consume(self, values: bool) -> tuple[str, str]:
        found = self._lookahead(values)
        self.position += 1
        return found

    def parse(self) -> list[Requirement]:
        requirements: list[Requirement] = []
        while True:
            token, literal = self._lookahead(True)
            if token == _END:
                return requirements
            if token not in (_IDENTIFIER, DOES_NOT_EXIST):
                raise errors.bad_request(f"found '{literal}', expected: !, identifier, or 'end of string'")
            requirements.append(self._requirement())
            token, literal = self._consume(True)
            if token == _END:
                return requirements
            if token != ",":
                raise errors.bad_request(f"found '{literal}', expected: ',' or 'end of string'")
            token, literal = self._lookahead(True)
            if token not in (_IDENTIFIER, DOES_NOT_EXIST):
                raise errors.bad_request(f"found '{literal}', expected: identifier after ','")

    def _requirement(self) -> Requirement:
        try:
            key, operator = self._key_and_inferred_operator()
            if operator in (EXISTS, DOES_NOT_EXIST):
                return new_requirement(key, operator, [])
            operator = self._operator()
            values = self._values() if operator in (IN, NOT_IN) else self._exact_value()
            return new_requirement(key, operator, values)
        except errors.APIError as exc:
            raise errors.bad_request(f"unable to parse requirement: {exc.message}") from None

    def _key_and_inferred_operator(self) -> tuple[str, str]:
        operator = ""
        token, literal = self._consume(True)
        if token == DOES_NOT_EXIST:
            operator = DOES_NOT_EXIST
            token, literal = self._consume(True)
        if token != _IDENTIFIER:
            raise errors.bad_request(f"found '{literal}', expected: identifier")
        problems = names.is_qualified_name(literal)
        if problems:
            raise errors.bad_request(str(errors.invalid_value("<nil>", literal, "; ".join(problems))))
        following, _ = self._lookahead(True)
        if following in (_END, ",") and operator != DOES_NOT_EXIST:
            operator = EXISTS
        return literal, operator

    def _operator(self) -> str:
        token, literal = self._consume(False)
        if token in _BINARY_OPERATORS:
            return token
        raise errors.bad_request(f"found '{literal}', expected: {', '.join(_BINARY_OPERATORS)}")

    def _values(self) -> list[str]:
        token, literal = self._consume(True)
        if token != "(":
            raise errors.bad_request(f"found '{literal}' expected: '('")
        token, literal = self._lookahead(True)
        if token == ")":
            self._consume(True)
            return [""]
        if token not in (_IDENTIFIER, ","):
            raise errors.bad_request(f"found '{literal}', expected: ',', ')' or identifier")
        values = self._identifier_list()
        self._consume(True)
        return values

    def _identifier_list(self) -> list[str]:
        values: list[str] = []
        while True:
            token, literal = self._consume(True)
            if token == _IDENTIFIER:
                values.append(literal)
                following, following_literal = self._lookahead(True)
                if following == ",":
                    continue
                if following == ")":
                    return values
                raise errors.bad_request(f"found '{following_literal}', expected: ',' or ')'")
            if token != ",":
                raise errors.bad_request(f"found '{literal}', expected: ',', or identifier")
            if not values:
                values.append("")
            following, _ = self._lookahead(True)
            if following == ")":
                values.append("")
                return values
            if following == ",":
                self._consume(True)
                values.append("")

    def _exact_value(self) -> list[str]:
        token, _ = self._lookahead(True)
        if token in (_END, ","):
            return [""]
        token, literal = self._consume(True)
        if token == _IDENTIFIER:
            return [literal]
        raise errors.bad_request(f"found '{literal}', expected: identifier")


def _lex(text: str) -> list[tuple[str, str]]:
    """Split into (token, literal) pairs, as kube's lexer does: whitespace separates, a NUL ends the input,
    an operator is one symbol or one of the two-symbol operators ``==`` and ``!=``."""
    tokens: list[tuple[str, str]] = []
    position, end = 0, len(text)
    while True:
        while position < end and text[position] in _WHITESPACE:
            position += 1
        if position >= end or text[position] == "\0":
            tokens.append((_END, ""))
            return tokens
        if text[position] in _SPECIAL:
            pair = text[position:position + 2]
            symbol = pair if pair in ("==", "!=") else text[position]
            tokens.append((_SYMBOLS[symbol], symbol))
            position += len(symbol)
            continue
        start = position
        while position < end and text[position] not in _SPECIAL and text[position] not in _WHITESPACE \
                and text[position] != "\0":
            position += 1
        literal = text[start:position]
        tokens.append((_KEYWORDS.get(literal, _IDENTIFIER), literal))


def validate_label_selector(selector: Mapping[str, Any] | None, path: str) -> list[errors.FieldError]:
    """kube's ``ValidateLabelSelector`` for a ``metav1.LabelSelector`` field of an object (422 material)."""
    if selector is None:
        return []
    found = names.validate_labels(selector.get("matchLabels") or {}, f"{path}.matchLabels")
    for index, expression in enumerate(selector.get("matchExpressions") or []):
        item = f"{path}.matchExpressions[{index}]"
        operator = expression.get("operator", "")
        values = expression.get("values") or []
        if operator in ("In", "NotIn"):
            if not values:
                found.append(errors.required(f"{item}.values",
                                             "must be specified when `operator` is 'In' or 'NotIn'"))
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                found.append(errors.forbidden(
                    f"{item}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        else:
            found.append(errors.invalid_value(f"{item}.operator", operator, "not a valid selector operator"))
        found.extend(names.validate_label_key(expression.get("key", ""), f"{item}.key"))
        for value_index, value in enumerate(values):
            found.extend(errors.invalid_value(f"{item}.values[{value_index}]", value, problem)
                         for problem in names.is_valid_label_value(value))
    return found
