#!/usr/bin/env bash
# Install hamilton_nb and run the main job on the quickstart notebook.
#   bash scripts/start.sh             launch JupyterLab on notebooks/
#   bash scripts/start.sh --headless  the whole path without a person (default in CI): execute the
#                                     quickstart, export its dataflow to build/sales.py, run that
#                                     module with a plain Hamilton driver and print the results
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
ensure_venv
install_project "[examples]"

if [ "${1:-}" = "--headless" ] || [ -n "${CI:-}" ]; then
    "$VENV/bin/hamilton-nb" execute notebooks/quickstart.ipynb
    # into build/, so the notebooks folder stays as git has it
    "$VENV/bin/hamilton-nb" export notebooks/quickstart.ipynb -o build/sales.py
    exec "$VENV/bin/python" scripts/run_exported.py build/sales.py path=notebooks/data/sales.csv
fi
root=()
if [ "$(id -u)" = 0 ]; then root=(--allow-root); fi
exec "$VENV/bin/jupyter" lab --notebook-dir=notebooks "${root[@]}"
