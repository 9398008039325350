"""The ``hamilton-nb`` console script."""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

_SUMMARY_CELL = (
    "import hamilton_nb\n"
    "for _name in hamilton_nb.session_names():\n"
    "    print(hamilton_nb.session(_name).describe())\n"
)


_EXPORT_WARNING = (
    "Write a saved notebook's dataflow as a plain Hamilton module. This runs the notebook's"
    " code: its %%dataflow cells (and the imports of its other cells) are replayed, as a kernel"
    " would run them, to build the module. Export only notebooks whose code you trust."
)
_DESCRIPTION = "Export or run the dataflows of a saved Jupyter notebook (its %%dataflow cells)."
_EXAMPLES = """examples:
  hamilton-nb export sales.ipynb             # its dataflow as MODULE.py beside the notebook
  hamilton-nb export sales.ipynb --tests     # also regression tests, from the kernel's cache
  hamilton-nb export sales.ipynb --module prices -o flows/prices.py   # one of its dataflows
  hamilton-nb export sales.ipynb --api       # also sales_api.py: a FastAPI app over it
  hamilton-nb serve sales.py --port 8000     # any Hamilton module file as a REST API
"""
_SERVE = (
    "Serve a Hamilton module file as a REST API (FastAPI, uvicorn): POST /nodes/<name> for"
    " each node, POST /run for several, GET /health, /docs. This runs the module's code."
    ' Needs pip install "hamilton_nb[serve]".'
)
_EXECUTE = (
    "Run every cell of a saved notebook in a fresh kernel, then print each dataflow's graph."
    " This runs all of the notebook's code."
)


def execute(notebook: Path, timeout: int = 600) -> int:
    """Run every cell of ``notebook`` in a fresh kernel, then print each dataflow's graph."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_SUMMARY_CELL))
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(notebook.parent)}},
    )
    try:
        client.execute()
    except CellExecutionError as e:
        print(f"{notebook}: a cell failed\n{e}", file=sys.stderr)
        return 1
    for output in nb.cells[-1].get("outputs", []):
        if output.get("output_type") == "stream":
            print(output["text"], end="")
    print(f"{notebook}: {len(nb.cells) - 1} cells executed")
    return 0


def export(args: argparse.Namespace) -> int:
    """Export a saved notebook's dataflow to a module; 1 with a message when it cannot."""
    from hamilton_nb.errors import ExportError
    from hamilton_nb.export.replay import export_notebook

    try:
        result = export_notebook(
            args.notebook,
            args.output,
            args.module,
            force=args.force,
            tests=args.tests,
            run=args.run,
            api=args.api,
        )
    except ExportError as e:
        print(f"hamilton-nb export: {e}", file=sys.stderr)
        return 1
    print(result.report())
    return 0


def serve(args: argparse.Namespace) -> int:
    """Serve a module file until interrupted; 1 with a message when it cannot."""
    from hamilton_nb.errors import DataflowError

    try:
        from hamilton_nb.export.api_server import serve_file
    except ImportError as e:
        print(
            f"hamilton-nb serve: needs FastAPI and uvicorn ({e.name} is missing):"
            ' pip install "hamilton_nb[serve]"',
            file=sys.stderr,
        )
        return 1
    try:
        config = _assignments(args.config)
        serve_file(args.module, args.host, args.port, config)
    except (DataflowError, ValueError) as e:
        print(f"hamilton-nb serve: {e}", file=sys.stderr)
        return 1
    return 0


def _assignments(items: list[str]) -> dict[str, object]:
    """``["k=1", "mode=fast"]`` -> values: Python literals, else the text as a string."""
    import ast

    values: dict[str, object] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key.isidentifier():
            raise ValueError(f"--config {item}: expected NAME=VALUE")
        try:
            values[key] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            values[key] = text
    return values


def _version() -> str:
    try:
        return version("hamilton_nb")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    """The command line: a plain description, examples, ``--version``, and two commands."""
    parser = argparse.ArgumentParser(
        prog="hamilton-nb",
        description=_DESCRIPTION,
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"hamilton-nb {_version()}")
    commands = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    run = commands.add_parser(
        "execute",
        help="run a notebook headless and print its dataflows (runs all its code)",
        description=_EXECUTE,
    )
    run.add_argument("notebook", type=Path, help="the saved notebook (.ipynb)")
    run.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    out = commands.add_parser(
        "export",
        help="write a notebook's dataflow as a Hamilton module (runs the notebook's code)",
        description=_EXPORT_WARNING,
    )
    out.add_argument("notebook", type=Path, help="the saved notebook (.ipynb)")
    out.add_argument("-o", "--output", type=Path, help="where (default: MODULE.py beside it)")
    out.add_argument("--module", help="which dataflow (default: the notebook's only one)")
    out.add_argument("--force", action="store_true", help="replace a file not written by us")
    out.add_argument("--tests", action="store_true", help="also write regression tests")
    out.add_argument(
        "--run", action="store_true", help="with --tests: first run the nodes without a value"
    )
    out.add_argument("--api", action="store_true", help="also write MODULE_api.py (FastAPI)")
    api = commands.add_parser(
        "serve", help="serve a Hamilton module file as a REST API", description=_SERVE
    )
    api.add_argument("module", type=Path, help="the Hamilton module (.py)")
    api.add_argument("--host", default="127.0.0.1", help="address (default: 127.0.0.1)")
    api.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    api.add_argument(
        "--config", nargs="*", default=[], metavar="K=V", help="Hamilton config values"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``hamilton-nb``: without a command, the help (on stderr, exit 2)."""
    cli = build_parser()
    args = cli.parse_args(argv)
    if args.command is None:
        cli.print_help(sys.stderr)
        return 2
    if args.command == "serve":
        return serve(args)
    if not args.notebook.is_file():
        cli.error(f"no such notebook: {args.notebook}")
    if args.command == "export":
        return export(args)
    return execute(args.notebook, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
