"""YAML request bodies read the way kube-apiserver's YAML reader (sigs.k8s.io/yaml over YAML 1.1) reads them.

kube turns a YAML body into JSON before decoding it, so a YAML body must become the same JSON value here:
YAML 1.1 scalars (``yes``/``on`` are booleans, ``0777`` is octal), timestamps kept as strings, keys rendered
as strings, merge keys (``<<``) applied, and the last of duplicate keys kept. We compose the node tree with
ruamel.yaml and build the JSON value from it ourselves, which also lets us find duplicate keys by path.

    bytes -> ruamel compose (YAML 1.1, one document) -> nodes -> JSON value | duplicate key paths

Scalars resolve as go-yaml v2 (kube's YAML library) resolves them, where ruamel differs:

* a tag go-yaml cannot resolve (``!foo``, ``!!seq`` on a scalar) keeps the text as a string; a tag it can
  (``!!int``, ``!!bool``, ...) must fit the text (``!!int abc``: ``cannot decode !!str `abc` as a !!int``);
* an integer beyond 64 bits is a float, or a string when no float holds it (a JSON value has no bigger
  integers); sexagesimal numbers (``1:30``) are strings;
* a ``\\u`` escape of a surrogate is an error (``found invalid Unicode character escape code``).
"""

from __future__ import annotations

import math
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from gitplane.api import errors

_TAG = "tag:yaml.org,2002:"
_MERGE_TAG, _STR, _BINARY = _TAG + "merge", _TAG + "str", _TAG + "binary"
_INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP = _TAG + "int", _TAG + "float", _TAG + "bool", _TAG + "null", _TAG + "timestamp"
_RESOLVABLE = frozenset({_INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP})
"""The tags go-yaml resolves a scalar's text against (besides ``!!str``); it keeps the text of any other."""
_INFINITIES = frozenset({".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
                         ".nan", ".NaN", ".NAN"})
_GO_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INT_RANGE = (-(2**63), 2**64 - 1)  # int64 and uint64
_PREFIX = "error converting YAML to JSON: yaml: "


def load(body: bytes) -> Any:
    """The JSON value of a one-document YAML ``body`` (``None`` for an empty one).

    Raises:
        APIError: 400 naming the line, for malformed YAML, several documents, or values JSON cannot hold.
    """
    yaml = _yaml()
    root = _compose(yaml, body)
    if root is None:
        return None
    builder = _Builder(yaml, budget=1000 + 16 * len(body))
    try:
        return builder.value(root)
    except RecursionError as exc:
        raise errors.bad_request(_PREFIX + "the document nests too deeply") from exc


def duplicate_paths(body: bytes) -> list[str]:
    """Paths (``a.b``, ``a.list[0].c``) of keys repeated within one mapping, in document order; ``[]`` for a
    body that is not YAML."""
    found: list[str] = []
    try:
        _duplicates(_yaml().compose(body), "", found)
    except (YAMLError, ValueError, RecursionError):
        return []
    return found


def _yaml() -> YAML:
    yaml = YAML(typ="safe", pure=True)
    yaml.version = (1, 1)
    return yaml


def _compose(yaml: YAML, body: bytes) -> Node | None:
    try:
        node: Node | None = yaml.compose(body)
    except YAMLError as exc:
        raise errors.bad_request(_PREFIX + _problem(exc)) from exc
    except ValueError as exc:  # ruamel's scanner: chr() of a \U escape beyond U+10FFFF
        raise errors.bad_request(_PREFIX + "found invalid Unicode character escape code") from exc
    except RecursionError as exc:
        raise errors.bad_request(_PREFIX + "the document nests too deeply") from exc
    return node


def _problem(exc: YAMLError) -> str:
    problem = str(getattr(exc, "problem", "") or exc).strip()
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if "another document" in problem:
        problem = "the body holds more than one YAML document"
    return f"line {mark.line + 1}: {problem}" if mark is not None else problem


class _Builder:
    """Builds JSON values from composed nodes; ``budget`` bounds alias expansion (a "billion laughs" body)."""

    def __init__(self, yaml: YAML, budget: int) -> None:
        self.constructor = yaml.constructor
        self.resolver = yaml.resolver
        self.budget = budget

    def value(self, node: Node) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise errors.bad_request(_PREFIX + "document contains excessive aliasing")
        if isinstance(node, MappingNode):
            return self._mapping(node)
        if isinstance(node, SequenceNode):
            return [self.value(item) for item in node.value]
        if not isinstance(node, ScalarNode):
            return node.value
        tag, text = node.tag, node.value
        if tag not in _RESOLVABLE:  # !!str, !!binary, and the tags go-yaml keeps the text of
            return _checked_text(node)
        implicit = str(self.resolver.resolve(ScalarNode, text, (True, False)))
        resolved, value = self._resolve(node, implicit)
        if tag in (implicit, resolved):  # a plain scalar, or an explicit tag that fits its text
            return value
        if tag == _FLOAT and resolved == _INT:
            return float(value)
        raise errors.bad_request(f"{_PREFIX}cannot decode {_short(resolved)} `{text}` as a {_short(tag)}")

    def _resolve(self, node: ScalarNode, implicit: str) -> tuple[str, Any]:
        """The tag and value go-yaml gives a plain scalar of this text (``implicit``: ruamel's tag for it)."""
        text = node.value
        if implicit == _TIMESTAMP:
            return implicit, text  # sigs.k8s.io/yaml keeps timestamps as written
        if implicit not in (_INT, _FLOAT, _BOOL, _NULL) or ":" in text:  # go-yaml has no sexagesimal numbers
            return _STR, _checked_text(node)
        if implicit == _FLOAT:
            return _float(node)
        try:
            value = self.constructor.construct_object(ScalarNode(implicit, text, node.start_mark, node.end_mark),
                                                      deep=True)
        except ValueError:  # beyond Python's int-string conversion limit: far beyond 64 bits
            return _float(node)
        if implicit == _INT and not _INT_RANGE[0] <= value <= _INT_RANGE[1]:
            return _float(node)  # go-yaml: beyond int64 and uint64, a float if one holds it
        return implicit, value

    def _mapping(self, node: MappingNode) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merged = self.value(value_node)
                for source in merged if isinstance(merged, list) else [merged]:
                    if isinstance(source, dict):
                        out.update((k, v) for k, v in source.items() if k not in out)
                continue
            out[_key(self.value(key_node))] = self.value(value_node)
        return out


def _short(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


def _checked_text(node: ScalarNode) -> str:
    """A string scalar's text; one holding a surrogate (from a ``\\u`` escape) is refused, as go-yaml does."""
    text: str = node.value
    if not text.isascii():
        try:
            text.encode()
        except UnicodeEncodeError:
            raise errors.bad_request(f"{_PREFIX}line {node.start_mark.line + 1}: found invalid Unicode character "
                                     "escape code") from None
    return text


def _float(node: ScalarNode) -> tuple[str, Any]:
    """go-yaml's ``strconv.ParseFloat`` of a float's text: infinities and NaN have no JSON form; a text too
    large for a float, or that Go does not read as one, stays a string."""
    text: str = node.value
    if text in _INFINITIES:
        raise errors.bad_request(f"{_PREFIX}line {node.start_mark.line + 1}: {text} is not a JSON number")
    plain = text.replace("_", "")
    if _GO_FLOAT.fullmatch(plain):
        number = float(plain)
        if math.isfinite(number):
            return _FLOAT, number
    return _STR, text


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


def _duplicates(node: Node | None, path: str, found: list[str]) -> None:
    if isinstance(node, MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = f"{path}.{key}" if path else key
            if key in seen:
                found.append(child)
            seen.add(key)
            _duplicates(value_node, child, found)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _duplicates(item, f"{path}[{index}]", found)
