"""Workspace path arithmetic, with no I/O.

A workspace path is colon-separated names (``root:org-a:team-a``). The current path comes from a server URL
(``https://host:6443/clusters/root:org-a`` -> base ``https://host:6443``, path ``root:org-a``); the target the
user types is normalized (:func:`normalize`) and resolved against it (:func:`resolve`) the way kcp's plugin
does (``..`` is the parent, ``:root:x`` is absolute, a bare ``root`` or ``root:...`` is absolute too, ``:`` is
the top of the current path), and the result is turned back into a server URL with :func:`workspace_url`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from gitplane.cli.ws.errors import PluginError

ROOT = "root"
HOME = "~"
SEPARATOR = ":"
_SEGMENT = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_CLUSTERS = "/clusters/"


@dataclass(frozen=True)
class Location:
    """Where a server URL points: the server's base URL and the absolute workspace path under it."""

    base: str
    path: str

    @property
    def url(self) -> str:
        return workspace_url(self.base, self.path)


def is_valid_path(path: str) -> bool:
    """Whether every colon-separated segment of ``path`` is a valid workspace name."""
    return all(_SEGMENT.fullmatch(segment) for segment in path.split(SEPARATOR))


def workspace_url(base: str, path: str) -> str:
    """The server URL of the workspace ``path`` on the server at ``base``."""
    return f"{base}{_CLUSTERS}{path}"


def parse_server_url(url: str) -> Location | None:
    """Split ``<base>/clusters/<path>`` into base and path; ``None`` when the URL names no workspace."""
    parts = urlsplit(url)
    prefix, found, rest = parts.path.rpartition(_CLUSTERS)
    path = rest.rstrip("/")
    if not found or not is_valid_path(path):
        return None
    return Location(urlunsplit((parts.scheme, parts.netloc, prefix, "", "")), path)


def normalize(target: str, home_directory: str) -> str:
    """kcp's reading of a typed target: a ``~`` the shell expanded to the user's home directory is ``~`` again,
    and ``/`` separates names as ``:`` does (``~/lab`` is ``~:lab``)."""
    if home_directory and (target == home_directory or target.startswith(home_directory + "/")):
        target = HOME + target[len(home_directory):]
    return target.replace("/", SEPARATOR)


def resolve(current: str, target: str) -> str:
    """The absolute path ``target`` names when typed in the workspace ``current``.

    Raises :class:`PluginError` for a path that climbs above its first segment or has an invalid name.
    """
    if target == SEPARATOR:
        return current.split(SEPARATOR, maxsplit=1)[0]
    if target.startswith(SEPARATOR):
        segments = target[1:].split(SEPARATOR)
    elif target == ROOT or target.startswith(ROOT + SEPARATOR):
        segments = target.split(SEPARATOR)
    else:
        segments = [*current.split(SEPARATOR), *target.split(SEPARATOR)]
    resolved: list[str] = []
    for segment in segments:
        if segment == ".":
            continue
        if segment == "..":
            if len(resolved) <= 1:
                raise PluginError("cannot go up from root")
            resolved.pop()
        elif _SEGMENT.fullmatch(segment):
            resolved.append(segment)
        else:
            raise PluginError(f"invalid workspace path: {target}")
    return SEPARATOR.join(resolved)


def split_parent(path: str) -> tuple[str, str] | None:
    """``(parent, name)`` of a nested path; ``None`` for a top-level one such as ``root``, which has no parent."""
    parent, found, name = path.rpartition(SEPARATOR)
    return (parent, name) if found else None


def join_type(path: str, name: str) -> str:
    """A workspace type reference as kcp prints it: ``root:team``, or ``team`` when the path is empty."""
    return f"{path}{SEPARATOR}{name}" if path else name


def split_type(reference: str) -> tuple[str, str]:
    """``(path, name)`` of a ``--type`` value: the part before the last colon is the path (``""`` if none)."""
    path, _, name = reference.rpartition(SEPARATOR)
    return path, name.lower()
