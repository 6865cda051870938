"""Continue tokens: kube's shape (base64url JSON with the pinned revision and the key to resume after), read
back exactly; anything that is not one of ours is a 400 with kube's message."""

from __future__ import annotations

import base64

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitplane.api.errors import APIError
from gitplane.server.rest import continuetoken

KUBE_MESSAGE = "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)"


@given(revision=st.integers(min_value=1, max_value=2**63 - 1), start=st.text(min_size=1))
def test_a_token_reads_back_as_its_revision_and_key(revision: int, start: str) -> None:
    """Any positive revision and non-empty relative key survive the round trip."""
    assert continuetoken.decode(continuetoken.encode(revision, start)) == (revision, start)


@given(revision=st.integers(min_value=1, max_value=2**63 - 1), start=st.text(min_size=1))
def test_tokens_are_url_safe_without_padding(revision: int, start: str) -> None:
    """A token can be put in a query string as it is."""
    token = continuetoken.encode(revision, start)
    assert "=" not in token and "+" not in token and "/" not in token


def test_the_token_has_kubes_shape() -> None:
    """The token decodes to ``{"v":"meta.k8s.io/v1","rv":N,"start":"<key>"}``, as kube's does."""
    token = continuetoken.encode(42, "default/c1")
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert orjson.loads(raw) == {"v": "meta.k8s.io/v1", "rv": 42, "start": "default/c1"}


def encoded(value: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(value)).decode()


@pytest.mark.parametrize("token", [
    pytest.param("not base64 at all!", id="not-base64"),
    pytest.param(base64.urlsafe_b64encode(b"\xff\xfe").decode(), id="not-json"),
    pytest.param(encoded([1, 2]), id="json-array"),
    pytest.param(encoded({"v": "meta.k8s.io/v1", "start": "a"}), id="no-revision"),
    pytest.param(encoded({"v": "meta.k8s.io/v1", "rv": 5}), id="no-start"),
    pytest.param(encoded({"v": "meta.k8s.io/v2", "rv": 5, "start": "a"}), id="other-version"),
    pytest.param(encoded({"rv": 5, "start": "a"}), id="no-version"),
    pytest.param(encoded({"v": "meta.k8s.io/v1", "rv": "5", "start": "a"}), id="revision-as-string"),
    pytest.param(encoded({"v": "meta.k8s.io/v1", "rv": 0, "start": "a"}), id="revision-zero"),
    pytest.param(encoded({"v": "meta.k8s.io/v1", "rv": -3, "start": "a"}), id="negative-revision"),
    pytest.param(encoded({"v": "meta.k8s.io/v1", "rv": 5, "start": ""}), id="empty-start"),
    pytest.param(encoded({"v": "meta.k8s.io/v1", "rv": 5, "start": 7}), id="start-not-a-string"),
])
def test_anything_else_is_a_bad_request(token: str) -> None:
    """Garbage, foreign tokens and tokens with wrong fields are 400 with kube's wording."""
    with pytest.raises(APIError) as caught:
        continuetoken.decode(token)
    assert (caught.value.code, caught.value.reason, caught.value.message) == (400, "BadRequest", KUBE_MESSAGE)


@given(token=st.text())
def test_decoding_arbitrary_text_returns_a_token_or_a_bad_request(token: str) -> None:
    """No input makes decoding fail in any other way than a 400."""
    try:
        revision, start = continuetoken.decode(token)
    except APIError as exc:
        assert exc.code == 400
    else:
        assert revision > 0 and start
