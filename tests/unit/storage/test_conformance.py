"""The storage conformance suite: what every Store backend must do, written against the protocol only."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitplane.storage.interface import (
    AlreadyExists,
    Conflict,
    Event,
    EventType,
    FutureRevision,
    Gone,
    Key,
    NotFound,
    Prefix,
    Record,
    Store,
)
from tests.unit.storage.storage_samples import (
    StoreFactory,
    body,
    consume_in_background,
    decoded,
    drain,
    key,
    take,
)

CONFIGMAPS = Prefix("", "configmaps")


async def create_all(store: Store, keys: list[Key]) -> list[Record]:
    return [await store.create(k, body(k.name)) for k in keys]


async def list_all(store: Store, prefix: Prefix, *, limit: int, revision: int | None = None) -> list[Record]:
    """Every record of ``prefix`` at ``revision``, page by page, checking each page's ``remaining``."""
    pages = [await store.list(prefix, limit=limit, revision=revision)]
    while pages[-1].more:
        last = pages[-1]
        pages.append(await store.list(prefix, limit=limit, revision=last.revision,
                                      start_after=last.records[-1].key.encode()))
    records = [record for page in pages for record in page.records]
    seen = 0
    for page in pages:
        seen += len(page.records)
        assert page.remaining == len(records) - seen
    return records


async def test_revisions_are_global_and_count_every_write(store: Store) -> None:
    """One revision counter spans types and clusters; each write takes the next revision."""
    widget = key("d", group="example.com", resource="widgets", identity="customresources")
    writes: list[Callable[[], Awaitable[Record]]] = [
        lambda: store.create(key("a"), body("a")),
        lambda: store.create(key("b", resource="secrets"), body("b")),
        lambda: store.create(key("c", cluster="other"), body("c")),
        lambda: store.create(widget, body("d")),
        lambda: store.update(key("a"), body("a", data={"x": "1"}), expect=1),
        lambda: store.delete(key("b", resource="secrets")),
    ]
    for write in writes:
        before = store.current_revision()
        record = await write()
        assert record.revision == before + 1 == store.current_revision()


async def test_create_stamps_the_revision_and_get_serves_the_stored_bytes(store: Store) -> None:
    """The stored JSON carries metadata.resourceVersion equal to the record's revision."""
    created = await store.create(key("a"), body("a", data={"k": "v"}))
    fetched = await store.get(key("a"))
    assert fetched == created
    assert decoded(fetched)["metadata"]["resourceVersion"] == str(created.revision)
    assert decoded(fetched)["data"] == {"k": "v"}


async def test_stamping_replaces_a_resource_version_sent_by_the_caller(store: Store) -> None:
    """Callers may pass any resourceVersion; the store's revision wins."""
    value = body("a", metadata={"name": "a", "resourceVersion": "999"})
    created = await store.create(key("a"), value)
    assert decoded(created)["metadata"] == {"name": "a", "resourceVersion": str(created.revision)}


async def test_create_of_an_existing_key_raises_already_exists(store: Store) -> None:
    """A second create of one key fails and changes nothing."""
    first = await store.create(key("a"), body("a"))
    with pytest.raises(AlreadyExists):
        await store.create(key("a"), body("a", data={"x": "y"}))
    assert await store.get(key("a")) == first
    assert store.current_revision() == first.revision


async def test_get_of_a_missing_key_raises_not_found(store: Store) -> None:
    """Reading a key never written fails with NotFound."""
    with pytest.raises(NotFound) as caught:
        await store.get(key("missing"))
    assert caught.value.key == key("missing")


async def test_update_at_the_current_revision_replaces_the_value(store: Store) -> None:
    """An update whose expectation holds stores the new value at a new revision."""
    created = await store.create(key("a"), body("a"))
    updated = await store.update(key("a"), body("a", data={"x": "1"}), expect=created.revision)
    assert updated.revision > created.revision
    assert await store.get(key("a")) == updated
    assert decoded(updated)["data"] == {"x": "1"}


async def test_update_at_a_stale_revision_raises_conflict_with_the_current_record(store: Store) -> None:
    """A stale expectation fails with Conflict, which carries the record as it is now."""
    created = await store.create(key("a"), body("a"))
    current = await store.update(key("a"), body("a", data={"x": "1"}), expect=created.revision)
    with pytest.raises(Conflict) as caught:
        await store.update(key("a"), body("a", data={"x": "2"}), expect=created.revision)
    assert caught.value.expected == created.revision
    assert caught.value.current == current
    assert await store.get(key("a")) == current


@pytest.mark.parametrize("operation", [pytest.param("update", id="update"),
                                       pytest.param("delete", id="delete")])
async def test_writes_to_a_missing_key_raise_not_found(store: Store, operation: str) -> None:
    """Updating or deleting a key that does not exist fails with NotFound."""
    with pytest.raises(NotFound):
        if operation == "update":
            await store.update(key("missing"), body("missing"), expect=1)
        else:
            await store.delete(key("missing"))


async def test_delete_returns_the_last_state_stamped_with_the_deleting_revision(store: Store) -> None:
    """A deletion hands back the object's last state at the deleting revision and removes it."""
    created = await store.create(key("a"), body("a", data={"k": "v"}))
    deleted = await store.delete(key("a"), expect=created.revision)
    assert deleted.revision == store.current_revision() > created.revision
    assert decoded(deleted)["data"] == {"k": "v"}
    assert decoded(deleted)["metadata"]["resourceVersion"] == str(deleted.revision)
    with pytest.raises(NotFound):
        await store.get(key("a"))


async def test_delete_with_a_stale_expectation_raises_conflict(store: Store) -> None:
    """A deletion that expects another revision fails and leaves the object."""
    created = await store.create(key("a"), body("a"))
    updated = await store.update(key("a"), body("a", data={"x": "1"}), expect=created.revision)
    with pytest.raises(Conflict) as caught:
        await store.delete(key("a"), expect=created.revision)
    assert caught.value.current == updated
    assert await store.get(key("a")) == updated


async def test_failed_writes_use_no_revision(store: Store) -> None:
    """Writes that fail their precondition leave the revision where it was."""
    created = await store.create(key("a"), body("a"))
    failures = await asyncio.gather(
        store.create(key("a"), body("a")),
        store.update(key("a"), body("a"), expect=created.revision + 5),
        store.delete(key("missing")),
        return_exceptions=True,
    )
    assert [type(failure) for failure in failures] == [AlreadyExists, Conflict, NotFound]
    assert store.current_revision() == created.revision
    assert (await store.create(key("b"), body("b"))).revision == created.revision + 1


ISOLATION_KEYS = [
    key("a"),
    key("b", namespace="default-x"),
    key("c", cluster="root:org"),
    key("d", resource="configmapsx"),
    key("e", identity="abc"),
    key("f", group="apps"),
    key("g", resource="namespaces", namespace=""),
]


@pytest.mark.parametrize(("prefix", "names"), [
    pytest.param(Prefix("", "configmaps"), ["a", "b", "c"], id="type-in-every-cluster"),
    pytest.param(Prefix("", "configmaps", "", "root"), ["a", "b"], id="cluster"),
    pytest.param(Prefix("", "configmaps", "", "root", "default"), ["a"], id="namespace"),
    pytest.param(Prefix("", "configmaps", "", "root:org"), ["c"], id="cluster-with-a-shared-beginning"),
    pytest.param(Prefix("", "configmaps", "abc"), ["e"], id="identity"),
    pytest.param(Prefix("apps", "configmaps"), ["f"], id="group"),
    pytest.param(Prefix("", "configmapsx"), ["d"], id="resource-with-a-shared-beginning"),
    pytest.param(Prefix("", "namespaces", "", "root", ""), ["g"], id="cluster-scoped"),
    pytest.param(Prefix("", "secrets"), [], id="empty"),
])
async def test_prefixes_isolate_types_clusters_and_namespaces(store: Store, prefix: Prefix,
                                                               names: list[str]) -> None:
    """Lists and watches of a prefix see exactly the keys under it."""
    await create_all(store, ISOLATION_KEYS)
    page = await store.list(prefix)
    assert sorted(record.key.name for record in page.records) == names
    await store.create(key("z", namespace="zz", cluster="zz", resource="zz"), body("z"))
    events = await take(store.watch(prefix, since=0), len(names))
    assert sorted(event.record.key.name for event in events) == names


async def test_list_returns_records_in_key_order(store: Store) -> None:
    """Records come sorted by encoded key, whatever the order they were written in."""
    keys = [key(name, namespace=namespace) for name in ("m", "a", "z") for namespace in ("b", "a")]
    await create_all(store, keys)
    page = await store.list(CONFIGMAPS)
    assert [record.key.encode() for record in page.records] == sorted(k.encode() for k in keys)
    assert page.revision == store.current_revision()
    assert (page.more, page.remaining) == (False, 0)


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 6, 100])
async def test_remaining_counts_the_records_after_each_page(store: Store, limit: int) -> None:
    """Paging with any limit returns every record once, and remaining counts what the next pages hold."""
    created = await create_all(store, [key(f"n{i}") for i in range(6)])
    assert await list_all(store, CONFIGMAPS, limit=limit) == created
    first = await store.list(CONFIGMAPS, limit=limit)
    assert first.more == (limit < 6)
    assert first.remaining == max(0, 6 - limit)


async def test_pages_at_a_pinned_revision_stay_consistent_while_writes_happen(store: Store) -> None:
    """Continuing a list at its revision ignores every write made between its pages."""
    created = await create_all(store, [key(f"n{i}") for i in range(9)])
    first = await store.list(CONFIGMAPS, limit=3)
    assert first.records == created[:3] and first.remaining == 6
    await store.update(key("n4"), body("n4", data={"new": "yes"}), expect=created[4].revision)
    await store.delete(key("n7"))
    await store.create(key("n45"), body("n45"))
    await store.delete(key("n1"))
    second = await store.list(CONFIGMAPS, limit=3, revision=first.revision,
                              start_after=first.records[-1].key.encode())
    assert second.records == created[3:6]
    assert (second.revision, second.more, second.remaining) == (first.revision, True, 3)
    await store.create(key("n9"), body("n9"))
    third = await store.list(CONFIGMAPS, limit=3, revision=first.revision,
                             start_after=second.records[-1].key.encode())
    assert third.records == created[6:9]
    assert (third.more, third.remaining) == (False, 0)


async def test_list_at_an_older_revision_shows_the_objects_as_they_were(store: Store) -> None:
    """A list at a past revision undoes every later create, update and delete."""
    a, b, c = await create_all(store, [key("a"), key("b"), key("c")])
    then = store.current_revision()
    await store.update(key("a"), body("a", data={"x": "1"}), expect=a.revision)
    await store.delete(key("b"))
    await store.create(key("d"), body("d"))
    await store.delete(key("c"))
    await store.create(key("c"), body("c", data={"again": "yes"}))
    past = await store.list(CONFIGMAPS, revision=then)
    assert past.records == [a, b, c]
    assert past.revision == then
    assert await list_all(store, CONFIGMAPS, limit=1, revision=then) == [a, b, c]
    assert [record.key.name for record in (await store.list(CONFIGMAPS)).records] == ["a", "c", "d"]


async def test_compaction_makes_older_lists_gone(store: Store) -> None:
    """Below the compacted revision lists fail with Gone; from it on they stay exact."""
    a, b = await create_all(store, [key("a"), key("b")])
    await store.update(key("a"), body("a", data={"x": "1"}), expect=a.revision)
    await store.compact(b.revision)
    assert store.oldest_revision() == b.revision
    with pytest.raises(Gone) as caught:
        await store.list(CONFIGMAPS, revision=b.revision - 1)
    assert (caught.value.requested, caught.value.oldest) == (b.revision - 1, b.revision)
    assert (await store.list(CONFIGMAPS, revision=b.revision)).records == [a, b]


async def test_compaction_makes_older_watches_gone(store: Store) -> None:
    """A watch from below the compacted revision fails with Gone; from the compacted revision it works."""
    a, b, c = await create_all(store, [key("a"), key("b"), key("c")])
    await store.compact(b.revision)
    with pytest.raises(Gone):
        await take(store.watch(CONFIGMAPS, since=a.revision), 1)
    assert [event.record for event in await take(store.watch(CONFIGMAPS, since=b.revision), 1)] == [c]


async def test_revisions_ahead_of_the_store_raise_future_revision(store: Store) -> None:
    """Lists, watches and compactions at a revision the store has not reached fail with FutureRevision."""
    await store.create(key("a"), body("a"))
    ahead = store.current_revision() + 1
    with pytest.raises(FutureRevision):
        await store.list(CONFIGMAPS, revision=ahead)
    with pytest.raises(FutureRevision):
        await take(store.watch(CONFIGMAPS, since=ahead), 1)
    with pytest.raises(FutureRevision):
        await store.compact(ahead)


async def test_watch_replays_history_then_delivers_live_events_in_order(store: Store) -> None:
    """A watch from a past revision yields the later history, then live changes, in revision order."""
    a, _, c = await create_all(store, [key("a"), key("b"), key("c")])
    watch = store.watch(CONFIGMAPS, since=a.revision)
    replayed = await take(watch, 2)
    assert [event.revision for event in replayed] == [a.revision + 1, c.revision]
    live = await store.update(key("a"), body("a", data={"x": "1"}), expect=a.revision)
    more = await store.create(key("d"), body("d"))
    assert [event.record for event in await take(watch, 2)] == [live, more]
    watch.close()


async def test_watch_from_the_current_revision_sees_only_later_changes(store: Store) -> None:
    """Nothing at or before ``since`` is delivered."""
    await create_all(store, [key("a"), key("b")])
    watch = store.watch(CONFIGMAPS, since=store.current_revision())
    later = await store.create(key("c"), body("c"))
    assert [event.record for event in await take(watch, 1)] == [later]
    watch.close()


async def test_watch_resumes_from_a_revision_older_than_its_memory(open_store: StoreFactory) -> None:
    """A watch from before the in-memory ring reads the history and hands over to live events seamlessly."""
    async with open_store(ring_size=2) as store:
        created = await create_all(store, [key(f"n{i}") for i in range(20)])
        watch = store.watch(CONFIGMAPS, since=created[0].revision)
        concurrent = asyncio.gather(*(store.create(key(f"m{i}"), body(f"m{i}")) for i in range(20)))
        events = await take(watch, 39)
        live = sorted(await concurrent, key=lambda record: record.revision)
        assert [event.record for event in events] == created[1:] + live
        watch.close()


async def test_a_cluster_wildcard_watch_sees_every_cluster(store: Store) -> None:
    """A prefix without a cluster receives live events of all clusters, and only of its type."""
    watch = store.watch(Prefix("", "configmaps"), since=store.current_revision())
    await store.create(key("s", resource="secrets"), body("s"))
    one = await store.create(key("a", cluster="one"), body("a"))
    two = await store.create(key("a", cluster="two", namespace="x"), body("a"))
    assert [event.record for event in await take(watch, 2)] == [one, two]
    watch.close()


async def test_modified_event_carries_the_previous_state(store: Store) -> None:
    """A MODIFIED event holds the new record and the one it replaced."""
    created = await store.create(key("a"), body("a"))
    watch = store.watch(CONFIGMAPS, since=created.revision)
    updated = await store.update(key("a"), body("a", data={"x": "1"}), expect=created.revision)
    [event] = await take(watch, 1)
    assert (event.type, event.record, event.previous) == (EventType.MODIFIED, updated, created)
    watch.close()


async def test_deleted_event_carries_the_deleting_revision_and_previous(store: Store) -> None:
    """A DELETED event holds the last state at the deleting revision, and the state before."""
    created = await store.create(key("a"), body("a"))
    deleted = await store.delete(key("a"))
    [added, removed] = await take(store.watch(CONFIGMAPS, since=0), 2)
    assert (added.type, added.record, added.previous) == (EventType.ADDED, created, None)
    assert (removed.type, removed.record, removed.previous) == (EventType.DELETED, deleted, created)
    assert removed.revision == deleted.revision


async def test_concurrent_creates_get_unique_increasing_revisions(store: Store) -> None:
    """Many creates at once each get their own revision, all above the start, the last one current."""
    start = store.current_revision()
    records = await asyncio.gather(*(store.create(key(f"n{i}"), body(f"n{i}")) for i in range(200)))
    revisions = sorted(record.revision for record in records)
    assert len(set(revisions)) == 200
    assert revisions[0] > start and revisions[-1] == store.current_revision()
    events = await take(store.watch(CONFIGMAPS, since=start), 200)
    assert [event.revision for event in events] == revisions


async def test_concurrent_updates_with_one_expectation_let_exactly_one_win(store: Store) -> None:
    """Optimistic concurrency holds even when the writes are committed together."""
    created = await store.create(key("a"), body("a"))
    outcomes = await asyncio.gather(
        *(store.update(key("a"), body("a", data={"n": str(i)}), expect=created.revision) for i in range(10)),
        return_exceptions=True)
    winners = [outcome for outcome in outcomes if isinstance(outcome, Record)]
    assert len(winners) == 1
    assert all(isinstance(outcome, Conflict) for outcome in outcomes if outcome is not winners[0])
    assert await store.get(key("a")) == winners[0]


async def test_concurrent_mixed_writes_leave_a_faithful_log(store: Store) -> None:
    """Under concurrent creates, updates and deletes of the same keys, replaying the events gives the
    current state, and every acknowledged write is the event at its revision."""
    chooser = random.Random(7)
    names = [f"n{i}" for i in range(8)]

    async def write(step: int) -> Record | None:
        name = chooser.choice(names)
        operation = chooser.choice(["create", "update", "delete"])
        try:
            if operation == "create":
                return await store.create(key(name), body(name, data={"step": str(step)}))
            expect = chooser.choice([None, 1, 2, 3])
            if operation == "update":
                current = await store.get(key(name))
                return await store.update(key(name), body(name, data={"step": str(step)}),
                                          expect=current.revision if expect is None else expect)
            return await store.delete(key(name), expect=expect)
        except (AlreadyExists, NotFound, Conflict):
            return None

    start = store.current_revision()
    acknowledged = sorted((record for record in await asyncio.gather(*(write(step) for step in range(300)))
                           if record is not None), key=lambda record: record.revision)
    events = await take(store.watch(CONFIGMAPS, since=start), len(acknowledged))
    assert [event.record for event in events] == acknowledged
    assert events[-1].revision == store.current_revision()
    replayed: dict[Key, Record] = {}
    for event in events:
        if event.type is EventType.DELETED:
            assert replayed.pop(event.record.key) == event.previous
        else:
            assert replayed.get(event.record.key) == event.previous
            replayed[event.record.key] = event.record
    assert (await store.list(CONFIGMAPS)).records == sorted(replayed.values(), key=lambda r: r.key.encode())


async def test_closing_a_watch_ends_its_iteration(store: Store) -> None:
    """A consumer waiting for events stops when its watch is closed."""
    watch = store.watch(CONFIGMAPS, since=0)
    consumer = await consume_in_background(watch)
    await store.create(key("a", resource="secrets"), body("a"))
    watch.close()
    assert await consumer == []


async def test_closing_the_store_ends_every_watch(open_store: StoreFactory) -> None:
    """Every watch ends when its store closes, whether its consumer is waiting or not."""
    async with open_store() as store:
        await store.create(key("a"), body("a"))
        waiting = [store.watch(prefix, since=store.current_revision())
                   for prefix in (CONFIGMAPS, Prefix("", "secrets"))]
        consumers = [await consume_in_background(watch) for watch in waiting]
        unread = store.watch(CONFIGMAPS, since=0)
    assert await asyncio.gather(*consumers) == [[], []]
    assert await drain(unread) == []


async def test_a_slow_consumer_is_closed_instead_of_blocking_writers(open_store: StoreFactory) -> None:
    """Writers never wait for a watcher; one that falls too far behind gets what it buffered, then ends."""
    async with open_store(watch_queue_size=4) as store:
        created = await store.create(key("a"), body("a"))
        slow = store.watch(CONFIGMAPS, since=created.revision)
        record = created
        for i in range(20):
            record = await store.update(key("a"), body("a", data={"n": str(i)}), expect=record.revision)
        events = await drain(slow)
        assert 0 < len(events) <= 4
        assert [event.revision for event in events] == list(range(created.revision + 1,
                                                                  created.revision + 1 + len(events)))
        assert record.revision == store.current_revision()


MODEL_KEYS = [key(name, cluster=cluster, namespace=namespace)
              for cluster in ("c1", "c2") for namespace in ("x", "y") for name in ("a", "b")]
MODEL_PREFIXES = [CONFIGMAPS, Prefix("", "configmaps", "", "c1"), Prefix("", "configmaps", "", "c2", "y")]
MODEL_WRITES = st.lists(st.tuples(st.sampled_from(["create", "update", "delete"]),
                                  st.sampled_from(MODEL_KEYS),
                                  st.sampled_from(["current", "stale", "none"])), max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=MODEL_WRITES, data=st.data())
def test_random_writes_match_a_model_at_every_revision(open_store: StoreFactory,
                                                       writes: list[tuple[str, Key, str]],
                                                       data: st.DataObject) -> None:
    """Random writes behave like a dict; lists at every revision and watches from any revision match it."""
    asyncio.run(check_against_model(open_store, writes, data))


async def check_against_model(open_store: StoreFactory, writes: list[tuple[str, Key, str]],
                              data: st.DataObject) -> None:
    async with open_store(ring_size=4) as store:
        model: dict[Key, Record] = {}
        snapshots = {store.current_revision(): dict(model)}
        history: list[Event] = []
        for step, (operation, target, precondition) in enumerate(writes):
            value = body(target.name, data={"step": str(step)})
            event = await apply_write(store, operation, target=target, value=value, precondition=precondition,
                                      current=model.get(target))
            if event is not None:
                history.append(event)
                if event.type is EventType.DELETED:
                    del model[target]
                else:
                    model[target] = event.record
            snapshots[store.current_revision()] = dict(model)
        revisions = sorted(snapshots)
        compacted = data.draw(st.sampled_from(revisions), label="compacted")
        await store.compact(compacted)
        for revision in revisions:
            prefix = data.draw(st.sampled_from(MODEL_PREFIXES), label="prefix")
            limit = data.draw(st.integers(0, 3), label="limit")
            if revision < compacted:
                with pytest.raises(Gone):
                    await store.list(prefix, limit=limit, revision=revision)
                continue
            expected = sorted((record for k, record in snapshots[revision].items() if prefix.contains(k)),
                              key=lambda record: record.key.encode())
            assert await list_all(store, prefix, limit=limit, revision=revision) == expected
        since = data.draw(st.sampled_from([r for r in revisions if r >= compacted]), label="since")
        prefix = data.draw(st.sampled_from(MODEL_PREFIXES), label="watched prefix")
        expected_events = [e for e in history if e.revision > since and prefix.contains(e.record.key)]
        watch = store.watch(prefix, since=since)
        assert await take(watch, len(expected_events)) == expected_events
        watch.close()


async def apply_write(store: Store, operation: str, *, target: Key, value: bytes, precondition: str,
                      current: Record | None) -> Event | None:
    """Apply one write, check its outcome against the model, and return the event it must produce.

    ``precondition`` is the expectation the write states: the current revision, a stale one, or (for a
    deletion) none; an update without one states the current revision.
    """
    if operation == "create":
        if current is not None:
            with pytest.raises(AlreadyExists):
                await store.create(target, value)
            return None
        return Event(EventType.ADDED, await store.create(target, value), None)
    if current is None:
        with pytest.raises(NotFound):
            await (store.update(target, value, expect=1) if operation == "update" else store.delete(target))
        return None
    expect = None if precondition == "none" else current.revision + (precondition == "stale")
    if operation == "update":
        if precondition == "stale":
            with pytest.raises(Conflict):
                await store.update(target, value, expect=current.revision + 1)
            return None
        return Event(EventType.MODIFIED, await store.update(target, value, expect=current.revision), current)
    if precondition == "stale":
        with pytest.raises(Conflict):
            await store.delete(target, expect=expect)
        return None
    return Event(EventType.DELETED, await store.delete(target, expect=expect), current)
