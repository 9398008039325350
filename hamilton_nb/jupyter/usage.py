"""What the ``%dataflow`` line magic says about itself: its commands with one line each, a
command's options when asked (``-h``), and, when a command's arguments are wrong, that
command's usage (with the option or command the user probably meant)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterable

from IPython.core.error import UsageError

from hamilton_nb.errors import did_you_mean

RUN_OPTIONS = (
    "[--inputs K=V ...] [--config K=V ...] [--overrides K=V ...]"
    " [--engine local|threads|processes|dask|ray]"
    " [--workers N] [--address URL]"
)
COMMANDS: dict[str, tuple[str, str]] = {
    "show": ("show", "the module's graph as an interactive widget: states, previews, export"),
    "status": ("status", "a table of the nodes: cell, type, state, last duration, size"),
    "run": (f"run NODE [NODE ...] {RUN_OPTIONS}", "compute nodes, reusing cached values"),
    "drop": ("drop NODE", "remove the function that makes NODE from the module"),
    "reset": ("reset", "forget the module's cells, graph and runs"),
    "cache": (
        "cache [--dir DIR | --off] [--clear] [--max-memory SIZE] [--max-disk SIZE]",
        "where values are kept, and how much (shared by every module)",
    ),
    "export": (
        "export PATH [--tests [--run]] [--api] [--force]",
        "write the module as a plain Hamilton .py file (and regression tests, a REST API)",
    ),
    "serve": (
        "serve [--port P] [--host H] [--stop]",
        "serve the live module as a REST API from the kernel (FastAPI; --stop ends it)",
    ),
    "load": ("load PATH", "load a Hamilton .py module into a live module (named after the file)"),
}


def overview() -> str:
    """Every command, one line each."""
    width = max(map(len, COMMANDS))
    lines = ["usage: %dataflow COMMAND [ARGS] [--module NAME]", ""]
    lines += [f"  {c.ljust(width)}  {about}" for c, (_, about) in COMMANDS.items()]
    lines += [
        "",
        "Without --module, a command acts on the module used last (by a %%dataflow cell or"
        " --module). `%dataflow COMMAND -h` for a command's options.",
    ]
    return "\n".join(lines)


def usage(command: str) -> str:
    """One command's usage line."""
    text = COMMANDS[command][0]
    return f"usage: %dataflow {text}" + ("" if command == "cache" else " [--module NAME]")


def asks_help(line: str) -> str | None:
    """The command whose options ``line`` asks for (``run -h``, ``cache --help``), else None."""
    words = line.split()
    if len(words) > 1 and words[0] in COMMANDS and {"-h", "--help"} & set(words[1:]):
        return words[0]
    return None


def command_help(command: str, actions: Iterable[argparse.Action]) -> str:
    """A command's usage, what it does, and its options: those whose help starts with the
    command's name (``"run: input values"``), and ``--module`` for a command that takes it."""
    rows = []
    for action in actions:
        scope, sep, about = (action.help or "").partition(": ")
        names = ", ".join(action.option_strings)
        if sep and names and scope.split()[:1] == [command]:
            within = scope[len(command) :].strip()  # "export --tests: ..." -> "with --tests: ..."
            rows.append((names, f"with {within}: {about}" if within else about))
        elif action.dest == "module" and usage(command).endswith("[--module NAME]"):
            rows.append((names, action.help or ""))
    width = max((len(names) for names, _ in rows), default=0)
    lines = [usage(command), "", COMMANDS[command][1], ""]
    return "\n".join(lines + [f"  {names.ljust(width)}  {about}" for names, about in rows])


def explain(line: str, error: UsageError, options: Iterable[str]) -> UsageError:
    """``error`` (argparse's, for ``%dataflow line``) with the usage of the command at hand,
    or the list of commands when the command itself is missing or unknown."""
    words = line.split()
    if not words or words[0].startswith("-"):
        return UsageError(overview())
    command = words[0]
    if command not in COMMANDS:
        hint = did_you_mean(command, COMMANDS)
        return UsageError(f"no command '{command}'.{hint}\n\n{overview()}")
    message = str(error)
    unknown = re.search(r"unrecognized arguments: (.*)", message)
    if unknown:
        wrong = [w for w in unknown.group(1).split() if w.startswith("-")]
        known = list(options)
        hints = "".join(did_you_mean(w.split("=")[0], known) for w in wrong)
        message = f"unknown option {', '.join(wrong) or unknown.group(1)}.{hints}"
    return UsageError(f"{message}\n{usage(command)}")
