"""WorkspaceType references, inheritance and parent/child limits, resolved from a store as kcp resolves them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest

from gitplane.server.systemcrds.served import read_yaml
from gitplane.server.tenancy import workspacetypes as wst
from gitplane.storage import interface as storage
from gitplane.storage.memory import MemoryStore

PATHS = {"root": "root", "root:org": "c-org", "root:org:team": "c-team"}


class Paths:
    def resolve(self, path_or_name: str) -> str | None:
        return PATHS.get(path_or_name)


async def put(store: MemoryStore, cluster: str, name: str, spec: dict[str, Any]) -> None:
    await store.create(storage.Key(wst.GROUP, wst.RESOURCE, "", cluster, "", name),
                       orjson.dumps({"metadata": {"name": name}, "spec": spec}))


@pytest.fixture
async def resolver() -> AsyncIterator[wst.Resolver]:
    store = MemoryStore()
    for doc in read_yaml("workspacetypes.yaml"):  # the built-in types, in root
        await put(store, "root", doc["metadata"]["name"], doc.get("spec") or {})
    await put(store, "c-org", "custom", {"extend": {"with": [{"name": "team"}]}})
    await put(store, "c-org", "loop-a", {"extend": {"with": [{"name": "loop-b", "path": "root:org"}]}})
    await put(store, "c-org", "loop-b", {"extend": {"with": [{"name": "loop-a", "path": "root:org"}]}})
    yield wst.Resolver(store, Paths())
    await store.close()


async def test_a_reference_without_a_path_is_found_in_the_workspace_then_up_to_root(resolver: wst.Resolver) -> None:
    assert (await resolver.resolve("root:org:team", wst.Reference("custom"))).qualified == "root:org:custom"
    assert (await resolver.resolve("root:org:team", wst.Reference("team"))).qualified == "root:team"
    with pytest.raises(wst.UnusableType, match='workspace type "nope" cannot be resolved'):
        await resolver.resolve("root:org:team", wst.Reference("nope"))


async def test_a_reference_with_a_path_is_looked_up_there_only(resolver: wst.Resolver) -> None:
    with pytest.raises(wst.UnusableType, match='"root:custom" cannot be resolved'):
        await resolver.resolve("root:org", wst.Reference("custom", "root"))


async def test_a_type_is_every_type_it_extends(resolver: wst.Resolver) -> None:
    custom = await resolver.resolve("root:org", wst.Reference("custom"))
    assert [t.qualified for t in await resolver.aliases(custom)] == ["root:team", "root:universal", "root:org:custom"]
    assert wst.initializers(await resolver.aliases(custom)) == ["root:universal"]


async def test_a_cycle_of_extensions_is_named(resolver: wst.Resolver) -> None:
    loop = await resolver.resolve("root:org", wst.Reference("loop-a"))
    with pytest.raises(wst.UnusableType, match="circular dependency detected in workspace type root:org:loop-a: "
                                               "root:org:loop-a -> root:org:loop-b"):
        await resolver.aliases(loop)


async def test_parent_and_child_limits_hold_through_extension(resolver: wst.Resolver) -> None:
    root = await resolver.aliases(await resolver.resolve("root", wst.Reference("root", "root")))
    organization = await resolver.aliases(await resolver.resolve("root", wst.Reference("organization", "root")))
    team = await resolver.aliases(await resolver.resolve("root", wst.Reference("team", "root")))
    custom = await resolver.aliases(await resolver.resolve("root:org", wst.Reference("custom")))
    assert wst.allowed_parents(organization, team, "root:organization", "root:team") == []
    assert wst.allowed_children(organization, team, "root:organization", "root:team") == []
    assert wst.allowed_parents(root, team, "root:root", "root:team") == [
        "workspace type root:team only allows [root:organization root:team] parent workspaces, but parent type "
        "root:root only implements [root:root root:universal]"]
    assert wst.allowed_parents(root, custom, "root:root", "root:org:custom") == [
        "workspace type root:org:custom extends root:team, which only allows [root:organization root:team] parent "
        "workspaces, but parent type root:root only implements [root:root root:universal]"]
    assert wst.allowed_parents(team, root, "root:team", "root:root") == [
        "workspace type root:root cannot have any parent"]
    assert wst.allowed_children(organization, organization, "root:organization", "root:organization") == []
