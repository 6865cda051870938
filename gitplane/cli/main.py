"""The ``gitplane`` command.

    gitplane up      the API server and (as later issues add them) the three loops, on the embedded store
    gitplane serve   the API server alone
    gitplane check   verify the store of a data directory (stopped, or running: it only reads)

Every flag comes from the settings dataclasses (:mod:`gitplane.settings`) and has a ``GITPLANE_*``
environment twin; a flag given on the command line wins over the environment. A ``bool`` setting is a flag
without a value (``--accept-data-loss``); its variable takes ``true``/``false``/``1``/``0``.
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

from gitplane.settings import CheckSettings, ServerSettings, env_name, setting_fields

log = logging.getLogger("gitplane")


_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def _bool(raw: str) -> bool:
    """A boolean environment value: true, false, 1 or 0 (any case)."""
    try:
        return _BOOLEANS[raw.strip().lower()]
    except KeyError:
        raise ValueError(raw) from None


def _parser_type(field: dataclasses.Field[Any], hints: dict[str, Any]) -> tuple[Any, list[str] | None]:
    hint = hints[field.name]
    if hint is bool:
        return _bool, None
    if typing.get_origin(hint) is typing.Literal:
        return str, [str(a) for a in typing.get_args(hint)]
    if hint is Path:
        return Path, None
    if hint in (int, float, str):
        return hint, None
    if isinstance(hint, types.UnionType):
        raise TypeError(f"unsupported settings type for {field.name}: {hint}")
    return str, None


_UNSET = object()


def add_settings(parser: argparse.ArgumentParser, cls: type) -> None:
    """One flag per settings field; values left unset are taken from the environment later."""
    hints = typing.get_type_hints(cls)
    for field in setting_fields(cls):
        kind, choices = _parser_type(field, hints)
        env = env_name(field.metadata["flag"])
        text = f"{field.metadata['help']} (env {env}; default {field.default})"
        if kind is _bool:
            parser.add_argument(field.metadata["flag"], dest=field.name, action="store_const", const=True,
                                default=_UNSET, help=text)
        else:
            parser.add_argument(field.metadata["flag"], dest=field.name, type=kind, choices=choices,
                                default=_UNSET, help=text)


def settings_from(parser: argparse.ArgumentParser, args: argparse.Namespace, cls: type) -> Any:
    """The settings: a flag wins, then its GITPLANE_* variable (checked like the flag), then the default."""
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for field in setting_fields(cls):
        value = getattr(args, field.name)
        env = env_name(field.metadata["flag"])
        if value is _UNSET and env in os.environ:
            kind, choices = _parser_type(field, hints)
            raw = os.environ[env]
            try:
                value = kind(raw)
            except ValueError:
                expected = "bool (true, false, 1 or 0)" if kind is _bool else kind.__name__
                parser.error(f"{env}={raw!r} is not a valid {expected}")
            if choices is not None and value not in choices:
                parser.error(f"{env}={raw!r}: choose from {', '.join(choices)}")
        if value is not _UNSET:
            values[field.name] = value
    return cls(**values)


_SETTINGS: dict[str, type] = {"up": ServerSettings, "serve": ServerSettings, "check": CheckSettings}
"""The settings each command takes."""


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    parser = argparse.ArgumentParser(prog="gitplane", description="A GitOps-native control plane.")
    commands = parser.add_subparsers(dest="command", required=True)
    subparsers: dict[str, argparse.ArgumentParser] = {}
    for name, text in (("up", "run the API server and the reconcile loops"),
                       ("serve", "run the API server only"),
                       ("check", "verify the store of a data directory (exit 0: sound, 1: damage found, 2: "
                                 "cannot be read)")):
        subparsers[name] = commands.add_parser(name, help=text, description=text)
        add_settings(subparsers[name], _SETTINGS[name])
    return parser, subparsers


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


def run_check(settings: CheckSettings) -> int:
    from gitplane.storage.sqlite_check import check_store

    return check_store(settings.data_dir / "gitplane.db", out=sys.stdout)


def main(argv: Sequence[str] | None = None) -> int:
    parser, subparsers = build_parser()
    args = parser.parse_args(argv)
    settings = settings_from(subparsers[args.command], args, _SETTINGS[args.command])
    if isinstance(settings, CheckSettings):
        configure_logging("WARNING")
        return run_check(settings)
    configure_logging(settings.log_level)
    if args.command in ("up", "serve"):
        return run_server(settings)
    raise SystemExit(f"unknown command {args.command}")


if __name__ == "__main__":
    sys.exit(main())
