"""WATCH: a chunked stream of JSON lines, ``{"type": ..., "object": ...}``, one per change.

Where the stream starts (kube's semantics):

* ``resourceVersion`` unset or ``"0"``: synthetic ADDED events for every current object, then changes after
  the revision they were read at;
* ``resourceVersion=N``: every change after N, in order; below the history window the client gets one ERROR
  event carrying a 410 ``Expired`` Status (HTTP status 200, as kube sends it), then the stream ends;
* ``sendInitialEvents=true`` (streaming lists): the initial ADDEDs, then a BOOKMARK annotated
  ``k8s.io/initial-events-end: "true"``; ``sendInitialEvents=false``: changes after ``N``, or after the most
  recent revision when ``resourceVersion`` is unset.

A ``resourceVersion`` that is not a revision is refused with 400 before the stream starts, as for a list.

With selectors, a change that makes an object start or stop matching is sent as ADDED or DELETED, as kube's
watch cache does. Idle streams get BOOKMARKs (when allowed) carrying the store's current revision, which is safe
because the store publishes every event before its revision becomes current. A stream ends at
``timeoutSeconds`` (default: a random 30-60 minutes), when the client goes away or when the server stops.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from typing import Any

import orjson

from gitplane.api import errors, tables
from gitplane.server.negotiation import Form
from gitplane.server.request import StreamResponse
from gitplane.server.rest import output, params
from gitplane.server.rest.context import Obj, ResourceRequest, now
from gitplane.server.rest.listing import Predicate, parse_revision, predicate, too_large
from gitplane.storage import interface as storage

DEFAULT_MIN_TIMEOUT = 1800.0
INITIAL_EVENTS_END = "k8s.io/initial-events-end"


class WatchOptions:
    """The watch-specific query parameters, validated as kube validates them."""

    def __init__(self, ctx: ResourceRequest) -> None:
        request, query = ctx.request, ctx.request.query
        self.bookmarks = params.flag(request, "allowWatchBookmarks")
        raw_initial = query.get("sendInitialEvents")
        self.send_initial: bool | None = None if raw_initial in (None, "") else params.flag(
            request, "sendInitialEvents")
        self.resource_version = rv = query.get("resourceVersion", "")
        self.since = parse_revision(rv) if rv not in ("", "0") else None  # refused before the stream starts
        match = query.get("resourceVersionMatch", "")
        timeout = params.integer(request, "timeoutSeconds")
        self.timeout = float(timeout) if timeout else DEFAULT_MIN_TIMEOUT * (1 + random.random())
        if self.send_initial is not None:
            if match != "NotOlderThan":
                raise errors.invalid("ListOptions.meta.k8s.io", "", [errors.forbidden(
                    "resourceVersionMatch",
                    "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan")])
            if self.send_initial and not self.bookmarks:
                raise errors.invalid("ListOptions.meta.k8s.io", "", [errors.forbidden(
                    "allowWatchBookmarks", "sendInitialEvents requires setting allowWatchBookmarks to true")])
        elif match:
            raise errors.invalid("ListOptions.meta.k8s.io", "", [errors.forbidden(
                "resourceVersionMatch", "resourceVersionMatch is forbidden for watch unless sendInitialEvents "
                                        "is provided")])


class _Encoder:
    """Turns events into stream lines in the negotiated form (Table column definitions only once)."""

    def __init__(self, ctx: ResourceRequest, form: Form) -> None:
        self.ctx, self.form = ctx, form
        self.columns_sent = False

    def line(self, event_type: str, served: bytes | None = None, obj: Obj | None = None) -> bytes:
        if self.form is Form.JSON:
            body = served if served is not None else orjson.dumps(obj)
            return b'{"type":"' + event_type.encode() + b'","object":' + body + b"}\n"
        value: Obj = obj if obj is not None else orjson.loads(served or b"{}")
        if event_type in ("BOOKMARK", "ERROR"):
            rendered: Any = value
        elif self.form is Form.TABLE:
            rendered = tables.table(self.ctx.type, [value], now=now(),
                                    include_object=output.include_object(self.ctx),
                                    list_meta={"resourceVersion": value.get("metadata", {})
                                               .get("resourceVersion", "")},
                                    with_columns=not self.columns_sent, printer=self.ctx.strategy.printer)
            rendered["apiVersion"] = f"meta.k8s.io/{output.table_accept_version(self.ctx)}"
            self.columns_sent = True
        elif self.form is Form.PARTIAL_METADATA:
            rendered = output.partial_metadata(value)
        else:
            rendered = value
        return orjson.dumps({"type": event_type, "object": rendered}) + b"\n"

    def bookmark(self, revision: int, *, initial_end: bool = False) -> bytes:
        metadata: Obj = {"resourceVersion": str(revision)}
        if initial_end:
            metadata["annotations"] = {INITIAL_EVENTS_END: "true"}
        kind = "Table" if self.form is Form.TABLE else self.ctx.type.kind
        api_version = "meta.k8s.io/v1" if self.form is Form.TABLE else self.ctx.type.api_version
        return self.line("BOOKMARK", obj={"kind": kind, "apiVersion": api_version, "metadata": metadata})

    def error(self, exc: errors.APIError) -> bytes:
        return self.line("ERROR", obj=exc.status())


def _out_of_window(exc: storage.Gone | storage.FutureRevision) -> errors.APIError:
    """The ERROR a watch ends with when its start is below the history window or ahead of the store."""
    if isinstance(exc, storage.Gone):
        return errors.too_old_resource_version(exc.requested, exc.oldest)
    return too_large(exc.requested, exc.current)


def _restamp(value: Obj, revision: int) -> Obj:
    meta = dict(value.get("metadata") or {})
    meta["resourceVersion"] = str(revision)
    return {**value, "metadata": meta}


async def watch_objects(ctx: ResourceRequest, form: Form, *, bookmark_seconds: float) -> StreamResponse:
    options = WatchOptions(ctx)
    pred = predicate(ctx)
    return StreamResponse(_stream(ctx, form, options, pred, bookmark_seconds))


async def _initial(ctx: ResourceRequest, pred: Predicate, encoder: _Encoder) -> tuple[list[bytes], int]:
    page = await ctx.store.list(ctx.prefix())
    lines: list[bytes] = []
    for record in page.records:
        if pred.empty:
            lines.append(encoder.line("ADDED", ctx.served_bytes(record)))
            continue
        stored = orjson.loads(record.value)
        if pred.matches(ctx, stored):
            lines.append(encoder.line("ADDED", obj=ctx.strategy.to_view(stored)))
    return lines, page.revision


def _event_line(ctx: ResourceRequest, pred: Predicate, encoder: _Encoder, event: storage.Event) -> bytes | None:
    kind = event.type.value
    if pred.empty:
        return encoder.line(kind, ctx.served_bytes(event.record))
    to_view = ctx.strategy.to_view
    current = orjson.loads(event.record.value)
    if event.type is not storage.EventType.MODIFIED:
        return encoder.line(kind, obj=to_view(current)) if pred.matches(ctx, current) else None
    now_matches = pred.matches(ctx, current)
    before = orjson.loads(event.previous.value) if event.previous is not None else None
    was_matching = before is not None and pred.matches(ctx, before)
    if now_matches:
        return encoder.line("MODIFIED" if was_matching else "ADDED", obj=to_view(current))
    if was_matching and before is not None:
        return encoder.line("DELETED", obj=to_view(_restamp(before, event.revision)))
    return None


async def _stream(ctx: ResourceRequest, form: Form, options: WatchOptions, pred: Predicate,
                  bookmark_seconds: float) -> AsyncIterator[bytes]:
    encoder = _Encoder(ctx, form)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + options.timeout
    rv = options.resource_version
    initial = options.send_initial if options.send_initial is not None else rv in ("", "0")

    if initial:
        lines, since = await _initial(ctx, pred, encoder)
        if lines:
            yield b"".join(lines)
        if options.send_initial:
            yield encoder.bookmark(since, initial_end=True)
    elif options.since is not None:
        since = options.since
    else:  # sendInitialEvents=false: from the most recent revision ("") or any ("0")
        since = ctx.store.current_revision() if rv == "" else 0

    try:
        watch = ctx.store.watch(ctx.prefix(), since=since)
    except (storage.Gone, storage.FutureRevision) as exc:
        yield encoder.error(_out_of_window(exc))
        return
    last_bookmark = ctx.store.current_revision()
    try:
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            wait = min(remaining, bookmark_seconds) if options.bookmarks else remaining
            try:
                events = await watch.batch(wait)
            except (storage.Gone, storage.FutureRevision) as exc:
                yield encoder.error(_out_of_window(exc))
                return
            if events is None:
                return
            if not events:
                current = ctx.store.current_revision()
                if options.bookmarks and loop.time() < deadline and current != last_bookmark:
                    last_bookmark = current
                    yield encoder.bookmark(current)
                continue
            lines = [line for event in events if (line := _event_line(ctx, pred, encoder, event)) is not None]
            if lines:
                yield lines[0] if len(lines) == 1 else b"".join(lines)
    finally:
        watch.close()
