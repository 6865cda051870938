"""The ``gitplane`` command.

    gitplane up      the API server and (as later issues add them) the three loops, on the embedded store
    gitplane serve   the API server alone

Every flag comes from the settings dataclasses (:mod:`gitplane.settings`) and has a ``GITPLANE_*``
environment twin; a flag given on the command line wins over the environment.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import sys
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gitplane.settings import ServerSettings, env_name, setting_fields

log = logging.getLogger("gitplane")


def _parser_type(field: dataclasses.Field[Any], hints: dict[str, Any]) -> tuple[Any, list[str] | None]:
    hint = hints[field.name]
    if typing.get_origin(hint) is typing.Literal:
        return str, [str(a) for a in typing.get_args(hint)]
    if hint is Path:
        return Path, None
    if hint in (int, float, str):
        return hint, None
    if isinstance(hint, types.UnionType):
        raise TypeError(f"unsupported settings type for {field.name}: {hint}")
    return str, None


def add_settings(parser: argparse.ArgumentParser, cls: type) -> None:
    hints = typing.get_type_hints(cls)
    for field in setting_fields(cls):
        kind, choices = _parser_type(field, hints)
        env = env_name(field.metadata["flag"])
        default = field.default
        if env in os.environ:
            default = kind(os.environ[env])
        parser.add_argument(field.metadata["flag"], dest=field.name, type=kind, choices=choices, default=default,
                            help=f"{field.metadata['help']} (env {env}; default {field.default})")


def settings_from(args: argparse.Namespace, cls: type) -> Any:
    values = {f.name: getattr(args, f.name) for f in setting_fields(cls)}
    settings = cls(**values)
    if choices := [f for f in setting_fields(cls) if typing.get_origin(typing.get_type_hints(cls)[f.name])
                   is typing.Literal]:
        for field in choices:
            allowed = typing.get_args(typing.get_type_hints(cls)[field.name])
            if getattr(settings, field.name) not in allowed:
                raise SystemExit(f"{field.metadata['flag']} must be one of {', '.join(allowed)}")
    return settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gitplane", description="A GitOps-native control plane.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("up", "run the API server and the reconcile loops"),
                       ("serve", "run the API server only")):
        add_settings(commands.add_parser(name, help=text, description=text), ServerSettings)
    return parser


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def run_server(settings: ServerSettings) -> int:
    from gitplane.server.service import Service
    from gitplane.storage.interface import StorageError

    try:
        import uvloop
    except ImportError:  # uvloop is a dependency on every platform it supports
        runner = asyncio.run
    else:
        runner = uvloop.run
    try:
        runner(Service(settings).serve())
    except (OSError, StorageError, ValueError) as exc:
        log.error("gitplane could not start: %s", exc)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = settings_from(args, ServerSettings)
    configure_logging(settings.log_level)
    if args.command in ("up", "serve"):
        return run_server(settings)
    raise SystemExit(f"unknown command {args.command}")


if __name__ == "__main__":
    sys.exit(main())
