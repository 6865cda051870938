"""No request, however malformed, gets a 5xx or an unreadable answer, and the server keeps serving.

One real server takes a thousand generated requests (every verb of every served type, hostile query
strings, bodies of every content type: see :mod:`tests.integration.fuzz_requests`). The run is reproducible:
a fixed seed and no example database. ``GITPLANE_FUZZ_EXAMPLES`` and ``GITPLANE_FUZZ_SEED`` change the budget
and the seed; ``python -m scripts.fuzz`` runs the same fuzzing longer, with a random seed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.integration.fuzz_harness import Fuzzer, fuzz
from tests.integration.server import ServerProcess

pytestmark = pytest.mark.integration

EXAMPLES = int(os.environ.get("GITPLANE_FUZZ_EXAMPLES", "1000"))
SEED = int(os.environ.get("GITPLANE_FUZZ_SEED", "20261202"))


@pytest.fixture(scope="module")
def fuzzer(server: ServerProcess) -> Iterator[Fuzzer]:
    fuzzer = Fuzzer(server)
    yield fuzzer
    fuzzer.connection.close()


def test_discovery_lists_every_type_to_fuzz(fuzzer: Fuzzer) -> None:
    """The fuzzer finds the served types from discovery, core and grouped ones alike."""
    served = {(t.group, t.plural) for t in fuzzer.types}
    assert {("", "configmaps"), ("", "namespaces"), ("coordination.k8s.io", "leases")} <= served


def test_fuzzed_requests_get_no_server_error(fuzzer: Fuzzer) -> None:
    """Every answer is below 500 (or kube's 504 for a resourceVersion ahead of the store), readable, and a
    Status when it is an error; afterwards the server serves and has logged no traceback."""
    fuzz(fuzzer, examples=EXAMPLES, seed_value=SEED)
    assert fuzzer.sent >= EXAMPLES
    fuzzer.assert_healthy()
