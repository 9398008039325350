"""What a worker runs: one node's function, shipped by value, timed, its failure made portable.

A worker (a process of a pool, a Dask or Ray worker) cannot import a live module: it exists only
in the kernel. ``NodeCall`` therefore pickles its function with cloudpickle, by value for the
modules registered with ``ship_by_value`` (every live module), so what a cell defined (the
function, the helpers and constants it reads) travels with the call. This module imports neither
Hamilton nor the rest of hamilton_nb: a worker process imports little to run a node.
"""

from __future__ import annotations

import io
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any, NamedTuple, TextIO

import cloudpickle

Frame = tuple[str, int, str]  # filename, line number, function name
SHIPPED_CODE = "<dynamic-code>"  # the filename cloudpickle gives the code it ships by value


class Timed(NamedTuple):
    """A node's value as a worker returns it, with how long the function took (seconds) and
    what it printed (a worker's own output does not reach the notebook)."""

    value: Any
    seconds: float
    stdout: str = ""
    stderr: str = ""


class NodeFailed(Exception):
    """A node raised on a worker. Carries the node's name, the error as text and the frames of
    its traceback (the original exception and traceback may not pickle; these always do), and
    what it printed before it raised."""

    def __init__(
        self, node: str, error: str, frames: list[Frame], stdout: str = "", stderr: str = ""
    ) -> None:
        super().__init__(node, error, frames, stdout, stderr)
        self.node, self.error, self.frames = node, error, frames
        self.stdout, self.stderr = stdout, stderr

    def __str__(self) -> str:
        return f"node '{self.node}' raised {self.error}"


class NotShippable(NodeFailed):
    """A node's function, or a value it reads from its module, cannot be pickled."""

    def __str__(self) -> str:
        return (
            f"node '{self.node}' cannot be sent to a worker ({self.error}): its function, or a"
            " value it reads from the module, does not pickle. Create that value inside the"
            " function, or run on the local or threads engine."
        )


class NodeCall:
    """One node's function, callable where it is sent; arguments a worker computed arrive as
    ``Timed`` and are unwrapped."""

    __slots__ = ("_packed", "fn", "node")

    def __init__(self, node: str, fn: Any) -> None:
        self.node, self.fn = node, fn
        self._packed: bytes | None = None

    def packed(self) -> NodeCall:
        """Pickle the function now, so what cannot travel fails as this node's error, in the
        kernel, before an engine wraps it in errors of its own; sending it reuses the bytes.

        Raises:
            NotShippable: the function, or a global it reads, does not pickle.
        """
        try:
            self._packed = cloudpickle.dumps((self.node, self.fn))
        except Exception as e:
            raise NotShippable(self.node, f"{type(e).__name__}: {e}", []) from None
        return self

    def __call__(self, **kwargs: Any) -> Timed:
        kwargs = {k: v.value if isinstance(v, Timed) else v for k, v in kwargs.items()}
        out, err = io.StringIO(), io.StringIO()
        started = time.perf_counter()
        try:
            with _captured(out, err):
                value = self.fn(**kwargs)
        except Exception as e:
            error = f"{type(e).__name__}: {e}"
            tb = frames(e.__traceback__)
            raise NodeFailed(self.node, error, tb, out.getvalue(), err.getvalue()) from None
        return Timed(value, time.perf_counter() - started, out.getvalue(), err.getvalue())

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        if self._packed is None:
            self.packed()
        assert self._packed is not None
        return _load_call, (self._packed,)


class _PerThread(io.TextIOBase):
    """A stream that writes to this thread's capture, if it has one, else where it wrote
    before: nodes running at once in threads of one worker each keep their own output."""

    def __init__(self, inner: TextIO) -> None:
        self.inner = inner
        self.local = threading.local()

    def write(self, text: str) -> int:
        target = getattr(self.local, "target", None)
        return (target if target is not None else self.inner).write(text)

    def flush(self) -> None:
        self.inner.flush()


_STREAMS_LOCK = threading.Lock()


@contextmanager
def _captured(out: io.StringIO, err: io.StringIO) -> Iterator[None]:
    """What this thread prints, into ``out`` and ``err``, for the duration of the block."""
    streams = []
    with _STREAMS_LOCK:  # once per worker: the process's streams become per-thread ones
        for name in ("stdout", "stderr"):
            stream = getattr(sys, name)
            if not isinstance(stream, _PerThread):
                stream = _PerThread(stream)
                setattr(sys, name, stream)
            streams.append(stream)
    for stream, buffer in zip(streams, (out, err), strict=True):
        stream.local.target = buffer
    try:
        yield
    finally:
        for stream in streams:
            stream.local.target = None


def _load_call(blob: bytes) -> NodeCall:
    return NodeCall(*cloudpickle.loads(blob))


def node_failed(error: BaseException | None) -> NodeFailed | None:
    """The ``NodeFailed`` in an error an engine raised (it may wrap it, or chain it)."""
    for _ in range(10):
        if error is None or isinstance(error, NodeFailed):
            return error
        error = getattr(error, "cause", None) or error.__cause__ or error.__context__
    return None


def frames(tb: Any) -> list[Frame]:
    """The frames of a traceback, as plain tuples."""
    return [(f.filename, f.lineno or 0, f.name) for f in traceback.extract_tb(tb)]


def ship_by_value(pickler: ModuleType = cloudpickle) -> None:
    """Register every live module with ``pickler`` (cloudpickle, or a copy of it such as
    Spark's) to be pickled by value (idempotent)."""
    registered = pickler.list_registry_pickle_by_value()
    for name, module in list(sys.modules.items()):
        live = getattr(module, "__dict__", {}).get("__hamilton_nb__", False)
        if live and name not in registered:
            pickler.register_pickle_by_value(module)
