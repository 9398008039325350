"""Export a large notebook from the command line, end to end, against ``jupyter nbconvert``.

``hamilton-nb export NOTEBOOK.ipynb`` (start-up, reading the notebook, defining and checking
every function, rendering and formatting the module) is timed as a user would run it, beside
``jupyter nbconvert --to script`` on the same notebook: the field's plain notebook-to-script
conversion, which neither checks the dataflow nor drops exploratory code.

Run as ``python benchmarks/export_cli.py [--quick]``; it prints a table.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

TARGET_N = 1000
TARGET_SECONDS = 1.0
BIN = Path(sys.executable).parent


def write_notebook(path: Path, n: int, cells: int = 10) -> None:
    """``n`` chained functions over ``cells`` dataflow cells, with a docstring each."""
    per = n // cells
    notebook_cells = [new_code_cell("%load_ext hamilton_nb\nimport pandas as pd")]
    for c in range(cells):
        functions = []
        for i in range(c * per, (c + 1) * per):
            if i < 10:
                functions.append(f"def f_{i}() -> int:\n    return {i}\n")
            else:
                functions.append(
                    f'def f_{i}(f_{i - 10}: int) -> int:\n    """Step {i}."""\n'
                    f"    return f_{i - 10} + 1\n"
                )
        notebook_cells.append(new_code_cell("%%dataflow big\n" + "\n\n".join(functions)))
    nbformat.write(new_notebook(cells=notebook_cells), path)


def timed(command: list[str], repeat: int) -> float:
    """Median wall time of a command, in seconds (it must succeed)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer sizes and repetitions")
    args = parser.parse_args()
    sizes = [100, 1000] if args.quick else [100, 1000, 5000]
    repeat = 3 if args.quick else 5
    print(f"command-line export, median of {repeat} runs (s)")
    print("functions | hamilton-nb export | nbconvert --to script | ratio")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            notebook = Path(tmp) / f"big_{n}.ipynb"
            write_notebook(notebook, n)
            ours = timed([str(BIN / "hamilton-nb"), "export", str(notebook), "--force"], repeat)
            theirs = timed(
                [str(BIN / "jupyter-nbconvert"), "--to", "script", str(notebook)], repeat
            )
            results[n] = ours
            print(f"{n:>9,} | {ours:>18.2f} | {theirs:>21.2f} | {ours / theirs:.2f}x")
    verdict = "met" if results[TARGET_N] < TARGET_SECONDS else "NOT met"
    print(
        f"target: {TARGET_N:,} functions under {TARGET_SECONDS:.1f} s"
        f" (got {results[TARGET_N]:.2f} s): {verdict}"
    )


if __name__ == "__main__":
    main()
