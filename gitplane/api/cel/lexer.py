"""A small CEL tokenizer: what the rule compiler must know about a rule's text that the CEL library hides.

The C++ runtime behind ``cel_expr_python`` exposes no syntax tree, but three decisions need one level of it:

* is the rule a *transition rule* (does it name the variable ``oldSelf``, not a field or a string ``oldSelf``)?
* what does it cost, roughly (how many operations, how deeply nested the comprehension macros are)?
* which field selections start at ``self``/``oldSelf`` (checked against the schema as kube's typed compile does)?

    rule text --tokens()--> [Token(kind, text, offset)] --> transition check, cost shape, selection chains

Strings (single, double, triple quoted, raw and bytes prefixes) and comments are recognised so that nothing
inside them counts; everything else is identifiers, numbers and punctuation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

IDENT = "ident"
NUMBER = "number"
STRING = "string"
PUNCT = "punct"

_TOKEN = re.compile(r"""
    (?P<space>\s+|//[^\n]*)
  | (?P<string>(?:[rRbB]{1,2})?
        (?:'''(?:\\.|[^\\])*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\"|'(?:\\.|[^\\'\n])*'|"(?:\\.|[^\\"\n])*"))
  | (?P<number>0[xX][0-9a-fA-F]+[uU]?|(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?[uU]?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>\.\?|\?\.|&&|\|\||==|!=|<=|>=|[-+*/%!<>?:.,()\[\]{}])
""", re.VERBOSE | re.DOTALL)

MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    offset: int


def tokens(text: str) -> list[Token]:
    """The rule's tokens; an unknown character becomes a one-character punctuation token (the compiler reports it)."""
    out: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            out.append(Token(PUNCT, text[position], position))
            position += 1
            continue
        kind = match.lastgroup or PUNCT
        if kind != "space":
            out.append(Token(kind, match.group(), position))
        position = match.end()
    return out


def _is_variable(toks: list[Token], index: int, name: str) -> bool:
    """``toks[index]`` is the identifier ``name`` used as a variable, not a field selection ``x.name``."""
    token = toks[index]
    if token.kind != IDENT or token.text != name:
        return False
    return not (index > 0 and toks[index - 1].text in (".", ".?"))


def references(text: str, name: str) -> bool:
    """Does the expression name the variable ``name`` (``oldSelf``)?"""
    toks = tokens(text)
    return any(_is_variable(toks, i, name) for i in range(len(toks)))


def replace_variable(text: str, name: str, replacement: str) -> str:
    """The expression with every use of the variable ``name`` replaced by ``replacement`` (in parentheses)."""
    toks = tokens(text)
    pieces: list[str] = []
    last = 0
    for index, token in enumerate(toks):
        if _is_variable(toks, index, name):
            pieces.append(text[last:token.offset])
            pieces.append(f"({replacement})")
            last = token.offset + len(token.text)
    pieces.append(text[last:])
    return "".join(pieces)


@dataclass(frozen=True, slots=True)
class Shape:
    """What the cost estimate needs: operations outside loops, and per comprehension depth."""

    operations: int
    loop_depth: int
    string_functions: int


_STRING_FUNCTIONS = frozenset({"matches", "find", "findAll", "contains", "startsWith", "endsWith", "split", "join",
                               "replace", "lowerAscii", "upperAscii", "trim", "indexOf", "lastIndexOf", "substring",
                               "format", "url", "quantity", "ip", "cidr"})


def shape(text: str) -> Shape:
    """Count operations and the nesting depth of comprehension macros (``x.all(i, ...)`` inside another)."""
    toks = tokens(text)
    operations = sum(1 for t in toks if t.kind != PUNCT or t.text not in "(),[]{}")
    string_functions = sum(1 for t in toks if t.kind == IDENT and t.text in _STRING_FUNCTIONS)
    depth = 0
    max_depth = 0
    stack: list[bool] = []
    for index, token in enumerate(toks):
        if token.text in ("(", "[", "{"):
            is_macro = (token.text == "(" and index >= 2 and toks[index - 1].kind == IDENT
                        and toks[index - 1].text in MACROS and toks[index - 2].text == ".")
            stack.append(is_macro)
            if is_macro:
                depth += 1
                max_depth = max(max_depth, depth)
        elif token.text in (")", "]", "}") and stack and stack.pop():
            depth -= 1
    return Shape(operations, max_depth, string_functions)


def selections(text: str, roots: tuple[str, ...] = ("self", "oldSelf")) -> list[tuple[list[tuple[str, int]], bool]]:
    """Field-selection chains from a root variable: ``has(self.a.b)`` gives ``([("a", 8), ("b", 10)], True)``.

    Each element is the field name and the offset of the ``.`` before it (where CEL reports a select), except
    the tested field of ``has(...)``, which CEL reports at the ``(``; the flag says whether the chain is that
    argument. A chain stops at a
    method call (``self.a.size()``), an index (``self.a[0]``) or an optional select (``self.?a``).
    """
    toks = tokens(text)
    chains: list[tuple[list[tuple[str, int]], bool]] = []
    for index in range(len(toks)):
        if not any(_is_variable(toks, index, root) for root in roots):
            continue
        in_has = index >= 2 and toks[index - 1].text == "(" and toks[index - 2].text == "has"
        has_offset = toks[index - 1].offset if in_has else -1
        chain: list[tuple[str, int]] = []
        position = index + 1
        while position + 1 < len(toks) and toks[position].text == "." and toks[position + 1].kind == IDENT:
            if position + 2 < len(toks) and toks[position + 2].text == "(":
                break
            chain.append((toks[position + 1].text, toks[position].offset))
            position += 2
        if chain and in_has and position < len(toks) and toks[position].text == ")":
            chain[-1] = (chain[-1][0], has_offset)
        if chain:
            chains.append((chain, in_has))
    return chains
