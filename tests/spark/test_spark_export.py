"""``%dataflow export --tests`` on a module whose nodes return Spark DataFrames: the export says
that their schema is tested, not their rows, and the tests it writes run on Spark (``local[2]``)
in a plain pytest process, and pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from tests.conftest import Shell, plain
from tests.spark.test_spark import FEATURES, RUN, SHOP, SPENT, _frame

TABLE = """%%dataflow shop
def per_visit(enriched: ps.DataFrame) -> pd.DataFrame:
    rows = enriched.select("spend", "spend_per_visit").orderBy("spend").toPandas()
    return rows.reset_index(drop=True)
"""


def test_spark_dataframe_nodes_are_tested_by_schema_and_the_tests_run_on_spark(
    shell: Shell, spark: SparkSession, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.ip.user_ns["spark"] = spark
    shell.ok(FEATURES, "features")
    shell.ok(SHOP, "shop")
    shell.ok(TABLE, "table")
    shell.ok(RUN.replace("run score", "run score per_visit"))
    out = tmp_path / "out"
    shell.ok("%dataflow export out/features.py --module features")
    capsys.readouterr()
    shell.ok("%dataflow export out/shop.py --tests --module shop")
    said = plain(capsys.readouterr().out)
    frames = "enriched, enriched.big_spender, enriched.spend_per_visit, orders"
    assert f"shop: only the schema of the Spark DataFrames {frames} is tested, not their" in said
    assert "no test for" not in said, said
    assert sorted(p.name for p in (out / "test_shop_data").iterdir()) == [
        "inputs.pkl",
        "per_visit.parquet",
    ]  # the SparkSession given as an input is not stored: the tests start their own

    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_shop.py"],
        capture_output=True,
        text=True,
        cwd=out,
        env={k: v for k, v in os.environ.items() if k != "PYSPARK_PYTHON"},
        timeout=300,
    )  # a new Spark, whose workers can import neither features.py nor, by default, pandas
    assert done.returncode == 0 and "6 passed" in done.stdout, done.stdout + done.stderr


def test_a_spark_dataframe_given_as_an_input_is_refused_with_why_and_nothing_is_written(
    shell: Shell, spark: SparkSession, tmp_path: Path
) -> None:
    shell.ip.user_ns["one"] = _frame(spark, [10.0, 80.0])
    shell.ok(SPENT, "spent")
    shell.ok("%dataflow run big --module spent --inputs orders=one")
    error = shell.fails("%dataflow export spent.py --tests --module spent")
    assert "the input orders cannot be stored for the tests: a Spark DataFrame" in str(error)
    assert "Read it in a node" in str(error)
    assert not (tmp_path / "spent.py").exists() and not (tmp_path / "test_spent.py").exists()
