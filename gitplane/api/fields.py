"""Field selectors: the ``fieldSelector`` query parameter.

A field selector is an AND of ``field=value`` / ``field==value`` / ``field!=value`` terms over a small set of
string-valued fields each resource type exposes (see :mod:`gitplane.api.selectable`):

    "metadata.name=web,status.phase!=Active"
        --FieldSelector.parse-->  (metadata.name = web) (status.phase != Active)

Parsing follows ``k8s.io/apimachinery/pkg/fields/selector.go`` to the letter: terms split on unescaped commas
and are sorted as strings, values may escape ``\\``, ``,`` and ``=`` with a backslash, and a term with neither
a field nor a value drops out. Errors are 400s with kube's messages. Which field labels a resource accepts,
and under which name they are stored, is the business of :mod:`gitplane.api.selectable`.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass

from gitplane.api import errors

EQUALS = "="
NOT_EQUALS = "!="
_TERM_OPERATORS = ("!=", "==", "=")


@dataclass(frozen=True, slots=True)
class FieldRequirement:
    """One term: ``field = value`` or ``field != value`` (``==`` is read as ``=``)."""

    field: str
    operator: str
    value: str

    def matches(self, fields: Mapping[str, str]) -> bool:
        equal = fields.get(self.field, "") == self.value
        return equal if self.operator == EQUALS else not equal

    def __str__(self) -> str:
        return f"{self.field}{self.operator}{escape_value(self.value)}"


@dataclass(frozen=True, slots=True)
class FieldSelector:
    """An AND of field requirements; the empty selector selects everything."""

    requirements: tuple[FieldRequirement, ...] = ()

    @classmethod
    def parse(cls, text: str) -> FieldSelector:
        """Parse the string syntax.

        Raises:
            APIError: 400 BadRequest with kube's message for a term without operator or a bad escape.
        """
        terms: list[FieldRequirement] = []
        for part in sorted(_split_terms(text)):
            if not part:
                continue
            split = _split_term(part)
            if split is None:
                raise errors.bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
            field, operator, raw_value = split
            value = unescape_value(raw_value)
            if field or value:
                terms.append(FieldRequirement(field, NOT_EQUALS if operator == "!=" else EQUALS, value))
        return cls(tuple(terms))

    @property
    def empty(self) -> bool:
        return not self.requirements

    def matches(self, fields: Mapping[str, str]) -> bool:
        """True when every term holds; a field the object does not expose reads as the empty string."""
        return all(requirement.matches(fields) for requirement in self.requirements)

    def requires_exact_match(self, field: str) -> str | None:
        """The value an ``=`` term pins ``field`` to, if there is one (kube's ``RequiresExactMatch``)."""
        for requirement in self.requirements:
            if requirement.field == field and requirement.operator == EQUALS:
                return requirement.value
        return None

    def check_supported(self, supported: Container[str]) -> None:
        """Reject a selector naming a field outside ``supported``.

        Raises:
            APIError: 400 BadRequest ``field label not supported: <field>`` for the first such field.
        """
        for requirement in self.requirements:
            if requirement.field not in supported:
                raise errors.bad_request(f"field label not supported: {requirement.field}")

    def transform(self, convert: Callable[[str, str], tuple[str, str]]) -> FieldSelector:
        """Rewrite every term's field and value (kube's ``Transform``); terms rewritten to nothing drop out.

        ``convert`` may raise (an :class:`APIError`) to reject a field label.
        """
        terms = []
        for requirement in self.requirements:
            field, value = convert(requirement.field, requirement.value)
            if field or value:
                terms.append(FieldRequirement(field, requirement.operator, value))
        return FieldSelector(tuple(terms))

    def __str__(self) -> str:
        return ",".join(str(requirement) for requirement in self.requirements)


def pinned_name(selector: FieldSelector) -> str | None:
    """The single object name a selector restricts to (``metadata.name=x``), as authorization and watches
    use it: a list or watch so restricted is treated as a request for that one object."""
    return selector.requires_exact_match("metadata.name")


_ESCAPES = str.maketrans({"\\": "\\\\", ",": "\\,", "=": "\\="})


def escape_value(value: str) -> str:
    """Escape ``\\``, ``,`` and ``=`` so the value survives the selector syntax."""
    return value.translate(_ESCAPES)


def unescape_value(value: str) -> str:
    """Undo :func:`escape_value`.

    Raises:
        APIError: 400 BadRequest for an unknown escape or an unescaped ``,`` or ``=``.
    """
    if "\\" not in value and "," not in value and "=" not in value:
        return value
    out = []
    escaped = False
    for char in value:
        if escaped:
            if char not in "\\,=":
                raise errors.bad_request(f"invalid field selector: invalid escape sequence: \\{char}")
            out.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in ",=":
            raise errors.bad_request(f"invalid field selector: unescaped character in value: {ord(char)}")
        else:
            out.append(char)
    if escaped:
        raise errors.bad_request("invalid field selector: invalid escape sequence: \\")
    return "".join(out)


def _split_terms(text: str) -> list[str]:
    """Split on commas that are not escaped by a backslash."""
    if not text:
        return []
    terms = []
    start = 0
    escaped = False
    for index, char in enumerate(text):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ",":
            terms.append(text[start:index])
            start = index + 1
    terms.append(text[start:])
    return terms


def _split_term(term: str) -> tuple[str, str, str] | None:
    """Split at the first operator, trying ``!=``, then ``==``, then ``=`` at each position."""
    for index in range(len(term)):
        for operator in _TERM_OPERATORS:
            if term.startswith(operator, index):
                return term[:index], operator, term[index + len(operator):]
    return None
