"""Rule matching and covering as kube's RBAC does them: verbs, groups and resources with ``*``, ``res/sub`` and
``*/sub``, resourceNames, non-resource URLs with a trailing ``*``; a rule covers what it allows; the compact
rendering of missing rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitplane.server.rbac.rules import Rule, allows, allows_path, breakdown, compact, compact_string, covers


def rule(verbs: tuple[str, ...], groups: tuple[str, ...] = ("",), resources: tuple[str, ...] = ("configmaps",),
         names: tuple[str, ...] = ()) -> Rule:
    return Rule(verbs, groups, resources, names)


@pytest.mark.parametrize(("granted", "request_", "allowed"), [
    pytest.param(rule(("get",)), ("get", "", "configmaps", "", "c"), True, id="exact"),
    pytest.param(rule(("get",)), ("list", "", "configmaps", "", ""), False, id="other-verb"),
    pytest.param(rule(("*",)), ("deletecollection", "", "configmaps", "", ""), True, id="any-verb"),
    pytest.param(rule(("get",)), ("get", "apps", "configmaps", "", "c"), False, id="other-group"),
    pytest.param(rule(("get",), ("*",)), ("get", "apps", "configmaps", "", "c"), True, id="any-group"),
    pytest.param(rule(("get",), resources=("*",)), ("get", "", "secrets", "status", "s"), True, id="any-resource"),
    pytest.param(rule(("get",)), ("get", "", "configmaps", "status", "c"), False, id="subresource-not-implied"),
    pytest.param(rule(("get",), resources=("pods/log",)), ("get", "", "pods", "log", "p"), True, id="res-sub"),
    pytest.param(rule(("get",), resources=("pods/log",)), ("get", "", "pods", "", "p"), False, id="res-sub-not-res"),
    pytest.param(rule(("get",), resources=("*/scale",)), ("get", "apps", "deployments", "scale", "d"), False,
                 id="star-sub-other-group"),
    pytest.param(rule(("get",), ("*",), ("*/scale",)), ("get", "apps", "deployments", "scale", "d"), True,
                 id="star-sub"),
    pytest.param(rule(("get",), ("*",), ("*/scale",)), ("get", "apps", "deployments", "status", "d"), False,
                 id="star-sub-other-sub"),
    pytest.param(rule(("get",), ("*",), ("*/scale",)), ("get", "apps", "deployments", "", "d"), False,
                 id="star-sub-no-sub"),
    pytest.param(rule(("get",), names=("c",)), ("get", "", "configmaps", "", "c"), True, id="named"),
    pytest.param(rule(("get",), names=("c",)), ("get", "", "configmaps", "", "d"), False, id="other-name"),
    pytest.param(rule(("list",), names=("c",)), ("list", "", "configmaps", "", ""), False, id="named-list"),
])
def test_resource_rules_match_as_kube(granted: Rule, request_: tuple[str, str, str, str, str], allowed: bool) -> None:
    verb, group, resource, subresource, name = request_
    assert allows(granted, verb, group, resource, subresource=subresource, name=name) is allowed


@pytest.mark.parametrize(("urls", "path", "allowed"), [
    (("/healthz",), "/healthz", True),
    (("/healthz",), "/healthz/ping", False),
    (("/healthz/*",), "/healthz/ping", True),
    (("/healthz/*",), "/healthz", False),
    (("/apis*",), "/apisx", True),
    (("*",), "/anything", True),
])
def test_non_resource_urls_match_exactly_or_by_a_trailing_star(urls: tuple[str, ...], path: str,
                                                               allowed: bool) -> None:
    assert allows_path(Rule(("get",), non_resource_urls=urls), "get", path) is allowed
    assert not allows_path(Rule(("get",), non_resource_urls=urls), "post", path)


def test_covering_reports_each_missing_atomic_rule() -> None:
    owner = [rule(("get", "list")), Rule(("get",), non_resource_urls=("/apis/*",))]
    wanted = [rule(("get", "delete"), resources=("configmaps", "secrets")),
              Rule(("get",), non_resource_urls=("/apis/x", "/api"))]
    ok, missing = covers(owner, wanted)
    assert not ok
    assert missing == [rule(("delete",)), rule(("get",), resources=("secrets",)),
                       rule(("delete",), resources=("secrets",)), Rule(("get",), non_resource_urls=("/api",))]
    assert sorted(compact_string(r) for r in compact(missing)) == [
        '{APIGroups:[""], Resources:["configmaps"], Verbs:["delete"]}',
        '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete"]}',
        '{NonResourceURLs:["/api"], Verbs:["get"]}',
    ]


def test_star_subresources_and_unnamed_rules_cover_named_ones() -> None:
    assert covers([rule(("get",), ("",), ("*/status",))], [rule(("get",), resources=("pods/status",))])[0]
    assert covers([rule(("get",))], [rule(("get",), names=("c",))])[0]
    assert not covers([rule(("get",), names=("c",))], [rule(("get",))])[0]


WORDS = st.sampled_from(["", "apps", "get", "list", "pods", "configmaps", "pods/log", "*/log", "c", "*"])
RULES = st.builds(Rule, st.tuples(WORDS, WORDS).map(tuple), st.tuples(WORDS).map(tuple),
                  st.tuples(WORDS, WORDS).map(tuple), st.lists(WORDS, max_size=2).map(tuple),
                  non_resource_urls=st.just(()))
"""Valid resource rules (validation refuses rules mixing resources and non-resource URLs)."""


@given(RULES)
def test_a_rule_covers_itself_and_each_of_its_parts(granted: Rule) -> None:
    assert covers([granted], [granted])[0]
    assert all(covers([granted], [part])[0] for part in breakdown(granted))


@given(RULES, st.sampled_from(["get", "list"]), st.sampled_from(["", "apps"]),
       st.sampled_from([("pods", ""), ("pods", "log"), ("configmaps", "")]), st.sampled_from(["", "c"]))
def test_what_is_covered_by_a_rule_is_allowed_by_it(granted: Rule, verb: str, group: str,
                                                     target: tuple[str, str], name: str) -> None:
    """Covering an atomic request rule implies allowing the request (kube's two checks agree)."""
    resource, subresource = target
    combined = f"{resource}/{subresource}" if subresource else resource
    request = Rule((verb,), (group,), (combined,), (name,) if name else ())
    if covers([granted], [request])[0]:
        assert allows(granted, verb, group, resource, subresource=subresource, name=name)
