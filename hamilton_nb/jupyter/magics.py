"""IPython adapter: the ``%%dataflow`` cell magic and the ``%dataflow`` line magic."""

from __future__ import annotations

import ast
import re
import time
from pathlib import Path
from typing import Any

from IPython.core import inputtransformer2 as transformers
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from IPython.display import display

from hamilton_nb.export.notebook import imports_of
from hamilton_nb.jupyter import usage
from hamilton_nb.jupyter.cache_command import configure_cache
from hamilton_nb.jupyter.dataflow import DataflowSession
from hamilton_nb.jupyter.registry import REGISTRY
from hamilton_nb.jupyter.serve_command import serve
from hamilton_nb.run.engines import ENGINES

_LINES_KEPT = 64
COMMANDS = tuple(usage.COMMANDS)


class IPythonNotebook:
    """The notebook as sessions see it: IPython's user namespace and its input history."""

    def __init__(self, shell: InteractiveShell) -> None:
        self.shell = shell
        self._imports: dict[int, dict[str, str]] = {}

    def lookup(self, name: str) -> tuple[bool, Any]:
        ns = self.shell.user_ns
        return (name in ns, ns.get(name))

    def import_statement(self, name: str) -> str | None:
        history: list[str] = self.shell.user_ns.get("In", [])
        for i in range(len(history) - 1, -1, -1):
            if i not in self._imports:
                self._imports[i] = imports_of(history[i])
            if name in self._imports[i]:
                return self._imports[i][name]
        return None


@magics_class
class DataflowMagics(Magics):
    """Parses magic arguments and delegates to the module's session; holds the current cell id."""

    def __init__(self, shell: InteractiveShell) -> None:
        super().__init__(shell)
        self.cell_id: str | None = None
        self.label: str | None = None
        self._cell_args: dict[str, Any] = {}  # magic line -> its parsed arguments

    def notebook_name(self) -> str:
        """The notebook's file name, as the frontend tells the kernel (JupyterLab sets
        ``__session__``, VS Code ``__vsc_ipynb_file__``)."""
        ns = self.shell.user_ns if self.shell else {}
        path = ns.get("__session__") or ns.get("__vsc_ipynb_file__")
        return Path(str(path)).name if path else "a notebook"

    def pre_run_cell(self, info: Any) -> None:
        """Remember the frontend's id of the cell about to run (None when it sends none) and
        its prompt number (IPython has already counted a cell that goes into history)."""
        self.cell_id = getattr(info, "cell_id", None)
        assert self.shell is not None
        count = self.shell.execution_count - (1 if info.store_history else 0)
        self.label = f"In[{count}]"

    @magic_arguments()
    @argument("module", nargs="?", default="dataflow", help="live module name (default: dataflow)")
    @argument("--quiet", "-q", action="store_true", help="do not print the summary line")
    @cell_magic
    def dataflow(self, line: str, cell: str) -> None:
        """Define the cell's functions in a live Hamilton module and update its graph."""
        args = self._cell_args.get(line)
        if args is None:  # argparse takes a while; a notebook repeats a few lines
            args = parse_argstring(self.dataflow, line)
            if len(self._cell_args) < _LINES_KEPT:
                self._cell_args[line] = args
        REGISTRY.current = args.module  # the module the line magics act on from now on
        result = _session(args.module).apply_cell(
            cell, self.cell_id, label=self.label, line_offset=1
        )
        if not args.quiet:
            print(result.summary())

    @magic_arguments("dataflow")  # its help says %dataflow, as users type it
    @argument("command", choices=COMMANDS, help="what to do")
    @argument("args", nargs="*", help="node names (run, drop)")
    @argument("--module", "-m", help="live module name (default: the one used last)")
    @argument("--inputs", nargs="*", default=[], metavar="K=V", help="run: input values")
    @argument("--config", nargs="*", default=[], metavar="K=V", help="run: Hamilton config")
    @argument("--overrides", nargs="*", default=[], metavar="K=V", help="run: values for nodes")
    @argument("--engine", default="local", choices=ENGINES, help="run: where nodes run")
    @argument("--workers", type=int, help="run: the engine's workers (default: one per core)")
    @argument("--address", help="run: a Dask scheduler or Ray cluster to connect to")
    @argument("--dir", help="cache: store values on disk under this directory")
    @argument("--off", action="store_true", help="cache: keep values in memory only")
    @argument("--clear", action="store_true", help="cache: forget every cached value")
    @argument("--max-memory", help="cache: memory cap, e.g. 512MB or 2GB")
    @argument("--max-disk", help="cache: disk cap, e.g. 500MB or 20GB")
    @argument("--force", action="store_true", help="export: replace a file not written by us")
    @argument("--tests", action="store_true", help="export: also write regression tests")
    @argument("--run", action="store_true", help="export --tests: first run nodes without a value")
    @argument("--api", action="store_true", help="export: also write <stem>_api.py (FastAPI)")
    @argument("--port", type=int, help="serve: the port (default 8000; 0: any free one)")
    @argument("--host", default="127.0.0.1", help="serve: the address (default 127.0.0.1)")
    @argument("--stop", action="store_true", help="serve: stop serving the module")
    @line_magic("dataflow")  # type: ignore[arg-type]  # IPython's stub wants a bare function
    def dataflow_line(self, line: str) -> Any:
        """Show, run, export or load a live module. `%dataflow` alone lists the commands,
        `%dataflow COMMAND -h` one command's options."""
        asked = usage.asks_help(line)
        if asked:  # argparse's own help would list the options of every command
            print(usage.command_help(asked, self.dataflow_line.parser._actions))
            return None
        try:
            args = parse_argstring(self.dataflow_line, line)
        except UsageError as e:
            options = [o for a in self.dataflow_line.parser._actions for o in a.option_strings]
            raise usage.explain(line, e, options) from None
        if args.command == "cache":  # shared by every module: it needs (and makes) no session
            print(configure_cache(args))
            return None
        command: Any = getattr(self, f"_{args.command}")
        return command(_session(self._module(args)), args)

    def _module(self, args: Any) -> str:
        """The module a line magic acts on: ``--module``, else the one used last (said when
        there is more than one), else ``dataflow``; a load without one: the file's name."""
        if args.module:
            REGISTRY.current = args.module
            return str(args.module)
        if args.command == "load" and args.args and Path(args.args[0]).stem.isidentifier():
            REGISTRY.current = Path(args.args[0]).stem
            return REGISTRY.current
        name = REGISTRY.current or "dataflow"
        if len(REGISTRY.sessions.keys() - {name}) > 0:
            print(f"(module {name}, the one used last; --module NAME for another)")
        return name

    def _show(self, session: DataflowSession, args: Any) -> Any:
        return session.widget()

    def _status(self, session: DataflowSession, args: Any) -> Any:
        return status_table(session)

    def _run(self, session: DataflowSession, args: Any) -> Any:
        if not args.args:
            raise UsageError(usage.usage("run"))
        ns = self.shell.user_ns if self.shell else {}
        inputs = parse_assignments(args.inputs, ns, "--inputs")
        config = parse_assignments(args.config, ns, "--config")
        overrides = parse_assignments(args.overrides, ns, "--overrides")
        names = [n for arg in args.args for n in arg.split(",") if n]  # `run a, b` too
        nodes = names[0] if len(names) == 1 else names
        return session.run(
            nodes,
            inputs=inputs,
            config=config,
            overrides=overrides,
            engine=args.engine,
            workers=args.workers,
            address=args.address,
        )

    def _drop(self, session: DataflowSession, args: Any) -> None:
        diff = session.drop(_one(args, "drop"))
        print(f"{session.name}: -{len(diff.removed)} removed, {len(diff.stale)} stale")

    def _export(self, session: DataflowSession, args: Any) -> None:
        if not session.cells:
            others = sorted(n for n, s in REGISTRY.sessions.items() if s.cells)
            raise UsageError(
                f"module '{session.name}' has no cells: nothing to export."
                + (f" Modules with cells: {', '.join(others)} (--module NAME)." if others else "")
            )
        result = session.export_all(
            _one(args, "export"),
            force=args.force,
            tests=args.tests,
            run=args.run,
            source=self.notebook_name(),
            api=args.api,
        )
        print(result.report())

    def _serve(self, session: DataflowSession, args: Any) -> None:
        print(serve(session, args))

    def _load(self, session: DataflowSession, args: Any) -> None:
        path = _one(args, "load")
        print(f"{session.name}: loaded {path} as {len(session.load(path))} cells")

    def _reset(self, session: DataflowSession, args: Any) -> None:
        session.reset()
        print(f"{session.name}: reset")


def _one(args: Any, command: str) -> str:
    """The one positional argument a command takes."""
    if len(args.args) != 1:
        raise UsageError(usage.usage(command))
    return str(args.args[0])


def parse_assignments(items: list[str], ns: dict[str, Any], option: str) -> dict[str, Any]:
    """``["k=1", "p='a.csv'", "df=frame"]`` -> values: Python literals, or notebook variables."""
    values: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key.isidentifier():
            raise UsageError(f"{option} {item}: expected NAME=VALUE")
        try:
            values[key] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            if text.isidentifier() and text in ns:
                values[key] = ns[text]
            else:
                raise UsageError(
                    f"{option} {item}: {text!r} is neither a Python literal nor a notebook"
                    f' variable; quote a string: {key}="{text}"'
                ) from None
    return values


class NotebookProgress:
    """Progress of a run, shown in the running cell once it has taken more than a second."""

    DELAY = 1.0

    def __init__(self) -> None:
        self.total = self.done_count = 0
        self.started = time.monotonic()
        self.current = ""
        self._handle: Any = None
        self._shown_at = 0.0

    def start(self, total: int) -> None:
        self.total, self.started = total, time.monotonic()

    def node_started(self, name: str) -> None:
        self.current = name
        self._show()

    def node_finished(self, name: str) -> None:
        self.done_count += 1
        self._show()

    def done(self) -> None:
        if self._handle is not None:
            elapsed = time.monotonic() - self.started
            self._handle.update(
                {"text/plain": f"{self.done_count}/{self.total} nodes in {elapsed:.1f} s"}, raw=True
            )

    def _show(self) -> None:
        now = time.monotonic()
        if now - self.started < self.DELAY or now - self._shown_at < 0.2:
            return
        self._shown_at = now
        elapsed = now - self.started
        running = f", running {self.current}" if self.current else ""
        text = f"{self.done_count}/{self.total} nodes{running} ({elapsed:.0f} s)"
        if self._handle is None:
            self._handle = display({"text/plain": text}, raw=True, display_id=True)
        else:
            self._handle.update({"text/plain": text}, raw=True)


def status_table(session: DataflowSession) -> Any:
    """The status rows as a pandas DataFrame (rendered as a table in the notebook)."""
    import pandas as pd

    rows = session.status()
    table = pd.DataFrame(
        [[r.node, r.cell, r.type, ", ".join(r.dependencies), r.state] for r in rows],
        columns=["node", "cell", "type", "dependencies", "state"],
    )
    # one kind of blank (<NA>) for what was never measured; sizes are whole bytes
    durations = [None if r.duration is None else round(r.duration, 4) for r in rows]
    table["last duration (s)"] = pd.array(durations, dtype="Float64")
    table["size (bytes)"] = pd.array([r.size for r in rows], dtype="Int64")
    return table


def _session(name: str) -> DataflowSession:
    if not name.isidentifier():
        raise UsageError(f"'{name}' is not a valid module name.")
    return REGISTRY.get(name)


_DATAFLOW_CELL = re.compile(r"%%dataflow(\s|$)")
_DOCTEST_PROMPT = re.compile(r"^\s*>>>", re.MULTILINE)
_WHITESPACE_ONLY = re.compile(r"^[ \t]+$", re.MULTILINE)  # textwrap.dedent's own
_IPYTHON_CLEANUP = (
    transformers.leading_empty_lines,
    transformers.leading_indent,
    transformers.classic_prompt,
    transformers.ipython_prompt,
)


class DataflowCells:
    """An input transformation: IPython's own translation of a ``%%dataflow`` cell into a
    magic call, made before its other transformations walk the body line by line (about
    1.5 ms for 100 functions): the shell's cleanup must be IPython's own; its two cheap steps
    (leading blank lines, indentation) are applied, and its prompt strippers must be known to
    change nothing (they decide on the first two lines, or on a ``>>>`` at the start of any
    line). Any other cell, or any doubt, goes through unchanged, to IPython's usual path."""

    # a terminal asks whether input is complete through the cleanup transformations, except
    # those with side effects: there a magic cell must still end with an empty line
    has_side_effects = True

    def __init__(self, shell: InteractiveShell) -> None:
        self.manager = shell.input_transformer_manager

    def __call__(self, lines: list[str]) -> list[str]:
        if not lines or not _DATAFLOW_CELL.match(lines[0]):
            return lines
        manager = self.manager
        others = tuple(t for t in manager.cleanup_transforms if t is not self)
        if others != _IPYTHON_CLEANUP or manager.line_transforms != [transformers.cell_magic]:
            return lines
        # IPython's two cheap steps: the first line is ``%%dataflow``, so no blank line leads
        # and no margin is common; all ``leading_indent``'s dedent does then is to empty the
        # lines of only spaces and tabs (without walking every line's indentation)
        lines = _WHITESPACE_ONLY.sub("", "".join(lines)).splitlines(keepends=True)
        head = lines[:2]
        if not lines or any(t(head) != head for t in others[2:]):
            return lines
        text = "".join(lines)
        if ">>>" in text and _DOCTEST_PROMPT.search(text):
            return lines
        return list(transformers.cell_magic(lines))


def load_ipython_extension(ip: InteractiveShell) -> None:
    """Register the magics, the cell-id hook, the fast path of ``%%dataflow`` cells through
    IPython's input transformations, and the notebook namespace."""
    unload_ipython_extension(ip)
    magics = DataflowMagics(ip)
    ip.register_magics(magics)
    ip.events.register("pre_run_cell", magics.pre_run_cell)
    cells = DataflowCells(ip)
    ip.input_transformers_cleanup.insert(0, cells)
    REGISTRY.attach(IPythonNotebook(ip), NotebookProgress)
    ip.__dict__["_hamilton_nb_magics"] = (magics, cells)


def unload_ipython_extension(ip: InteractiveShell) -> None:
    """Unregister the cell-id hook and the input transformation (IPython keeps registered
    magics until restart)."""
    loaded = ip.__dict__.pop("_hamilton_nb_magics", None)
    if loaded is not None:
        magics, cells = loaded
        ip.events.unregister("pre_run_cell", magics.pre_run_cell)
        if cells in ip.input_transformers_cleanup:
            ip.input_transformers_cleanup.remove(cells)
