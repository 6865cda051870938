"""Entry points of the ``kubectl-ws`` and ``kubectl-create-workspace`` scripts: argv in, exit status out.

kubectl runs ``kubectl-ws`` for ``kubectl ws ...`` and ``kubectl-create-workspace`` for
``kubectl create workspace ...``, passing the remaining arguments. ``kubectl ws`` takes a subcommand
(``use``/``cd``, ``current``, ``tree``, ``create``) or, as a shorthand for ``use``, a workspace target; the
first positional argument decides which (:func:`route`). The parsed options load the kubeconfig into a
:class:`commands.Session`, the chosen command runs, and a :class:`PluginError` becomes ``error: <message>``
on stderr with exit status 1.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Collection, Sequence

from gitplane.cli.ws import commands, kubeconfig, tree
from gitplane.cli.ws.create import DEFAULT_TIMEOUT, CreateRequest, create
from gitplane.cli.ws.errors import PluginError

Command = Callable[[commands.Session, argparse.Namespace], None]

USE = "use"
_VALUE_OPTIONS = ("--kubeconfig", "--context")
_HELP = ("-h", "--help")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}

_CREATE_HELP = "Create a workspace in the current workspace, wait until it is ready, and with --enter switch into it."
_EXAMPLES = """\
targets:
  .                  the current workspace (same as 'current')
  <name>, a:b        a child, or a nested workspace, of the current workspace
  ..  ..:..  ..:b    the parent, the grandparent, a sibling
  :root:org-a        an absolute path (a bare 'root' or 'root:...' is absolute too)
  :                  the top of the current path
  -                  the previous workspace
  ~  (or nothing)    your home workspace

Every command takes --kubeconfig PATH and --context NAME; 'kubectl ws <command> -h' describes it.

examples:
  kubectl ws .
  kubectl ws org-a
  kubectl ws ..
  kubectl ws :root:org-b
  kubectl ws -
  kubectl ws tree
  kubectl ws create team-a --type root:team --enter
"""


def main(argv: Sequence[str] | None = None) -> int:
    """``kubectl ws``: show, switch, list or create workspaces."""
    parser, names = build_parser()
    return _run(parser, route(names, list(sys.argv[1:] if argv is None else argv)))


def create_workspace_main(argv: Sequence[str] | None = None) -> int:
    """``kubectl create workspace``: the same as ``kubectl ws create``."""
    parser = argparse.ArgumentParser(
        prog="kubectl create workspace", description=_CREATE_HELP, parents=[_common()], allow_abbrev=False)
    _add_create_arguments(parser)
    return _run(parser, list(sys.argv[1:] if argv is None else argv))


def build_parser() -> tuple[argparse.ArgumentParser, Collection[str]]:
    """The ``kubectl ws`` parser, and the names (with aliases) of its subcommands."""
    parser = argparse.ArgumentParser(
        prog="kubectl ws",
        description="Manage gitplane workspaces (kcp-style logical clusters) by rewriting the kubeconfig.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    subcommands = parser.add_subparsers(title="commands", metavar="{use,current,tree,create} | <target>")
    common = _common()

    use = subcommands.add_parser(
        USE, aliases=["cd"], parents=[common], allow_abbrev=False,
        help="switch to a workspace ('kubectl ws <target>' is short for it)",
        description="Switch to a workspace: a relative or absolute path, '..', '-' (previous), '~' (home), "
        "or '.' to print the current one. Without a target, switch to the home workspace.")
    use.add_argument("target", nargs="?", help="the workspace to switch to (default: the home workspace)")
    _add_short(use)
    use.set_defaults(command=_use)

    current = subcommands.add_parser(
        "current", parents=[common], allow_abbrev=False,
        help="print the current workspace (same as 'kubectl ws .')",
        description="Print the current workspace, read from the current context's server URL.")
    _add_short(current)
    current.set_defaults(command=_current)

    listing = subcommands.add_parser(
        "tree", parents=[common], allow_abbrev=False,
        help="print the tree of workspaces below the current one",
        description="Print the workspaces below the current one, recursively, children sorted by name.")
    listing.set_defaults(command=_tree)

    creating = subcommands.add_parser(
        "create", parents=[common], allow_abbrev=False, help="create a workspace", description=_CREATE_HELP)
    _add_create_arguments(creating)
    return parser, subcommands.choices.keys()


def route(names: Collection[str], args: list[str]) -> list[str]:
    """Put the subcommand first: the first positional argument if it names one, else ``use``."""
    index = _first_positional(args)
    if index is None:
        return args if any(arg in _HELP for arg in args) else [USE, *args]
    if args[index] in names:
        return [args[index], *args[:index], *args[index + 1:]]
    return [USE, *args]


def _first_positional(args: Sequence[str]) -> int | None:
    skip = False
    for index, arg in enumerate(args):
        if skip:
            skip = False
        elif arg == "-" or not arg.startswith("-"):
            return index
        else:
            skip = arg in _VALUE_OPTIONS
    return None


def _run(parser: argparse.ArgumentParser, args: list[str]) -> int:
    options = parser.parse_args(args)
    command: Command = options.command
    try:
        session = commands.Session(kubeconfig.load(options.kubeconfig, os.environ, options.context))
        command(session, options)
    except PluginError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    common.add_argument(
        _VALUE_OPTIONS[0], metavar="PATH",
        help="the kubeconfig file to read and rewrite (default: $KUBECONFIG, else ~/.kube/config)")
    common.add_argument(
        _VALUE_OPTIONS[1], metavar="NAME",
        help="the kubeconfig context to start from instead of the current-context")
    return common


def _add_short(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--short", action="store_true", help="print only the workspace path, e.g. for a prompt")


def _add_create_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="the name of the workspace to create")
    parser.add_argument(
        "--type", dest="workspace_type", metavar="TYPE",
        help="the workspace type, 'name' or 'path:name' (default: chosen by the server for the parent)")
    parser.add_argument("--enter", action="store_true", help="switch into the workspace once it is ready")
    parser.add_argument(
        "--ignore-existing", action="store_true",
        help="succeed if the workspace already exists (with the same type, if --type is given)")
    parser.add_argument(
        "--location-selector", metavar="K=V,...",
        help="labels of the shard to schedule the workspace on (spec.location.selector.matchLabels)")
    parser.add_argument(
        "--timeout", type=_duration, default=DEFAULT_TIMEOUT, metavar="DURATION",
        help="how long to wait for the workspace to be ready, e.g. 30s, 2m (default: 60s)")
    parser.set_defaults(command=_create)


def _duration(text: str) -> float:
    """Seconds from a Go-style duration (``500ms``, ``1m30s``) or a plain number of seconds."""
    try:
        return float(text)
    except ValueError:
        pass
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        raise argparse.ArgumentTypeError(f"invalid duration {text!r}")
    return sum(float(number) * _SECONDS[unit] for number, unit in parts)


def _use(session: commands.Session, options: argparse.Namespace) -> None:
    commands.use(session, options.target, options.short)


def _current(session: commands.Session, options: argparse.Namespace) -> None:
    commands.show_current(session, options.short)


def _tree(session: commands.Session, options: argparse.Namespace) -> None:
    location = session.location()
    print("\n".join(tree.render(tree.collect(session.api(), location.path, location.path))))


def _create(session: commands.Session, options: argparse.Namespace) -> None:
    create(session, CreateRequest(
        name=options.name,
        workspace_type=options.workspace_type,
        enter=options.enter,
        ignore_existing=options.ignore_existing,
        location_selector=options.location_selector,
        timeout=options.timeout,
    ))
