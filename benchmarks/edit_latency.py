"""Edit latency: re-run one edited cell of a 10-cell dataflow, against Hamilton's own tools.

Scenario: a module of N functions spread over 10 cells (N/10 each) has been applied once; then
one function in cell ``c3`` gets a new body (``+ 1`` <-> ``+ 2``) and that cell is re-run.
Function ``f_i`` depends on ``f_{i-10}``: ten interleaved chains that cross every cell.

Compared (median over the repetitions, in ms):

* ours: ``DataflowSession.apply_cell(<edited cell>, cell_id="c3")``;
* ``%%cell_to_module``: Hamilton's notebook magic re-running all N functions in a real
  ``InteractiveShell`` (no ``--display``/``--execute``, so no graphviz and nothing printed);
* ``Builder.build``: ``driver.Builder().with_modules(module).build()`` on a plain module.

Run as ``python benchmarks/edit_latency.py [--quick]``; it only prints a table.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import time
import types
from collections.abc import Callable

from hamilton import driver
from IPython.core.interactiveshell import InteractiveShell

from hamilton_nb.jupyter.dataflow import DataflowSession

CELLS = 10
EDIT_CELL = 3
TARGET_N = 1000
TARGET_VS_MAGIC = 20.0
TARGET_VS_BUILD = 5.0


def function_source(i: int, increment: int = 1) -> str:
    """``f_i``: a root for the first ten, else ``f_{i-10} + increment``."""
    if i < CELLS:
        return f"def f_{i}() -> int:\n    return {i}\n"
    return f"def f_{i}(f_{i - CELLS}: int) -> int:\n    return f_{i - CELLS} + {increment}\n"


def cell_sources(n: int, edited: int | None = None, increment: int = 1) -> list[str]:
    """The 10 cells; ``edited`` (if given) gets ``+ increment`` instead of ``+ 1``."""
    per = n // CELLS
    return [
        "\n\n".join(
            function_source(i, increment if i == edited else 1)
            for i in range(c * per, (c + 1) * per)
        )
        for c in range(CELLS)
    ]


def edited_function(n: int) -> int:
    """The function that gets edited: mid-cell ``c3`` (never a root)."""
    return EDIT_CELL * (n // CELLS) + n // CELLS // 2


def median_ms(run: Callable[[int], object], reps: int) -> float:
    """Median wall time of ``run(rep)`` in milliseconds."""
    times = []
    for rep in range(reps):
        start = time.perf_counter()
        run(rep)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench_ours(n: int, reps: int) -> float:
    """Apply all cells once, then time re-running the edited cell ``c3``."""
    session = DataflowSession(f"bench_edit_{n}")
    for c, src in enumerate(cell_sources(n)):
        session.apply_cell(src, cell_id=f"c{c}")
    variants = [cell_sources(n, edited_function(n), inc)[EDIT_CELL] for inc in (2, 1)]
    check = session.apply_cell(variants[0], cell_id=f"c{EDIT_CELL}").diff
    session.apply_cell(variants[1], cell_id=f"c{EDIT_CELL}")
    if len(check.changed) != 1 or check.added or check.removed:
        print(
            f"WARNING N={n}: edit reported changed={len(check.changed)} "
            f"added={len(check.added)} removed={len(check.removed)} (expected exactly 1 changed)"
        )
    return median_ms(lambda rep: session.apply_cell(variants[rep % 2], f"c{EDIT_CELL}"), reps)


def bench_magic(shell: InteractiveShell, n: int, reps: int) -> float:
    """Time ``%%cell_to_module`` re-running the whole module (edited body alternating)."""
    cells = [
        f"%%cell_to_module -m bench_magic_{n}\n"
        + "\n\n".join(cell_sources(n, edited_function(n), inc))
        for inc in (2, 1)
    ]
    out = io.StringIO()

    def run(rep: int) -> None:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            result = shell.run_cell(cells[rep % 2])
        if not result.success:
            raise RuntimeError(f"%%cell_to_module failed: {result.error_in_exec!r}")

    run(1)  # warm-up: first definition of the module
    ms = median_ms(run, reps)
    if out.getvalue().strip():
        print(f"note: %%cell_to_module printed: {out.getvalue().strip()[:200]!r}")
    return ms


def bench_build(n: int, reps: int) -> float:
    """Time a full ``Builder().with_modules(module).build()`` of the same N functions."""
    name = f"bench_build_{n}"
    module = types.ModuleType(name)
    exec(compile("\n\n".join(cell_sources(n)), f"<{name}>", "exec"), module.__dict__)
    sys.modules[name] = module
    driver.Builder().with_modules(module).build()  # warm-up
    return median_ms(lambda _: driver.Builder().with_modules(module).build(), reps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 100, 1000 and fewer repetitions")
    args = parser.parse_args()
    sizes, reps = ([100, 1000], 5) if args.quick else ([100, 1000, 5000], 15)
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "hamilton.plugins.jupyter_magic")

    header = ["nodes", "ours median ms", "cell_to_module ms", "Builder.build ms"]
    header += ["speed-up vs cell_to_module", "speed-up vs build"]
    print(f"edit latency, median of {reps} repetitions (one edited function in cell c{EDIT_CELL})")
    print(" | ".join(header))
    ratios: dict[int, tuple[float, float]] = {}
    for n in sizes:
        ours, magic, build = bench_ours(n, reps), bench_magic(shell, n, reps), bench_build(n, reps)
        ratios[n] = (magic / ours, build / ours)
        cols = [f"{n:,}", f"{ours:.2f}", f"{magic:.1f}", f"{build:.1f}"]
        cols += [f"{ratios[n][0]:.1f}x", f"{ratios[n][1]:.1f}x"]
        print(" | ".join(c.rjust(len(h)) for c, h in zip(cols, header, strict=True)))

    vs_magic, vs_build = ratios[TARGET_N]
    met = "MET" if vs_magic >= TARGET_VS_MAGIC and vs_build >= TARGET_VS_BUILD else "NOT MET"
    print(
        f"targets at {TARGET_N:,} nodes: >= {TARGET_VS_MAGIC:.0f}x vs cell_to_module "
        f"(got {vs_magic:.1f}x), >= {TARGET_VS_BUILD:.0f}x vs Builder.build "
        f"(got {vs_build:.1f}x): {met}"
    )


if __name__ == "__main__":
    main()
