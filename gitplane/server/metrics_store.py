"""The store's metrics, read from the store's own numbers when ``/metrics`` is scraped.

    gitplane_store_revision                      gauge      the current revision (every store)
    gitplane_store_commit_duration_seconds       histogram  BEGIN to the end of COMMIT of each write transaction
    gitplane_store_commit_batch_size             histogram  writes per transaction (the group commit's batch)
    gitplane_store_checkpoint_duration_seconds   histogram  WAL checkpoints, {kind="background"} on the checkpoint
                                                            thread, {kind="catch-up"} on the writer between two
                                                            transactions (those delay writes)
    gitplane_store_wal_bytes                     gauge      the size of the WAL file

Why here and not in the store: the storage layer may not import the server or its metrics library (the
layers are enforced by import-linter), and a commit must not pay for a lock. So the SQLite store keeps plain
numbers in :class:`~gitplane.storage.sqlite_schema.SQLiteStats` (distributions in fixed buckets, observed on
the thread that times them) and this collector turns them into metric families at scrape time. kube's
``etcd_request_duration_seconds`` (per operation and type, seen from the API server) has no counterpart yet.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from gitplane.server.metrics_requests import cumulative
from gitplane.storage.distribution import Distribution
from gitplane.storage.interface import Store
from gitplane.storage.sqlite import SQLiteStore


def _histogram(name: str, documentation: str, distribution: Distribution) -> HistogramMetricFamily:
    counts, total = distribution.snapshot()
    return HistogramMetricFamily(name, documentation, buckets=cumulative(distribution.bounds, counts),
                                 sum_value=total)


class StoreCollector(Collector):
    """The collector of one store (see the module docstring)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def collect(self) -> Iterator[Metric]:
        store = self._store
        yield GaugeMetricFamily("gitplane_store_revision", "The store's current revision (the resourceVersion "
                                "of its latest write).", value=store.current_revision())
        if not isinstance(store, SQLiteStore):
            return
        stats = store.stats
        yield _histogram("gitplane_store_commit_duration_seconds",
                         "Duration of the store's write transactions, from BEGIN to the end of COMMIT.",
                         stats.commit_seconds)
        yield _histogram("gitplane_store_commit_batch_size",
                         "Writes committed per write transaction (the group commit's batch size).",
                         stats.commit_writes)
        checkpoints = HistogramMetricFamily("gitplane_store_checkpoint_duration_seconds",
                                            "Duration of WAL checkpoints: background (the checkpoint thread) or "
                                            "catch-up (the writer, between two transactions).", labels=["kind"])
        for kind, distribution in (("background", stats.checkpoint_seconds),
                                   ("catch-up", stats.catch_up_checkpoint_seconds)):
            counts, total = distribution.snapshot()
            checkpoints.add_metric([kind], cumulative(distribution.bounds, counts), total)
        yield checkpoints
        yield GaugeMetricFamily("gitplane_store_wal_bytes", "Size of the store's write-ahead log file in bytes.",
                                value=store.wal_bytes())
