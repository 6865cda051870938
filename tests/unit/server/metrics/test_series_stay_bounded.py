"""Requests to 1,000 random URLs (random groups, versions, resources, subresources, names, namespaces, logical
clusters, non-resource paths and dryRun values) create no series beyond those of one request of each shape,
and no random value appears in a scrape: names, namespaces, clusters and paths are never labels, and types
the server does not serve collapse to ``resource="unknown"``."""

from __future__ import annotations

import random
import string
from collections.abc import Callable

from gitplane.server.app import App
from tests.unit.server.asgi_client import AsgiClient
from tests.unit.server.metrics.scrape import Scrape, scrape

Shape = Callable[[str], tuple[str, str]]
"""A kind of request, made from one random word: ``(method, path)``."""

SHAPES: tuple[Shape, ...] = (
    lambda w: ("GET", f"/api/v1/namespaces/{w}/configmaps/{w}"),
    lambda w: ("GET", f"/apis/{w}/{w}/{w}"),
    lambda w: ("GET", f"/apis/{w}/v1/namespaces/{w}/{w}/{w}"),
    lambda w: ("GET", f"/api/v1/namespaces/default/configmaps/{w}/{w}"),
    lambda w: ("GET", f"/{w}/{w}"),
    lambda w: ("GET", f"/clusters/{w}/api/v1/namespaces"),
    lambda w: ("DELETE", f"/api/v1/namespaces/default/configmaps/{w}"),
    lambda w: ("POST", f"/api/v1/namespaces/default/configmaps?dryRun={w}"),
)


def word(rng: random.Random) -> str:
    return "x" + "".join(rng.choices(string.ascii_lowercase + string.digits, k=12))


def request_series(metrics: Scrape) -> int:
    return sum(1 for s in metrics.samples if s.name.startswith(("apiserver_", "gitplane_")))


async def test_random_urls_create_no_series(app: App, admin: AsgiClient) -> None:
    rng = random.Random(12)

    async def send(shape: Shape, value: str) -> None:
        method, path = shape(value)
        await admin.request(method, path, {"metadata": {"name": "cm"}} if method == "POST" else None)

    for shape in SHAPES:
        await send(shape, word(rng))
    await scrape(admin)  # the scrape's own request is recorded after it: scrape twice before counting
    before = request_series(await scrape(admin))
    cached = len(app.recorder._cells) if app.recorder else 0  # the label cache must stay bounded too
    sent = [word(rng) for _ in range(1000)]
    for i, value in enumerate(sent):
        await send(SHAPES[i % len(SHAPES)], value)
    reply = await admin.get("/metrics")
    text = reply.body.decode()
    assert request_series(Scrape.parse(text)) == before
    assert (len(app.recorder._cells) if app.recorder else 0) == cached
    assert not [value for value in sent if value in text]
    assert 'resource="unknown"' in text
