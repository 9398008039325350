"""Spark in a real IPython shell and a real local SparkSession: Hamilton's ``h_spark.with_columns``
over a live module of column functions, edited; a restarted kernel; Spark DataFrames as inputs,
hashed without a Spark job; their previews through ``limit``."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

import hamilton_nb
from hamilton_nb.cache.hashing import hash_value
from hamilton_nb.jupyter.preview import MAX_ROWS, preview
from hamilton_nb.jupyter.registry import REGISTRY
from tests.conftest import Shell

FEATURES = """%%dataflow features
import pandas as pd
from hamilton import htypes

_WEIGHT = 2.0


def spend_per_visit(spend: pd.Series, visits: pd.Series) -> htypes.column[pd.Series, float]:
    return spend / visits * _WEIGHT


def big_spender(spend: pd.Series) -> htypes.column[pd.Series, bool]:
    return spend > 50.0
"""
EDITED = FEATURES.replace("return spend / visits * _WEIGHT", "return spend / visits * _WEIGHT + 1")

SHOP = """%%dataflow shop
import pandas as pd
import pyspark.sql as ps
from hamilton.plugins import h_spark
from pyspark.sql import functions as F

import features


def orders(spark_session: ps.SparkSession) -> ps.DataFrame:
    frame = pd.DataFrame({"spend": [10.0, 80.0, 30.0, 120.0], "visits": [1.0, 4.0, 3.0, 2.0]})
    return spark_session.createDataFrame(frame)


@h_spark.with_columns(features, columns_to_pass=["spend", "visits"])
def enriched(orders: ps.DataFrame) -> ps.DataFrame:
    return orders


def score(enriched: ps.DataFrame) -> float:
    row = enriched.agg(F.sum("spend_per_visit"), F.sum(F.col("big_spender").cast("int"))).first()
    return float(row[0]) + 1000 * row[1]
"""
# spend / visits: 10, 20, 10, 60; two spend over 50
SCORE, EDITED_SCORE = 100 * 2.0 + 2000, (100 * 2.0 + 4) + 2000
COLUMNS = ["enriched.big_spender", "enriched.spend_per_visit"]
RUN = "%dataflow run score --module shop --inputs spark_session=spark"


@pytest.fixture
def flow(shell: Shell, spark: SparkSession) -> Shell:
    shell.ip.user_ns["spark"] = spark
    shell.ok(FEATURES, "features")
    shell.ok(SHOP, "shop")
    return shell


def _computed() -> set[str]:
    last = hamilton_nb.session("shop").last_run
    assert last is not None
    return set(last.computed)


def test_with_columns_over_a_live_module_runs_on_spark_workers_and_follows_an_edit(
    flow: Shell,
) -> None:
    assert flow.ok(RUN) == SCORE
    assert flow.ok(RUN) == SCORE and _computed() == set()  # from the cache
    flow.ok(EDITED, "features")  # a column function changed: its UDF must change
    assert flow.ok(RUN) == EDITED_SCORE
    assert _computed() == {"enriched.spend_per_visit", "enriched", "score"}
    # enriched.big_spender is not computed again: its column is not touched


def test_a_spark_dataframe_is_kept_in_memory_only_and_its_preview_shows_its_schema(
    flow: Shell,
) -> None:
    frame = flow.ok("%dataflow run enriched --module shop --inputs spark_session=spark")
    assert isinstance(frame, DataFrame)
    last = hamilton_nb.session("shop").last_run
    assert last is not None and last.not_stored == {}  # on purpose: no notice
    REGISTRY.cache.flush()
    again = flow.ok("%dataflow run enriched --module shop --inputs spark_session=spark")
    assert _computed() == set() and again.columns == frame.columns  # from memory
    widget = hamilton_nb.session("shop").widget()
    widget.selected = "enriched"  # a click on the node: its preview, from the cached DataFrame
    shown = widget.details["preview"]
    columns = ["spend", "visits", "big_spender", "spend_per_visit"]  # in Hamilton's order
    assert shown["kind"] == "spark" and shown["columns"] == columns
    assert shown["dtypes"] == ["double", "double", "boolean", "float"]  # column[pd.Series, float]
    assert shown["rows"][0] == ["10.0", "1.0", "False", "20.0"] and len(shown["rows"]) == 4


RESTARTED = """
import json, sys
from IPython.core.interactiveshell import InteractiveShell
from pyspark.sql import SparkSession

ip = InteractiveShell.instance()

def ok(source, cell_id=None):
    result = ip.run_cell(source, store_history=True, cell_id=cell_id)
    assert result.success, result.error_before_exec or result.error_in_exec
    return result.result

ok("%load_ext hamilton_nb")
ip.user_ns["spark"] = (
    SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
    .config("spark.sql.shuffle.partitions", "2").config("spark.driver.host", "127.0.0.1")
    .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate()
)
ok("%dataflow cache --dir " + sys.argv[1])
cells = json.loads(sys.argv[2])
ok(cells["features"], "features")
ok(cells["shop"], "shop")
import hamilton_nb
report = {}
for step in ("before", "edited"):
    if step == "edited":
        ok(cells["edited"], "features")
    value = ok(cells["run"])
    report[step] = [value, sorted(hamilton_nb.session("shop").last_run.computed)]
ok(cells["enriched"])  # kept in memory, in this Spark session
ip.user_ns["spark"].stop()
ip.user_ns["spark"] = SparkSession.builder.master("local[2]").getOrCreate()  # same key
frame = ok(cells["enriched"])  # the kept one belongs to the stopped session
report["new session"] = [frame.count(), sorted(hamilton_nb.session("shop").last_run.computed)]
print(json.dumps(report))
"""


def test_a_restarted_kernel_reuses_what_is_on_disk_and_a_new_spark_session_gets_new_frames(
    flow: Shell, tmp_path: Path
) -> None:
    assert flow.ok(RUN) == SCORE
    REGISTRY.cache.flush()
    enriched = RUN.replace("run score", "run enriched")
    cells = {"features": FEATURES, "shop": SHOP, "edited": EDITED, "run": RUN, "enriched": enriched}
    script = textwrap.dedent(RESTARTED)
    cache = tmp_path / ".hamilton_nb" / "cache"
    done = subprocess.run(
        [sys.executable, "-c", script, str(cache), json.dumps(cells)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["before"] == [SCORE, []]  # from disk: nothing computed
    value, computed = report["edited"]
    assert value == EDITED_SCORE and "enriched.spend_per_visit" in computed
    # not the DataFrames of the stopped session, kept in memory: built again in the new one
    assert report["new session"] == [4, ["enriched", *COLUMNS, "orders"]]


def _frame(spark: SparkSession, spend: list[float]) -> DataFrame:
    return spark.createDataFrame(pd.DataFrame({"spend": spend}))


def test_hashing_a_spark_dataframe_runs_no_spark_job(spark: SparkSession) -> None:
    context = spark.sparkContext
    bigger = _frame(spark, [10.0, 80.0]).withColumn("double", F.col("spend") * 2)
    context.setJobGroup("hashing", "what hashing a DataFrame runs")
    try:
        first = hash_value(bigger)
        assert list(context.statusTracker().getJobIdsForGroup("hashing")) == []
        bigger.count()  # the check sees a job when there is one
        assert list(context.statusTracker().getJobIdsForGroup("hashing")) != []
    finally:
        context.setJobGroup("", "")
    assert first is not None and hash_value(bigger) == first
    assert hash_value(_frame(spark, [10.0, 81.0]).withColumn("double", F.col("spend") * 2)) != first


def test_wide_spark_dataframes_that_differ_past_their_25th_column_are_told_apart(
    shell: Shell, spark: SparkSession
) -> None:
    """Spark shortens a wide plan's text (``... 6 more fields``): two DataFrames differing
    only in their last column must still give two values."""
    base = spark.createDataFrame(pd.DataFrame({f"c{i}": [float(i)] for i in range(30)}))
    shell.ip.user_ns.update(
        low=base.withColumn("big", F.col("c1") > 0), high=base.withColumn("big", F.col("c1") > 5)
    )
    shell.ok(
        "%%dataflow wide\nimport pyspark.sql as ps\n\n\n"
        "def flagged(rows: ps.DataFrame) -> bool:\n    return bool(rows.first()['big'])\n",
        "wide",
    )
    assert shell.ok("%dataflow run flagged --module wide --inputs rows=low") is True
    assert shell.ok("%dataflow run flagged --module wide --inputs rows=high") is False


SPENT = """%%dataflow spent
import pyspark.sql as ps


def big(orders: ps.DataFrame) -> int:
    return orders.filter(orders.spend > 50).count()
"""


def test_a_spark_dataframe_given_as_an_input_is_reused_only_when_it_is_the_same(
    shell: Shell, spark: SparkSession
) -> None:
    shell.ip.user_ns.update(one=_frame(spark, [10.0, 80.0]), two=_frame(spark, [60.0, 80.0]))
    shell.ok(SPENT, "spent")
    assert shell.ok("%dataflow run big --module spent --inputs orders=one") == 1
    assert shell.ok("%dataflow run big --module spent --inputs orders=two") == 2
    assert shell.ok("%dataflow run big --module spent --inputs orders=one") == 1
    last = hamilton_nb.session("spent").last_run
    assert last is not None and last.computed == ()  # the same DataFrame: from the cache


def test_a_preview_reads_the_first_rows_only(spark: SparkSession) -> None:
    # rows past the first partition raise when computed: a full collect would fail
    frame = spark.range(0, 1000, numPartitions=2).withColumn(
        "checked", F.when(F.col("id") < 500, F.col("id")).otherwise(F.raise_error(F.lit("all")))
    )
    shown = preview(frame)
    assert shown["kind"] == "spark" and shown["columns"] == ["id", "checked"]
    assert shown["dtypes"] == ["bigint", "bigint"] and shown["width"] == 2
    assert [r[0] for r in shown["rows"]] == [str(i) for i in range(MAX_ROWS)]
    assert shown["truncated"]
    with pytest.raises(Exception, match="all"):
        frame.collect()


def test_the_extension_makes_spark_workers_run_the_kernels_python(spark: SparkSession) -> None:
    assert spark.sparkContext.pythonExec == sys.executable
