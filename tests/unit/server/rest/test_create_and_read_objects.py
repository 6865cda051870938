"""Create and read through the REST layer: system metadata set on create, generated names, GET/HEAD/LIST, and
the representations a client may negotiate (JSON, Table, metadata only, YAML)."""

from __future__ import annotations

import re

from ruamel.yaml import YAML

from tests.unit.server.asgi_client import AsgiClient

TABLE = ("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,"
         "application/json")
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


async def test_create_sets_system_metadata_and_answers_201(admin: AsgiClient, namespace: str) -> None:
    """uid, creationTimestamp (seconds, Z), resourceVersion and the URL's namespace are the server's."""
    reply = await admin.request("POST", f"/api/v1/namespaces/{namespace}/configmaps",
                                {"metadata": {"name": "c1"}, "data": {"k": "v"}})
    assert reply.status == 201
    assert reply.header("content-type") == "application/json"
    created = reply.json()
    meta = created["metadata"]
    assert (created["apiVersion"], created["kind"], created["data"]) == ("v1", "ConfigMap", {"k": "v"})
    assert (meta["name"], meta["namespace"]) == ("c1", namespace)
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", meta["uid"])
    assert RFC3339.match(meta["creationTimestamp"])
    assert int(meta["resourceVersion"]) > 0
    assert "generation" not in meta


async def test_the_user_agent_names_the_field_manager(admin: AsgiClient, namespace: str) -> None:
    """A create without fieldManager is recorded as an Update by the User-Agent's product name."""
    created = await admin.create(f"/api/v1/namespaces/{namespace}/configmaps",
                                 {"metadata": {"name": "c1"}, "data": {"k": "v"}})
    [entry] = created["metadata"]["managedFields"]
    assert (entry["manager"], entry["operation"], entry["fieldsV1"]) == (
        "unit-tests", "Update", {"f:data": {".": {}, "f:k": {}}})


async def test_generate_name_appends_five_characters_of_kubes_alphabet(admin: AsgiClient, namespace: str) -> None:
    """``generateName: web-`` yields ``web-`` and five of ``bcdfghjklmnpqrstvwxz2456789``; each create differs."""
    names = set()
    for _ in range(3):
        created = await admin.create(f"/api/v1/namespaces/{namespace}/configmaps",
                                     {"metadata": {"generateName": "web-"}})
        names.add(created["metadata"]["name"])
        assert created["metadata"]["generateName"] == "web-"
    assert len(names) == 3
    assert all(re.fullmatch(r"web-[bcdfghjklmnpqrstvwxz2456789]{5}", n) for n in names)


async def test_get_answers_the_stored_object(admin: AsgiClient, namespace: str) -> None:
    """GET returns what the create returned."""
    created = await admin.create(f"/api/v1/namespaces/{namespace}/configmaps", {"metadata": {"name": "c1"}})
    reply = await admin.get(f"/api/v1/namespaces/{namespace}/configmaps/c1")
    assert (reply.status, reply.json()) == (200, created)


async def test_head_has_the_headers_of_get_without_a_body(admin: AsgiClient, namespace: str) -> None:
    """HEAD answers like GET, Content-Length included, with an empty body."""
    await admin.create(f"/api/v1/namespaces/{namespace}/configmaps", {"metadata": {"name": "c1"}})
    got = await admin.get(f"/api/v1/namespaces/{namespace}/configmaps/c1")
    head = await admin.request("HEAD", f"/api/v1/namespaces/{namespace}/configmaps/c1")
    assert (head.status, head.body) == (200, b"")
    assert head.header("content-length") == str(len(got.body))


async def test_list_is_a_typed_list_at_the_current_revision(admin: AsgiClient, namespace: str) -> None:
    """A list has the list kind, the store's revision, and the items in name order."""
    for name in ("b", "a"):
        last = await admin.create(f"/api/v1/namespaces/{namespace}/configmaps", {"metadata": {"name": name}})
    listed = (await admin.get(f"/api/v1/namespaces/{namespace}/configmaps")).json()
    assert (listed["kind"], listed["apiVersion"]) == ("ConfigMapList", "v1")
    assert listed["metadata"] == {"resourceVersion": last["metadata"]["resourceVersion"]}
    assert [i["metadata"]["name"] for i in listed["items"]] == ["a", "b"]


async def test_a_namespaced_type_lists_across_namespaces_without_one(admin: AsgiClient, namespace: str) -> None:
    """``/api/v1/configmaps`` lists every namespace of the cluster."""
    await admin.create(f"/api/v1/namespaces/{namespace}/configmaps", {"metadata": {"name": "mine"}})
    await admin.create("/api/v1/namespaces/default/configmaps", {"metadata": {"name": "theirs"}})
    listed = (await admin.get("/api/v1/configmaps")).json()
    assert {(i["metadata"]["namespace"], i["metadata"]["name"]) for i in listed["items"]} == {
        (namespace, "mine"), ("default", "theirs")}


async def test_group_types_live_under_their_group_path(admin: AsgiClient, namespace: str) -> None:
    """A Lease is created and read under /apis/coordination.k8s.io/v1, MicroTime values kept as sent."""
    path = f"/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases"
    created = await admin.create(path, {"metadata": {"name": "leader"}, "spec": {
        "holderIdentity": "a", "renewTime": "2026-01-01T00:00:00.123456Z"}})
    assert created["apiVersion"] == "coordination.k8s.io/v1"
    assert (await admin.get(f"{path}/leader")).json()["spec"]["renewTime"] == "2026-01-01T00:00:00.123456Z"


async def test_objects_and_lists_render_as_tables(admin: AsgiClient, namespace: str) -> None:
    """kubectl's Accept gets a meta.k8s.io/v1 Table with kube's columns and metadata-only row objects."""
    await admin.create(f"/api/v1/namespaces/{namespace}/configmaps", {"metadata": {"name": "c1"}, "data": {"a": "b"}})
    for path in (f"/api/v1/namespaces/{namespace}/configmaps", f"/api/v1/namespaces/{namespace}/configmaps/c1"):
        table = (await admin.get(path, headers={"Accept": TABLE})).json()
        assert (table["kind"], table["apiVersion"]) == ("Table", "meta.k8s.io/v1")
        assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Data", "Age"]
        [row] = table["rows"]
        assert row["cells"][:2] == ["c1", 1]
        assert row["object"]["kind"] == "PartialObjectMetadata"
        assert table["metadata"]["resourceVersion"]


async def test_a_v1beta1_table_is_answered_in_v1beta1(admin: AsgiClient, namespace: str) -> None:
    """A client that only knows meta.k8s.io/v1beta1 Tables gets one."""
    accept = "application/json;as=Table;v=v1beta1;g=meta.k8s.io"
    table = (await admin.get(f"/api/v1/namespaces/{namespace}/configmaps", headers={"Accept": accept})).json()
    assert table["apiVersion"] == "meta.k8s.io/v1beta1"


async def test_table_rows_carry_the_object_when_asked(admin: AsgiClient, namespace: str) -> None:
    """``includeObject=Object`` puts the whole object in each row; ``None`` leaves it out."""
    await admin.create(f"/api/v1/namespaces/{namespace}/configmaps", {"metadata": {"name": "c1"}, "data": {"a": "b"}})
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    whole = (await admin.get(path + "?includeObject=Object", headers={"Accept": TABLE})).json()
    assert whole["rows"][0]["object"]["data"] == {"a": "b"}
    bare = (await admin.get(path + "?includeObject=None", headers={"Accept": TABLE})).json()
    assert "object" not in bare["rows"][0] or bare["rows"][0]["object"] is None


async def test_partial_object_metadata_leaves_out_everything_but_metadata(admin: AsgiClient, namespace: str) -> None:
    """Metadata-only informers get PartialObjectMetadata(List) without data."""
    await admin.create(f"/api/v1/namespaces/{namespace}/secrets", {"metadata": {"name": "s"}, "stringData": {"a": "b"}})
    accept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
    listed = (await admin.get(f"/api/v1/namespaces/{namespace}/secrets", headers={"Accept": accept})).json()
    assert (listed["kind"], listed["apiVersion"]) == ("PartialObjectMetadataList", "meta.k8s.io/v1")
    [item] = listed["items"]
    assert set(item) == {"kind", "apiVersion", "metadata"} and item["metadata"]["name"] == "s"
    one = (await admin.get(f"/api/v1/namespaces/{namespace}/secrets/s", headers={
        "Accept": "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"})).json()
    assert one["kind"] == "PartialObjectMetadata" and "data" not in one


async def test_yaml_is_served_when_asked(admin: AsgiClient, namespace: str) -> None:
    """``Accept: application/yaml`` answers the same object as YAML."""
    created = await admin.create(f"/api/v1/namespaces/{namespace}/configmaps",
                                 {"metadata": {"name": "c1"}, "data": {"a": "b"}})
    reply = await admin.get(f"/api/v1/namespaces/{namespace}/configmaps/c1", headers={"Accept": "application/yaml"})
    assert reply.header("content-type") == "application/yaml"
    assert YAML(typ="safe", pure=True).load(reply.body.decode()) == created


async def test_secrets_fold_string_data_and_default_their_type(admin: AsgiClient, namespace: str) -> None:
    """``stringData`` becomes base64 ``data`` and the type defaults to Opaque."""
    created = await admin.create(f"/api/v1/namespaces/{namespace}/secrets",
                                 {"metadata": {"name": "s"}, "stringData": {"a": "b"}})
    assert (created["data"], created["type"]) == ({"a": "Yg=="}, "Opaque")
    assert "stringData" not in created


async def test_objects_in_another_logical_cluster_path_are_not_reachable(admin: AsgiClient) -> None:
    """A workspace path that resolves to nothing is 403, never 404, so workspaces cannot be probed."""
    reply = await admin.get("/clusters/root:nowhere/api/v1/namespaces")
    assert reply.status == 403
    assert reply.json()["message"] == ('forbidden: User "unit-admin" cannot list path '
                                       '"/clusters/root:nowhere/api/v1/namespaces": workspace access not permitted')


async def test_the_root_cluster_prefix_reaches_the_same_objects(admin: AsgiClient, namespace: str) -> None:
    """``/clusters/root/...`` and the unprefixed path address the same logical cluster."""
    created = await admin.create(f"/clusters/root/api/v1/namespaces/{namespace}/configmaps",
                                 {"metadata": {"name": "c1"}})
    assert (await admin.get(f"/api/v1/namespaces/{namespace}/configmaps/c1")).json() == created
