"""``kubectl ws tree`` lists Workspaces recursively from the current workspace and draws them as kcp's
treeprint does: ``.``, the current path, then the children sorted by name."""

from __future__ import annotations

from gitplane.cli.ws.tree import Node, render
from tests.unit.cli.ws.fake_server import FakeServer
from tests.unit.cli.ws.support import Runner


def test_the_tree_below_root_is_drawn_with_children_sorted_by_name(ws: Runner, server: FakeServer) -> None:
    server.add("root:org-b")
    server.add("root:org-a")
    server.add("root:org-a:team-a")
    result = ws("tree")
    assert (result.code, result.err) == (0, [])
    assert result.out == [
        ".",
        "└── root",
        "    ├── org-a",
        "    │   └── team-a",
        "    └── org-b",
    ]
    assert sorted(r.path for r in server.requests) == [
        f"/clusters/{path}/apis/tenancy.kcp.io/v1alpha1/workspaces"
        for path in ("root", "root:org-a", "root:org-a:team-a", "root:org-b")]


def test_the_tree_starts_at_the_current_workspace_with_its_full_path(ws: Runner, server: FakeServer) -> None:
    server.add("root:org-a")
    server.add("root:org-a:team-a")
    server.add("root:org-a:team-b")
    ws("org-a")
    assert ws("tree").out == [".", "└── root:org-a", "    ├── team-a", "    └── team-b"]


def test_a_child_that_denies_listing_is_shown_and_not_descended_into(ws: Runner, server: FakeServer) -> None:
    server.add("root:private")
    server.add("root:private:secret")
    server.add("root:public")
    server.denied.add("root:private")
    assert ws("tree").out == [".", "└── root", "    ├── private", "    └── public"]


def test_a_workspace_without_children_is_a_single_branch(ws: Runner) -> None:
    assert ws("tree").out == [".", "└── root"]


def test_deep_trees_keep_the_bars_of_unfinished_branches() -> None:
    tree = Node("root", (Node("a", (Node("a1", (Node("x"),)), Node("a2"))), Node("b", (Node("b1"),))))
    assert render(tree) == [
        ".",
        "└── root",
        "    ├── a",
        "    │   ├── a1",
        "    │   │   └── x",
        "    │   └── a2",
        "    └── b",
        "        └── b1",
    ]
