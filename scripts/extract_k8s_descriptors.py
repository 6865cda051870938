"""Extract Kubernetes' protobuf descriptors from a kubectl binary into gitplane's package data.

Why: Go clients send built-in objects as protobuf, and decoding them needs the field numbers and types of
``k8s.io/api`` and apimachinery. No maintained Python package carries them, but every kubectl embeds them: the
generated ``generated.pb.go`` of each API package registers its gzipped ``FileDescriptorProto``, and Go's
reflection data keeps every struct field's tag (``json:"name,omitempty" protobuf:"bytes,1,opt,name=name"``).

How data flows:

    kubectl binary --scan gzip members--> FileDescriptorProtos, by file name
                   --scan struct tags---> (proto field number, proto name) -> Go JSON names
    wanted packages + their imports, in dependency order
      --> JSON names that differ from proto names written into each field's ``json_name``
      --> fields Go inlines into their parent (anonymous struct fields tagged ``json:",inline"``)
      --> k8s_descriptors.binpb.gz   one gzipped FileDescriptorSet (gogoproto options kept: ``nullable=false``
                                     marks the fields that are not pointers in Go)
          k8s_descriptors.json       provenance (kubectl version, binary digest, files) and the inlined fields

The ``gogo.proto`` import is dropped from each file: its options stay readable as unknown fields, and nothing
refers to its types. Add an API package by appending its Go package path to ``API_PACKAGES`` (or pass
``--package``) and rerunning; packages kubectl does not link (apiextensions) need a binary that does.

Usage: ``python scripts/extract_k8s_descriptors.py /path/to/kubectl [--out DIR] [--package GO_PACKAGE ...]``
"""

from __future__ import annotations

import argparse
import collections
import gzip
import hashlib
import json
import re
import subprocess
import sys
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from google.protobuf import descriptor_pb2, unknown_fields

API_PACKAGES = (
    "k8s.io/api/core/v1",
    "k8s.io/api/coordination/v1",
    "k8s.io/api/events/v1",
    "k8s.io/api/authentication/v1",
    "k8s.io/api/authentication/v1beta1",
    "k8s.io/api/authorization/v1",
    "k8s.io/api/rbac/v1",
    "k8s.io/api/autoscaling/v1",
    "k8s.io/apimachinery/pkg/apis/meta/v1",
    "k8s.io/apimachinery/pkg/runtime",
)
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "gitplane" / "api" / "protobuf"
DESCRIPTOR_SET = "k8s_descriptors.binpb.gz"
PROVENANCE = "k8s_descriptors.json"

_GOGO_PROTO = "github.com/gogo/protobuf/gogoproto/gogo.proto"
_GOGO_NULLABLE = 65001
_GOGO_CUSTOMNAME = 65004
_GZIP_MAGIC = b"\x1f\x8b\x08"
_MAX_DESCRIPTOR_BYTES = 4 << 20
# A Go struct tag holding a json key, optionally other keys (patchStrategy...), then the protobuf key.
_STRUCT_TAG = re.compile(rb'json:"([^"]*)"(?: [A-Za-z]+:"[^"]*")* protobuf:"([^"]*)"')

TagKey = tuple[int, str | None]


def go_file_name(go_package: str) -> str:
    """The proto file name kube's go-to-protobuf registers for a Go package."""
    return f"{go_package}/generated.proto"


def embedded_descriptors(binary: bytes) -> dict[str, bytes]:
    """Every gzipped FileDescriptorProto in ``binary``, as serialized bytes by file name.

    Raises:
        SystemExit: two different descriptors carry the same file name.
    """
    found: dict[str, bytes] = {}
    start = binary.find(_GZIP_MAGIC)
    while start >= 0:
        serialized = _gunzip_member(binary, start)
        if serialized is not None and serialized[:1] == b"\x0a":
            name = _file_name(serialized)
            if name is not None:
                if name in found and found[name] != serialized:
                    raise SystemExit(f"two different descriptors for {name} in the binary")
                found[name] = serialized
        start = binary.find(_GZIP_MAGIC, start + len(_GZIP_MAGIC))
    return found


def _gunzip_member(binary: bytes, start: int) -> bytes | None:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(binary[start:start + _MAX_DESCRIPTOR_BYTES], _MAX_DESCRIPTOR_BYTES)
    except zlib.error:
        return None
    return out if inflater.eof else None


def _file_name(serialized: bytes) -> str | None:
    try:
        proto = descriptor_pb2.FileDescriptorProto.FromString(serialized)
    except Exception:  # not a descriptor after all: any parse failure just means "skip"
        return None
    return proto.name if proto.name.endswith(".proto") else None


def struct_tag_json_names(binary: bytes) -> dict[TagKey, set[str]]:
    """The Go JSON names (``""`` for ``,inline``) of struct fields, keyed by (proto number, proto name).

    A tag without ``name=`` (hand-written ones such as ``protobuf:"bytes,1,req"``) is keyed with ``None``.
    """
    names: dict[TagKey, set[str]] = collections.defaultdict(set)
    for json_tag, protobuf_tag in _STRUCT_TAG.findall(binary):
        parts = protobuf_tag.decode("ascii", "replace").split(",")
        if len(parts) < 2 or not parts[1].isdigit():
            continue
        proto_name = next((part[5:] for part in parts[2:] if part.startswith("name=")), None)
        names[(int(parts[1]), proto_name)].add(json_tag.decode("utf-8", "replace").split(",")[0])
    return names


def with_imports(wanted: Iterable[str], available: dict[str, bytes]) -> list[str]:
    """``wanted`` file names and everything they import (but gogo.proto), dependencies first.

    Raises:
        SystemExit: a wanted or imported file is not in the binary.
    """
    ordered: list[str] = []

    def visit(name: str) -> None:
        if name in ordered or name == _GOGO_PROTO:
            return
        if name not in available:
            raise SystemExit(f"{name} is not embedded in this kubectl binary")
        for dependency in descriptor_pb2.FileDescriptorProto.FromString(available[name]).dependency:
            visit(dependency)
        ordered.append(name)

    for name in wanted:
        visit(name)
    return ordered


def _options(options: descriptor_pb2.FieldOptions) -> dict[int, int | bytes]:
    fields = unknown_fields.UnknownFieldSet(options)  # gogoproto's options are unknown fields here
    return {fields[index].field_number: fields[index].data for index in range(len(fields))}


Named = tuple[str, descriptor_pb2.DescriptorProto]


def _messages(proto: descriptor_pb2.FileDescriptorProto) -> Iterator[Named]:
    def walk(prefix: str, message: descriptor_pb2.DescriptorProto) -> Iterator[Named]:
        full_name = f"{prefix}.{message.name}"
        yield full_name, message
        for nested in message.nested_type:
            yield from walk(full_name, nested)

    for message in proto.message_type:
        yield from walk(proto.package, message)


def apply_struct_tags(proto: descriptor_pb2.FileDescriptorProto,
                      json_names: dict[TagKey, set[str]]) -> list[str]:
    """Set each field's ``json_name`` to its Go JSON name and return the full names of inlined fields.

    A field is inlined when Go embeds it anonymously (its Go name is its type's name and it is not a pointer)
    and its tag is ``json:",inline"``; hand-written tags without ``name=`` are matched by number.

    Raises:
        SystemExit: one (number, name) has several Go JSON names, so the field's cannot be told.
    """
    inlined: list[str] = []
    for message_name, message in _messages(proto):
        if message.options.map_entry:
            continue
        for field in message.field:
            options = _options(field.options)
            embedded = (field.type == descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE
                        and options.get(_GOGO_NULLABLE) == 0
                        and options.get(_GOGO_CUSTOMNAME) == field.type_name.rsplit(".", 1)[1].encode())
            candidates = json_names.get((field.number, field.name), set())
            if not candidates and embedded:
                candidates = json_names.get((field.number, None), set())
            named = candidates - {"", "-"}
            if len(named) > 1:
                raise SystemExit(f"{message_name}.{field.name}: Go JSON names {sorted(named)} are ambiguous")
            if embedded and "" in candidates and not named:
                inlined.append(f"{message_name}.{field.name}")
            elif named:
                field.json_name = named.pop()
    return inlined


def kubectl_version(kubectl: Path) -> str:
    """The ``gitVersion`` kubectl reports for itself."""
    out = subprocess.run([str(kubectl), "version", "--client", "-o", "json"], check=True, capture_output=True)
    return str(json.loads(out.stdout)["clientVersion"]["gitVersion"])


def extract(kubectl: Path, out_dir: Path, go_packages: Iterable[str]) -> None:
    """Write the descriptor set and its provenance for ``go_packages`` (and their imports) into ``out_dir``."""
    binary = kubectl.read_bytes()
    available = embedded_descriptors(binary)
    json_names = struct_tag_json_names(binary)
    files = with_imports([go_file_name(package) for package in go_packages], available)
    descriptor_set = descriptor_pb2.FileDescriptorSet()
    inlined: list[str] = []
    for name in files:
        proto = descriptor_set.file.add()
        proto.MergeFromString(available[name])
        kept = [dependency for dependency in proto.dependency if dependency != _GOGO_PROTO]
        del proto.dependency[:]
        proto.dependency.extend(kept)
        inlined.extend(apply_struct_tags(proto, json_names))
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / DESCRIPTOR_SET).write_bytes(gzip.compress(descriptor_set.SerializeToString(deterministic=True),
                                                         compresslevel=9, mtime=0))
    provenance = {
        "source": f"kubectl {kubectl_version(kubectl)}",
        "sha256": hashlib.sha256(binary).hexdigest(),
        "generator": "scripts/extract_k8s_descriptors.py",
        "files": files,
        "inline_fields": sorted(inlined),
    }
    (out_dir / PROVENANCE).write_text(json.dumps(provenance, indent=2) + "\n")
    print(f"{len(files)} files, {len(inlined)} inlined fields, from {provenance['source']} -> {out_dir}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("kubectl", type=Path, help="a kubectl binary (the newest available)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the package data folder")
    parser.add_argument("--package", action="append", default=[], metavar="GO_PACKAGE",
                        help="another Go API package to include, such as k8s.io/api/rbac/v1")
    args = parser.parse_args(argv)
    extract(args.kubectl, args.out, [*API_PACKAGES, *args.package])


if __name__ == "__main__":
    main(sys.argv[1:])
