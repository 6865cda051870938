"""LIST: selectors, pagination, and the resourceVersion semantics of kube-apiserver.

Which revision a list reads (k8s API concepts, "Semantics for get and list"):

    resourceVersionMatch  limit/continue        rv unset      rv="0"       rv=N
    unset                 none                  most recent   any          not older than N
    unset                 limit                 most recent   any          exact N
    unset                 continue              the token's revision (rv must be unset or "0")
    Exact                 any                   invalid       invalid      exact N
    NotOlderThan          any                   invalid       any          not older than N

Without selectors the page is the store's page and its items are served as stored bytes. With selectors,
items are decoded and filtered, and the store is read in growing chunks until the page is full; the
continue token then points after the last item examined, and ``remainingItemCount`` is omitted, as kube does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from gitplane.api import errors
from gitplane.api.fields import FieldSelector
from gitplane.api.gosyntax import go_quote
from gitplane.api.labels import LabelSelector
from gitplane.api.selectable import convert_field_selector, selectable_fields
from gitplane.server.negotiation import Form
from gitplane.server.request import Response
from gitplane.server.rest import continuetoken, output, params
from gitplane.server.rest.context import Obj, ResourceRequest
from gitplane.storage import interface as storage

MAX_CHUNK = 10_000
UINT64_MAX = 2**64 - 1


@dataclass(frozen=True, slots=True)
class Predicate:
    """Label and field selectors of a request; ``matches`` decodes nothing when both are empty."""

    labels: LabelSelector | None
    fields: FieldSelector | None

    @property
    def empty(self) -> bool:
        return self.labels is None and self.fields is None

    def matches(self, ctx: ResourceRequest, stored: Obj) -> bool:
        """Whether a stored object (not its served view: field labels are converted to stored ones) matches."""
        if self.labels is not None and not self.labels.matches((stored.get("metadata") or {}).get("labels") or {}):
            return False
        return self.fields is None or self.fields.matches(selectable_fields(ctx.type, stored))


def predicate(ctx: ResourceRequest) -> Predicate:
    query = ctx.request.query
    labels = LabelSelector.parse(query["labelSelector"]) if query.get("labelSelector") else None
    fields = FieldSelector.parse(query["fieldSelector"]) if query.get("fieldSelector") else None
    if fields is not None:
        fields = convert_field_selector(ctx.type, fields)
    if labels is not None and labels.empty:
        labels = None
    if fields is not None and fields.empty:
        fields = None
    return Predicate(labels, fields)


def _invalid_options(field: str, detail: str) -> errors.APIError:
    return errors.invalid("ListOptions.meta.k8s.io", "", [errors.forbidden(field, detail)])


def parse_revision(value: str) -> int:
    """A ``resourceVersion`` parameter as kube's storage parses it (``strconv.ParseUint``); refused with the
    400 its etcd store answers (its watch cache answers the same error as a 500, a kube bug)."""
    problem = ""
    if not value.isascii() or not value.isdigit():
        problem = "invalid syntax"
    elif len(value.lstrip("0")) > 20 or int(value) > UINT64_MAX:
        problem = "value out of range"
    if problem:
        quoted = go_quote(value)
        raise errors.bad_request(f"invalid resource version: resourceVersion: Invalid value: {quoted}: "
                                 f"strconv.ParseUint: parsing {quoted}: {problem}")
    return int(value)


def too_large(requested: int, current: int) -> errors.APIError:
    return errors.APIError(504, "Timeout", f"Too large resource version: {requested}, current: {current}",
                           {"causes": [{"reason": "ResourceVersionTooLarge",
                                        "message": "Too large resource version"}],
                            "retryAfterSeconds": 1})


def read_revision(ctx: ResourceRequest, *, paginated: bool) -> tuple[int | None, int]:
    """The revision to read at (None: the most recent) and the lowest revision the answer may have, per the
    table in the module docstring. The store refuses revisions it has not reached (FutureRevision)."""
    query = ctx.request.query
    rv, match = query.get("resourceVersion", ""), query.get("resourceVersionMatch", "")
    if match and match not in ("Exact", "NotOlderThan"):
        raise errors.invalid("ListOptions.meta.k8s.io", "", [errors.not_supported(
            "resourceVersionMatch", match, ("Exact", "NotOlderThan"))])
    if match and not rv:
        raise _invalid_options("resourceVersionMatch",
                               "resourceVersionMatch is forbidden unless resourceVersion is provided")
    if not rv or rv == "0":
        if match == "Exact":
            raise _invalid_options("resourceVersionMatch",
                                   'resourceVersionMatch "exact" is forbidden for resourceVersion "0"')
        return None, 0
    revision = parse_revision(rv)
    if match == "Exact" or (not match and paginated):
        return revision, revision
    return None, revision


async def list_objects(ctx: ResourceRequest, form: Form) -> Response:
    query = ctx.request.query
    pred = predicate(ctx)
    limit = params.integer(ctx.request, "limit") or 0
    token = query.get("continue", "")
    prefix = ctx.prefix()
    prefix_key = prefix.encode()

    if token:
        rv = query.get("resourceVersion", "")
        if rv and rv != "0":
            raise errors.bad_request("specifying resource version is not allowed when using continue")
        if query.get("resourceVersionMatch"):
            raise _invalid_options("resourceVersionMatch",
                                   "resourceVersionMatch is forbidden when continue is provided")
        revision, start = continuetoken.decode(token)
        revision_or_none: int | None = revision
        minimum = 0
        start_after: str | None = prefix_key + start
    else:
        revision_or_none, minimum = read_revision(ctx, paginated=limit > 0)
        start_after = None

    try:
        page_items, last_key, revision, remaining, more = await _collect(
            ctx, prefix, pred, limit=limit, start_after=start_after, revision=revision_or_none)
    except storage.Gone as exc:
        if token:
            raise errors.expired(
                "The provided continue parameter is too old to display a consistent list result. You can start "
                "a new list without the continue parameter, or use the continue value from the response to get "
                "the rest of the list, at the risk of an inconsistent listing.") from None
        raise errors.too_old_resource_version(exc.requested, exc.oldest) from None
    except storage.FutureRevision as exc:
        raise too_large(exc.requested, exc.current) from None
    if revision < minimum:
        raise too_large(minimum, revision)

    list_meta: dict[str, Any] = {"resourceVersion": str(revision)}
    if more and last_key is not None:
        list_meta["continue"] = continuetoken.encode(revision, last_key[len(prefix_key):])
        if pred.empty:
            list_meta["remainingItemCount"] = remaining
    if pred.empty:
        items = [ctx.served_bytes(record) for record, _ in page_items]
        decoded: list[Obj] | None = None
    else:
        decoded = [obj for _, obj in page_items if obj is not None]
        items = [orjson.dumps(obj) for obj in decoded] if ctx.strategy.converts \
            else [record.value for record, _ in page_items]
    return output.list_response(ctx, form, items, list_meta, decoded)


Collected = tuple[list[tuple[storage.Record, Obj | None]], str | None, int, int, bool]


async def _collect(ctx: ResourceRequest, prefix: storage.Prefix, pred: Predicate, *, limit: int,
                   start_after: str | None, revision: int | None) -> Collected:
    """Read pages until ``limit`` items match (or the range ends). Returns the items (with their decoded
    object when the predicate needed it), the key of the last item examined, the revision read, the count of
    records after the page (meaningful without a predicate) and whether more may follow."""
    store = ctx.store
    if pred.empty:
        page = await store.list(prefix, limit=limit, start_after=start_after, revision=revision)
        last = page.records[-1].key.encode() if page.records else None
        return [(r, None) for r in page.records], last, page.revision, page.remaining, page.more

    matched: list[tuple[storage.Record, Obj | None]] = []
    chunk = min(max(limit, 500), MAX_CHUNK) if limit else 0
    to_view = ctx.strategy.to_view
    while True:
        page = await store.list(prefix, limit=chunk, start_after=start_after, revision=revision)
        revision = page.revision
        for index, record in enumerate(page.records):
            stored = orjson.loads(record.value)
            if pred.matches(ctx, stored):
                matched.append((record, to_view(stored)))
                if limit and len(matched) == limit:
                    more = index + 1 < len(page.records) or page.more
                    return matched, record.key.encode(), revision, 0, more
        if not page.more or not page.records:
            return matched, None, revision, 0, False
        start_after = page.records[-1].key.encode()
        chunk = min(chunk * 2, MAX_CHUNK)
