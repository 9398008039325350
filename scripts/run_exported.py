"""Run an exported dataflow with a plain Hamilton driver; print the values of its final nodes.

    python scripts/run_exported.py build/sales.py path=notebooks/data/sales.csv

Inputs are NAME=VALUE pairs, given to the driver as strings. Final nodes are those no other
node depends on: what a scheduled job would publish.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from hamilton import driver


def main(argv: list[str]) -> int:
    if not argv or not argv[0].endswith(".py") or not all("=" in a for a in argv[1:]):
        print(__doc__, file=sys.stderr)
        return 2
    module_path = Path(argv[0])
    sys.path.insert(0, str(module_path.parent))
    module = importlib.import_module(module_path.stem)
    inputs = dict(a.split("=", 1) for a in argv[1:])

    dr = driver.Builder().with_modules(module).build()
    nodes = [v for v in dr.list_available_variables() if not v.is_external_input]
    used = {d for v in nodes for d in [*v.required_dependencies, *v.optional_dependencies]}
    final = [v.name for v in nodes if v.name not in used]
    results = dr.execute(final, inputs=inputs)
    print(f"{module_path} run by a plain Hamilton driver:")
    for name in final:
        print(f"  {name} = {results[name]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
