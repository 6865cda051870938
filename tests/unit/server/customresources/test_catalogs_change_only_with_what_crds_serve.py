"""A cluster's catalog (and so its cached discovery and OpenAPI documents) is rebuilt when what its CRDs serve
changes, and kept when a CRD write serves nothing new: a CRD that is not Established yet, a status update of
an Established one, the deletion of one that never served. The catalogs also find a custom type by its
names for the request metrics."""

from __future__ import annotations

import copy
from typing import Any

import orjson

from gitplane.server.assembly import BUILTIN_CATALOG
from gitplane.server.customresources.catalogs import CRDS, CustomResourceCatalogs
from gitplane.server.registry import strategies
from gitplane.storage import interface as storage
from tests.unit.server.customresources.test_crds_are_served_once_established import crontab_crd

NAME = "crontabs.stable.example.com"


def established(crd: dict[str, Any]) -> dict[str, Any]:
    done = copy.deepcopy(crd)
    done["status"] = {"acceptedNames": {"plural": "crontabs", "kind": "CronTab", "singular": "crontab"},
                      "conditions": [{"type": "NamesAccepted", "status": "True"},
                                     {"type": "Established", "status": "True"}]}
    return done


class Feed:
    """Store events of one CRD in the root cluster, one revision each."""

    def __init__(self) -> None:
        self.catalogs = CustomResourceCatalogs(BUILTIN_CATALOG, strategies.for_type)
        self.revision = 0

    def send(self, crd: dict[str, Any], kind: storage.EventType = storage.EventType.MODIFIED) -> None:
        self.revision += 1
        key = storage.Key(CRDS.group, CRDS.resource, "", "root", "", NAME)
        record = storage.Record(key, orjson.dumps(crd), self.revision)
        self.catalogs._event(storage.Event(kind, record, None))  # the store's watch would deliver these


async def test_writes_that_serve_nothing_new_keep_the_catalog() -> None:
    feed = Feed()
    crd = crontab_crd()
    feed.send(crd, storage.EventType.ADDED)
    assert feed.catalogs.catalog_for("root") is BUILTIN_CATALOG  # not Established: nothing served
    feed.send(established(crd))
    catalog = feed.catalogs.catalog_for("root")
    assert catalog.lookup("stable.example.com", "v1", "crontabs") is not None
    later = established(crd)
    later["status"]["storedVersions"] = ["v1"]
    later["status"]["conditions"].append({"type": "Other", "status": "True"})
    feed.send(later)
    assert feed.catalogs.catalog_for("root") is catalog
    assert feed.catalogs.revision == feed.revision


async def test_a_change_to_what_is_served_rebuilds_the_catalog() -> None:
    feed = Feed()
    crd = established(crontab_crd())
    feed.send(crd, storage.EventType.ADDED)
    catalog = feed.catalogs.catalog_for("root")
    changed = copy.deepcopy(crd)
    changed["spec"]["versions"][1]["served"] = False
    feed.send(changed)
    rebuilt = feed.catalogs.catalog_for("root")
    assert rebuilt is not catalog and rebuilt.lookup("stable.example.com", "v1beta1", "crontabs") is None
    deleting = copy.deepcopy(changed)
    deleting["metadata"]["deletionTimestamp"] = "2026-12-03T00:00:00Z"
    feed.send(deleting)
    assert feed.catalogs.catalog_for("root") is not rebuilt
    feed.send(deleting, storage.EventType.DELETED)
    assert feed.catalogs.catalog_for("root") is BUILTIN_CATALOG
    assert feed.catalogs.served_type("stable.example.com", "v1", "crontabs") is None


async def test_served_types_are_found_by_their_names() -> None:
    feed = Feed()
    feed.send(established(crontab_crd()), storage.EventType.ADDED)
    served = feed.catalogs.served_type("stable.example.com", "v1", "crontabs")
    assert served is not None and served.kind == "CronTab"
    assert feed.catalogs.served_type("stable.example.com", "v2", "crontabs") is None
