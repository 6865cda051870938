"""Bodies that are not a Kubernetes protobuf object of a known kind fail with a 400 saying what is wrong."""

from __future__ import annotations

import pytest

from gitplane.api import errors
from gitplane.api.protobuf import envelope
from tests.unit.api.protobuf.protobuf_bodies import CORE, META, body, message, wrap, wrap_unknown


def _fields_v1_body(raw: str) -> bytes:
    entry = {"manager": "m", "fieldsV1": {"Raw": raw}}
    return body("v1", "ConfigMap", f"{CORE}.ConfigMap", {"metadata": {"managedFields": [entry]}})


def _envelope(type_meta: dict[str, str]) -> bytes:
    return wrap_unknown(message("k8s.io.apimachinery.pkg.runtime.Unknown", {"typeMeta": type_meta}), b"")


@pytest.mark.parametrize(("data", "message_part"), [
    pytest.param(b"", "empty data", id="empty"),
    pytest.param(b'{"kind": "ConfigMap"}', "expected prefix [107 56 115 0]", id="json"),
    pytest.param(b"k8s", "expected prefix", id="short-prefix"),
    pytest.param(envelope.MAGIC, "empty body", id="only-prefix"),
    pytest.param(envelope.MAGIC + b"\x0a\xff", "protobuf envelope (runtime.Unknown) is not valid protobuf",
                 id="truncated-envelope"),
    pytest.param(_envelope({"apiVersion": "v1"}), "Object 'Kind' is missing", id="no-kind"),
    pytest.param(_envelope({"apiVersion": "v1", "kind": "Frobnicator"}),
                 'no kind "Frobnicator" is registered for version "v1"', id="unknown-kind"),
    pytest.param(_envelope({"apiVersion": "example.com/v1", "kind": "DeleteOptions"}),
                 'no kind "DeleteOptions" is registered for version "example.com/v1"', id="unknown-group"),
    pytest.param(envelope.MAGIC + b"\x0a\x0f\x0a\x02\xff\xfe\x12\x09ConfigMap",
                 'no kind "ConfigMap" is registered for version "\ufffd\ufffd"', id="api-version-not-utf8"),
    pytest.param(envelope.MAGIC + b"\x0a\x0a\x0a\x02v1\x12\x04\xed\xa0\x80x",
                 'no kind "\ufffd\ufffd\ufffdx" is registered', id="kind-not-utf8"),
    pytest.param(wrap("v1", "ConfigMap", b"\x0a\x05\x0a"), "the ConfigMap message is not valid protobuf",
                 id="truncated-object"),
    pytest.param(_fields_v1_body("bm90IGpzb24="), "meta.v1.FieldsV1 does not hold a JSON document",
                 id="fields-v1-not-json"),
    pytest.param(body("v1", "ConfigMap", f"{CORE}.ConfigMap",
                      {"metadata": {"creationTimestamp": {"seconds": "253402300800"}}}),
                 "outside years 1 to 9999", id="time-out-of-range"),
])
def test_bad_body_is_a_bad_request(data: bytes, message_part: str) -> None:
    """Each problem is a 400 BadRequest whose message names it."""
    with pytest.raises(errors.APIError) as caught:
        envelope.decode(data)
    assert (caught.value.code, caught.value.reason) == (400, "BadRequest")
    assert message_part in caught.value.message


def test_impossible_int_or_string_is_a_bad_request() -> None:
    """An IntOrString whose type is neither int nor string cannot be written as JSON."""
    port = {"port": 80, "targetPort": {"type": "2"}}
    data = body("v1", "Service", f"{CORE}.Service", {"spec": {"ports": [port]}})
    with pytest.raises(errors.APIError, match="impossible type 2"):
        envelope.decode(data)


def test_map_key_that_is_not_utf8_is_a_bad_request() -> None:
    """A map key that is not UTF-8 cannot be read, so the body is refused."""
    labels = message(f"{META}.ObjectMeta", {"labels": {"k": "v"}}).SerializeToString()
    configmap = message(f"{CORE}.ConfigMap")
    configmap.metadata.MergeFromString(labels.replace(b"k", b"\xff"))  # proto2 parsing leaves strings unchecked
    with pytest.raises(errors.APIError, match="map key or value that is not UTF-8"):
        envelope.decode(wrap("v1", "ConfigMap", configmap.SerializeToString()))
