"""What a worker runs: one node's function, shipped by value, timed, its failure made portable.

A worker (a process of a pool, a Dask or Ray worker) cannot import a live module: it exists only
in the kernel. ``NodeCall`` therefore pickles its function with cloudpickle, by value for the
modules registered with ``ship_by_value`` (every live module), so what a cell defined (the
function, the helpers and constants it reads) travels with the call. This module imports neither
Hamilton nor the rest of hamilton_nb: a worker process imports little to run a node.
"""

from __future__ import annotations

import sys
import time
import traceback
from typing import Any, NamedTuple

import cloudpickle

Frame = tuple[str, int, str]  # filename, line number, function name
SHIPPED_CODE = "<dynamic-code>"  # the filename cloudpickle gives the code it ships by value


class Timed(NamedTuple):
    """A node's value as a worker returns it, with how long the function took (seconds)."""

    value: Any
    seconds: float


class NodeFailed(Exception):
    """A node raised on a worker. Carries the node's name, the error as text and the frames of
    its traceback (the original exception and traceback may not pickle; these always do)."""

    def __init__(self, node: str, error: str, frames: list[Frame]) -> None:
        super().__init__(node, error, frames)
        self.node, self.error, self.frames = node, error, frames

    def __str__(self) -> str:
        return f"node '{self.node}' raised {self.error}"


class NodeCall:
    """One node's function, callable where it is sent; arguments a worker computed arrive as
    ``Timed`` and are unwrapped."""

    __slots__ = ("fn", "node")

    def __init__(self, node: str, fn: Any) -> None:
        self.node, self.fn = node, fn

    def __call__(self, **kwargs: Any) -> Timed:
        kwargs = {k: v.value if isinstance(v, Timed) else v for k, v in kwargs.items()}
        started = time.perf_counter()
        try:
            value = self.fn(**kwargs)
        except Exception as e:
            error = f"{type(e).__name__}: {e}"
            raise NodeFailed(self.node, error, frames(e.__traceback__)) from None
        return Timed(value, time.perf_counter() - started)

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        return _load_call, (cloudpickle.dumps((self.node, self.fn)),)


def _load_call(blob: bytes) -> NodeCall:
    return NodeCall(*cloudpickle.loads(blob))


def frames(tb: Any) -> list[Frame]:
    """The frames of a traceback, as plain tuples."""
    return [(f.filename, f.lineno or 0, f.name) for f in traceback.extract_tb(tb)]


def ship_by_value() -> None:
    """Register every live module with cloudpickle to be pickled by value (idempotent)."""
    registered = cloudpickle.list_registry_pickle_by_value()
    for name, module in list(sys.modules.items()):
        live = getattr(module, "__dict__", {}).get("__hamilton_nb__", False)
        if live and name not in registered:
            cloudpickle.register_pickle_by_value(module)
