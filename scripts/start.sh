#!/usr/bin/env bash
# Install hamilton_nb and run the main job on the quickstart notebook.
#   bash scripts/start.sh             launch JupyterLab on notebooks/
#   bash scripts/start.sh --headless  execute the quickstart and print its dataflows (default in CI)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
ensure_venv
install_project ""

if [ "${1:-}" = "--headless" ] || [ -n "${CI:-}" ]; then
    exec "$VENV/bin/hamilton-nb" execute notebooks/quickstart.ipynb
fi
root=()
if [ "$(id -u)" = 0 ]; then root=(--allow-root); fi
exec "$VENV/bin/jupyter" lab --notebook-dir=notebooks "${root[@]}"
