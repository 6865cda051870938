"""Field set operations follow structured-merge-diff, including its asymmetric difference."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitplane.api.apply import fieldpath
from gitplane.api.apply.fieldpath import EMPTY, FieldSet

A, B, C, D = "f:a", "f:b", "f:c", "f:d"


def fs(*paths: tuple[str, ...]) -> FieldSet:
    return FieldSet.from_paths(paths)


def test_union_holds_the_paths_of_both() -> None:
    """Union merges members and children level by level."""
    assert fs((A, B)).union(fs((A, C), (D,))) == fs((A, B), (A, C), (D,))


def test_intersection_keeps_common_members_only() -> None:
    """Intersection drops children that end up empty."""
    assert fs((A, B), (A, C), (D,)).intersection(fs((A, C), (B,))) == fs((A, C))


def test_difference_of_a_parent_keeps_its_children() -> None:
    """Removing a member leaves what the set holds below it (parent - child = parent)."""
    assert fs((A,), (A, B)).difference(fs((A,))) == fs((A, B))


def test_recursive_difference_removes_everything_below() -> None:
    """A member of the other set removes the whole subtree."""
    assert fs((A,), (A, B), (C, D)).recursive_difference(fs((A,))) == fs((C, D))


def test_leaves_are_members_without_children() -> None:
    """Leaves drops members that also have something below them."""
    assert fs((A,), (A, B), (C,)).leaves() == fs((A, B), (C,))


def test_has_and_paths() -> None:
    """Membership is exact, and paths come members first, each level in element order."""
    fields = fs((B, C), (A,), (B,))
    assert fields.has((B, C)) and fields.has((B,)) and not fields.has((C,)) and not fields.has(())
    assert list(fields.paths()) == [(A,), (B,), (B, C)]


def test_the_whole_object_is_never_a_member() -> None:
    """The empty path (the object itself) is not owned by anyone."""
    assert fs(()) == EMPTY and EMPTY.empty


@pytest.mark.parametrize(("path", "text"), [
    pytest.param(("f:spec", "f:replicas"), ".spec.replicas", id="fields"),
    pytest.param(("f:spec", 'k:{"name":"c"}', "f:image"), '.spec[name="c"].image', id="key"),
    pytest.param(('k:{"containerPort":80,"protocol":"TCP"}',), '[containerPort=80,protocol="TCP"]',
                 id="two-keys"),
    pytest.param(('v:"x"',), '[="x"]', id="value"),
    pytest.param(("v:1.5",), "[=1.5]", id="float-value"),
    pytest.param(("f:args", "i:3"), ".args[3]", id="index"),
])
def test_paths_print_as_kube_prints_them(path: tuple[str, ...], text: str) -> None:
    """Conflict messages name fields with kube's path syntax."""
    assert fieldpath.path_string(path) == text


_paths = st.lists(st.sampled_from([A, B, C, D, 'k:{"n":1}', "v:2"]), min_size=1, max_size=4).map(tuple)
_sets = st.lists(_paths, max_size=8).map(FieldSet.from_paths)


@given(_sets, _sets)
def test_union_and_intersection_are_commutative(left: FieldSet, right: FieldSet) -> None:
    """Order of operands does not matter for union and intersection."""
    assert left.union(right) == right.union(left)
    assert left.intersection(right) == right.intersection(left)


@given(_sets, _sets)
def test_operations_agree_with_path_sets(left: FieldSet, right: FieldSet) -> None:
    """On member paths, union, intersection and difference are the plain set operations."""
    mine, theirs = set(left.paths()), set(right.paths())
    assert set(left.union(right).paths()) == mine | theirs
    assert set(left.intersection(right).paths()) == mine & theirs
    assert set(left.difference(right).paths()) == mine - theirs


@given(_sets, _sets)
def test_recursive_difference_leaves_nothing_below_removed_members(left: FieldSet, right: FieldSet) -> None:
    """No path of the result starts with a member of the removed set."""
    removed = set(right.paths())
    for path in left.recursive_difference(right).paths():
        assert not any(path[:i] in removed for i in range(1, len(path) + 1))
