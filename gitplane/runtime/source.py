"""A source of changes for in-process controllers: list, then watch from the list's revision.

Whenever the watch ends (its history expired, or the watcher fell behind and was dropped) the source lists
again and watches on, so a controller sees every object's current state at least once after any gap. The
callbacks run on the event loop and must not block.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from gitplane.storage import interface as storage

log = logging.getLogger(__name__)

RETRY_SECONDS = 0.5


async def list_and_watch(store: storage.Store, prefix: storage.Prefix, *, name: str,
                         on_list: Callable[[storage.Page], None], on_event: Callable[[storage.Event], None],
                         on_end: Callable[[], None] | None = None) -> None:
    """Run until cancelled (or until the store closes). ``on_end`` is called each time a watch ends, before the
    next list. A failure (a storage error while listing or starting the watch, or a callback's) is logged and
    the source lists again after :data:`RETRY_SECONDS`: a controller never stops following the store."""
    while True:
        try:
            await _list_then_watch(store, prefix, name=name, on_list=on_list, on_event=on_event, on_end=on_end)
        except storage.Closed:
            return
        except Exception:
            log.exception("%s: following the store failed; listing again in %.1fs", name, RETRY_SECONDS)
            await asyncio.sleep(RETRY_SECONDS)


async def _list_then_watch(store: storage.Store, prefix: storage.Prefix, *, name: str,
                           on_list: Callable[[storage.Page], None], on_event: Callable[[storage.Event], None],
                           on_end: Callable[[], None] | None) -> None:
    """One list, then its watch until the watch ends."""
    page = await store.list(prefix)
    on_list(page)
    watch = store.watch(prefix, since=page.revision)
    try:
        async for event in watch:
            on_event(event)
    except storage.Gone:
        log.info("%s: watch history expired; listing again", name)
    finally:
        watch.close()
        if on_end is not None:
            on_end()
