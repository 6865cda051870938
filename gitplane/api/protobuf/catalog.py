"""The Kubernetes protobuf descriptors shipped with gitplane, loaded once into a descriptor pool.

``scripts/extract_k8s_descriptors.py`` takes them from a kubectl binary (see ``k8s_descriptors.json`` beside
this module for the kubectl version and the files) and writes one gzipped ``FileDescriptorSet``:

    k8s_descriptors.binpb.gz --gunzip, parse--> FileDescriptorProtos --> DescriptorPool (message classes)
                                                                     --> message protos by full name (plans)
                                                                     --> kinds: (group dir, version, kind)
    k8s_descriptors.json     --> provenance, and the fields Go inlines into their parent

A Kubernetes API group's proto package ends in ``<dir>.<version>``, where ``dir`` is the first label of the
group name (``events.k8s.io`` → ``k8s.io.api.events.v1``, ``meta.k8s.io`` → ``...apis.meta.v1``) or ``core``
for the legacy group; that is how an ``apiVersion`` finds its package. Kinds every group version serves but
meta owns (``DeleteOptions``, ``Status``...) are looked up in meta's package after the group's own. Nothing is
loaded before the first protobuf request.
"""

from __future__ import annotations

import functools
import gzip
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources

import orjson
from google.protobuf import descriptor_pb2, descriptor_pool, message, message_factory, unknown_fields

DESCRIPTOR_SET = "k8s_descriptors.binpb.gz"
PROVENANCE = "k8s_descriptors.json"

_GOGO_NULLABLE = 65001
_VERSION = re.compile(r"v\d+(?:(?:alpha|beta)\d+)?")


@dataclass(frozen=True, slots=True)
class Catalog:
    """The loaded descriptors: message protos and classes, Go's inlined fields, and the kind index."""

    source: str
    """Where the descriptors come from, e.g. ``kubectl v1.33.1``."""
    pool: descriptor_pool.DescriptorPool
    messages: Mapping[str, descriptor_pb2.DescriptorProto]
    """Every message (nested ones too) by full name, without the leading dot."""
    inlined: frozenset[str]
    """Full names (``k8s.io.api.core.v1.Volume.volumeSource``) of fields Go's JSON flattens into the parent."""
    kinds: Mapping[tuple[str, str, str], str]
    """(group dir, version, kind) → full message name, for the top-level messages of API packages."""
    group_versions: frozenset[tuple[str, str]]
    """The (group dir, version) pairs of the API packages."""
    classes: dict[str, type[message.Message]] = field(default_factory=dict)
    """Dynamic message classes made so far, by full name."""

    def find_kind(self, api_version: str, kind: str) -> str | None:
        """The full message name of ``kind`` in ``api_version`` (``v1``, ``events.k8s.io/v1``), if known."""
        group, _, version = api_version.rpartition("/")
        directory = group.split(".", 1)[0] if group else "core"
        found = self.kinds.get((directory, version, kind))
        if found is None and (directory, version) in self.group_versions:
            found = self.kinds.get(("meta", "v1", kind))
        return found

    def message_class(self, full_name: str) -> type[message.Message]:
        """The dynamic message class of a message in the pool."""
        cls = self.classes.get(full_name)
        if cls is None:
            cls = self.classes[full_name] = message_factory.GetMessageClass(
                self.pool.FindMessageTypeByName(full_name))
        return cls


def is_pointer(proto_field: descriptor_pb2.FieldDescriptorProto) -> bool:
    """Whether Go holds the field through a pointer: gogoproto's ``nullable`` is true unless set false."""
    options = unknown_fields.UnknownFieldSet(proto_field.options)  # gogoproto's options are unknown here
    for option in (options[index] for index in range(len(options))):
        if option.field_number == _GOGO_NULLABLE:
            return bool(option.data)
    return True


@functools.cache
def load() -> Catalog:
    """The catalog of the packaged descriptors, read on first use."""
    folder = resources.files(__package__)
    descriptor_set = descriptor_pb2.FileDescriptorSet.FromString(
        gzip.decompress(folder.joinpath(DESCRIPTOR_SET).read_bytes()))
    provenance = orjson.loads(folder.joinpath(PROVENANCE).read_bytes())
    pool = descriptor_pool.DescriptorPool()
    messages: dict[str, descriptor_pb2.DescriptorProto] = {}
    kinds: dict[tuple[str, str, str], str] = {}
    for file in descriptor_set.file:
        pool.AddSerializedFile(file.SerializeToString())
        messages.update(_messages(file.package, file.message_type))
        *_, directory, version = file.package.split(".")
        if _VERSION.fullmatch(version):
            kinds.update(((directory, version, m.name), f"{file.package}.{m.name}") for m in file.message_type)
    return Catalog(source=str(provenance["source"]), pool=pool, messages=messages,
                   inlined=frozenset(provenance["inline_fields"]), kinds=kinds,
                   group_versions=frozenset((directory, version) for directory, version, _ in kinds))


def _messages(prefix: str, protos: Iterable[descriptor_pb2.DescriptorProto],
              ) -> Iterator[tuple[str, descriptor_pb2.DescriptorProto]]:
    for proto in protos:
        full_name = f"{prefix}.{proto.name}"
        yield full_name, proto
        yield from _messages(full_name, proto.nested_type)
