"""The REST operations of served resource types, as kube-apiserver's installer describes them in OpenAPI.

One :class:`Operation` per HTTP method and path, named the way kube names it so that generated clients and
kubectl find what they look for: ``operationId`` (``readCoreV1NamespacedConfigMap``), tag (``core_v1``),
``x-kubernetes-action`` (``get``/``list``/``post``/``put``/``patch``/``delete``/``deletecollection``),
``x-kubernetes-group-version-kind``, the query parameters each verb accepts (``fieldValidation`` on every
write: kubectl's query-param verifier looks for it on PATCH before sending ``fieldValidation=Strict``), and
the content types of bodies and answers. :mod:`gitplane.server.openapi` renders these as Swagger 2.0 and
OpenAPI 3.0 documents.

    ResourceType  -> resource_operations() -> [Operation]  (collection, all-namespaces list, item,
                                                            subresources)
    group/version -> discovery_operation() -> Operation    (``GET /api/v1/``, ``GET /apis/<g>/<v>/``)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gitplane.api.resources import ResourceType
from gitplane.server import discovery

ParameterType = Literal["string", "integer", "boolean"]
Method = Literal["get", "post", "put", "patch", "delete"]
META = "io.k8s.apimachinery.pkg.apis.meta.v1."
STATUS = META + "Status"
DELETE_OPTIONS = META + "DeleteOptions"
PATCH = META + "Patch"
JSON = "application/json"
WATCH_STREAM = "application/json;stream=watch"
APPLY_PATCH = "application/apply-patch+yaml"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    location: Literal["path", "query"]
    type: ParameterType
    description: str

    @property
    def required(self) -> bool:
        return self.location == "path"


@dataclass(frozen=True, slots=True)
class Response:
    code: str
    description: str
    schema: str
    """The definition name of the answer's schema; empty for an answer without a body."""


@dataclass(frozen=True, slots=True)
class Operation:
    """One HTTP method on one path."""

    path: str
    method: Method
    operation_id: str
    description: str
    tag: str
    parameters: tuple[Parameter, ...]
    responses: tuple[Response, ...]
    produces: tuple[str, ...] = (JSON,)
    body: str | None = None
    """The definition name of the request body's schema."""
    body_required: bool = False
    consumes: tuple[str, ...] = ("*/*",)
    action: str = ""
    gvk: tuple[str, str, str] | None = None
    """``(group, version, kind)`` of the object the operation is about."""


def _query(name: str, type_: ParameterType, description: str) -> Parameter:
    return Parameter(name, "query", type_, description)


PRETTY = _query("pretty", "string", "If 'true', the answer is indented for people to read.")
NAMESPACE = Parameter("namespace", "path", "string", "The namespace of the objects (a scope for names).")
_CONTINUE = _query("continue", "string", "The continue token of the previous page of a paged list; an "
                   "expired token is answered with 410 Gone.")
_DRY_RUN = _query("dryRun", "string", "All: run every admission and validation step but store nothing.")
_FIELD_MANAGER = _query("fieldManager", "string", "The name of the actor making the change, recorded in "
                        "managedFields (at most 128 printable characters; required for apply patches).")
_FIELD_VALIDATION = _query("fieldValidation", "string", "What to do with unknown or duplicate fields in the "
                           "body: Ignore drops them, Warn drops them and answers with a Warning header for "
                           "each, Strict rejects the request (400) listing them all.")
_FIELD_SELECTOR = _query("fieldSelector", "string", "Only objects whose fields match, e.g. metadata.name=x.")
_LABEL_SELECTOR = _query("labelSelector", "string", "Only objects whose labels match, e.g. app=web,tier!=db.")
_LIMIT = _query("limit", "integer", "The largest number of objects in one page of a list; the list's "
                "metadata.continue then names the next page.")
_RESOURCE_VERSION = _query("resourceVersion", "string", "Which version of the data a list or watch starts "
                           "from (see resourceVersionMatch); unset means the most recent.")
_RESOURCE_VERSION_MATCH = _query("resourceVersionMatch", "string", "How resourceVersion applies to a list: "
                                 "NotOlderThan or Exact.")
_SEND_INITIAL_EVENTS = _query("sendInitialEvents", "boolean", "With watch: first an ADDED event per current "
                              "object, then a BOOKMARK annotated k8s.io/initial-events-end.")
_TIMEOUT_SECONDS = _query("timeoutSeconds", "integer", "The time after which the server ends the list or "
                          "watch.")
_WATCH = _query("watch", "boolean", "Stream the changes to the described objects instead of listing them.")
_ALLOW_WATCH_BOOKMARKS = _query("allowWatchBookmarks", "boolean", "Let a watch send BOOKMARK events carrying "
                                "the latest resourceVersion.")
_GRACE_PERIOD_SECONDS = _query("gracePeriodSeconds", "integer", "The seconds to wait before the object is "
                               "deleted; 0 deletes at once.")
_ORPHAN_DEPENDENTS = _query("orphanDependents", "boolean", "Deprecated: use propagationPolicy=Orphan.")
_PROPAGATION_POLICY = _query("propagationPolicy", "string", "What happens to dependents: Orphan, Background "
                             "or Foreground.")
_FORCE = _query("force", "boolean", "For apply patches: take over fields other managers own instead of "
                "failing with a conflict.")

LIST_PARAMETERS = (_ALLOW_WATCH_BOOKMARKS, _CONTINUE, _FIELD_SELECTOR, _LABEL_SELECTOR, _LIMIT,
                   _RESOURCE_VERSION, _RESOURCE_VERSION_MATCH, _SEND_INITIAL_EVENTS, _TIMEOUT_SECONDS, _WATCH)
WRITE_PARAMETERS = (_DRY_RUN, _FIELD_MANAGER, _FIELD_VALIDATION)
PATCH_PARAMETERS = (*WRITE_PARAMETERS, _FORCE)
DELETE_PARAMETERS = (_DRY_RUN, _GRACE_PERIOD_SECONDS, _ORPHAN_DEPENDENTS, _PROPAGATION_POLICY)
DELETE_COLLECTION_PARAMETERS = (_CONTINUE, _DRY_RUN, _FIELD_SELECTOR, _GRACE_PERIOD_SECONDS, _LABEL_SELECTOR,
                                _LIMIT, _ORPHAN_DEPENDENTS, _PROPAGATION_POLICY, _RESOURCE_VERSION,
                                _RESOURCE_VERSION_MATCH, _SEND_INITIAL_EVENTS, _TIMEOUT_SECONDS)
UNAUTHORIZED = Response("401", "Unauthorized", "")


def operation_id_part(text: str, *, capitalize_first: bool) -> str:
    """kube's ``ToValidOperationID``: drop characters that are not letters (or digits after the first) and
    capitalize the letter after each dropped one."""
    out: list[str] = []
    capitalize = capitalize_first
    for index, char in enumerate(text):
        if char.isalpha() or char == "_" or (index and char.isdigit()):
            out.append(char.upper() if capitalize else char)
            capitalize = False
        else:
            capitalize = True
    return "".join(out)


@dataclass(frozen=True, slots=True)
class GroupVersionNames:
    """How kube names the operations and tags of one group version."""

    root: str
    """``/api/v1`` or ``/apis/<group>/<version>``."""
    prefix: str
    """``CoreV1``, ``CoordinationV1``: what follows the verb in operation ids."""
    tag: str
    """``core_v1``, ``coordination_v1``."""

    @classmethod
    def of(cls, group: str, version: str) -> GroupVersionNames:
        name = group.removesuffix(".k8s.io") if group else "core"
        root = f"/apis/{group}/{version}" if group else f"/api/{version}"
        prefix = (operation_id_part(name, capitalize_first=True)
                  + operation_id_part(version, capitalize_first=True))
        tag = (operation_id_part(name, capitalize_first=False) + "_"
               + operation_id_part(version, capitalize_first=False))
        return cls(root, prefix, tag)


def discovery_operation(group: str, version: str) -> Operation:
    """``GET`` of the group version's ``APIResourceList``."""
    names = GroupVersionNames.of(group, version)
    return Operation(f"{names.root}/", "get", f"get{names.prefix}APIResources", "get available resources",
                     names.tag, (), (Response("200", "OK", META + "APIResourceList"), UNAUTHORIZED))


def _article(noun: str) -> str:
    """kube's ``GetArticleForNoun`` with single spaces around it."""
    if noun.endswith("s") and not noun.endswith("ss"):
        return " "
    return " an " if noun[:1].lower() in "aeiou" else " a "


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def _responses(schema: str, *codes: tuple[str, str]) -> tuple[Response, ...]:
    return (*(Response(code, description, schema) for code, description in codes), UNAUTHORIZED)


def _patch_types(t: ResourceType) -> tuple[str, ...]:
    """Strategic merge patch exists for kube's own Go types only, not for custom resources."""
    strategic = (STRATEGIC_MERGE_PATCH,) if t.schema.startswith("io.k8s.") else ()
    return ("application/json-patch+json", "application/merge-patch+json", *strategic, APPLY_PATCH)


@dataclass(frozen=True, slots=True)
class _Builder:
    """Collects the operations of one resource type (or of one of its subresources)."""

    names: GroupVersionNames
    gvk: tuple[str, str, str]
    operations: list[Operation]

    def add(self, path: str, method: Method, *, verb: str, noun: str, description: str, action: str,
            parameters: tuple[Parameter, ...], responses: tuple[Response, ...],
            produces: tuple[str, ...] = (JSON,), body: str | None = None,
            consumes: tuple[str, ...] = ("*/*",)) -> None:
        """``verb`` + group version + ``noun`` is the operation id: ``read`` ``CoreV1`` ``NamespacedPod``."""
        operation_id = verb + self.names.prefix + _capitalized(noun)
        self.operations.append(Operation(
            path, method, operation_id, description, self.names.tag, parameters, responses, produces=produces,
            body=body, body_required=body not in (None, DELETE_OPTIONS), consumes=consumes, action=action,
            gvk=self.gvk))


def resource_operations(t: ResourceType) -> list[Operation]:
    """Every operation kube's installer registers for ``t``: collection, all-namespaces list, item and
    subresources, for the verbs ``t`` serves."""
    names = GroupVersionNames.of(t.group, t.version)
    build = _Builder(names, (t.group, t.version, t.kind), [])
    noun = ("Namespaced" if t.namespaced else "") + t.kind
    collection = f"{names.root}/{t.plural}"
    if t.namespaced:
        collection = f"{names.root}/namespaces/{{namespace}}/{t.plural}"
    item = collection + "/{name}"
    scope = (NAMESPACE, PRETTY) if t.namespaced else (PRETTY,)
    named = (Parameter("name", "path", "string", f"name of the {t.kind}"), *scope)
    verbs = set(t.verbs)
    if "list" in verbs:
        watchable = "watch" in verbs
        description = ("list or watch objects of kind " if watchable else "list objects of kind ") + t.kind
        answers = _responses(f"{t.schema}List", ("200", "OK"))
        produces = (JSON, WATCH_STREAM) if watchable else (JSON,)
        build.add(collection, "get", verb="list", noun=noun, description=description, action="list",
                  parameters=(*scope, *LIST_PARAMETERS), responses=answers, produces=produces)
        if t.namespaced:
            build.add(f"{names.root}/{t.plural}", "get", verb="list", noun=f"{t.kind}ForAllNamespaces",
                      description=description, action="list", parameters=(PRETTY, *LIST_PARAMETERS),
                      responses=answers, produces=produces)
    if "create" in verbs:
        build.add(collection, "post", verb="create", noun=noun, action="post",
                  description=f"create{_article(t.kind)}{t.kind}", parameters=(*scope, *WRITE_PARAMETERS),
                  body=t.schema,
                  responses=_responses(t.schema, ("200", "OK"), ("201", "Created"), ("202", "Accepted")))
    if "deletecollection" in verbs:
        build.add(collection, "delete", verb="delete", noun="collection" + noun,
                  description=f"delete collection of {t.kind}", action="deletecollection",
                  parameters=(*scope, *DELETE_COLLECTION_PARAMETERS), body=DELETE_OPTIONS,
                  responses=_responses(STATUS, ("200", "OK")))
    if "get" in verbs:
        build.add(item, "get", verb="read", noun=noun, description=f"read the specified {t.kind}",
                  action="get", parameters=named, responses=_responses(t.schema, ("200", "OK")))
    if "update" in verbs:
        build.add(item, "put", verb="replace", noun=noun, description=f"replace the specified {t.kind}",
                  action="put", parameters=(*named, *WRITE_PARAMETERS), body=t.schema,
                  responses=_responses(t.schema, ("200", "OK"), ("201", "Created")))
    if "patch" in verbs:
        build.add(item, "patch", verb="patch", noun=noun, action="patch",
                  description=f"partially update the specified {t.kind}",
                  parameters=(*named, *PATCH_PARAMETERS), body=PATCH, consumes=_patch_types(t),
                  responses=_responses(t.schema, ("200", "OK"), ("201", "Created")))
    if "delete" in verbs:
        build.add(item, "delete", verb="delete", noun=noun, description=f"delete{_article(t.kind)}{t.kind}",
                  action="delete", parameters=(*named, *DELETE_PARAMETERS), body=DELETE_OPTIONS,
                  responses=_responses(STATUS, ("200", "OK"), ("202", "Accepted")))
    for name in t.subresources:
        _add_subresource(build, t, name, item)
    return build.operations


def _add_subresource(parent: _Builder, t: ResourceType, name: str, item: str) -> None:
    """A subresource's operations: named after the parent's kind; about, and typed as, its own kind."""
    sub = discovery.subresource(name)
    kind = discovery.subresource_kind(t, name)
    build = _Builder(parent.names, (kind["group"], kind["version"], kind["kind"]), parent.operations)
    schema = sub.schema or t.schema
    path = f"{item}/{name}"
    scope = (NAMESPACE, PRETTY) if t.namespaced else (PRETTY,)
    named = (Parameter("name", "path", "string", f"name of the {kind['kind']}"), *scope)
    noun = ("Namespaced" if t.namespaced else "") + t.kind + _capitalized(name)
    for verb in sub.verbs:
        if verb == "get":
            build.add(path, "get", verb="read", noun=noun, action="get", parameters=named,
                      description=f"read {name} of the specified {t.kind}",
                      responses=_responses(schema, ("200", "OK")))
        elif verb == "update":
            build.add(path, "put", verb="replace", noun=noun, action="put", body=schema,
                      description=f"replace {name} of the specified {t.kind}",
                      parameters=(*named, *WRITE_PARAMETERS),
                      responses=_responses(schema, ("200", "OK"), ("201", "Created")))
        elif verb == "patch":
            build.add(path, "patch", verb="patch", noun=noun, action="patch", body=PATCH,
                      consumes=_patch_types(t),
                      description=f"partially update {name} of the specified {t.kind}",
                      parameters=(*named, *PATCH_PARAMETERS),
                      responses=_responses(schema, ("200", "OK"), ("201", "Created")))
        elif verb == "create":
            build.add(path, "post", verb="create", noun=noun, action="post", body=schema,
                      description=f"create {name} of{_article(t.kind)}{t.kind}",
                      parameters=(*named, *WRITE_PARAMETERS),
                      responses=_responses(schema, ("200", "OK"), ("201", "Created"), ("202", "Accepted")))
