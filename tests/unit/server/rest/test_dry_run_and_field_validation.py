"""dryRun=All runs every step of a write but stores nothing; fieldValidation chooses whether unknown and
duplicate fields are refused (Strict), reported in Warning headers (Warn, the default) or dropped (Ignore)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.server.asgi_client import AsgiClient

UNKNOWN_AND_DUPLICATE = b'{"metadata": {"name": "c1"}, "data": {"k": "v"}, "data": {"k": "w"}, "bogus": 1}'


async def test_a_dry_run_create_answers_the_would_be_object(admin: AsgiClient, namespace: str) -> None:
    """201 with server-set metadata, and nothing stored."""
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    reply = await admin.request("POST", path + "?dryRun=All", {"metadata": {"name": "ghost"}, "data": {"a": "b"}})
    assert reply.status == 201
    assert reply.json()["metadata"]["uid"] and reply.json()["data"] == {"a": "b"}
    assert (await admin.get(f"{path}/ghost")).status == 404


async def test_a_dry_run_still_validates_and_admits(admin: AsgiClient, namespace: str) -> None:
    """Invalid objects and admission refusals are reported as for a real write."""
    invalid = await admin.request("POST", f"/api/v1/namespaces/{namespace}/configmaps?dryRun=All",
                                  {"metadata": {"name": "Not_Valid"}})
    assert invalid.status == 422
    missing = await admin.request("POST", "/api/v1/namespaces/ghost/configmaps?dryRun=All",
                                  {"metadata": {"name": "c1"}})
    assert missing.status == 404


async def test_dry_run_updates_and_patches_store_nothing(admin: AsgiClient, namespace: str) -> None:
    """The answer shows the change; the stored object and revision stay."""
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    created = await admin.create(path, {"metadata": {"name": "c1"}, "data": {"k": "v"}})
    put = await admin.request("PUT", f"{path}/c1?dryRun=All", {**created, "data": {"k": "put"}})
    assert (put.status, put.json()["data"]) == (200, {"k": "put"})
    patch = await admin.patch(f"{path}/c1", {"data": {"k": "patch"}}, query="?dryRun=All")
    assert (patch.status, patch.json()["data"]) == (200, {"k": "patch"})
    assert (await admin.get(f"{path}/c1")).json() == created


async def post_with_mode(admin: AsgiClient, namespace: str, mode: str) -> Any:
    query = f"?fieldValidation={mode}" if mode else ""
    return await admin.request("POST", f"/api/v1/namespaces/{namespace}/configmaps{query}", UNKNOWN_AND_DUPLICATE)


async def test_strict_refuses_unknown_and_duplicate_fields(admin: AsgiClient, namespace: str) -> None:
    """kube's strict decoding error names every problem; nothing is stored."""
    reply = await post_with_mode(admin, namespace, "Strict")
    assert reply.status == 400
    assert reply.json()["message"] == ('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding '
                                       'error: unknown field "bogus", duplicate field "data"')
    assert (await admin.get(f"/api/v1/namespaces/{namespace}/configmaps/c1")).status == 404


@pytest.mark.parametrize("mode", [pytest.param("Warn", id="warn"), pytest.param("", id="default-is-warn")])
async def test_warn_accepts_and_reports_each_problem_in_a_warning_header(admin: AsgiClient, namespace: str,
                                                                        mode: str) -> None:
    """One ``Warning: 299 - "..."`` header per problem; the unknown field is dropped, the last duplicate wins."""
    reply = await post_with_mode(admin, namespace, mode)
    assert reply.status == 201
    assert reply.header_values("warning") == ['299 - "unknown field \\"bogus\\""',
                                              '299 - "duplicate field \\"data\\""']
    assert reply.json()["data"] == {"k": "w"} and "bogus" not in reply.json()


async def test_ignore_accepts_silently(admin: AsgiClient, namespace: str) -> None:
    """No warnings; unknown fields are dropped."""
    reply = await post_with_mode(admin, namespace, "Ignore")
    assert reply.status == 201
    assert reply.header_values("warning") == []
    assert "bogus" not in reply.json()


async def test_strict_applies_to_updates_and_patches(admin: AsgiClient, namespace: str) -> None:
    """A PUT or a merge patch introducing an unknown field is refused under Strict."""
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    created = await admin.create(path, {"metadata": {"name": "c1"}})
    put = await admin.request("PUT", f"{path}/c1?fieldValidation=Strict", {**created, "bogus": 1})
    assert put.status == 400 and 'unknown field "bogus"' in put.json()["message"]
    patch = await admin.patch(f"{path}/c1", {"spec": {"x": 1}}, query="?fieldValidation=Strict")
    assert patch.status == 400 and 'unknown field "spec"' in patch.json()["message"]


@pytest.mark.parametrize(("query", "field"), [
    pytest.param("?dryRun=Yes", "dryRun", id="dry-run"),
    pytest.param("?fieldValidation=Loose", "fieldValidation", id="field-validation"),
])
async def test_unknown_option_values_are_invalid_create_options(admin: AsgiClient, namespace: str, query: str,
                                                                field: str) -> None:
    """The refusal is a CreateOptions validation error naming the option."""
    reply = await admin.request("POST", f"/api/v1/namespaces/{namespace}/configmaps{query}",
                                {"metadata": {"name": "c1"}})
    assert reply.status == 422
    body = reply.json()
    assert body["message"].startswith(f'CreateOptions.meta.k8s.io "" is invalid: {field}: Unsupported value: ')
    assert body["details"]["causes"][0]["field"] == field
