"""YAML request bodies read the way kube-apiserver's YAML reader (sigs.k8s.io/yaml over YAML 1.1) reads them.

kube turns a YAML body into JSON before decoding it, so a YAML body must become the same JSON value here:
YAML 1.1 scalars (``yes``/``on`` are booleans, ``0777`` is octal), timestamps kept as strings, keys rendered
as strings, merge keys (``<<``) applied, and the last of duplicate keys kept. We compose the node tree with
ruamel.yaml and build the JSON value from it ourselves, which also lets us find duplicate keys by path.

    bytes -> ruamel compose (YAML 1.1, one document) -> nodes -> JSON value | duplicate key paths
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from gitplane.api import errors

_MERGE_TAG = "tag:yaml.org,2002:merge"
_TEXT_TAGS = frozenset({"tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"})
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
    except (YAMLError, RecursionError):
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
        self.budget = budget

    def value(self, node: Node) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise errors.bad_request(_PREFIX + "document contains excessive aliasing")
        if isinstance(node, MappingNode):
            return self._mapping(node)
        if isinstance(node, SequenceNode):
            return [self.value(item) for item in node.value]
        if node.tag in _TEXT_TAGS or not isinstance(node, ScalarNode):
            return node.value
        value = self.constructor.construct_object(node, deep=True)
        if isinstance(value, float) and not abs(value) < float("inf"):
            line = node.start_mark.line + 1
            raise errors.bad_request(f"{_PREFIX}line {line}: {node.value} is not a JSON number")
        return value

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
