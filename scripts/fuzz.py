"""Fuzz a real gitplane server for longer than CI does, with a random seed printed for replay.

The CI test (``tests/integration/test_fuzz.py``) sends a thousand requests with a fixed seed; this runs the
same generators (:mod:`tests.integration.fuzz_requests`) against a fresh server with a much larger budget and
keeps going after a failure, collecting every distinct one. It prints the seed first; a failure replays with
``--seed`` (or in CI form: ``GITPLANE_FUZZ_SEED=<seed> GITPLANE_FUZZ_EXAMPLES=<n> python -m pytest
tests/integration/test_fuzz.py``, which also shrinks it to the smallest failing request).

Run from the repository root: ``python -m scripts.fuzz [--examples 10000] [--seed N]``. Exit status 1 when
anything failed.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from tests.integration.fuzz_harness import Fuzzer, fuzz
from tests.integration.server import ServerProcess


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--examples", type=int, default=10_000, help="requests to send (default 10000)")
    parser.add_argument("--seed", type=int, default=None, help="hypothesis seed (default: a random one)")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    print(f"seed {seed}, {args.examples} examples", flush=True)
    with tempfile.TemporaryDirectory(prefix="gitplane-fuzz-") as data_dir:
        server = ServerProcess(Path(data_dir)).start()
        try:
            fuzzer = Fuzzer(server)
            failures: list[str] = []
            started = time.monotonic()
            fuzz(fuzzer, examples=args.examples, seed_value=seed, failures=failures)
            try:
                fuzzer.assert_healthy()
            except AssertionError as exc:
                failures.append(str(exc))
        finally:
            server.stop()
    distinct = list(dict.fromkeys(failures))
    for failure in distinct:
        print("----\n" + failure[:3000])
    print(f"seed {seed}: {fuzzer.sent} requests in {time.monotonic() - started:.0f} s, "
          f"{len(failures)} failures ({len(distinct)} distinct)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
