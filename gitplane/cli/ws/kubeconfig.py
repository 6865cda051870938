"""Reading the kubeconfig as kubectl does, and rewriting it as kcp's plugin does.

Reading: the files are ``--kubeconfig``, else every file of ``KUBECONFIG``, else ``~/.kube/config``; the
``kubernetes`` package merges them (the first definition of a name wins) and loads a context into a
``kubernetes.client.Configuration`` (server, CA, credentials) for :mod:`api`. The current context is the
``--context`` given, else the first ``current-context`` set in the files.

Writing: a switch or a swap is first computed as an :class:`Edit` (the clusters and contexts
``workspace.kcp.io/current`` and ``workspace.kcp.io/previous``, and the new ``current-context``), then
:func:`write` applies it to the first file with ruamel.yaml's round trip, so every other entry, comment and
the file's indentation stay as they were, and replaces the file atomically (temp file + rename) with its mode.
"""

from __future__ import annotations

import copy
import os
import stat
import tempfile
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from kubernetes.client import Configuration
from kubernetes.config.config_exception import ConfigException
from kubernetes.config.kube_config import ENV_KUBECONFIG_PATH_SEPARATOR, KubeConfigLoader, KubeConfigMerger
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.util import load_yaml_guess_indent
from yaml import YAMLError as PyYAMLError  # type: ignore[import-untyped]  # what kube_config parses with

from gitplane.cli.ws.errors import PluginError

CURRENT = "workspace.kcp.io/current"
PREVIOUS = "workspace.kcp.io/previous"
DEFAULT_PATH = "~/.kube/config"
_NEW_FILE_MODE = 0o600
_FILE_FIELDS = ("certificate-authority",)


@dataclass(frozen=True)
class Entry:
    """A named cluster or context: its ``cluster:``/``context:`` mapping and the file that defines it."""

    body: Mapping[str, Any]
    source: Path


@dataclass(frozen=True)
class Edit:
    """What a switch or swap writes: named cluster and context bodies, and the new current-context."""

    clusters: Mapping[str, Mapping[str, Any]]
    contexts: Mapping[str, Mapping[str, Any]]
    current_context: str


@dataclass(frozen=True)
class Kubeconfig:
    """The merged view of the kubeconfig files, and the file that edits go to."""

    target: Path
    current_context: str
    contexts: Mapping[str, Entry]
    clusters: Mapping[str, Entry]
    merged: Any

    def context(self, name: str) -> Entry:
        """The context ``name``, or a :class:`PluginError` naming it."""
        try:
            return self.contexts[name]
        except KeyError:
            raise PluginError(f"context {name!r} not found in kubeconfig") from None

    def cluster_of(self, context: str) -> Entry:
        """The cluster the context ``context`` points at."""
        name = self.context(context).body.get("cluster")
        try:
            return self.clusters[str(name)]
        except KeyError:
            raise PluginError(f"cluster {name!r} of context {context!r} not found in kubeconfig") from None

    def configuration(self, context: str) -> Configuration:
        """A client configuration for ``context``: its server, TLS settings and the credentials of its user."""
        self.cluster_of(context)
        configuration = Configuration()
        try:
            # kubernetes.config.kube_config carries no annotations
            loader = KubeConfigLoader(  # type: ignore[no-untyped-call]
                config_dict=self.merged, active_context=context, config_base_path=None)
            loader.load_and_set(configuration)  # type: ignore[no-untyped-call]
        except ConfigException as error:
            raise PluginError(str(error)) from None
        return configuration


def files(explicit: str | None, environ: Mapping[str, str]) -> list[Path]:
    """The kubeconfig files in kubectl's order: ``--kubeconfig``, else ``KUBECONFIG``'s list, else the default."""
    if explicit:
        return [Path(explicit).expanduser()]
    listed = [Path(p).expanduser() for p in environ.get("KUBECONFIG", "").split(ENV_KUBECONFIG_PATH_SEPARATOR) if p]
    return listed or [Path(DEFAULT_PATH).expanduser()]


def load(explicit: str | None, environ: Mapping[str, str], context: str | None) -> Kubeconfig:
    """Read and merge the kubeconfig files; ``context`` overrides the current context."""
    paths = files(explicit, environ)
    try:
        merger = KubeConfigMerger(  # type: ignore[no-untyped-call]  # kube_config carries no annotations
            ENV_KUBECONFIG_PATH_SEPARATOR.join(str(p) for p in paths))
        if merger.config is None:
            raise PluginError(f"no kubeconfig found at {', '.join(str(p) for p in paths)}")
        merged = merger.config
        contexts = _entries(merged.value, "contexts", "context")
        clusters = _entries(merged.value, "clusters", "cluster")
        current = context or _first_current_context(merger)
    except (ConfigException, PyYAMLError, OSError, KeyError, TypeError, AttributeError) as error:
        raise PluginError(f"cannot read kubeconfig: {error}") from None
    if not current:
        raise PluginError("current-context is not set in kubeconfig")
    return Kubeconfig(target=paths[0], current_context=current, contexts=contexts, clusters=clusters, merged=merged)


def _first_current_context(merger: Any) -> str:
    """kubectl's rule: the first file that sets current-context decides it."""
    for path in merger.paths:
        if current := merger.config_files[path].get("current-context"):
            return str(current)
    return ""


def _entries(merged: Mapping[str, Any], section: str, key: str) -> dict[str, Entry]:
    return {str(node.value["name"]): Entry(node.value.get(key) or {}, Path(node.path)) for node in merged[section]}


def switch(kubeconfig: Kubeconfig, server: str) -> Edit:
    """Point ``workspace.kcp.io/current`` at ``server``; the context current until now becomes previous."""
    current = kubeconfig.context(kubeconfig.current_context)
    cluster = kubeconfig.cluster_of(kubeconfig.current_context)
    moved = {**_portable(cluster, kubeconfig.target), "server": server}
    return _pair((current, moved), (current, _portable(cluster, kubeconfig.target)))


def swap(kubeconfig: Kubeconfig) -> Edit:
    """Exchange the current context and ``workspace.kcp.io/previous``, both contexts and their clusters."""
    if PREVIOUS not in kubeconfig.contexts:
        raise PluginError("no previous workspace found in kubeconfig")
    current = kubeconfig.context(kubeconfig.current_context)
    previous = kubeconfig.context(PREVIOUS)
    return _pair(
        (previous, _portable(kubeconfig.cluster_of(PREVIOUS), kubeconfig.target)),
        (current, _portable(kubeconfig.cluster_of(kubeconfig.current_context), kubeconfig.target)),
    )


def _pair(current: tuple[Entry, Mapping[str, Any]], previous: tuple[Entry, Mapping[str, Any]]) -> Edit:
    """The edit making ``current`` (a context and the cluster body it gets) current and ``previous`` previous."""
    (current_context, current_cluster), (previous_context, previous_cluster) = current, previous
    return Edit(
        clusters={CURRENT: current_cluster, PREVIOUS: previous_cluster},
        contexts={
            CURRENT: {**copy.deepcopy(dict(current_context.body)), "cluster": CURRENT},
            PREVIOUS: {**copy.deepcopy(dict(previous_context.body)), "cluster": PREVIOUS},
        },
        current_context=CURRENT,
    )


def _portable(cluster: Entry, target: Path) -> dict[str, Any]:
    """A copy of a cluster body that still works from ``target``: file references are made absolute if the
    cluster was defined in another file, since relative ones are read from the defining file's directory."""
    body = copy.deepcopy(dict(cluster.body))
    if cluster.source != target:
        for field in _FILE_FIELDS:
            if isinstance(body.get(field), str) and not os.path.isabs(body[field]):
                body[field] = str(cluster.source.parent / body[field])
    return body


def write(kubeconfig: Kubeconfig, edit: Edit) -> None:
    """Apply ``edit`` to the kubeconfig's first file and replace that file atomically."""
    target = Path(os.path.realpath(kubeconfig.target))
    yaml = YAML()
    yaml.width = 4096
    yaml.preserve_quotes = True
    document: Any = None
    mode = _NEW_FILE_MODE
    if target.exists():
        mode = stat.S_IMODE(target.stat().st_mode)
        try:
            document, indent, sequence_indent = load_yaml_guess_indent(target.read_text(encoding="utf-8"))
        except YAMLError as error:
            raise PluginError(f"cannot parse kubeconfig {target}: {error}") from None
        if indent is not None:
            # ruamel guesses the indent of sequence items and the dash's offset; a mapping is taken to be
            # indented as far as an item's content is from its dash (2 in kubectl's own files)
            offset = sequence_indent or 0
            yaml.indent(mapping=indent - offset if sequence_indent is not None else indent, sequence=indent,
                        offset=offset)
    if document is None:
        document = CommentedMap([("apiVersion", "v1"), ("kind", "Config")])
    if not isinstance(document, CommentedMap):
        raise PluginError(f"kubeconfig {target} is not a mapping")
    for section, key, bodies in (("clusters", "cluster", edit.clusters), ("contexts", "context", edit.contexts)):
        if not isinstance(document.get(section), list):
            document[section] = CommentedSeq()
        for name, body in bodies.items():
            _upsert(document[section], key, name, body)
    document["current-context"] = edit.current_context
    _replace(target, mode, lambda stream: yaml.dump(document, stream))


def _upsert(entries: list[Any], key: str, name: str, body: Mapping[str, Any]) -> None:
    """Set the body of the entry ``name``, in place if it exists, else appended in kubectl's key order."""
    for entry in entries:
        if isinstance(entry, MutableMapping) and entry.get("name") == name:
            entry[key] = dict(body)
            return
    entries.append(CommentedMap([(key, dict(body)), ("name", name)]))


def _replace(target: Path, mode: int, dump: Callable[[TextIO], None]) -> None:
    """Write ``target`` through a temp file in its directory, renamed over it once complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            dump(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise
