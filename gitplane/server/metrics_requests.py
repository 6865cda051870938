"""Request metrics with kube-apiserver's names and labels, recorded on the request path at next to no cost.

    apiserver_request_total{verb, dry_run, group, version, resource, subresource, scope, component, code}
    apiserver_request_duration_seconds{verb, dry_run, group, version, resource, subresource, scope, component}
    apiserver_longrunning_requests{verb, group, version, resource, subresource, scope, component}
    apiserver_request_terminations_total{verb, group, version, resource, subresource, scope, component, code}

Label values follow kube's ``MonitorRequest``: the verb as kube reports it (GET and LIST, WATCH, POST, PUT,
PATCH, APPLY for server-side apply, DELETE for both deletions; anything else ``other``), the scope
(``resource`` for a named object or a create, else ``namespace`` or ``cluster``; empty for non-resource
requests), ``dry_run`` (``All``, ``invalid`` or empty), ``component="apiserver"``. Watches are counted and
timed once they end (their duration is the watch's life, as in kube) and counted in
``apiserver_longrunning_requests`` while they are open.

Cardinality is bounded by construction: a label only takes values from fixed sets. Group, version and resource
are those of a type the built-in catalog serves, or of a custom type some logical cluster's CRD serves (as
kube labels a custom resource: ``group="stable.example.com", resource="crontabs"``), or else
``resource="unknown"`` with empty group and version; a subresource is a served one or ``unknown``;
non-resource requests carry no group, resource or path at all. Object names, namespaces and logical clusters
are never labels, so requests to random URLs cannot create series. Custom types come and go with their CRDs,
and thousands of workspaces may each define their own, so at most :data:`MAX_CUSTOM_RESOURCES` distinct custom
group/version/resource triples are ever labelled by one server; requests to further custom types count as
``unknown``. A custom type keeps its series once labelled (counters never go back), even after its CRD is gone.

Why plain numbers: a prometheus_client counter and histogram child cost about 1.4 µs per request (a lock per
increment), a sixth of a whole GET. Every request runs on the one event loop, so a counter here is an int
attribute and a histogram a :class:`~gitplane.storage.distribution.Distribution`; the collector turns them into
metric families when ``/metrics`` is scraped (on the same loop, so it never sees a half-made update).

How a request is recorded: its raw key (verb, group, version, resource, subresource, whether it named a
namespace and an object, dry run, status code) finds its series in a dict: one duration distribution per
label set *and code*, which is both the request counter (its count) and, summed over the codes at scrape time,
the duration histogram; so a request costs one dict lookup, one bisection and two additions. The first request
of a key cleans the labels and makes the series. Only keys that needed no cleaning are remembered, so that
dict stays bounded too; requests to unknown types (404s) pay for the cleaning every time, about a
microsecond.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from gitplane.api.resources import ResourceType
from gitplane.server.catalog import Catalog
from gitplane.server.request import Request
from gitplane.storage.distribution import Distribution

DURATION_BUCKETS = (0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30,
                    45, 60)
"""kube's buckets of ``apiserver_request_duration_seconds``."""
COMPONENT = "apiserver"
MAX_CUSTOM_RESOURCES = 500
"""How many distinct custom group/version/resource triples one server labels (see the module docstring)."""
UNKNOWN = "unknown"
OTHER = "other"
APPLY_PATCH = "application/apply-patch+yaml"

_RESOURCE_VERBS = {"get": "GET", "list": "LIST", "watch": "WATCH", "create": "POST", "update": "PUT",
                   "patch": "PATCH", "apply": "APPLY", "delete": "DELETE", "deletecollection": "DELETE"}
_NON_RESOURCE_VERBS = {"get": "GET", "head": "GET", "post": "POST", "put": "PUT", "patch": "PATCH",
                       "delete": "DELETE"}
_TARGET = ["verb", "group", "version", "resource", "subresource", "scope", "component"]
_TOTAL_LABELS = ["verb", "dry_run", "group", "version", "resource", "subresource", "scope", "component", "code"]
_DURATION_LABELS = _TOTAL_LABELS[:-1]
_TERMINATION_LABELS = [*_TARGET, "code"]

RawKey = tuple[str, str, str, str, str, bool, bool, str | None, int]
"""``(verb, group, version, resource, subresource, no namespace, no name, dryRun, code)`` as requested."""
Target = tuple[str, str, str, str, str, str, str]
"""Cleaned ``(verb, group, version, resource, subresource, scope, component)``."""
CustomTypes = Callable[[str, str, str], ResourceType | None]
"""``(group, version, resource)`` → a custom type some logical cluster serves under those names, or None."""


class Count:
    """One series' value (a counter or a gauge)."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0

    def decrement(self) -> None:
        self.value -= 1


def _raw_key(request: Request, status: int) -> RawKey:
    info = request.info
    if info is None:  # the first stage did not run: nothing is known about the target
        return (request.method.lower(), "", "", "", "", True, True, None, status)
    verb = info.verb
    if verb == "patch" and request.content_type == APPLY_PATCH:
        verb = "apply"
    query = request.query
    return (verb, info.group, info.version, info.resource, info.subresource, not info.namespace, not info.name,
            query.get("dryRun") if query else None, status)


class RequestMetrics(Collector):
    """The request metrics of one server (see the module docstring); also its Prometheus collector."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._cells: dict[RawKey, Distribution] = {}
        self._series: dict[tuple[str, ...], Distribution] = {}
        """By ``apiserver_request_total``'s labels (the duration histogram's, and the code)."""
        self._long_running: dict[Target, Count] = {}
        self._terminations: dict[tuple[str, ...], Count] = {}
        self._custom_types: CustomTypes | None = None
        self._custom_labelled: set[tuple[str, str, str]] = set()

    def label_custom_types(self, lookup: CustomTypes) -> None:
        """Label requests to custom types too: ``lookup`` finds a type some logical cluster serves now."""
        self._custom_types = lookup

    def observe(self, request: Request, status: int, seconds: float) -> None:
        """Record a request answered with ``status`` after ``seconds``."""
        key = _raw_key(request, status)
        series = self._cells.get(key)
        if series is None:
            series = self._new_series(key)
        series.observe(seconds)

    def long_running(self, request: Request) -> Callable[[], None]:
        """A long-running request (a watch) starts; call the returned function when it ends."""
        target, _ = self._target(_raw_key(request, 0))
        gauge = self._long_running.get(target)
        if gauge is None:
            gauge = self._long_running[target] = Count()
        gauge.value += 1
        return gauge.decrement

    def terminated(self, request: Request, status: int) -> None:
        """The server refused a request in self-defense (the in-flight limit's 429)."""
        target, _ = self._target(_raw_key(request, status))
        labels = (*target, str(status))
        counter = self._terminations.get(labels)
        if counter is None:
            counter = self._terminations[labels] = Count()
        counter.value += 1

    def _new_series(self, key: RawKey) -> Distribution:
        target, clean = self._target(key)
        verb, group, version, resource, subresource, scope, component = target
        dry = key[7]
        dry_run = "" if dry is None else "All" if dry == "All" else "invalid"
        labels = (verb, dry_run, group, version, resource, subresource, scope, component, str(key[8]))
        series = self._series.get(labels)
        if series is None:
            series = self._series[labels] = Distribution(DURATION_BUCKETS)
        if clean and dry_run == (dry or ""):
            self._cells[key] = series
        return series

    def _target(self, key: RawKey) -> tuple[Target, bool]:
        """The cleaned target labels of a raw key, and whether they are the raw values unchanged."""
        verb, group, version, resource, subresource, no_namespace, no_name = key[:7]
        if not resource:
            reported = _NON_RESOURCE_VERBS.get(verb, OTHER)
            return (reported, "", "", "", "", "", COMPONENT), reported != OTHER
        reported = _RESOURCE_VERBS.get(verb, OTHER)
        clean = reported != OTHER
        served = self._catalog.lookup(group, version, resource) or self._custom(group, version, resource)
        if served is None:
            group, version, resource, subresource, clean = "", "", UNKNOWN, "", False
        elif subresource and subresource not in served.subresources:
            subresource, clean = UNKNOWN, False
        scope = "resource" if not no_name or verb == "create" else "cluster" if no_namespace else "namespace"
        return (reported, group, version, resource, subresource, scope, COMPONENT), clean

    def _custom(self, group: str, version: str, resource: str) -> ResourceType | None:
        """The custom type the labels may name, within the bound on custom triples."""
        if self._custom_types is None:
            return None
        served = self._custom_types(group, version, resource)
        if served is None:
            return None
        triple = (group, version, resource)
        if triple not in self._custom_labelled:
            if len(self._custom_labelled) >= MAX_CUSTOM_RESOURCES:
                return None
            self._custom_labelled.add(triple)
        return served

    def collect(self) -> Iterator[Metric]:
        total = CounterMetricFamily("apiserver_request_total",
                                    "Counter of apiserver requests broken out for each verb, dry run value, group, "
                                    "version, resource, scope, component, and HTTP response code.",
                                    labels=_TOTAL_LABELS)
        by_labels: dict[tuple[str, ...], tuple[list[int], float]] = {}
        for labels, series in self._series.items():
            counts, seconds = series.snapshot()
            total.add_metric(labels, sum(counts))
            merged = by_labels.get(labels[:-1])
            if merged is not None:
                counts = [a + b for a, b in zip(counts, merged[0], strict=True)]
                seconds += merged[1]
            by_labels[labels[:-1]] = (counts, seconds)
        yield total
        durations = HistogramMetricFamily("apiserver_request_duration_seconds",
                                          "Response latency distribution in seconds for each verb, dry run value, "
                                          "group, version, resource, subresource, scope and component.",
                                          labels=_DURATION_LABELS)
        for labels, (counts, seconds) in by_labels.items():
            durations.add_metric(labels, cumulative(DURATION_BUCKETS, counts), seconds)
        yield durations
        long_running = GaugeMetricFamily("apiserver_longrunning_requests",
                                         "Gauge of all active long-running apiserver requests broken out by verb, "
                                         "group, version, resource, scope and component.", labels=_TARGET)
        for target, gauge in self._long_running.items():
            long_running.add_metric(target, gauge.value)
        yield long_running
        terminations = CounterMetricFamily("apiserver_request_terminations_total",
                                           "Number of requests which apiserver terminated in self-defense.",
                                           labels=_TERMINATION_LABELS)
        for labels, count in self._terminations.items():
            terminations.add_metric(labels, count.value)
        yield terminations


def cumulative(bounds: Sequence[float], counts: Sequence[int]) -> list[tuple[str, float]]:
    """Counts per bucket as Prometheus histogram buckets: ``le`` strings with cumulative counts, ``+Inf`` last.
    Bounds are written as Go writes them (``60``, not ``60.0``), so ``le`` values match kube's."""
    buckets: list[tuple[str, float]] = []
    running = 0
    for bound, count in zip(bounds, counts, strict=False):
        running += count
        buckets.append((format(bound, "g"), running))
    buckets.append(("+Inf", running + counts[-1]))
    return buckets
