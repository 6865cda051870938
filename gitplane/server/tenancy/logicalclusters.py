"""The names kcp gives a logical cluster's parts: its LogicalCluster object, annotations, finalizers, URLs.

A logical cluster exists because its singleton LogicalCluster ``cluster`` (``core.kcp.io/v1alpha1``) exists in
it; its Workspace lives in the parent cluster. Everything that reads or writes either (the index, admission,
the workspace and logical-cluster controllers, the bootstrap) takes the names from here.
"""

from __future__ import annotations

import hashlib
import secrets

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
CLUSTER_ANNOTATION = "internal.tenancy.kcp.io/cluster"
"""The logical cluster name chosen for a Workspace, recorded on it before the LogicalCluster is created."""
REQUIRED_GROUPS_ANNOTATION = "authorization.kcp.io/required-groups"
"""Who may enter a logical cluster at all (``a,b;c``: in a and b, or in c); a child copies its parent's."""
FINALIZER = "core.kcp.io/logicalcluster"
"""On a Workspace: its logical cluster is not gone yet. On a LogicalCluster: its content is not deleted yet."""
NAME_LENGTH = 16


def key(cluster: str) -> storage.Key:
    """The storage key of ``cluster``'s LogicalCluster."""
    return storage.Key(GROUP, RESOURCE, "", cluster, "", NAME)


def path(cluster: str) -> str:
    """The API path of ``cluster``'s LogicalCluster."""
    return f"/clusters/{cluster}/apis/{API_VERSION}/{RESOURCE}/{NAME}"


def new_name() -> str:
    """A fresh logical cluster name as kcp makes one: the first 16 characters of base36(sha224(32 random
    bytes))."""
    number = int.from_bytes(hashlib.sha224(secrets.token_bytes(32)).digest(), "big")
    digits = []
    while number:
        number, digit = divmod(number, 36)
        digits.append("0123456789abcdefghijklmnopqrstuvwxyz"[digit])
    return "".join(reversed(digits))[:NAME_LENGTH]
