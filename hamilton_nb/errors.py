"""Errors raised by hamilton_nb; each names the cell and line a user should look at."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Location:
    """A place in a notebook cell: the cell's id (or label) and a 1-based line in that cell."""

    cell: str
    line: int | None = None
    code: str | None = None

    def __str__(self) -> str:
        return f"cell {self.cell}" + (f", line {self.line}" if self.line else "")


class DataflowError(Exception):
    """Base class: a message that says what happened, where, and how to fix it.

    IPython shows ``_render_traceback_`` instead of a traceback, so a rejected cell shows the
    message and the offending line, not a screen of hamilton_nb's internal frames.
    """

    def __init__(self, message: str, where: Location | None = None) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.message = message
        self.where = where

    def _render_traceback_(self) -> list[str]:
        lines = [f"\x1b[31m{type(self).__name__}\x1b[0m: {self}"]
        if self.where and self.where.code:
            lines.append(f"  --> {self.where.line}: {self.where.code.strip()}")
        return lines


class CellSyntaxError(DataflowError):
    """The cell does not parse."""


class CellExecutionError(DataflowError):
    """The cell raised while its definitions ran (or while Hamilton resolved its decorators)."""


class DuplicateNodeError(DataflowError):
    """A name the cell defines is already owned by another cell."""


class CycleError(DataflowError):
    """The cell's functions would close a cycle in the graph."""


class TypeMismatchError(DataflowError):
    """A producer's return type does not fit a consumer's annotation."""


class UnknownNodeError(DataflowError):
    """A node name that no cell defines."""


class MissingInputError(DataflowError):
    """A run needs inputs that were not given."""


class RunRefusedError(DataflowError):
    """Hamilton refused a run before any node ran (e.g. an input of the wrong type)."""


class NodeExecutionError(DataflowError):
    """A node raised while it ran; carries the node's name and the frames of the user's code."""

    def __init__(self, message: str, where: Location | None, node: str, frames: list[str]) -> None:
        super().__init__(message, where)
        self.node = node
        self.frames = frames

    def _render_traceback_(self) -> list[str]:
        return [*super()._render_traceback_(), *self.frames]


class EngineError(DataflowError):
    """An engine cannot be used as asked (unknown, its extra not installed, wrong options)."""


class ExportError(DataflowError):
    """The dataflow cannot be exported (a broken cell, an unknown module, ...)."""


class OverwriteRefusedError(ExportError):
    """The target file exists and was not written by hamilton_nb (or was edited since)."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path  # the file refused


class OutsideRootError(ExportError):
    """A file the export would write lies outside the folder it may write in (after
    following symlinks)."""


def close_names(name: str, known: Iterable[str]) -> list[str]:
    """The names of ``known`` that look like ``name`` (a typo of one), best first."""
    return difflib.get_close_matches(name, list(known), n=3, cutoff=0.75)


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`` Did you mean 'total'?`` when a known name looks like ``name``, else nothing."""
    close = close_names(name, known)
    return f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
