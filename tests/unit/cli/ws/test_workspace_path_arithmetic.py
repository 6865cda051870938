"""Workspace paths resolve as kcp's plugin resolves them: relative to the current path, ``..`` for the
parent, ``:`` for absolute, a bare ``root`` as absolute; and server URLs split into base and path."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitplane.cli.ws.errors import PluginError
from gitplane.cli.ws.paths import (
    Location,
    is_valid_path,
    join_type,
    normalize,
    parse_server_url,
    resolve,
    split_parent,
    split_type,
)

names = st.from_regex(r"[a-z0-9]([-a-z0-9]{0,8}[a-z0-9])?", fullmatch=True).filter(lambda n: n != "root")
paths = st.lists(names, min_size=0, max_size=5).map(lambda rest: ":".join(["root", *rest]))
relatives = st.lists(names, min_size=1, max_size=4).map(":".join)


@pytest.mark.parametrize(("current", "target", "expected"), [
    ("root:org-a", "team-a", "root:org-a:team-a"),
    ("root", "org-a:team-a", "root:org-a:team-a"),
    ("root:org-a", "..", "root"),
    ("root:org-a:team-a", "..:..", "root"),
    ("root:org-a", "..:org-b", "root:org-b"),
    ("root:org-a", ".", "root:org-a"),
    ("root:org-a", ".:team-a", "root:org-a:team-a"),
    ("root:org-a", ":root:org-b", "root:org-b"),
    ("root:org-a", "root:org-b", "root:org-b"),
    ("root:org-a", "root", "root"),
    ("root:org-a:team-a", ":", "root"),
])
def test_a_target_resolves_against_the_current_path(current: str, target: str, expected: str) -> None:
    assert resolve(current, target) == expected


@pytest.mark.parametrize(("current", "target"), [("root", ".."), ("root:org-a", "..:..:.."), ("root", ":..")])
def test_going_above_root_fails(current: str, target: str) -> None:
    with pytest.raises(PluginError, match=r"^cannot go up from root$"):
        resolve(current, target)


@pytest.mark.parametrize("target", ["Team", "team_a", "-team", "team-", "a::b", ":root:", "a b"])
def test_an_invalid_name_in_the_target_fails(target: str) -> None:
    with pytest.raises(PluginError, match=f"^invalid workspace path: {re.escape(target)}$"):
        resolve("root", target)


@given(paths, relatives)
def test_entering_a_relative_path_and_climbing_back_returns_to_the_start(current: str, relative: str) -> None:
    entered = resolve(current, relative)
    assert entered == f"{current}:{relative}"
    assert resolve(entered, ":".join([".."] * len(relative.split(":")))) == current


@given(paths, paths)
def test_an_absolute_path_does_not_depend_on_the_current_one(current: str, target: str) -> None:
    assert resolve(current, ":" + target) == target
    assert resolve(current, target) == target


@given(paths, names, names)
def test_a_sibling_is_the_parent_joined_with_its_name(parent: str, name: str, sibling: str) -> None:
    assert resolve(f"{parent}:{name}", f"..:{sibling}") == f"{parent}:{sibling}"


@given(paths, relatives)
def test_every_resolved_path_is_valid_and_free_of_dots(current: str, relative: str) -> None:
    resolved = resolve(current, f"{relative}:.:..")
    assert is_valid_path(resolved)
    assert "." not in resolved.split(":")


@given(paths)
def test_a_server_url_round_trips_through_base_and_path(path: str) -> None:
    location = parse_server_url(f"https://127.0.0.1:6443/clusters/{path}")
    assert location == Location("https://127.0.0.1:6443", path)
    assert location.url == f"https://127.0.0.1:6443/clusters/{path}"


def test_a_server_url_keeps_a_prefix_before_clusters_in_its_base() -> None:
    assert parse_server_url("https://proxy/kcp/clusters/root:org-a/") == Location("https://proxy/kcp", "root:org-a")


@pytest.mark.parametrize("url", ["https://127.0.0.1:6443", "https://127.0.0.1:6443/clusters/",
                                 "https://127.0.0.1:6443/clusters/Root", "https://127.0.0.1:6443/api"])
def test_a_server_url_without_a_workspace_path_has_no_location(url: str) -> None:
    assert parse_server_url(url) is None


def test_a_nested_path_splits_into_parent_and_name_and_a_top_level_one_does_not() -> None:
    assert split_parent("root:org-a:team-a") == ("root:org-a", "team-a")
    assert split_parent("root") is None


@pytest.mark.parametrize(("reference", "split"), [("team", ("", "team")), ("root:team", ("root", "team")),
                                                  ("root:org-a:Team", ("root:org-a", "team"))])
def test_a_type_reference_splits_at_its_last_colon(reference: str, split: tuple[str, str]) -> None:
    assert split_type(reference) == split
    assert join_type(*split) == reference.lower()


@pytest.mark.parametrize(("typed", "normalized"), [
    ("/home/ada", "~"), ("/home/ada/lab", "~:lab"), ("/home/adam", ":home:adam"), ("../org-b", "..:org-b"),
    ("org-a", "org-a"),
])
def test_a_typed_target_reads_a_shell_expanded_home_as_tilde_and_slashes_as_colons(typed: str,
                                                                                    normalized: str) -> None:
    assert normalize(typed, "/home/ada") == normalized
