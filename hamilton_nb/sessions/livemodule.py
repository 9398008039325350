"""A live module: a real module in ``sys.modules`` that dataflow cells execute into."""

from __future__ import annotations

import importlib.util
import keyword
import linecache
import sys
from collections.abc import Callable
from types import CodeType, FunctionType, ModuleType
from typing import Any

from hamilton_nb.errors import DataflowError
from hamilton_nb.graph.code_index import CodeIndex
from hamilton_nb.run.remote import SHIPPED_CODE

Snapshot = dict[str, Any]
# a live module's attributes: functions giving the digest of all its code (``version_of``)
# and a function's fingerprint there, by name (``function_code``)
VERSION = "__hamilton_nb_version__"
FUNCTION_CODE = "__hamilton_nb_function_code__"
# names that make the namespace a module, and this one a live dataflow: Hamilton finds a
# function by its __module__, read from __name__ when the function is defined (``__doc__`` is
# not one: a string at the top of a cell sets it, as at the top of a module)
MODULE_OWN = frozenset(
    {
        "__name__",
        "__package__",
        "__loader__",
        "__spec__",
        "__builtins__",
        "__hamilton_nb__",
        VERSION,
        FUNCTION_CODE,
    }
)


class LiveModule:
    """Owns one module object and its namespace.

    Responsibilities: create and register the module (refusing names that would shadow a real
    module), register each cell version's source with ``linecache`` so ``inspect.getsource`` and
    tracebacks work, execute compiled cells into the namespace, and snapshot / restore the
    namespace so a rejected cell leaves it exactly as it was.
    """

    def __init__(self, name: str) -> None:
        problem = module_name_problem(name)
        if problem is not None:
            raise DataflowError(problem)
        self.name = name
        self.module = ModuleType(name, f"Live Hamilton dataflow '{name}' (hamilton_nb).")
        self.module.__dict__["__hamilton_nb__"] = True
        sys.modules[name] = self.module
        self._versions = 0

    @property
    def namespace(self) -> dict[str, Any]:
        """The module's ``__dict__`` (the globals of every function defined in it)."""
        return self.module.__dict__

    def source_filename(self, cell: str) -> str:
        """A fresh filename for one version of a cell; old functions keep their own source."""
        self._versions += 1
        return f"<dataflow {self.name} cell {cell} #{self._versions}>"

    @staticmethod
    def register_source(filename: str, text: str, line_offset: int = 0) -> None:
        """Make ``text`` the source of ``filename`` for ``inspect`` and tracebacks."""
        lines = ["\n"] * line_offset + [line + "\n" for line in text.splitlines()]
        linecache.cache[filename] = (len(text), None, lines, filename)

    def execute(self, code: CodeType) -> None:
        """Run compiled cell code in the module's namespace (the caller snapshots first)."""
        exec(code, self.namespace)

    def owns_filename(self, filename: str) -> bool:
        """Whether code compiled under ``filename`` comes from one of this module's cells."""
        return filename.startswith(f"<dataflow {self.name} cell ")

    def locate(self, filename: str, function: str, line: int) -> str | None:
        """The cell filename of a traceback frame in this module's code, or None (not ours).

        Code a worker process ran came there by value, and cloudpickle names its file
        ``SHIPPED_CODE``: such a frame is found by its function's name and line among the code
        of this module's functions.
        """
        if self.owns_filename(filename):
            return filename
        if filename != SHIPPED_CODE:
            return None
        for value in list(self.namespace.values()):
            if self.owns_code(value):
                found = _code_at(value.__code__, function, line)
                if found is not None:
                    return found
        return None

    def owns_code(self, value: object) -> bool:
        """Whether ``value`` is a plain function compiled from one of this module's cells."""
        return isinstance(value, FunctionType) and self.owns_filename(value.__code__.co_filename)

    @staticmethod
    def relocate(fn: FunctionType, filename: str, shift: int) -> None:
        """Point a function's code (and code nested in it) at ``filename``, ``shift`` lines down,
        so a function kept from an earlier version of its cell reports its current lines."""
        fn.__code__ = _moved(fn.__code__, filename, shift)

    def snapshot(self) -> Snapshot:
        """A shallow copy of the namespace to restore on rejection."""
        return dict(self.namespace)

    def restore(self, snapshot: Snapshot) -> None:
        """Put the namespace back exactly as it was when ``snapshot`` was taken."""
        self.namespace.clear()
        self.namespace.update(snapshot)

    def clear(self) -> None:
        """Remove every name cells defined, keeping the module object (imports of it stay valid)."""
        for key in [k for k in self.namespace if not is_dunder(k)]:
            del self.namespace[key]

    def unregister(self) -> None:
        """Remove the module from ``sys.modules``."""
        if sys.modules.get(self.name) is self.module:
            del sys.modules[self.name]


def _moved(code: CodeType, filename: str, shift: int) -> CodeType:
    consts = tuple(
        _moved(c, filename, shift) if isinstance(c, CodeType) else c for c in code.co_consts
    )
    return code.replace(
        co_filename=filename, co_firstlineno=code.co_firstlineno + shift, co_consts=consts
    )


def _code_at(code: CodeType, function: str, line: int) -> str | None:
    """The filename of ``code`` or of code nested in it named ``function`` spanning ``line``."""
    lines = [n for _, _, n in code.co_lines() if n is not None]
    if code.co_name == function and lines and min(lines) <= line <= max(lines):
        return code.co_filename
    nested = (_code_at(c, function, line) for c in code.co_consts if isinstance(c, CodeType))
    return next((f for f in nested if f is not None), None)


def module_name_problem(name: str, target: str | None = None) -> str | None:
    """Why ``name`` cannot be a dataflow's module name (None: it can): not an identifier, a
    keyword, or the name of a module already imported or importable (the standard library, an
    installed package, a file on the path), unless that is a dataflow itself or a module
    hamilton_nb exported, or the ``target`` file an export is about to write (whether it may
    replace it is for the export to say). The kernel, the CLI and the server ask the same
    question."""
    if not name.isidentifier() or keyword.iskeyword(name):
        return (
            f"'{name}' is not a valid module name: use a Python identifier that is not a keyword."
        )
    if name in sys.stdlib_module_names:
        return (
            f"'{name}' is a module of Python's standard library; pick another name for the"
            " dataflow so it does not shadow it."
        )
    existing = sys.modules.get(name)
    if existing is not None and not getattr(existing, "__hamilton_nb__", False):
        return (
            f"a module named '{name}' is already imported; pick another name for the dataflow"
            " so it does not shadow it."
        )
    origin = _importable_from(name) if existing is None else None
    if origin is not None and origin != target and not _exported_by_us(origin):
        return (
            f"a module named '{name}' can be imported from disk ({origin}); pick another"
            " name for the dataflow so it does not shadow it."
        )
    return None


def live_module_of(value: object) -> ModuleType | None:
    """The live module ``value`` is, or that its function or class was defined in."""
    module = value if isinstance(value, ModuleType) else None
    if module is None:
        name = getattr(value, "__module__", None)
        module = sys.modules.get(name) if isinstance(name, str) else None
    return module if module is not None and getattr(module, "__hamilton_nb__", False) else None


def version_of(value: object) -> str:
    """What stands for ``value``'s code in a fingerprint, besides the statement that bound
    it: a live module's code (another ``%%dataflow`` module, or an object from one), which
    changes as its cells do; else a package's ``__version__``."""
    module = live_module_of(value)
    if module is not None:
        version = module.__dict__.get(VERSION)
        return f"live:{version() if callable(version) else ''}"
    return str(getattr(value, "__version__", ""))


def publish(module: ModuleType, index: Callable[[], CodeIndex]) -> None:
    """Let other live modules read this one's code: ``version_of`` and ``function_code``."""
    module.__dict__[VERSION] = lambda: index().version()
    module.__dict__[FUNCTION_CODE] = lambda name: index().undecorated_fingerprint(name)


def function_code(value: object) -> str | None:
    """The fingerprint of a function defined in a live module's cell, in that module: its
    ``def``'s code and what it reads there (None: not such a function)."""
    module = live_module_of(value)
    if module is None or not isinstance(value, FunctionType):
        return None
    name = value.__code__.co_qualname
    code = module.__dict__.get(FUNCTION_CODE)
    if module.__dict__.get(name) is not value or not callable(code):
        return None
    found = code(name)
    return None if found is None else f"live:{module.__name__}:{found}"


def is_dunder(name: str) -> bool:
    """``__name__``-style names: the module's own, never a cell's."""
    return name.startswith("__") and name.endswith("__")


def _importable_from(name: str) -> str | None:
    """Where ``import name`` would load from, if it would (a built-in module says so)."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    return None if spec is None else str(spec.origin or "a namespace package")


def _exported_by_us(origin: str) -> bool:
    """A module file hamilton_nb exported (first line: its marker): the same dataflow, which
    the live module may stand in for while the notebook runs."""
    try:
        with open(origin, encoding="utf-8") as f:
            return f.readline().startswith("# Generated by hamilton_nb from ")
    except OSError:
        return False
