"""gitplane's API server with named steps of the write path taken out, for :mod:`bench.create_breakdown` only.

A create's cost is spread over many small steps, and a step timed alone misses what it costs elsewhere (a
larger object to store, checkpoint, encode and send; more allocations). Taking a step out of a real server and
measuring the whole request shows what the step really costs. Such a server skips checks the API must make:
it exists to be measured, never run.

Steps (comma-separated; ``all`` for every one, ``none`` for the complete server):

* ``decoding``: the typed decoding of the body and the duplicate-field scan (the JSON is still parsed);
* ``validation``: the type's validation (object metadata and the type's own rules);
* ``managed-fields``: the field manager (the object is stored without managedFields);
* ``admission``: the admission chain (mutating and validating plugins).

Run: ``python -m bench.ablated_server STEPS serve --data-dir DIR --port N ...`` (after STEPS, gitplane's
arguments). A step whose function has moved makes it fail at once instead of measuring nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

STEPS = ("decoding", "validation", "managed-fields", "admission")


def _replace(owner: Any, name: str, replacement: Any) -> None:
    if not callable(getattr(owner, name, None)):
        raise SystemExit(f"ablated_server: {owner.__name__}.{name} is gone; update bench/ablated_server.py")
    setattr(owner, name, replacement)


def _without_decoding() -> None:
    from gitplane.server.rest import body

    _replace(body, "typed", lambda *args, **kwargs: None)
    _replace(body, "duplicates", lambda *args, **kwargs: [])


def _without_validation() -> None:
    from gitplane.server.registry.strategy import Strategy

    _replace(Strategy, "validate", lambda self, obj: [])


def _without_managed_fields() -> None:
    from gitplane.api.apply import manager

    _replace(manager, "update", lambda old, new, **kwargs: new)


def _without_admission() -> None:
    from gitplane.server.admission import Chain

    async def nothing(self: Chain, attrs: Any) -> None:
        return None

    _replace(Chain, "mutate", nothing)
    _replace(Chain, "validate", nothing)


ABLATIONS: dict[str, Callable[[], None]] = {
    "decoding": _without_decoding,
    "validation": _without_validation,
    "managed-fields": _without_managed_fields,
    "admission": _without_admission,
}


def main() -> int:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    steps = STEPS if sys.argv[1] == "all" else tuple(s for s in sys.argv[1].split(",") if s and s != "none")
    for step in steps:
        if step not in ABLATIONS:
            raise SystemExit(f"ablated_server: unknown step {step!r} (known: {', '.join(STEPS)})")
        ABLATIONS[step]()
    from gitplane.cli.main import main as gitplane_main

    return gitplane_main(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
