"""Request info: method, path and query read into what a request is about, as kube's RequestInfoFactory reads
them (cluster prefix, core and group paths, namespaces and their subresources, verbs)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitplane.server import requestinfo
from gitplane.server.requestinfo import RequestInfo

Expected = tuple[str, str, str, str, str, str, str]
"""verb, api prefix, group, version, namespace, resource, name (subresource checked separately)."""

RESOURCE_CASES = [
    pytest.param("GET", "/api/v1/namespaces", {}, ("list", "api", "", "v1", "", "namespaces", ""),
                 id="core-cluster-scoped-list"),
    pytest.param("GET", "/api/v1/namespaces/team", {}, ("get", "api", "", "v1", "team", "namespaces", "team"),
                 id="a-namespace-is-its-own-namespace"),
    pytest.param("GET", "/api/v1/configmaps", {}, ("list", "api", "", "v1", "", "configmaps", ""),
                 id="namespaced-type-across-namespaces"),
    pytest.param("GET", "/api/v1/namespaces/team/configmaps", {"watch": "true"},
                 ("watch", "api", "", "v1", "team", "configmaps", ""), id="watch-true"),
    pytest.param("GET", "/api/v1/namespaces/team/configmaps", {"watch": "1"},
                 ("watch", "api", "", "v1", "team", "configmaps", ""), id="watch-1"),
    pytest.param("GET", "/api/v1/namespaces/team/configmaps", {"watch": "false"},
                 ("list", "api", "", "v1", "team", "configmaps", ""), id="watch-false-is-list"),
    pytest.param("GET", "/api/v1/namespaces/team/configmaps/c1", {"watch": "true"},
                 ("get", "api", "", "v1", "team", "configmaps", "c1"), id="watch-param-on-a-name-is-get"),
    pytest.param("HEAD", "/api/v1/namespaces/team/configmaps/c1", {},
                 ("get", "api", "", "v1", "team", "configmaps", "c1"), id="head-is-get"),
    pytest.param("POST", "/api/v1/namespaces/team/configmaps", {},
                 ("create", "api", "", "v1", "team", "configmaps", ""), id="create"),
    pytest.param("PUT", "/api/v1/namespaces/team/configmaps/c1", {},
                 ("update", "api", "", "v1", "team", "configmaps", "c1"), id="update"),
    pytest.param("PATCH", "/api/v1/namespaces/team/configmaps/c1", {},
                 ("patch", "api", "", "v1", "team", "configmaps", "c1"), id="patch"),
    pytest.param("DELETE", "/api/v1/namespaces/team/configmaps/c1", {},
                 ("delete", "api", "", "v1", "team", "configmaps", "c1"), id="delete"),
    pytest.param("DELETE", "/api/v1/namespaces/team/configmaps", {},
                 ("deletecollection", "api", "", "v1", "team", "configmaps", ""), id="deletecollection"),
    pytest.param("GET", "/apis/coordination.k8s.io/v1/namespaces/team/leases/l1", {},
                 ("get", "apis", "coordination.k8s.io", "v1", "team", "leases", "l1"), id="group-path"),
    pytest.param("GET", "/apis/events.k8s.io/v1/events", {},
                 ("list", "apis", "events.k8s.io", "v1", "", "events", ""), id="group-list-all-namespaces"),
    pytest.param("GET", "/api/v1/watch/namespaces/team/configmaps", {},
                 ("watch", "api", "", "v1", "team", "configmaps", ""), id="deprecated-watch-path"),
    pytest.param("GET", "/api/v1/watch/namespaces/team/configmaps/c1", {},
                 ("watch", "api", "", "v1", "team", "configmaps", "c1"), id="deprecated-watch-path-of-a-name"),
    pytest.param("GET", "/apis/coordination.k8s.io/v1/watch/leases", {},
                 ("watch", "apis", "coordination.k8s.io", "v1", "", "leases", ""), id="deprecated-watch-group"),
    pytest.param("GET", "/api/v1/namespaces/team/configmaps/a%2Fb", {},
                 ("get", "api", "", "v1", "team", "configmaps", "a/b"), id="percent-encoded-slash-in-a-name"),
    pytest.param("GET", "/api/v1/namespaces/t%65am/configmaps/c%31", {},
                 ("get", "api", "", "v1", "team", "configmaps", "c1"), id="percent-encoded-segments"),
]


@pytest.mark.parametrize(("method", "path", "query", "expected"), RESOURCE_CASES)
def test_resource_requests_name_their_verb_and_target(method: str, path: str, query: dict[str, str],
                                                      expected: Expected) -> None:
    """Each resource path reads as kube reads it: verb, group, version, namespace, resource and name."""
    info = requestinfo.parse(method, path, query)
    assert info.is_resource
    assert (info.verb, info.api_prefix, info.group, info.version, info.namespace, info.resource,
            info.name) == expected


@pytest.mark.parametrize(("method", "path", "expected"), [
    pytest.param("PUT", "/api/v1/namespaces/team/status", ("team", "namespaces", "team", "status"),
                 id="namespace-status"),
    pytest.param("PUT", "/api/v1/namespaces/team/finalize", ("team", "namespaces", "team", "finalize"),
                 id="namespace-finalize"),
    pytest.param("GET", "/api/v1/namespaces/team/resourcequotas/q/status", ("team", "resourcequotas", "q", "status"),
                 id="namespaced-object-status"),
    pytest.param("GET", "/api/v1/namespaces/team/configmaps/c/a/b", ("team", "configmaps", "c", "a/b"),
                 id="deeper-paths-keep-their-tail"),
])
def test_subresources_are_read_after_the_name(method: str, path: str, expected: tuple[str, str, str, str]) -> None:
    """``status`` and ``finalize`` right after a namespace's name are its subresources, not a resource type.

    ``expected`` is (namespace, resource, name, subresource).
    """
    info = requestinfo.parse(method, path, {})
    assert (info.namespace, info.resource, info.name, info.subresource) == expected


@pytest.mark.parametrize(("path", "cluster", "explicit", "below"), [
    pytest.param("/api/v1/namespaces", "root", False, "/api/v1/namespaces", id="no-prefix-is-root"),
    pytest.param("/clusters/root/api/v1/namespaces", "root", True, "/api/v1/namespaces", id="root"),
    pytest.param("/clusters/root:org-a:team-a/apis/coordination.k8s.io/v1/leases", "root:org-a:team-a", True,
                 "/apis/coordination.k8s.io/v1/leases", id="workspace-path"),
    pytest.param("/clusters/root", "root", True, "/", id="bare-cluster"),
    pytest.param("/clusters/root:org/version", "root:org", True, "/version", id="non-resource-in-a-cluster"),
])
def test_the_cluster_prefix_is_stripped_before_the_rest(path: str, cluster: str, explicit: bool,
                                                        below: str) -> None:
    """``/clusters/<path>`` names the logical cluster; what follows it is parsed as an unprefixed path."""
    info = requestinfo.parse("GET", path, {})
    assert (info.cluster_path, info.explicit_cluster, info.path) == (cluster, explicit, below)


def test_a_prefixed_resource_path_parses_like_the_unprefixed_one() -> None:
    """The same resource under a cluster prefix differs only in its cluster fields."""
    plain = requestinfo.parse("GET", "/api/v1/namespaces/team/configmaps/c1", {})
    prefixed = requestinfo.parse("GET", "/clusters/root:org/api/v1/namespaces/team/configmaps/c1", {})
    assert prefixed._replace(cluster_path="root", explicit_cluster=False) == plain


@pytest.mark.parametrize(("method", "path", "verb"), [
    pytest.param("GET", "/", "get", id="root"),
    pytest.param("GET", "/api", "get", id="core-discovery"),
    pytest.param("GET", "/api/v1", "get", id="core-version-discovery"),
    pytest.param("GET", "/apis", "get", id="groups"),
    pytest.param("GET", "/apis/coordination.k8s.io", "get", id="one-group"),
    pytest.param("GET", "/apis/coordination.k8s.io/v1", "get", id="group-version-discovery"),
    pytest.param("GET", "/openapi/v3/apis/coordination.k8s.io/v1", "get", id="openapi-v3-document"),
    pytest.param("GET", "/openapi/v2", "get", id="openapi-v2"),
    pytest.param("GET", "/healthz/ping", "get", id="health-check"),
    pytest.param("HEAD", "/version", "head", id="head-keeps-its-method"),
    pytest.param("POST", "/api", "post", id="post-to-discovery"),
    pytest.param("GET", "/api/v1/namespaces/team", "get", id="resource-for-contrast"),
])
def test_non_resource_paths_keep_the_lower_cased_method_as_verb(method: str, path: str, verb: str) -> None:
    """Discovery, OpenAPI, health and version are non-resource requests whose verb is the HTTP method."""
    info = requestinfo.parse(method, path, {})
    assert info.verb == verb
    assert info.is_resource == path.startswith("/api/v1/namespaces")
    if not info.is_resource:
        assert info.path == path


def test_group_version_joins_group_and_version() -> None:
    """The core group's group-version is the bare version; others are ``group/version``."""
    core = requestinfo.parse("GET", "/api/v1/configmaps", {})
    grouped = requestinfo.parse("GET", "/apis/coordination.k8s.io/v1/leases", {})
    assert (core.group_version, grouped.group_version) == ("v1", "coordination.k8s.io/v1")


def test_request_info_is_a_cheap_named_tuple() -> None:
    """The parsed value is a tuple (built per request) with every field named."""
    info = requestinfo.parse("GET", "/api/v1/namespaces/team/configmaps/c1", {})
    assert isinstance(info, tuple) and isinstance(info, RequestInfo)
    assert info == RequestInfo("root", False, "/api/v1/namespaces/team/configmaps/c1", "get", True, "api", "",
                               "v1", "team", "configmaps", "c1", "")


@given(namespace=st.text(min_size=1, max_size=20), name=st.text(min_size=1, max_size=40))
def test_any_percent_encoded_name_reads_back_unchanged(namespace: str, name: str) -> None:
    """Namespace and name segments are split before they are decoded, so any encoded text survives."""
    path = f"/api/v1/namespaces/{quote(namespace, safe='')}/configmaps/{quote(name, safe='')}"
    info = requestinfo.parse("GET", path, {})
    assert (info.namespace, info.resource, info.name) == (namespace, "configmaps", name)
