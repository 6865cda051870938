"""The load side of :mod:`bench.watch_fanout`: open N watch streams, create events at a steady rate, and
report each (watcher, event) delivery latency as JSON on stdout.

Run by the benchmark as ``python -m bench.watch_fanout_client PORT PKI WATCH_PATH POST_PATH WATCHERS EVENTS
RATE``. Streams are read as raw HTTP/1.1 chunked bodies over TLS; the send time is found in each line's bytes
(parsing 1,000 streams' JSON would make this process the bottleneck).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
import sys
import time

PAYLOAD = "v" * 600
SENT = b'"sent":"'


class Run:
    def __init__(self, port: int, pki: str, watchers: int, events: int) -> None:
        self.port, self.events = port, events
        self.ctx = ssl.create_default_context(cafile=f"{pki}/ca.crt")
        self.ctx.load_cert_chain(f"{pki}/admin.crt", f"{pki}/admin.key")
        self.latencies: list[float] = []
        self.seen = [0] * watchers

    async def watch(self, i: int, path: str, opened: asyncio.Semaphore) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port, ssl=self.ctx, limit=2**22)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n".encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        if b" 200 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError(f"watch refused: {head!r}")
        opened.release()
        buffer = b""
        while self.seen[i] < self.events:
            size = int((await reader.readuntil(b"\r\n"))[:-2], 16)
            chunk = await reader.readexactly(size + 2)
            now = time.time()
            buffer += chunk[:-2]
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                at = line.find(SENT)
                if at >= 0:
                    start = at + len(SENT)
                    self.latencies.append(now - float(line[start:line.index(b'"', start)]))
                    self.seen[i] += 1
        writer.close()

    async def post(self, path: str, rate: float) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port, ssl=self.ctx)
        start = time.perf_counter()
        for n in range(self.events):
            body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"e-{n}"},
                               "data": {"sent": repr(time.time()), "payload": PAYLOAD}}, separators=(",", ":")).encode()
            writer.write(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                         f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            if b" 201 " not in head.split(b"\r\n", 1)[0]:
                raise RuntimeError(f"create refused: {head!r}")
            length = next(int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content-length"))
            await reader.readexactly(length)
            await asyncio.sleep(max(0.0, start + (n + 1) / rate - time.perf_counter()))
        writer.close()


async def main(argv: list[str]) -> None:
    port, pki, watch_path, post_path, watchers, events, rate = argv
    run = Run(int(port), pki, int(watchers), int(events))
    opened = asyncio.Semaphore(0)
    tasks = [asyncio.create_task(run.watch(i, watch_path, opened)) for i in range(int(watchers))]
    for _ in tasks:
        await asyncio.wait_for(opened.acquire(), 120)
    await asyncio.sleep(1.0)
    await run.post(post_path, float(rate))
    with contextlib.suppress(TimeoutError):  # a watcher that missed events is counted, not waited for
        await asyncio.wait_for(asyncio.gather(*tasks), 120)
    print(json.dumps({"latencies": run.latencies, "complete": sum(s == run.events for s in run.seen)}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
