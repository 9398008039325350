"""IPython adapter: the ``%%dataflow`` cell magic and the ``%dataflow`` line magic."""

from __future__ import annotations

import ast
from typing import Any

from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from hamilton_nb.registry import REGISTRY
from hamilton_nb.sessions import DataflowSession

COMMANDS = ("status", "drop", "reset")


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
                self._imports[i] = _imports_of(history[i])
            if name in self._imports[i]:
                return self._imports[i][name]
        return None


def _imports_of(source: str) -> dict[str, str]:
    """``name -> import statement`` for the top-level imports of an ordinary cell."""
    if "run_cell_magic('dataflow'" in source:
        return {}
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    found: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            for alias in stmt.names:
                if alias.name == "*":
                    continue
                single = type(stmt)(**{**stmt.__dict__, "names": [alias]})
                found[alias.asname or alias.name.split(".")[0]] = ast.unparse(single)
    return found


@magics_class
class DataflowMagics(Magics):
    """Parses magic arguments and delegates to the module's session; holds the current cell id."""

    def __init__(self, shell: InteractiveShell) -> None:
        super().__init__(shell)
        self.cell_id: str | None = None
        self.label: str | None = None

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
        args = parse_argstring(self.dataflow, line)
        result = _session(args.module).apply_cell(
            cell, self.cell_id, label=self.label, line_offset=1
        )
        if not args.quiet:
            print(result.summary())

    @magic_arguments()
    @argument("command", choices=COMMANDS, help="what to do")
    @argument("args", nargs="*", help="arguments of the command")
    @argument("--module", "-m", default="dataflow", help="live module name (default: dataflow)")
    @line_magic("dataflow")  # type: ignore[arg-type]  # IPython's stub wants a bare function
    def dataflow_line(self, line: str) -> Any:
        """``%dataflow status | drop NODE | reset [--module NAME]``."""
        args = parse_argstring(self.dataflow_line, line)
        session = _session(args.module)
        if args.command == "status":
            return status_table(session)
        if args.command == "drop":
            if len(args.args) != 1:
                raise UsageError("usage: %dataflow drop NODE [--module NAME]")
            diff = session.drop(args.args[0])
            print(f"{session.name}: -{len(diff.removed)} removed, {len(diff.stale)} stale")
            return None
        session.reset()
        print(f"{session.name}: reset")
        return None


def status_table(session: DataflowSession) -> Any:
    """The status rows as a pandas DataFrame (rendered as a table in the notebook)."""
    import pandas as pd

    rows = session.status()
    return pd.DataFrame(
        [[r.node, r.cell, r.type, ", ".join(r.dependencies), r.state] for r in rows],
        columns=["node", "cell", "type", "dependencies", "state"],
    )


def _session(name: str) -> DataflowSession:
    if not name.isidentifier():
        raise UsageError(f"'{name}' is not a valid module name.")
    return REGISTRY.get(name)


def load_ipython_extension(ip: InteractiveShell) -> None:
    """Register the magics, the cell-id hook and the notebook namespace."""
    unload_ipython_extension(ip)
    magics = DataflowMagics(ip)
    ip.register_magics(magics)
    ip.events.register("pre_run_cell", magics.pre_run_cell)
    REGISTRY.attach(IPythonNotebook(ip))
    ip.__dict__["_hamilton_nb_magics"] = magics


def unload_ipython_extension(ip: InteractiveShell) -> None:
    """Unregister the cell-id hook (IPython keeps registered magics until restart)."""
    magics = ip.__dict__.pop("_hamilton_nb_magics", None)
    if magics is not None:
        ip.events.unregister("pre_run_cell", magics.pre_run_cell)
