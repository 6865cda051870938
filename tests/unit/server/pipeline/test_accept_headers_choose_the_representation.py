"""Content negotiation: the Accept headers real clients send choose JSON, YAML, a Table, metadata only, or
aggregated discovery; a client offering nothing the server can produce gets 406."""

from __future__ import annotations

import pytest

from gitplane.api.errors import APIError
from gitplane.server.negotiation import Form, negotiate, parse_accept, table_version

KUBECTL_TABLE = ("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,"
                 "application/json")
KUBECTL_127_DISCOVERY = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
KUBECTL_133_DISCOVERY = ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
                         "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
                         "application/json")
CLIENT_GO_PROTOBUF_FIRST = "application/vnd.kubernetes.protobuf,application/json"


@pytest.mark.parametrize(("accept", "form"), [
    pytest.param("", Form.JSON, id="no-accept"),
    pytest.param("application/json", Form.JSON, id="json"),
    pytest.param("*/*", Form.JSON, id="anything"),
    pytest.param("application/*", Form.JSON, id="any-application"),
    pytest.param("application/json, */*", Form.JSON, id="python-client"),
    pytest.param(CLIENT_GO_PROTOBUF_FIRST, Form.JSON, id="protobuf-first-then-json"),
    pytest.param("application/yaml", Form.YAML, id="yaml"),
    pytest.param(KUBECTL_TABLE, Form.TABLE, id="kubectl-get-table"),
    pytest.param("application/json;as=Table;v=v1beta1;g=meta.k8s.io", Form.TABLE, id="table-v1beta1-only"),
    pytest.param("application/json; as=Table; v=v1; g=meta.k8s.io", Form.TABLE, id="spaces-around-parameters"),
    pytest.param('application/json;as="Table";v="v1";g="meta.k8s.io"', Form.TABLE, id="quoted-parameters"),
    pytest.param("application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1", Form.PARTIAL_METADATA,
                 id="partial-object-metadata"),
    pytest.param("application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json",
                 Form.PARTIAL_METADATA, id="partial-object-metadata-list"),
    pytest.param("application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1beta1", Form.PARTIAL_METADATA,
                 id="partial-object-metadata-v1beta1"),
    pytest.param("application/json;as=Table;v=v2;g=meta.k8s.io,application/json", Form.JSON,
                 id="unknown-table-version-falls-through"),
    pytest.param("application/json;as=Table;v=v1;g=example.com,application/json", Form.JSON,
                 id="table-of-another-group-falls-through"),
    pytest.param("application/json;as=Widget;v=v1;g=meta.k8s.io,application/yaml", Form.YAML,
                 id="unknown-transformation-falls-through"),
    pytest.param(KUBECTL_127_DISCOVERY, Form.JSON, id="discovery-accept-on-a-resource"),
])
def test_resource_requests_get_the_first_form_offered_that_can_be_produced(accept: str, form: Form) -> None:
    """The first option the server can produce wins; transformations it does not know are skipped."""
    assert negotiate(accept) is form


@pytest.mark.parametrize(("accept", "form"), [
    pytest.param(KUBECTL_127_DISCOVERY, Form.DISCOVERY_V2BETA1, id="kubectl-1.27"),
    pytest.param(KUBECTL_133_DISCOVERY, Form.DISCOVERY_V2, id="kubectl-1.33"),
    pytest.param("application/json", Form.JSON, id="legacy-discovery"),
    pytest.param("application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,application/json", Form.JSON,
                 id="unknown-discovery-version-falls-back-to-legacy"),
    pytest.param(KUBECTL_TABLE, Form.JSON, id="table-is-not-a-discovery-form"),
])
def test_discovery_requests_choose_aggregated_or_legacy_discovery(accept: str, form: Form) -> None:
    """kubectl 1.27 gets aggregated discovery v2beta1, kubectl 1.30+ v2, others the legacy documents."""
    assert negotiate(accept, discovery=True) is form


@pytest.mark.parametrize(("accept", "discovery"), [
    pytest.param("application/vnd.kubernetes.protobuf", False, id="protobuf-only"),
    pytest.param("application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io", False,
                 id="protobuf-table-only"),
    pytest.param("text/html", False, id="html"),
    pytest.param("application/json;as=Table;v=v1;g=meta.k8s.io", True, id="only-a-table-of-discovery"),
])
def test_nothing_producible_is_406(accept: str, discovery: bool) -> None:
    """An Accept header without a JSON option the server can produce is refused as NotAcceptable."""
    with pytest.raises(APIError) as caught:
        negotiate(accept, discovery=discovery)
    assert (caught.value.code, caught.value.reason) == (406, "NotAcceptable")
    assert caught.value.message == ("only the following media types are accepted: application/json, "
                                    "application/yaml")


@pytest.mark.parametrize(("accept", "version"), [
    pytest.param(KUBECTL_TABLE, "v1", id="kubectl-prefers-v1"),
    pytest.param("application/json;as=Table;v=v1beta1;g=meta.k8s.io", "v1beta1", id="only-v1beta1"),
    pytest.param("application/json;as=Table;g=meta.k8s.io", "v1", id="no-version-means-v1"),
    pytest.param("application/json", "v1", id="no-table"),
])
def test_the_table_version_is_the_one_asked_for(accept: str, version: str) -> None:
    """A Table answers in the meta.k8s.io version the client listed first."""
    assert table_version(accept) == version


def test_accept_parsing_lower_cases_types_and_parameter_names() -> None:
    """Media types and parameter names compare case-insensitively; values keep their case."""
    [media] = parse_accept("Application/JSON; AS=Table; V=v1; G=meta.k8s.io")
    assert media.type == "application/json"
    assert media.params == {"as": "Table", "v": "v1", "g": "meta.k8s.io"}


def test_empty_items_of_an_accept_list_are_skipped() -> None:
    """Stray commas do not produce media ranges."""
    assert [m.type for m in parse_accept(" , application/json,,")] == ["application/json"]
