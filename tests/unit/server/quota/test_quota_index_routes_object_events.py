"""The quota index names the quotas to recount for an object event, and the types that must be watched while
some quota counts them."""

from __future__ import annotations

from gitplane.server.controllers.quota.index import QuotaIndex

CONFIGMAPS = ("", "configmaps", "")
SECRETS = ("", "secrets", "")


def test_an_event_reaches_the_quotas_of_its_namespace_that_count_its_type() -> None:
    """Only quotas of the same cluster and namespace that count the type are named."""
    index = QuotaIndex()
    index.set(("root", "a", "q1"), frozenset({CONFIGMAPS}))
    index.set(("root", "a", "q2"), frozenset({SECRETS}))
    index.set(("root", "b", "q3"), frozenset({CONFIGMAPS}))
    index.set(("root:org", "a", "q4"), frozenset({CONFIGMAPS}))
    assert index.counting("root", "a", CONFIGMAPS) == [("root", "a", "q1")]
    assert sorted(index.counting_anywhere(CONFIGMAPS)) == [("root", "a", "q1"), ("root", "b", "q3"),
                                                           ("root:org", "a", "q4")]
    assert len(index.quotas()) == 4


def test_a_type_is_watched_while_some_quota_counts_it() -> None:
    """Changing or removing quotas releases the types nobody counts any more."""
    index = QuotaIndex()
    index.set(("root", "a", "q1"), frozenset({CONFIGMAPS, SECRETS}))
    index.set(("root", "b", "q2"), frozenset({CONFIGMAPS}))
    assert index.watched() == {CONFIGMAPS, SECRETS}
    index.set(("root", "a", "q1"), frozenset({CONFIGMAPS}))
    assert index.watched() == {CONFIGMAPS}
    index.remove(("root", "b", "q2"))
    assert index.watched() == {CONFIGMAPS}
    index.remove(("root", "a", "q1"))
    index.remove(("root", "a", "q1"))
    assert index.watched() == frozenset()
    assert index.quotas() == []
