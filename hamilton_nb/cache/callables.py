"""What a node calls, as data: the closures, partials and Hamilton objects that Hamilton's
decorators build around the user's functions, hashed part by part.

One decorated function makes several nodes (``@pipe_input`` steps, ``@parameterize``d copies,
``@check_output`` validators, ``@mutate`` steps). Each node's callable holds only what that
node computes with: the user's function, a helper, a bound value, a validator. Hashing the
callable, with the user's code standing in by its fingerprint, gives each node a fingerprint of
its own, so an edit to one step changes that step's key and not its siblings'.

The hash is complete or it is nothing: a part it cannot read as data (an object of the user's
own classes, a DataFrame bound by a decorator, a lambda written in a cell) makes
``callable_digest`` return None, and the caller falls back to the whole function's fingerprint.
"""

from __future__ import annotations

import enum
import functools
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path
from types import BuiltinFunctionType, CodeType, FunctionType, MethodType, ModuleType
from typing import Any

from hamilton.node import Node

from hamilton_nb.analysis.digest import digest
from hamilton_nb.analysis.typenames import type_name

OwnCode = Callable[[object], "str | None"]  # the fingerprint of the user's function or class

_SCALARS = (type(None), bool, int, float, complex, str, bytes)
_TYPING = frozenset({"typing", "types", "typing_extensions", "collections.abc"})
_MOST_PARTS = 5_000  # beyond this, the callable is not worth reading part by part


class _Unreadable(Exception):
    """A part of the callable that cannot be hashed as data."""


def callable_digest(fn: object, own: OwnCode) -> str | None:
    """A hash of everything calling ``fn`` depends on, or None when some part cannot be read.

    ``own(obj)`` gives the fingerprint of a function or class of the user's code (None: not
    theirs). Functions and classes of installed libraries count by their name and code;
    their closures, defaults and bound arguments are hashed as values.
    """
    walk = _Walk(own)
    try:
        walk.add(fn)
    except (_Unreadable, RecursionError):
        return None
    return digest(*walk.parts)


class _Walk:
    """One depth-first reading of a callable into ``parts``; an object seen twice is a
    reference to its first reading."""

    def __init__(self, own: OwnCode) -> None:
        self.own = own
        self.parts: list[str] = []
        self.seen: dict[int, int] = {}
        self.alive: list[object] = []  # ids stay unique while the walk runs

    def add(self, obj: object) -> None:
        if len(self.parts) > _MOST_PARTS:
            raise _Unreadable
        t = type(obj)
        if t in _SCALARS:
            self.parts.append(f"{t.__name__}:{obj!r}")
            return
        if id(obj) in self.seen:
            self.parts.append(f"ref:{self.seen[id(obj)]}")
            return
        self.seen[id(obj)] = len(self.seen)
        self.alive.append(obj)
        self._compound(obj, t)

    def _compound(self, obj: Any, t: type) -> None:
        if t in (tuple, list):
            self.parts.append(f"{t.__name__}:{len(obj)}")
            for item in obj:
                self.add(item)
        elif t is dict:
            self.parts.append(f"dict:{len(obj)}")
            for k, v in obj.items():
                self.add(k)
                self.add(v)
        elif t in (set, frozenset):
            self.parts.append(f"{t.__name__}:" + ",".join(sorted(self._apart(i) for i in obj)))
        elif t is FunctionType:
            self._function(obj)
        elif t is MethodType:
            self.parts.append("method")
            self.add(obj.__self__)
            self.add(obj.__func__)
        elif t is functools.partial:
            self.parts.append("partial")
            self.add(obj.func)
            self.add(obj.args)
            self.add(obj.keywords)
        elif isinstance(obj, Node):
            self._node(obj)
        else:
            self._other(obj, t)

    def _apart(self, obj: object) -> str:
        """The digest of ``obj`` read on its own (an element of a set: order does not count)."""
        walk = _Walk(self.own)
        walk.add(obj)
        return digest(*walk.parts)

    def _function(self, fn: FunctionType) -> None:
        fingerprint = self.own(fn)
        if fingerprint is not None:
            self.parts.append(f"own:{fingerprint}")
        elif _from_library(fn.__module__):
            code = fn.__code__
            self.parts.append(
                f"fn:{fn.__module__}.{code.co_qualname}:{code.co_firstlineno}:" + code_digest(code)
            )
        else:
            raise _Unreadable
        for cell in fn.__closure__ or ():
            try:
                self.add(cell.cell_contents)
            except ValueError:  # a cell not filled yet
                self.parts.append("empty")
        self.add(fn.__defaults__)
        self.add(fn.__kwdefaults__)

    def _node(self, n: Node) -> None:
        """A Hamilton node held by a callable: what it computes, not where it came from."""
        self.parts.append(f"node:{n.name}:{type_name(n.type)}")
        for param, (annotation, dependency) in n.input_types.items():
            self.parts.append(f"{param}:{type_name(annotation)}:{dependency.name}")
        self.add(n.callable)

    def _other(self, obj: Any, t: type) -> None:
        if isinstance(obj, type):
            fingerprint = self.own(obj)
            if fingerprint is not None:
                self.parts.append(f"own-type:{fingerprint}")
            elif _from_library(obj.__module__):
                self.parts.append(f"type:{obj.__module__}.{obj.__qualname__}")
            else:
                raise _Unreadable
        elif t.__module__ in _TYPING:  # list[int], Optional[str], ...
            args = getattr(obj, "__args__", None)
            if args is None:
                self.parts.append(f"typing:{obj!r}")
            else:  # by its parts: a class of the user's in it counts by its code
                self.parts.append(f"typing:{t.__qualname__}")
                self.add(getattr(obj, "__origin__", None))
                self.add(args)
        elif isinstance(obj, enum.Enum) and _from_library(t.__module__):
            self.parts.append(f"enum:{t.__module__}.{t.__qualname__}.{obj.name}")
        elif isinstance(obj, BuiltinFunctionType | ModuleType):
            if self.own(obj) is None and not _from_library(_module_of(obj)):
                raise _Unreadable
            self.parts.append(f"{t.__name__}:{_module_of(obj)}.{obj.__name__}")
        elif t.__module__.split(".")[0] == "hamilton":
            self._hamilton_object(obj, t)
        else:
            raise _Unreadable

    def _hamilton_object(self, obj: Any, t: type) -> None:
        """One of Hamilton's own objects (a decorator, a dependency, a validator): plain Python
        classes whose state is their attributes."""
        self.parts.append(f"obj:{t.__module__}.{t.__qualname__}")
        state = dict(getattr(obj, "__dict__", {}))
        for cls in t.__mro__:
            for slot in getattr(cls, "__slots__", ()):
                if slot not in ("__dict__", "__weakref__") and hasattr(obj, slot):
                    state[slot] = getattr(obj, slot)
        self.add(state)


def code_digest(code: CodeType) -> str:
    """A hash of what a code object does: its bytecode, constants (code nested in it too),
    names and signature; not where it stands (file, lines)."""
    consts = [code_digest(c) if isinstance(c, CodeType) else repr(c) for c in code.co_consts]
    return digest(
        code.co_code.hex(),
        *consts,
        repr((code.co_names, code.co_varnames, code.co_freevars, code.co_cellvars)),
        repr((code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount, code.co_flags)),
    )


def global_names(code: CodeType) -> set[str]:
    """Every name a code object (or code nested in it) may look up in its globals (and
    attribute names: an over-approximation)."""
    names = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, CodeType):
            names |= global_names(c)
    return names


def _module_of(obj: Any) -> str:
    module = getattr(obj, "__module__", None)
    if isinstance(obj, ModuleType):
        module = obj.__name__
    return module or "builtins"


@functools.cache
def _library_roots() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    found = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
    return tuple(str(Path(p).resolve()) for p in found)


def _from_library(module_name: str | None) -> bool:
    """Whether a module is installed code (the standard library or site-packages), which does
    not change while the kernel runs: not a cell, not the notebook, not a file beside it."""
    if not module_name:
        return False
    module = sys.modules.get(module_name)
    if module is None:
        return False
    file = getattr(module, "__file__", None)
    if file is None:
        return module_name in sys.builtin_module_names
    return _is_library_file(file)


@functools.cache
def _is_library_file(file: str) -> bool:
    resolved = str(Path(file).resolve())
    return any(resolved.startswith(root + "/") for root in _library_roots())
