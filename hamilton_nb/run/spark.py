"""What a run needs when Spark is in use: the live modules' functions travel to Spark's Python
workers by value, and those workers run the kernel's own interpreter.

Hamilton's ``h_spark.with_columns`` turns each column function into a UDF (``udf`` or
``pandas_udf`` over the function). Spark pickles a UDF with its own copy of cloudpickle
(``pyspark.cloudpickle``), by reference for a function whose module is importable: a live
module is not, on a worker. So every live module is registered with Spark's cloudpickle to be
pickled by value, as ``remote.ship_by_value`` does for the other engines: the function goes with
the helpers and constants it reads, as they are when the UDF is made, so an edit reaches the
workers on the next run. This module never imports pyspark: it acts only once the notebook has.
"""

from __future__ import annotations

import importlib
import os
import sys

from hamilton_nb.run.remote import ship_by_value

WORKER_PYTHON = "PYSPARK_PYTHON"


def prepare() -> None:
    """Before a run: when pyspark is loaded, have its cloudpickle pickle every live module by
    value (idempotent), and its workers run this interpreter (unless ``PYSPARK_PYTHON`` says
    otherwise)."""
    if "pyspark" not in sys.modules:
        return
    default_worker_python()
    ship_by_value(importlib.import_module("pyspark.cloudpickle"))  # Spark's own copy


def default_worker_python() -> None:
    """``PYSPARK_PYTHON``, when unset, becomes the kernel's interpreter: Spark reads it when a
    SparkContext starts, and would otherwise run ``python3`` from ``PATH`` (another Python,
    without the notebook's packages, when the kernel's environment is not activated)."""
    os.environ.setdefault(WORKER_PYTHON, sys.executable)
