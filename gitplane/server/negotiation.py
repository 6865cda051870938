"""Content negotiation: which representation a client asked for in ``Accept``.

kube-apiserver offers, besides plain JSON, a few *transformed* representations selected by media type
parameters: ``as=Table`` (server-side printing), ``as=PartialObjectMetadata[List]`` (metadata only) and, for
discovery, ``as=APIGroupDiscoveryList`` (aggregated discovery, ``v2`` or ``v2beta1``). A client lists several
options in preference order and the server answers with the first it can produce; one that offers nothing we
can produce (protobuf only) gets 406.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass

from gitplane.api import errors


class Form(enum.Enum):
    JSON = "json"
    YAML = "yaml"
    TABLE = "table"
    PARTIAL_METADATA = "partial"
    DISCOVERY_V2 = "discovery-v2"
    DISCOVERY_V2BETA1 = "discovery-v2beta1"


@dataclass(frozen=True, slots=True)
class MediaRange:
    type: str
    params: dict[str, str]


def parse_accept(header: str) -> list[MediaRange]:
    out: list[MediaRange] = []
    for raw in header.split(","):
        item = raw.strip()
        if not item:
            continue
        kind, *raw_params = item.split(";")
        params: dict[str, str] = {}
        for p in raw_params:
            key, _, value = p.strip().partition("=")
            params[key.strip().lower()] = value.strip().strip('"')
        out.append(MediaRange(kind.strip().lower(), params))
    return out


_JSON_TYPES = frozenset({"application/json", "application/*", "*/*", "*"})
_YAML_TYPES = frozenset({"application/yaml"})
OFFERED = ("application/json", "application/yaml", "application/vnd.kubernetes.protobuf")


def _form_of(media: MediaRange, *, discovery: bool) -> Form | None:
    as_ = media.params.get("as")
    if as_ is None:
        if media.type in _JSON_TYPES:
            return Form.JSON
        if media.type in _YAML_TYPES and not discovery:
            return Form.YAML
        return None
    if media.type not in ("application/json", "application/*", "*/*"):
        return None
    group, version = media.params.get("g", ""), media.params.get("v", "")
    if discovery:
        if as_ == "APIGroupDiscoveryList" and group == "apidiscovery.k8s.io":
            return {"v2": Form.DISCOVERY_V2, "v2beta1": Form.DISCOVERY_V2BETA1}.get(version)
        return None
    if group != "meta.k8s.io" or version not in ("v1", "v1beta1"):
        return None
    if as_ == "Table":
        return Form.TABLE
    if as_ in ("PartialObjectMetadata", "PartialObjectMetadataList"):
        return Form.PARTIAL_METADATA
    return None


def negotiate(accept: str, *, discovery: bool = False) -> Form:
    """The best representation the ``Accept`` header allows; raises 406 when none is possible."""
    if not accept:
        return Form.JSON
    return _negotiate(accept, discovery)


@functools.lru_cache(maxsize=256)
def _negotiate(accept: str, discovery: bool) -> Form:
    """Clients send a handful of distinct Accept headers, so answers are cached."""
    for media in parse_accept(accept):
        form = _form_of(media, discovery=discovery)
        if form is not None:
            return form
    raise errors.not_acceptable(OFFERED[:2])


def table_version(accept: str) -> str:
    """The meta.k8s.io version of the Table the client asked for (v1 unless only v1beta1 was offered)."""
    for media in parse_accept(accept):
        if media.params.get("as") == "Table":
            return media.params.get("v", "v1")
    return "v1"
