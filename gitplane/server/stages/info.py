"""Pipeline stage 1: parse what the request is about (see :mod:`gitplane.server.requestinfo`)."""

from __future__ import annotations

from gitplane.server import requestinfo
from gitplane.server.request import Request


async def parse_request_info(request: Request) -> None:
    request.info = requestinfo.parse(request.method, request.raw_path, request.query)
