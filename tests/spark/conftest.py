"""One local SparkSession for the whole test run (Spark's JVM takes seconds to start).

These tests run in the Spark environment only (pandas 2 and pyspark: ``scripts/test.sh`` makes
it); the main run does not collect them (``tests/conftest.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from pyspark.sql import SparkSession

# what the extension does when this is unset is under test: a value of the machine's is not
os.environ.pop("PYSPARK_PYTHON", None)


@pytest.fixture(scope="session")
def spark(_ipython: Any) -> Iterator[SparkSession]:
    """``local[2]``, two shuffle partitions, no UI; started after ``%load_ext hamilton_nb``, as
    in a notebook."""
    session = (
        SparkSession.builder.master("local[2]")
        .appName("hamilton_nb tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    yield session
    session.stop()
