"""Reading a ``/metrics`` scrape in tests: the text format parsed by prometheus_client's own parser, and the
value of one sample picked by name and labels."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from tests.unit.server.asgi_client import AsgiClient


@dataclass(frozen=True)
class Scrape:
    samples: tuple[Sample, ...]

    @classmethod
    def parse(cls, text: str) -> Scrape:
        return cls(tuple(s for family in text_string_to_metric_families(text) for s in family.samples))

    def value(self, name: str, **labels: str) -> float:
        """The value of the one sample called ``name`` whose labels include ``labels`` (0 if there is none)."""
        found = [s.value for s in self.samples if s.name == name and labels.items() <= s.labels.items()]
        assert len(found) <= 1, f"{len(found)} samples of {name} match {labels}"
        return found[0] if found else 0.0

    def labels(self, name: str) -> list[dict[str, str]]:
        return [s.labels for s in self.samples if s.name == name]

    def names(self) -> set[str]:
        return {s.name for s in self.samples}


async def scrape(client: AsgiClient) -> Scrape:
    reply = await client.get("/metrics")
    assert reply.status == 200, reply.body
    return Scrape.parse(reply.body.decode())
