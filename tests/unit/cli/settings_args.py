"""Settings as the ``gitplane`` command reads them from its arguments."""

from __future__ import annotations

from gitplane.cli.main import build_parser, settings_from
from gitplane.settings import ServerSettings


def parse(*argv: str) -> ServerSettings:
    """Settings as ``gitplane <argv>`` reads them."""
    parser, commands = build_parser()
    args = parser.parse_args(list(argv))
    settings: ServerSettings = settings_from(commands[args.command], args, ServerSettings)
    return settings
