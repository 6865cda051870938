"""The names kcp gives a logical cluster's parts: its LogicalCluster object, annotations, finalizers, URLs.

A logical cluster exists because its singleton LogicalCluster ``cluster`` (``core.kcp.io/v1alpha1``) exists in
it; its Workspace lives in the parent cluster. Everything that reads or writes either (the index, admission,
the workspace and logical-cluster controllers, the bootstrap) takes the names from here.
"""

from __future__ import annotations

import hashlib
import secrets

import orjson

from gitplane.server.request import UserInfo
from gitplane.server.reviews.self_subject import user_info
from gitplane.storage import interface as storage

GROUP = "core.kcp.io"
RESOURCE = "logicalclusters"
NAME = "cluster"
"""The one name a LogicalCluster may have."""
API_VERSION = f"{GROUP}/v1alpha1"
PREFIX = storage.Prefix(GROUP, RESOURCE, "")

PATH_ANNOTATION = "kcp.io/path"
"""The canonical workspace path of a logical cluster (on its LogicalCluster)."""
TYPE_ANNOTATION = "internal.tenancy.kcp.io/type"
"""The workspace type of a logical cluster, qualified (``root:universal``), on its LogicalCluster."""
OWNER_ANNOTATION = "experimental.tenancy.kcp.io/owner"
"""Who created a workspace (kcp's UserInfo JSON), on its Workspace and LogicalCluster: it is bound to
cluster-admin there."""
CLUSTER_ANNOTATION = "internal.tenancy.kcp.io/cluster"
"""The logical cluster name chosen for a Workspace, recorded on it before the LogicalCluster is created."""
REQUIRED_GROUPS_ANNOTATION = "authorization.kcp.io/required-groups"
"""Who may enter a logical cluster at all (``a,b;c``: in a and b, or in c); a child copies its parent's."""
PHASE_LABEL = "tenancy.kcp.io/phase"
"""A Workspace's phase as a label, so that clients can select Workspaces by phase."""
FINALIZER = "core.kcp.io/logicalcluster"
"""On a Workspace: its logical cluster is not gone yet. On a LogicalCluster: its content is not deleted yet."""
NAME_LENGTH = 16


def key(cluster: str) -> storage.Key:
    """The storage key of ``cluster``'s LogicalCluster."""
    return storage.Key(GROUP, RESOURCE, "", cluster, "", NAME)


def url(external_url: str, path: str) -> str:
    """A workspace's ``spec.URL``: the server's URL as clients reach it, then the workspace's path."""
    return f"{external_url.rstrip('/')}/clusters/{path}"


def path(cluster: str) -> str:
    """The API path of ``cluster``'s LogicalCluster."""
    return f"/clusters/{cluster}/apis/{API_VERSION}/{RESOURCE}/{NAME}"


def base36(data: bytes) -> str:
    """``data`` as a big-endian number in lowercase base 36, the alphabet of kcp's cluster names."""
    number, digits = int.from_bytes(data, "big"), ""
    while number:
        number, digit = divmod(number, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[digit] + digits
    return digits


def new_name() -> str:
    """A fresh logical cluster name as kcp makes one: the first 16 characters of base36(sha224(32 random
    bytes))."""
    return base36(hashlib.sha224(secrets.token_bytes(32)).digest())[:NAME_LENGTH]


def owner_annotation(user: UserInfo) -> str:
    """The creator as kcp records it: kube's UserInfo, in JSON."""
    return orjson.dumps(user_info(user)).decode()
