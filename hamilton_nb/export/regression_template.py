"""The text of a generated regression test file: ``HEADER`` (filled in per module with
``str.format``) followed by ``COMPARE``, the comparison helpers, copied as they are.

The generated file imports only the standard library, pytest, Hamilton and the exported module
at the top: numpy, pandas and polars are imported inside the helpers that compare (or load)
their own values, so a module that never uses them does not need them installed.
"""

HEADER = '''"""Regression tests for ``{module}``: each node's value as the notebook computed it.

Export again with ``--tests`` after an intended change to update the expectations.

How a value is compared with what the notebook computed (``assert_same``):

- pandas DataFrames, Series and Indexes with ``pandas.testing``;
- numpy arrays and scalars with ``numpy.testing``: same type, dtype and shape, NaN equal to
  NaN, floating point values within a relative 1e-9 (``assert_allclose``), others exactly
  (``assert_array_equal``);
- polars DataFrames and Series with ``polars.testing``;
- Spark DataFrames by their schema only (``SCHEMAS``): their rows are not stored;
- floats with ``pytest.approx`` (relative 1e-9; NaN equal to NaN);
- dicts key by key (the same keys), lists and tuples item by item (the same type and length),
  each item compared by these same rules;
- any other object with ``==`` when its class defines ``__eq__`` (and ``==`` gives True or
  False); otherwise the two must be of the same class and have the same fingerprint: for an
  object with ``get_params()`` (a scikit-learn estimator), its parameters and its fitted
  attributes (those in ``vars()`` ending in ``_``); for another object, its attributes
  (``vars()``); for an object without any, its pickled bytes.
"""

import os
import pickle
import sys
from pathlib import Path

import pytest
{hamilton}

# isort: split
import {module}  # the exported module, beside this file

HERE = Path(__file__).parent
DATA = HERE / "{data}"
WORKDIR = HERE / {workdir!r}  # where the notebook ran: relative input paths start there
INPUTS = {inputs}
CONFIG = {config}
EXPECTED = {inline}
STORED = {stored}


@pytest.fixture(scope="module")
def results():
    here = os.getcwd()
    os.chdir(WORKDIR)
    try:
        {run}
    finally:
        os.chdir(here)


def _load_inputs():
    with open(DATA / "inputs.pkl", "rb") as f:
        return {{**INPUTS, **pickle.load(f){sessions}}}
{helper}

def _expected(node):
    if node in EXPECTED:
        return EXPECTED[node]
    name = STORED[node]
    if name.endswith(".parquet"):
        import pandas as pd

        return pd.read_parquet(DATA / name)
    with open(DATA / name, "rb") as f:
        return pickle.load(f)


@pytest.mark.parametrize("node", [*EXPECTED, *STORED])
def test_node_gives_what_the_notebook_computed(results, node):
    assert_same(results[node], _expected(node), node)
'''

# how the fixture runs the module: (the Hamilton import, the fixture's body, a helper), each
# filled in with ``str.format(module=...)``
SYNC_RUN = (
    "from hamilton import driver",
    "dr = driver.Builder().with_modules({module}).with_config(CONFIG).build()\n"
    "        yield dr.execute({nodes}, inputs=_load_inputs())",
    "",
)
ASYNC_RUN = (
    "import asyncio\n\nfrom hamilton import async_driver",
    "yield asyncio.run(_execute())",
    '''

async def _execute():
    """``{module}`` has async def nodes: Hamilton's async driver runs it, on a new event loop."""
    dr = await async_driver.Builder().with_modules({module}).with_config(CONFIG).build()
    return await dr.execute({nodes}, inputs=_load_inputs())
''',
)

# the helper of a module that uses Spark, filled in with ``names`` (the SparkSession inputs)
SPARK = '''

SPARK_SESSIONS = {names!r}  # inputs that were a SparkSession in the notebook


def _spark():
    """Spark, for the run. Its workers cannot import the modules beside this file: their
    functions (the UDFs Spark makes of them) go by value, as they did from the notebook. The
    inputs that were a SparkSession get the active one (a conftest.py's), else Spark on this
    machine, whose workers run this Python (unless ``PYSPARK_PYTHON`` says otherwise)."""
    from pyspark import cloudpickle
    from pyspark.sql import SparkSession

    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if file and Path(file).resolve().parent == HERE.resolve() and module.__name__ != __name__:
            cloudpickle.register_pickle_by_value(module)
    if not SPARK_SESSIONS:
        return {{}}
    spark = SparkSession.getActiveSession()
    if spark is None:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        spark = SparkSession.builder.master("local[2]").getOrCreate()
    return dict.fromkeys(SPARK_SESSIONS, spark)
'''

# the test of a module with Spark DataFrame nodes, filled in with ``schemas`` (by node)
SPARK_SCHEMAS = """

# Spark DataFrames: their schema; their rows were not stored (a lazy plan: collecting it would
# run a job over all its data), what is computed from them is tested
SCHEMAS = {schemas!r}


@pytest.mark.parametrize("node", SCHEMAS)
def test_spark_dataframe_has_the_schema_the_notebook_computed(results, node):
    got = results[node].schema.simpleString()
    assert got == SCHEMAS[node], f"{{node}}: schema {{got}} != {{SCHEMAS[node]}}"
"""

COMPARE = '''

def assert_same(got, expected, where):
    """Raise AssertionError, naming ``where``, unless ``got`` is the same as ``expected``
    by the rules in this file's docstring."""
    if got is expected:
        return
    # a library is in sys.modules once imported: the one that made ``expected`` is
    pd, np, pl = (sys.modules.get(name) for name in ("pandas", "numpy", "polars"))
    if pd is not None and isinstance(expected, (pd.DataFrame, pd.Series, pd.Index)):
        _assert_pandas(got, expected, where)
    elif np is not None and isinstance(expected, (np.ndarray, np.generic)):
        _assert_numpy(got, expected, where)
    elif pl is not None and isinstance(expected, (pl.DataFrame, pl.Series)):
        _assert_polars(got, expected, where)
    elif isinstance(expected, float):
        approx = pytest.approx(expected, rel=1e-9, abs=1e-12, nan_ok=True)
        assert got == approx, f"{where}: {got!r} != {expected!r}"
    elif isinstance(expected, dict):
        assert isinstance(got, dict), f"{where}: {type(got).__name__}, not a dict"
        assert got.keys() == expected.keys(), f"{where}: keys {list(got)} != {list(expected)}"
        for key in expected:
            assert_same(got[key], expected[key], f"{where}[{key!r}]")
    elif isinstance(expected, (list, tuple)):
        assert type(got) is type(expected), f"{where}: {type(got)} is not {type(expected)}"
        assert len(got) == len(expected), f"{where}: length {len(got)} != {len(expected)}"
        for i, (item, expected_item) in enumerate(zip(got, expected)):
            assert_same(item, expected_item, f"{where}[{i}]")
    else:
        _assert_object(got, expected, where)


def _assert_pandas(got, expected, where):
    import pandas as pd

    if isinstance(expected, pd.DataFrame):
        pd.testing.assert_frame_equal(got, expected, obj=where)
    elif isinstance(expected, pd.Series):
        pd.testing.assert_series_equal(got, expected, obj=where)
    else:
        pd.testing.assert_index_equal(got, expected, obj=where)


def _assert_numpy(got, expected, where):
    import numpy as np

    assert type(got) is type(expected), f"{where}: {type(got)} is not {type(expected)}"
    assert got.dtype == expected.dtype, f"{where}: dtype {got.dtype} != {expected.dtype}"
    assert got.shape == expected.shape, f"{where}: shape {got.shape} != {expected.shape}"
    if expected.dtype.kind in "fc":
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12, err_msg=where)
    else:
        np.testing.assert_array_equal(got, expected, err_msg=where)


def _assert_polars(got, expected, where):
    import polars as pl
    from polars.testing import assert_frame_equal, assert_series_equal

    assert type(got) is type(expected), f"{where}: {type(got)} is not {type(expected)}"
    compare = assert_frame_equal if isinstance(expected, pl.DataFrame) else assert_series_equal
    try:
        compare(got, expected)
    except AssertionError as error:
        raise AssertionError(f"{where}: {error}") from None


def _assert_object(got, expected, where):
    if type(expected).__eq__ is not object.__eq__:
        try:
            equal = bool(got == expected)
        except (TypeError, ValueError):  # an == that gives an array: use the fingerprint
            equal = None
        if equal is not None:
            assert equal, f"{where}: {got!r} != {expected!r}"
            return
    assert type(got) is type(expected), f"{where}: {type(got)} is not {type(expected)}"
    if hasattr(expected, "get_params"):
        assert_same(got.get_params(), expected.get_params(), f"{where}.get_params()")
        assert_same(_fitted(got), _fitted(expected), f"{where} (fitted attributes)")
    elif hasattr(expected, "__dict__"):
        assert_same(vars(got), vars(expected), f"{where} (attributes)")
    else:
        assert pickle.dumps(got) == pickle.dumps(expected), f"{where}: {got!r} != {expected!r}"


def _fitted(estimator):
    """An estimator's fitted attributes (``coef_``, ``classes_``, ...) by name."""
    return {
        name: value
        for name, value in vars(estimator).items()
        if name.endswith("_") and not name.startswith("_")
    }
'''
