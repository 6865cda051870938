"""Strategic merge patch (``application/strategic-merge-patch+json``) of built-in types, applied server side.

Why: kubectl sends strategic merge patches for built-in kinds (``kubectl patch`` by default, the three-way
patch of client-side ``kubectl apply``, ``kubectl edit``). The patched object must be the one kube-apiserver
computes with k8s.io/apimachinery/pkg/util/strategicpatch (``StrategicMergeMapPatch``), or users and
controllers see different objects than on a real cluster.

How data flows: the live object, the decoded patch and the type's :class:`Schema` are walked together. At each
map of the patch:

1. ``$patch: replace`` takes the patch map instead of the live one, ``$patch: delete`` empties it;
2. ``$retainKeys: [...]`` drops the live keys it does not list (every non-null patch key must be listed);
3. each ``$setElementOrder/<list>`` merges ``<list>`` first and then orders it by the directive;
4. every other key merges: ``null`` deletes, maps recurse (unless the field's strategy is ``replace``), lists
   whose field has ``x-kubernetes-patch-strategy: merge`` merge by ``x-kubernetes-patch-merge-key`` (lists of
   primitives as sets) with the element directives ``$patch: delete|replace``, and everything else replaces;
5. ``$deleteFromPrimitiveList/<list>`` removes values from a list of primitives.

A field the schema does not know (``schema`` None below it) merges as in a JSON merge patch: maps recurse,
lists are replaced. A value the patch adds where the live object has none is merged into an empty value, so
its nulls and directives never reach storage (kube stores it as sent and drops them decoding the Go type).

Element order is :mod:`gitplane.api.patch.strategic_order`'s concern. Nothing is mutated: the result is a new
dict along the patched paths and shares every untouched subtree with the live object.
"""

from __future__ import annotations

from typing import Any

from gitplane.api import errors
from gitplane.api.patch import rejections, strategic_order
from gitplane.api.schema import Schema

DIRECTIVE = "$patch"
RETAIN_KEYS = "$retainKeys"
SET_ELEMENT_ORDER = "$setElementOrder"
DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList"

# kube's own wording for malformed directives (k8s.io/apimachinery/pkg/util/mergepatch).
BAD_PRIMITIVE_LIST = "invalid patch format of primitive list"
BAD_RETAIN_KEYS = "invalid patch format of retainKeys"
BAD_SET_ELEMENT_ORDER = "invalid patch format of setElementOrder list"

_LIST_DIRECTIVES = (SET_ELEMENT_ORDER, DELETE_FROM_PRIMITIVE_LIST)

_EMPTY: dict[str, Any] = {}


def apply_strategic_merge_patch(obj: dict[str, Any], patch: object, schema: Schema | None) -> dict[str, Any]:
    """Apply a decoded strategic merge patch to ``obj``.

    Args:
        obj: the live object; not modified.
        patch: the decoded request body (an object; ``null`` changes nothing, as in kube); not modified.
        schema: the object's type (e.g. ``io.k8s.api.apps.v1.Deployment``); None treats every list as atomic.

    Returns:
        The patched object, sharing untouched subtrees with ``obj``.

    Raises:
        APIError: 400 for a body that is not an object and for malformed directives or merge-list elements
            (kube's message, prefixed by the field path); 422 (generic) for lists of lists.
    """
    if patch is None:
        return obj
    if not isinstance(patch, dict):
        kind = rejections.json_type(patch)
        raise errors.bad_request(
            f"json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}")
    return _merge_map(obj, patch, schema, "")


def _merge_map(live: dict[str, Any], patch: dict[str, Any], schema: Schema | None,
               path: str) -> dict[str, Any]:
    if DIRECTIVE in patch:
        directive = patch[DIRECTIVE]
        if directive == "replace":
            return _merge_map(_EMPTY, {k: v for k, v in patch.items() if k != DIRECTIVE}, schema, path)
        if directive == "delete":
            return {}
        raise _unknown_directive(path, directive, patch)
    result = dict(live)
    if RETAIN_KEYS in patch:
        _retain_keys(result, patch, path)
    ordered_fields: set[str] = set()
    for key, value in patch.items():
        if key.startswith(SET_ELEMENT_ORDER):
            ordered = _order_list(result, patch, key, value, schema=schema, path=path)
            if ordered is not None:
                ordered_fields.add(ordered)
    deletions: list[tuple[str, object]] = []
    for key, value in patch.items():
        if key.startswith("$"):
            if key == RETAIN_KEYS or key.startswith(SET_ELEMENT_ORDER):
                continue
            if key.startswith(DELETE_FROM_PRIMITIVE_LIST):
                field = _directive_field(key, DELETE_FROM_PRIMITIVE_LIST, BAD_PRIMITIVE_LIST, path)
                deletions.append((field, value))
                continue
        if key in ordered_fields:
            continue
        if value is None:
            result.pop(key, None)
            continue
        field_schema = schema.field(key) if schema is not None else None
        result[key] = _merge_value(result.get(key), value, field_schema, _child(path, key))
    for field, doomed in deletions:
        _delete_from_primitive_list(result, field, doomed, _child(path, field))
    return result


def _merge_value(live: object, value: object, schema: Schema | None, path: str) -> object:
    """The merge of one patch value (not null) into the live value of the same field.

    A ``live`` that is None (absent) or of another kind takes the patch value merged into an empty value.
    """
    if isinstance(value, dict):
        if isinstance(live, dict) and _strategy(schema) != "replace":
            return _merge_map(live, value, schema, path)
        return _merge_map(_EMPTY, value, schema, path)
    if isinstance(value, list):
        if _strategy(schema) == "merge" and schema is not None:
            return _merge_list(live if isinstance(live, list) else [], value, schema, path)
        return _fresh_list(value, schema, path)
    return value


def _fresh_list(values: list[Any], schema: Schema | None, path: str) -> list[Any]:
    """An atomic (replaced) list as it is stored: elements that are maps or lists are taken fresh."""
    items = schema.items if schema is not None else None
    return [_merge_value(None, v, items, f"{path}[{i}]") if isinstance(v, dict | list) else v
            for i, v in enumerate(values)]


def _merge_list(live: list[Any], patch: list[Any], schema: Schema, path: str) -> list[Any]:
    """Merge a patch list into the live list of a field whose patch strategy is ``merge``."""
    if not live and not patch:
        return live
    kind = strategic_order.element_kind(path, live, patch)
    if kind is not dict:
        merged = strategic_order.unique(live + patch)
        key_of: strategic_order.KeyOf = strategic_order.identity
        live_order, patch_order = live, patch
    else:
        merge_key = schema.patch_merge_key
        if not merge_key:
            raise _bad(path, "cannot merge lists without merge key for type map")
        live_order, patch_order = _apply_element_directives(live, patch, merge_key, schema.items, path)
        merged = _merge_elements(live_order, patch_order, merge_key, schema.items, path)
        key_of = strategic_order.merge_key_of(merge_key, path)
    in_patch, server_only = strategic_order.partition(merged, patch_order, key_of)
    return strategic_order.interleave(in_patch, server_only, patch_order, live_order, key_of)


def _apply_element_directives(live: list[Any], patch: list[dict[str, Any]], merge_key: str,
                              items: Schema | None, path: str) -> tuple[list[Any], list[dict[str, Any]]]:
    """Carry out ``$patch: delete|replace`` elements: the live list left and the plain patch elements."""
    plain: list[dict[str, Any]] = []
    doomed: set[object] = set()
    replace = False
    for index, element in enumerate(patch):
        if DIRECTIVE not in element:
            plain.append(element)
            continue
        directive = element[DIRECTIVE]
        if directive == "delete":
            if merge_key not in element:
                raise strategic_order.no_merge_key(element, merge_key, f"{path}[{index}]")
            doomed.add(strategic_order.identity(element[merge_key]))
        elif directive == "replace":
            replace = True
        elif directive == "merge":
            raise _bad(path, "merging lists cannot yet be specified in the patch")
        else:
            raise _unknown_directive(f"{path}[{index}]", directive, element)
    if replace:
        return [_merge_map(_EMPTY, e, items, f"{path}[{i}]") for i, e in enumerate(plain)], []
    if doomed:
        live = [e for e in live
                if not (merge_key in e and strategic_order.identity(e[merge_key]) in doomed)]
    return live, plain


def _merge_elements(live: list[Any], plain: list[dict[str, Any]], merge_key: str, items: Schema | None,
                    path: str) -> list[Any]:
    """Merge each patch element into the first live element with its merge key, or append it."""
    result = list(live)
    position: dict[object, int] = {}
    for index, element in enumerate(result):
        if merge_key in element:
            position.setdefault(strategic_order.identity(element[merge_key]), index)
    for index, element in enumerate(plain):
        element_path = f"{path}[{index}]"
        if merge_key not in element:
            raise strategic_order.no_merge_key(element, merge_key, element_path)
        token = strategic_order.identity(element[merge_key])
        at = position.get(token)
        if at is None:
            position[token] = len(result)
            result.append(_merge_map(_EMPTY, element, items, element_path))
        else:
            result[at] = _merge_map(result[at], element, items, element_path)
    return result


def _order_list(result: dict[str, Any], patch: dict[str, Any], key: str, order: object, *,
                schema: Schema | None, path: str) -> str | None:
    """Merge the list a ``$setElementOrder/<list>`` names into ``result``, order it, and return its name.

    Returns None when the directive does not apply (the list's field does not merge, or neither side has it);
    the list then merges, or not, like any other field.
    """
    field = _directive_field(key, SET_ELEMENT_ORDER, BAD_SET_ELEMENT_ORDER, path)
    if not isinstance(order, list):
        raise _bad(path, BAD_SET_ELEMENT_ORDER)
    list_schema = schema.field(field) if schema is not None else None
    if list_schema is None or _strategy(list_schema) != "merge":
        return None
    field_path = _child(path, field)
    live = result.get(field)
    if live is not None and not isinstance(live, list):
        raise _bad(field_path, f"expected a list, but the object has a {rejections.json_type(live)}")
    patch_list = patch.get(field)
    if field in patch and not isinstance(patch_list, list):
        raise _bad(field_path, f"expected a list, but received a {rejections.json_type(patch_list)}")
    strategic_order.check_set_order(patch_list or [], order, list_schema.patch_merge_key, field_path)
    if patch_list is None:
        if live is None:
            return None
        merged = live
    else:
        merged = _merge_list(live or [], patch_list, list_schema, field_path)
    if merged:
        key_of = strategic_order.key_function(list_schema.patch_merge_key, merged, field_path)
        in_order, server_only = strategic_order.partition(merged, order, key_of)
        merged = strategic_order.interleave(in_order, server_only, order, live or [], key_of)
    result[field] = merged
    return field


def _retain_keys(result: dict[str, Any], patch: dict[str, Any], path: str) -> None:
    """Drop from ``result`` the keys ``$retainKeys`` does not list, once sure it lists every patched key."""
    retained = patch[RETAIN_KEYS]
    if not isinstance(retained, list):
        raise _bad(path, BAD_RETAIN_KEYS)
    kept = {k for k in retained if isinstance(k, str)}
    for key, value in patch.items():
        if value is None or key == RETAIN_KEYS or key.startswith(_LIST_DIRECTIVES):
            continue
        if key not in kept:
            raise _bad(path, f"{BAD_RETAIN_KEYS}: {key!r} is patched but not retained")
    for key in [k for k in result if k not in kept]:
        del result[key]


def _delete_from_primitive_list(result: dict[str, Any], field: str, doomed: object, path: str) -> None:
    """Remove the values ``doomed`` lists from the list of primitives ``result[field]``."""
    if not isinstance(doomed, list) or any(isinstance(v, dict | list) for v in doomed):
        raise _bad(path, BAD_PRIMITIVE_LIST)
    live = result.get(field)
    if not isinstance(live, list):
        return
    if any(isinstance(v, dict | list) for v in live):
        raise _bad(path, BAD_PRIMITIVE_LIST)
    tokens = {strategic_order.identity(v) for v in doomed}
    result[field] = [v for v in live if strategic_order.identity(v) not in tokens]


def _directive_field(key: str, prefix: str, message: str, path: str) -> str:
    """The field a ``<prefix>/<field>`` directive key names."""
    head, slash, field = key.partition("/")
    if not slash or head != prefix or not field:
        raise _bad(path, message)
    return field


def _strategy(schema: Schema | None) -> str:
    """The field's patch strategy besides ``retainKeys`` (only clients act on that): merge, replace or ""."""
    if schema is None:
        return ""
    strategies = [s for s in schema.patch_strategy.split(",") if s and s != "retainKeys"]
    return strategies[0] if strategies else ""


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _unknown_directive(path: str, directive: object, patch: dict[str, Any]) -> errors.APIError:
    rendered = rejections.render(directive)
    return _bad(path, f"unknown patch type: {rendered} in map: {rejections.render(patch)}")


def _bad(path: str, message: str) -> errors.APIError:
    return errors.bad_request(f"{path}: {message}" if path else message)
