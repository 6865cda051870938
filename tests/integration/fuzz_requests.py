"""Requests for the fuzzer: every verb of every served type, with hostile query strings and bodies.

A :class:`ServedType` comes from discovery (``/api/v1``, ``/apis/<group>/<version>``). For it,
:func:`requests` draws one :class:`FuzzRequest`:

    verb (get, list, watch, create, update, patch, delete, deletecollection, a subresource, an odd method)
      --> path (the type's collection or the fuzz target object; now and then an odd namespace, name or prefix)
      --> query (kube's parameter names with edge values, plus random names)
      --> body by content type: JSON, YAML, protobuf, the four patch types, DeleteOptions, or random bytes;
          mostly a valid object of the type mutated (fields dropped, replaced by hostile values, unknown
          fields added, type meta changed), serialized with duplicates, tags and anchors now and then.

Each type has one target object (``fuzz-<plural>`` in ``default``) for the verbs that need an object; the
harness (:mod:`tests.integration.fuzz_harness`) creates it again when a request deleted it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from google.protobuf import json_format
from hypothesis import strategies as st

from gitplane.api.protobuf import catalog, envelope
from tests.integration.fuzz_values import keys, render_json, values, yaml_documents

NAMESPACE = "default"
JSON, YAML, PROTOBUF = "application/json", "application/yaml", envelope.MEDIA_TYPE
PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json",
               "application/strategic-merge-patch+json", "application/apply-patch+yaml")


@dataclass(frozen=True)
class ServedType:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    verbs: frozenset[str]
    subresources: tuple[str, ...]

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def target(self) -> str:
        """The name of the object the fuzzer keeps for this type (a CRD's name is its plural and group)."""
        if (self.group, self.kind) == CRD:
            return "fuzzes.fuzz.example.com"
        if (self.group, self.kind) == LOGICAL_CLUSTER:  # the one name a LogicalCluster may have: root's own
            return "cluster"
        return f"fuzz-{self.plural}"

    def collection(self, namespace: str = NAMESPACE) -> str:
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        return f"{base}/namespaces/{namespace}/{self.plural}" if self.namespaced else f"{base}/{self.plural}"

    def sample(self, name: str) -> dict[str, Any]:
        """A valid object of this type named ``name`` (in ``default`` when namespaced)."""
        metadata: dict[str, Any] = {"name": name, "labels": {"fuzz": "yes"}}
        if self.namespaced:
            metadata["namespace"] = NAMESPACE
        fields = copy.deepcopy(_SAMPLE_FIELDS.get((self.group, self.kind), {}))
        if (self.group, self.kind) == CRD:
            fields = _crd_fields(name)
        return {"apiVersion": self.api_version, "kind": self.kind, "metadata": metadata, **fields}


LOGICAL_CLUSTER = ("core.kcp.io", "LogicalCluster")
CRD = ("apiextensions.k8s.io", "CustomResourceDefinition")


def _crd_fields(name: str) -> dict[str, Any]:
    """A valid CRD spec for the name ``<plural>.<group>`` (a name of another shape cannot be a CRD's)."""
    plural, _, group = name.partition(".")
    spec = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    schema = {"type": "object", "properties": {"spec": spec}}
    return {"spec": {"group": group or "fuzz.example.com", "scope": "Namespaced",
                     "names": {"plural": plural, "kind": "Fuzz" + plural.capitalize()},
                     "versions": [{"name": "v1", "served": True, "storage": True,
                                   "schema": {"openAPIV3Schema": schema}, "subresources": {"status": {}}}]}}


_RBAC = "rbac.authorization.k8s.io"
_REGARDING = {"apiVersion": "v1", "kind": "ConfigMap", "name": "fuzz-configmaps", "namespace": NAMESPACE}
_SAMPLE_FIELDS: dict[tuple[str, str], dict[str, Any]] = {
    ("", "ConfigMap"): {"data": {"a": "b"}, "binaryData": {"c": "aGk="}},
    ("", "Secret"): {"type": "Opaque", "stringData": {"a": "b"}, "data": {"c": "aGk="}},
    ("", "ServiceAccount"): {"secrets": [{"name": "s"}], "automountServiceAccountToken": False},
    ("", "Event"): {"involvedObject": _REGARDING, "reason": "Fuzzed", "message": "m", "type": "Normal",
                    "count": 1, "firstTimestamp": "2024-01-01T00:00:00Z", "lastTimestamp": "2024-01-01T00:00:00Z",
                    "source": {"component": "fuzz"}},
    ("events.k8s.io", "Event"): {"eventTime": "2024-01-01T00:00:00.000000Z", "reportingController": "fuzz/c",
                                 "reportingInstance": "fuzz-1", "action": "Fuzz", "reason": "Fuzzed",
                                 "regarding": _REGARDING, "type": "Normal", "note": "n"},
    ("", "ResourceQuota"): {"spec": {"hard": {"pods": "10", "count/widgets": "5"}}},
    ("", "LimitRange"): {"spec": {"limits": [{"type": "Container", "max": {"cpu": "2"}, "min": {"cpu": "1m"},
                                              "default": {"cpu": "1"}}]}},
    ("coordination.k8s.io", "Lease"): {"spec": {"holderIdentity": "fuzz", "leaseDurationSeconds": 10,
                                                "acquireTime": "2024-01-01T00:00:00.000000Z"}},
    ("", "Namespace"): {"spec": {"finalizers": ["kubernetes"]}},
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"): {"spec": {
        "matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"],
                                                "resources": ["configmaps"]}]},
        "validations": [{"expression": "true"}]}},
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"): {"spec": {
        "policyName": "fuzz-none", "validationActions": ["Deny"]}},
    **{(_RBAC, kind): {"rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]}
       for kind in ("Role", "ClusterRole")},
    **{(_RBAC, kind): {"roleRef": {"apiGroup": _RBAC, "kind": "ClusterRole", "name": "view"},
                       "subjects": [{"kind": "User", "apiGroup": _RBAC, "name": "fuzz"}]}
       for kind in ("RoleBinding", "ClusterRoleBinding")},
}


@dataclass(frozen=True)
class FuzzRequest:
    type: ServedType
    verb: str
    method: str
    path: str
    query: str
    body: bytes | None = None
    content_type: str = JSON

    @property
    def url(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path

    @property
    def watch(self) -> bool:
        return self.verb == "watch"

    @property
    def on_target(self) -> bool:
        """Whether the request needs the type's target object to exist to get far (never for a create-only
        type such as the access reviews, which stores nothing)."""
        if "get" not in self.type.verbs:
            return False
        return self.path.endswith(f"/{self.type.target}") or f"/{self.type.target}/" in self.path

    def __str__(self) -> str:
        body = "" if self.body is None else f" ({self.content_type}, {len(self.body)} bytes): {self.body[:300]!r}"
        return f"{self.method} {self.url[:500]}{body}"


# -- query strings --------------------------------------------------------------------------------------------

PARAMETERS = ("limit", "continue", "resourceVersion", "resourceVersionMatch", "watch", "timeoutSeconds",
              "labelSelector", "fieldSelector", "fieldManager", "fieldValidation", "dryRun", "force",
              "propagationPolicy", "gracePeriodSeconds", "allowWatchBookmarks", "sendInitialEvents", "pretty",
              "orphanDependents", "includeObject", "export", "exact")
EDGE_PARAMETER_VALUES = (
    "", "0", "1", "-1", "true", "false", "True", "FALSE", "abc", "9223372036854775807", "9223372036854775808",
    "-9223372036854775809", "18446744073709551615", "18446744073709551616", "0" * 30 + "5", "9" * 5000, "1e3",
    " 1", "+1", "0x10", "1_000", "١٢", "All", "all", "Strict", "Warn", "Ignore", "Exact", "NotOlderThan",
    "Orphan", "Background", "Foreground", "Metadata", "Object", "None", "a=b", "a in (b,c)", "!a", "a,b",
    "a!=b,c notin (d)", "a==b==c", "(", "metadata.name=x", "metadata.namespace!=default", "status.phase=Active",
    "type=Opaque", "reason=x", "spec.x=y", "a" * 1000, "fuzz", "eyJydiI6MSwic3RhcnQiOiJ4In0", "e30", "!!!",
    "\ud800", "\x00", "名前", "..", "/", "%",
)
parameter_values = st.one_of(st.sampled_from(EDGE_PARAMETER_VALUES), st.text(max_size=30),
                             st.integers().map(str))


def _encode(text: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


@st.composite
def queries(draw: st.DrawFn, verb: str) -> str:
    names = draw(st.one_of(st.just([]), st.lists(st.one_of(st.sampled_from(PARAMETERS),
                                                            st.text(min_size=1, max_size=10)), max_size=5)))
    pairs = [(name, draw(parameter_values)) for name in names]
    if verb == "watch":
        pairs.insert(0, ("watch", draw(st.sampled_from(("true", "1", "True")))))
        if "timeoutSeconds" not in names:
            pairs.append(("timeoutSeconds", "1"))
    if draw(st.integers(min_value=0, max_value=19)) == 0:
        pairs.append(("limit", draw(st.sampled_from(("%ff", "%ED%A0%80", "%", "%zz")))))  # raw escapes
        return "&".join(f"{_encode(k)}={v if k == 'limit' and v.startswith('%') else _encode(v)}"
                        for k, v in pairs)
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in pairs)


# -- paths ----------------------------------------------------------------------------------------------------

ODD_SEGMENTS = ("..", ".", "%2e%2e", "%2F", "a%2Fb", "%00", "UPPER", "x" * 300, "%ff", "", "kube-system",
                "missing-namespace", "%E5%90%8D%E5%89%8D", "%ED%A0%80")
"""Path segments as sent (percent-encoded where they must be)."""


@st.composite
def paths(draw: st.DrawFn, t: ServedType, *, item: bool, subresource: str = "") -> str:
    namespace = NAMESPACE if draw(st.integers(min_value=0, max_value=9)) else draw(st.sampled_from(ODD_SEGMENTS))
    path = t.collection(namespace)
    if item:
        odd = draw(st.integers(min_value=0, max_value=7)) == 0
        name = draw(st.one_of(st.sampled_from(ODD_SEGMENTS), st.text(min_size=1, max_size=20).map(_encode))) \
            if odd else t.target
        path += f"/{name}"
        if subresource:
            path += f"/{subresource}"
    prefix = draw(st.sampled_from(("",) * 40 + ("/clusters/root", "/clusters/other", "/", "/clusters/root/")))
    return prefix + path


# -- bodies ---------------------------------------------------------------------------------------------------

def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths to every node of a tree (the root is ``()``)."""
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_nodes(child, (*path, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_nodes(child, (*path, index)))
    return found


def _parent(obj: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        obj = obj[step]
    return obj


@st.composite
def mutated(draw: st.DrawFn, obj: dict[str, Any]) -> Any:
    """A valid object changed in a few drawn ways (or left valid)."""
    obj = copy.deepcopy(obj)
    for _ in range(draw(st.sampled_from((0, 0, 1, 1, 2, 3, 4)))):
        change = draw(st.sampled_from(("replace", "replace", "drop", "add", "unknowns", "metadata", "typemeta")))
        path = draw(st.sampled_from(_nodes(obj)))
        if change == "replace":
            if not path:
                return draw(values)
            _parent(obj, path)[path[-1]] = draw(values)
        elif change == "drop" and path:
            del _parent(obj, path)[path[-1]]
        elif change == "add":
            target = _parent(obj, (*path, None))
            if isinstance(target, dict):
                target[draw(keys)] = draw(values)
            elif isinstance(target, list):
                target.append(draw(values))
        elif change == "unknowns" and isinstance(obj, dict):
            length, count = draw(st.integers(min_value=1, max_value=300)), draw(st.integers(min_value=1,
                                                                                            max_value=3000))
            obj.update({f"u{i}{'x' * length}": i for i in range(count)})
        elif change == "metadata" and isinstance(obj.get("metadata"), dict):
            field = draw(st.sampled_from(("name", "generateName", "namespace", "labels", "annotations",
                                          "finalizers", "resourceVersion", "uid", "managedFields",
                                          "ownerReferences", "creationTimestamp", "deletionTimestamp")))
            obj["metadata"][field] = draw(values)
        elif change == "typemeta":
            obj[draw(st.sampled_from(("apiVersion", "kind")))] = draw(st.one_of(values, st.sampled_from(
                ("v1", "v2", "apps/v1", "events.k8s.io/v1", "ConfigMap", "Secret", "Status", "List"))))
    return obj


def _length_delimited(number: int, payload: bytes) -> bytes:
    def varint(value: int) -> bytes:
        out = bytearray()
        while value > 0x7F:
            out.append(value & 0x7F | 0x80)
            value >>= 7
        return bytes(out) + bytes([value])

    return varint(number << 3 | 2) + varint(len(payload)) + payload


def _protobuf(obj: Any, t: ServedType) -> bytes:
    """Kubernetes protobuf of as much of ``obj`` as the message type holds (its metadata and simple fields),
    in an envelope written by hand, so that its apiVersion and kind may be any bytes."""
    types = catalog.load()
    full_name = types.find_kind(t.api_version, t.kind)
    raw = b""
    if full_name is not None and isinstance(obj, dict):
        message_class = types.message_class(full_name)
        for candidate in (obj, {"metadata": obj.get("metadata")}, {}):
            try:
                raw = json_format.ParseDict(candidate, message_class(), ignore_unknown_fields=True)\
                    .SerializeToString()
                break
            except (json_format.ParseError, TypeError, ValueError, AttributeError, SystemError):
                continue  # a value the message cannot hold (upb reports some as SystemError)
    meta = obj if isinstance(obj, dict) else {}
    type_meta = b"".join(_length_delimited(number, str(meta.get(name, "")).encode("utf-8", "surrogatepass"))
                         for number, name in ((1, "apiVersion"), (2, "kind")))
    return envelope.MAGIC + _length_delimited(1, type_meta) + _length_delimited(2, raw)


@st.composite
def _damaged(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with bytes flipped, cut or inserted (or as it is)."""
    data = bytearray(data)
    for _ in range(draw(st.sampled_from((0, 0, 1, 2, 3)))):
        if not data:
            break
        at = draw(st.integers(min_value=0, max_value=len(data) - 1))
        change = draw(st.sampled_from(("flip", "cut", "insert")))
        if change == "flip":
            data[at] ^= 1 << draw(st.integers(min_value=0, max_value=7))
        elif change == "cut":
            del data[at:]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
    return bytes(data)


@st.composite
def serialized(draw: st.DrawFn, value: Any, content_type: str, t: ServedType) -> bytes:
    if content_type == PROTOBUF:
        return draw(_damaged(_protobuf(value, t)))
    if content_type in (YAML, PATCH_TYPES[3]) and draw(st.booleans()):
        return draw(yaml_documents(value)).encode("utf-8", "surrogatepass")
    return render_json(value, duplicate=draw(st.integers(min_value=0, max_value=9)) == 0).encode()


def _json_patch(draw: st.DrawFn, obj: dict[str, Any]) -> list[Any]:
    pointers = ["/" + "/".join(str(step).replace("~", "~0").replace("/", "~1") for step in path)
                for path in _nodes(obj)]
    pointer = st.one_of(st.sampled_from(pointers), st.sampled_from(("", "/", "/-", "/a/~2", "/metadata/labels/-",
                                                                     "/data/0", "x", "/spec/limits/99")))
    ops = []
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        op: dict[str, Any] = {"op": draw(st.sampled_from(("add", "remove", "replace", "move", "copy", "test",
                                                          "merge", ""))), "path": draw(pointer)}
        if draw(st.booleans()):
            op["value"] = draw(values)
        if draw(st.booleans()):
            op["from"] = draw(pointer)
        ops.append(op)
    return ops


def _strategic(draw: st.DrawFn, patch: Any) -> Any:
    """A merge patch with strategic merge directives drawn into its objects."""
    if not isinstance(patch, dict):
        return patch
    for path in draw(st.lists(st.sampled_from(_nodes(patch)), max_size=3)):
        target = _parent(patch, (*path, None))
        if isinstance(target, dict):
            key = draw(st.sampled_from(("$patch", "$retainKeys", "$setElementOrder/limits",
                                        "$deleteFromPrimitiveList/finalizers", "$setElementOrder/secrets")))
            target[key] = draw(st.one_of(st.sampled_from(("delete", "replace", "merge", "x")), values))
    return patch


@st.composite
def bodies(draw: st.DrawFn, t: ServedType, verb: str) -> tuple[bytes | None, str]:
    """A body and its content type for a request of ``verb`` on type ``t``."""
    if verb in ("get", "list", "watch") and draw(st.integers(min_value=0, max_value=4)):
        return None, JSON
    if draw(st.integers(min_value=0, max_value=9)) == 0:  # anything at all
        content_type = draw(st.sampled_from((JSON, YAML, PROTOBUF, *PATCH_TYPES, "text/plain", "")))
        return draw(st.one_of(st.binary(max_size=2000), st.text(max_size=500).map(str.encode))), content_type
    name = t.target if verb in ("update", "patch") else f"fuzz-{draw(st.integers(min_value=0, max_value=10**6))}"
    obj = draw(mutated(t.sample(name)))
    if verb == "patch":
        content_type = draw(st.sampled_from(PATCH_TYPES))
        if content_type == PATCH_TYPES[0]:
            return render_json(_json_patch(draw, t.sample(name))).encode(), content_type
        if content_type == PATCH_TYPES[2]:
            obj = _strategic(draw, obj)
        return draw(serialized(obj, content_type, t)), content_type
    if verb in ("delete", "deletecollection"):
        options = {key: draw(st.one_of(st.sampled_from(("Orphan", "Background", "Foreground", "All", "")),
                                       values))
                   for key in draw(st.lists(st.sampled_from(("propagationPolicy", "preconditions", "dryRun",
                                                             "gracePeriodSeconds", "orphanDependents", "kind",
                                                             "apiVersion")), max_size=3))}
        return draw(serialized(options, JSON, t)), JSON
    content_type = draw(st.sampled_from((JSON, JSON, YAML, PROTOBUF)))
    return draw(serialized(obj, content_type, t)), content_type


# -- requests -------------------------------------------------------------------------------------------------

VERBS = ("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "subresource", "odd")
_METHODS = {"get": "GET", "list": "GET", "watch": "GET", "create": "POST", "update": "PUT", "patch": "PATCH",
            "delete": "DELETE", "deletecollection": "DELETE"}
_ITEM_VERBS = frozenset({"get", "update", "patch", "delete"})


@st.composite
def requests(draw: st.DrawFn, types: list[ServedType]) -> FuzzRequest:
    t = draw(st.sampled_from(types))
    verb = draw(st.sampled_from(VERBS))
    subresource = ""
    if verb == "subresource":
        subresource = draw(st.sampled_from((*t.subresources, "status", "scale", "x", "%20")))
        verb = draw(st.sampled_from(("get", "update", "patch")))
    method = _METHODS.get(verb, "")
    if verb == "odd":
        # methods the HTTP parser knows (it answers others, and CONNECT, itself, before the app sees them)
        method = draw(st.sampled_from(("OPTIONS", "HEAD", "TRACE", "PROPFIND", "PUT", "POST")))
        verb = "get"
    path = draw(paths(t, item=verb in _ITEM_VERBS or method != _METHODS.get(verb), subresource=subresource))
    body, content_type = draw(bodies(t, verb))
    return FuzzRequest(t, verb, method, path, draw(queries(verb)), body, content_type)
