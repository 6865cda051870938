"""Query parameters of resource requests: booleans, integers, dryRun, fieldValidation and the field manager,
parsed once with kube-apiserver's defaults and refusals."""

from __future__ import annotations

from typing import Any

import pytest

from gitplane.api.errors import APIError
from gitplane.server.request import Request
from gitplane.server.rest import params


def request(query: str = "", user_agent: str = "kubectl/v1.33.0 (linux/amd64) kubernetes/abc") -> Request:
    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    scope = {"type": "http", "method": "POST", "path": "/api/v1/namespaces/d/configmaps",
             "query_string": query.encode(), "headers": [(b"user-agent", user_agent.encode())]}
    return Request(scope, receive)


def bad_request(call: Any) -> str:
    with pytest.raises(APIError) as caught:
        call()
    assert (caught.value.code, caught.value.reason) == (400, "BadRequest")
    return caught.value.message


@pytest.mark.parametrize(("query", "value"), [
    pytest.param("", False, id="absent"),
    pytest.param("allowWatchBookmarks=", False, id="empty"),
    pytest.param("allowWatchBookmarks=true", True, id="true"),
    pytest.param("allowWatchBookmarks=True", True, id="capitalised"),
    pytest.param("allowWatchBookmarks=1", True, id="one"),
    pytest.param("allowWatchBookmarks=false", False, id="false"),
    pytest.param("allowWatchBookmarks=0", False, id="zero"),
])
def test_boolean_parameters(query: str, value: bool) -> None:
    """true/false and 1/0, any case; absent or empty is false."""
    assert params.flag(request(query), "allowWatchBookmarks") is value


def test_a_boolean_parameter_that_is_not_one_is_400() -> None:
    """Anything else names the parameter and the value."""
    message = bad_request(lambda: params.flag(request("force=yes"), "force"))
    assert message == 'invalid value for force: "yes" is not a boolean'


@pytest.mark.parametrize(("query", "value"), [
    pytest.param("", None, id="absent"),
    pytest.param("limit=", None, id="empty"),
    pytest.param("limit=0", 0, id="zero"),
    pytest.param("limit=500", 500, id="number"),
    pytest.param("limit=%2B7", 7, id="plus-sign"),
    pytest.param("limit=" + "0" * 30 + "5", 5, id="leading-zeros"),
    pytest.param("limit=9223372036854775807", 2**63 - 1, id="int64-max"),
])
def test_integer_parameters(query: str, value: int | None) -> None:
    """A decimal integer, or None when not given."""
    assert params.integer(request(query), "limit") == value


@pytest.mark.parametrize(("query", "message"), [
    pytest.param("limit=ten", 'invalid value for limit: "ten" is not an integer', id="not-a-number"),
    pytest.param("limit=-1", "invalid value for limit: must be at least 0", id="below-the-minimum"),
    pytest.param("limit=9223372036854775808", 'invalid value for limit: "9223372036854775808" is out of range',
                 id="beyond-int64"),
    pytest.param("limit=" + "9" * 5000, f'invalid value for limit: "{"9" * 5000}" is out of range',
                 id="beyond-pythons-int-conversion-limit"),
    pytest.param("limit=%201", 'invalid value for limit: " 1" is not an integer', id="space"),
    pytest.param("limit=1_000", 'invalid value for limit: "1_000" is not an integer', id="underscore"),
    pytest.param("limit=%D9%A1", 'invalid value for limit: "\u0661" is not an integer', id="arabic-digit"),
])
def test_integer_parameters_out_of_range_are_400(query: str, message: str) -> None:
    """Non-numbers and numbers below the minimum are refused with the parameter named."""
    assert bad_request(lambda: params.integer(request(query), "limit")) == message


@pytest.mark.parametrize(("query", "value"), [
    pytest.param("", False, id="absent"),
    pytest.param("dryRun=All", True, id="all"),
])
def test_dry_run_is_all_or_nothing(query: str, value: bool) -> None:
    """``dryRun=All`` is the only dry run kube knows."""
    assert params.dry_run(request(query)) is value


def test_an_unknown_dry_run_value_is_refused() -> None:
    """Values other than All are not silently treated as a real write."""
    with pytest.raises(APIError):
        params.dry_run(request("dryRun=Yes"))


@pytest.mark.parametrize(("query", "mode"), [
    pytest.param("", "Warn", id="default-is-warn"),
    pytest.param("fieldValidation=Strict", "Strict", id="strict"),
    pytest.param("fieldValidation=Warn", "Warn", id="warn"),
    pytest.param("fieldValidation=Ignore", "Ignore", id="ignore"),
])
def test_field_validation_modes(query: str, mode: str) -> None:
    """Strict, Warn and Ignore; kube's default is Warn."""
    assert params.field_validation(request(query)) == mode


def test_an_unknown_field_validation_mode_is_refused() -> None:
    """A mode that does not exist is not treated as the default."""
    with pytest.raises(APIError):
        params.field_validation(request("fieldValidation=Loose"))


@pytest.mark.parametrize(("query", "user_agent", "manager"), [
    pytest.param("fieldManager=flux", "kubectl/v1.33.0", "flux", id="explicit"),
    pytest.param("", "kubectl/v1.33.0 (linux/amd64) kubernetes/abc", "kubectl", id="kubectl-user-agent"),
    pytest.param("", "kubectl-client-side-apply/v1.27.0 (linux/amd64)", "kubectl-client-side-apply",
                 id="kubectl-apply-user-agent"),
    pytest.param("", "OpenAPI-Generator/29.0.0/python", "OpenAPI-Generator", id="python-client-user-agent"),
    pytest.param("", "", "", id="no-user-agent"),
])
def test_the_field_manager_is_the_parameter_or_the_user_agent_product(query: str, user_agent: str,
                                                                       manager: str) -> None:
    """Without ``fieldManager`` a write is recorded under the User-Agent's text before the first ``/``."""
    assert params.field_manager(request(query, user_agent)) == manager


def test_apply_requires_a_field_manager() -> None:
    """Server-side apply refuses to guess a manager from the User-Agent."""
    with pytest.raises(APIError, match="fieldManager: Required value: is required for apply patch"):
        params.field_manager(request(""), required=True)


@pytest.mark.parametrize("query", [
    pytest.param("fieldManager=" + "m" * 129, id="too-long"),
    pytest.param("fieldManager=a%07b", id="not-printable"),
])
def test_a_field_manager_kube_would_not_store_is_refused(query: str) -> None:
    """Longer than 128 bytes or with unprintable characters: refused, naming fieldManager."""
    with pytest.raises(APIError, match=r'^CreateOptions.meta.k8s.io "" is invalid: fieldManager: '):
        params.field_manager(request(query))


def test_a_field_manager_of_128_bytes_is_accepted() -> None:
    """The limit itself is allowed."""
    assert params.field_manager(request("fieldManager=" + "m" * 128)) == "m" * 128


@pytest.mark.parametrize(("user_agent", "manager"), [
    pytest.param("x" * 200 + "/v1", "x" * 128, id="long-product-name"),
    pytest.param("bad\x07agent/v1", "badagent", id="unprintable-character"),
])
def test_a_user_agent_manager_is_made_valid_not_refused(user_agent: str, manager: str) -> None:
    """A client cannot choose its User-Agent's length, so kube trims it instead of failing every write."""
    assert params.field_manager(request("", user_agent)) == manager
