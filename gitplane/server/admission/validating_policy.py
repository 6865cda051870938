"""Admission plugin ValidatingAdmissionPolicy, as kube-apiserver's (admissionregistration.k8s.io/v1): the
(policy, binding) pairs of the write's logical cluster judge it with CEL.

For one write:

    pairs of the cluster (policy_index; none: done, one dict lookup)
      → policy's and binding's resource rules (policy_match)      → none match: done
      → the Namespace, read once (its labels, ``namespaceObject``) → namespace and object selectors
      → params: null without paramKind or paramRef; else read from the store in the same cluster
        (by name, or every object its selector picks; none found: allowed, or refused under
        parameterNotFoundAction Deny)
      → per params object, the policy's evaluation (policy_eval) → each failure to the binding's actions:
        Deny   refuse with the first one: ``ValidatingAdmissionPolicy 'p' with binding 'b' denied request: <m>``,
               the failure's reason and its code (Invalid 422, Forbidden 403, RequestEntityTooLarge 413,
               Unauthorized 401), as kube's ``admission.NewForbidden`` shapes it
        Warn   a ``Warning`` header: ``Validation failed for ValidatingAdmissionPolicy 'p' with binding 'b': <m>``
        Audit  a log line (gitplane keeps no audit log)

Policies and bindings themselves are never judged by policies (as in kube: a bad policy cannot lock its own
repair out). A binding that cannot be configured (paramKind names a kind the cluster does not serve, a
paramRef namespace that does not fit the param kind's scope, params not found under ``Deny``) refuses under
the policy's failurePolicy Fail with ``failed to configure binding: ...``, whatever the binding's actions, as
in kube.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from gitplane.api import errors
from gitplane.api.resources import ResourceType
from gitplane.server.admission import Attributes
from gitplane.server.admission.policy_eval import DEFAULT_REASON, CompiledPolicy, Failure, NotApplicable
from gitplane.server.admission.policy_index import BINDINGS, GROUP, POLICIES, Binding, PolicyIndex
from gitplane.server.admission.policy_match import Target, target_of
from gitplane.server.catalog import Catalog
from gitplane.storage import interface as storage

log = logging.getLogger(__name__)

CODES = {"Forbidden": 403, "Invalid": 422, "RequestEntityTooLarge": 413, "Unauthorized": 401}
Obj = dict[str, Any]


class ConfigurationError(Exception):
    """The binding cannot be used for this write (the text follows ``failed to configure binding: ``)."""


class ValidatingAdmissionPolicyPlugin:
    """``index``: the policies and bindings of every cluster; ``catalog_for``: each cluster's served types."""

    def __init__(self, index: PolicyIndex, catalog_for: Callable[[str], Catalog]) -> None:
        self.index = index
        self._catalog_for = catalog_for

    async def validate(self, attrs: Attributes) -> None:
        pairs = self.index.pairs(attrs.cluster)
        if not pairs or (attrs.type.group == GROUP and attrs.type.plural in (POLICIES, BINDINGS)):
            return
        catalog = self._catalog_for(attrs.cluster)
        target = target_of(attrs.type, attrs.subresource, attrs.operation.value, attrs.name, catalog.types)
        matched = [(p, b) for p, b in pairs
                   if p.match.rules_match(target) and (b.match is None or b.match.rules_match(target))]
        if not matched:
            return
        namespace = await _namespace(attrs)
        labels = _namespace_labels(attrs, namespace)
        values = {"object": attrs.obj, "oldObject": attrs.old, "request": _request(attrs, target),
                  "namespaceObject": namespace}
        denied: list[tuple[CompiledPolicy, Binding, Failure]] = []
        for policy, binding in matched:
            if not all(m.selectors_match(target, labels, attrs.obj, attrs.old)
                       for m in (policy.match, binding.match) if m is not None):
                continue
            try:
                every_params = await _params(policy, binding, attrs, catalog)
            except ConfigurationError as exc:
                if policy.fail_closed:
                    denied.append((policy, binding, Failure(f"failed to configure binding: {exc}", DEFAULT_REASON)))
                continue
            for params in every_params:
                try:
                    failures = policy.evaluate({**values, "params": params})
                except NotApplicable:
                    continue
                for failure in failures:
                    _act(policy, binding, failure, attrs, denied)
        if denied:
            raise _refusal(attrs, *denied[0])


def _act(policy: CompiledPolicy, binding: Binding, failure: Failure, attrs: Attributes,
         denied: list[tuple[CompiledPolicy, Binding, Failure]]) -> None:
    if binding.deny:
        denied.append((policy, binding, failure))
    if binding.warn:
        attrs.warnings.append(f"Validation failed for ValidatingAdmissionPolicy '{policy.name}' with binding "
                              f"'{binding.name}': {failure.message}")
    if binding.audit:
        log.info("ValidatingAdmissionPolicy %r with binding %r audited %s %s/%s in cluster %s: %s", policy.name,
                 binding.name, attrs.operation.value, attrs.namespace, attrs.name, attrs.cluster, failure.message)


def _refusal(attrs: Attributes, policy: CompiledPolicy, binding: Binding, failure: Failure) -> errors.APIError:
    message = (f"ValidatingAdmissionPolicy '{policy.name}' with binding '{binding.name}' denied request: "
               f"{failure.message}")
    t = attrs.type
    resource = f"{t.plural}.{t.group}" if t.group else t.plural
    details: dict[str, Any] = {"name": attrs.name, "group": t.group, "kind": t.plural,
                               "causes": [{"message": message}]}
    return errors.APIError(CODES.get(failure.reason, 500), failure.reason,
                           f'{resource} "{attrs.name}" is forbidden: {message}',
                           {k: v for k, v in details.items() if v})


async def _namespace(attrs: Attributes) -> Obj | None:
    """The Namespace of a namespaced write (None for cluster-scoped ones, or when it does not exist)."""
    if not attrs.type.namespaced or not attrs.namespace:
        return None
    try:
        record = await attrs.store.get(storage.Key("", "namespaces", "", attrs.cluster, "", attrs.namespace))
    except storage.NotFound:
        return None
    found: Obj = orjson.loads(record.value)
    (found.get("metadata") or {}).pop("managedFields", None)
    return found


def _namespace_labels(attrs: Attributes, namespace: Obj | None) -> Mapping[str, str] | None:
    """The labels a namespaceSelector is matched against: the Namespace's, or a Namespace's own."""
    if attrs.type.group == "" and attrs.type.plural == "namespaces":
        own = attrs.obj if attrs.obj is not None else attrs.old
        return ((own or {}).get("metadata") or {}).get("labels") or {}
    if not attrs.type.namespaced:
        return None
    return ((namespace or {}).get("metadata") or {}).get("labels") or {}


def _request(attrs: Attributes, target: Target) -> Obj:
    t, user = attrs.type, attrs.user
    kind = {"group": t.group, "version": t.version, "kind": t.kind}
    resource = {"group": t.group, "version": t.version, "resource": t.plural}
    return {"kind": kind, "resource": resource, "subResource": target.subresource, "requestKind": kind,
            "requestResource": resource, "requestSubResource": target.subresource, "name": attrs.name,
            "namespace": attrs.namespace, "operation": target.operation, "dryRun": attrs.dry_run,
            "userInfo": {"username": user.name, "uid": user.uid, "groups": list(user.groups),
                         "extra": {k: list(v) for k, v in user.extra}}}


def _param_type(policy: CompiledPolicy, catalog: Catalog) -> ResourceType:
    kind = policy.param_kind
    assert kind is not None
    found = next((t for t in catalog.of_group_version(kind.group, kind.version) if t.kind == kind.kind), None)
    if found is None:
        api_version = f"{kind.group}/{kind.version}" if kind.group else kind.version
        raise ConfigurationError(f"failed to find resource referenced by paramKind: '{api_version}, "
                                 f"Kind={kind.kind}'")
    return found


async def _params(policy: CompiledPolicy, binding: Binding, attrs: Attributes, catalog: Catalog
                  ) -> list[Obj | None]:
    """Every params object the binding gives this write (``[None]``, params null, for a policy without
    paramKind or a binding without paramRef, as in kube)."""
    ref = binding.param_ref
    if policy.param_kind is None or ref is None:
        return [None]
    param_type = _param_type(policy, catalog)
    namespace = ""
    if param_type.namespaced:
        namespace = ref.namespace or (attrs.namespace if attrs.type.namespaced else "")
        if not namespace:
            raise ConfigurationError("cannot use namespaced paramRef in policy binding that matches "
                                     "cluster-scoped resources")
    elif ref.namespace:
        raise ConfigurationError("paramRef.namespace must not be provided for a cluster-scoped `paramKind`")
    group, plural, identity = param_type.stored_group, param_type.plural, param_type.storage_identity
    found: list[Obj | None] = []
    if ref.name:
        try:
            record = await attrs.store.get(storage.Key(group, plural, identity, attrs.cluster, namespace, ref.name))
            found.append(orjson.loads(record.value))
        except storage.NotFound:
            pass
    elif ref.selector is not None:
        page = await attrs.store.list(storage.Prefix(group, plural, identity, attrs.cluster, namespace))
        for record in page.records:
            obj = orjson.loads(record.value)
            if ref.selector.matches((obj.get("metadata") or {}).get("labels") or {}):
                found.append(obj)
    if not found and ref.deny_when_missing:
        raise ConfigurationError("no params found for policy binding with `Deny` parameterNotFoundAction")
    return found
