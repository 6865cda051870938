"""A source of changes for in-process controllers: list, then watch from the list's revision.

Whenever the watch ends (its history expired, or the watcher fell behind and was dropped) the source lists
again and watches on, so a controller sees every object's current state at least once after any gap. The
callbacks run on the event loop and must not block.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from gitplane.storage import interface as storage

log = logging.getLogger(__name__)


async def list_and_watch(store: storage.Store, prefix: storage.Prefix, *, name: str,
                         on_list: Callable[[storage.Page], None], on_event: Callable[[storage.Event], None],
                         on_end: Callable[[], None] | None = None) -> None:
    """Run until cancelled. ``on_end`` is called each time a watch ends, before the next list."""
    while True:
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
