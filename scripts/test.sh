#!/usr/bin/env bash
# Install everything the tests need and run the whole suite: lint, types, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
ensure_venv
install_project "[test]"

if ! command -v chromium >/dev/null && command -v apt-get >/dev/null; then
    echo "installing Debian's chromium (browser tests)" >&2
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi

echo "== ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
echo "== mypy"
"$VENV/bin/mypy" hamilton_nb
echo "== import contracts (layers; pyproject.toml [tool.importlinter])"
"$VENV/bin/lint-imports" --no-cache
echo "== typescript tests"
node_path="$(path_with_node)"
jlpm="$(cd "$VENV/bin" && pwd)/jlpm"  # absolute: VENV may be relative to the checkout
(cd labextension && PATH="$node_path" "$jlpm" test)
echo "== pytest"
set +e
"$VENV/bin/python" -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: failing the run" >&2
    exit 1
fi
if [ "$#" -gt 0 ]; then  # a chosen set of tests: not the Spark environment's
    exit "$status"
fi

# Spark's tests (tests/spark, and notebooks/spark.ipynb) in a second environment: pyspark.pandas,
# which Hamilton's h_spark imports, does not import with pandas 3, so the [spark] extra pins
# pandas 2 there; the environment above keeps pandas 3 for everything else.
echo "== pytest, Spark (a second environment: .venv-spark, pandas 2)"
VENV=.venv-spark
ensure_venv
install_project "[test,spark]"
set +e
"$VENV/bin/python" -m pytest tests/spark
spark_status=$?
set -e
if [ "$spark_status" -eq 5 ]; then
    echo "pytest collected no Spark tests: failing the run" >&2
    exit 1
fi
if [ "$status" -ne 0 ]; then
    exit "$status"
fi
exit "$spark_status"
