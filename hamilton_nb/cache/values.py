"""Values as the cache sees them: private copies, a size, and bytes on disk and back (their
content hashes: ``hashing``)."""

from __future__ import annotations

import copy
import io
import pickle
import sys
from collections.abc import Mapping
from typing import Any

from hamilton_nb.cache.hashing import SCALARS

_SCALAR_TYPES = frozenset(SCALARS)  # values that never change: never copied
PARQUET = "parquet"
PICKLE = "pickle"


def private_copy(value: Any) -> Any:
    """A copy of ``value`` that can be changed in place without changing ``value`` (``value``
    itself when it cannot be copied: see ``copy_for_cache``)."""
    return copy_for_cache(value)[1]


def copy_for_cache(value: Any) -> tuple[bool, Any]:
    """(copied, a copy of ``value`` that can be changed in place without changing ``value``):
    what the cache keeps and hands out, so a node that changes its input (``model.fit(X)``,
    ``df.loc[...] = ...``, ``list.append``) never changes a cached value. Not copied (False,
    ``value``): a value ``copy.deepcopy`` refuses (a generator, a connection, a lock), or too
    deeply nested; the cache must not keep it.

    Immutable values are returned as they are (pyarrow and Spark objects too). pandas objects
    get a shallow copy, which copy-on-write (pandas 3's only mode) makes independent for nearly
    nothing; numpy arrays are copied; lists, dicts, sets and tuples are copied with their items
    copied the same way (shared items and cycles kept); other objects are deep-copied.
    """
    try:
        return True, _copy(value, {})
    except Exception:  # RecursionError included
        return False, value


_SHARED_PACKAGES = frozenset({"pyarrow", "pyspark"})
_CONTAINERS = (list, dict, tuple, set, frozenset)  # their values never change in place


def _copy(value: Any, memo: dict[int, Any]) -> Any:
    kind = type(value)
    if kind in _SCALAR_TYPES:
        return value
    if id(value) in memo:  # shared, or a cycle: copied once
        return memo[id(value)]
    if kind in _CONTAINERS and _SCALAR_TYPES.issuperset(
        map(type, value.values() if kind is dict else value)
    ):  # only scalars in it (checked at C speed): a shallow copy is a full one
        return value if kind in (tuple, frozenset) else kind(value)
    if kind is list:
        items: list[Any] = []
        memo[id(value)] = items
        items.extend(_copy(v, memo) for v in value)
        return items
    if kind is dict:
        mapping: dict[Any, Any] = {}
        memo[id(value)] = mapping
        mapping.update((k, _copy(v, memo)) for k, v in value.items())
        return mapping
    if kind in (tuple, set, frozenset):
        made = kind(_copy(v, memo) for v in value)
    else:
        made = _copy_one(value)
    memo[id(value)] = made
    return made


def _copy_one(value: Any) -> Any:
    """A copy of one value that is not a list, dict, set or tuple."""
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(value, pandas.DataFrame | pandas.Series | pandas.Index):
        return value.copy(deep=not _copy_on_write(pandas))
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.ndarray | numpy.generic):
        return value.copy() if isinstance(value, numpy.ndarray) else value
    polars = sys.modules.get("polars")
    if polars is not None and isinstance(value, polars.DataFrame | polars.Series):
        return value.clone()
    if type(value).__module__.partition(".")[0] in _SHARED_PACKAGES:
        return value
    return copy.deepcopy(value)


def _copy_on_write(pandas: Any) -> bool:
    """Whether shallow copies are independent: always from pandas 3 (reading the option there
    warns), in pandas 2 when the user turned the option on."""
    if int(pandas.__version__.split(".")[0]) >= 3:
        return True
    return pandas.options.mode.copy_on_write is True


def sizes_of(named: Mapping[str, Any]) -> dict[str, int]:
    """``sizeof`` of each value, by name. Made for all the values of a run at once: most nodes
    of a big graph hold scalars, measured here without a call of ``sizeof`` each."""
    getsizeof = sys.getsizeof
    return {n: getsizeof(v) if type(v) in _SCALAR_TYPES else sizeof(v) for n, v in named.items()}


def sizeof(value: Any) -> int:
    """Bytes a value holds in memory (deep for pandas and numpy; shallow otherwise). The Python
    objects of an object column are measured on a sample: walking millions of strings would
    take longer than computing most nodes."""
    if type(value) in _SCALAR_TYPES:  # no module lookups for them
        return sys.getsizeof(value)
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(value, pandas.DataFrame | pandas.Series):
        frame = value.to_frame() if isinstance(value, pandas.Series) else value
        size = int(frame.memory_usage(index=True, deep=False).sum())
        columns = [frame.index] + [column for _, column in frame.items()]
        return size + sum(_objects_size(c.to_numpy()) for c in columns if c.dtype == object)
    nbytes = getattr(value, "nbytes", None)
    if isinstance(nbytes, int):
        return nbytes
    return sys.getsizeof(value)


_SAMPLE = 1000


def _objects_size(objects: Any) -> int:
    """``sys.getsizeof`` summed over an array of Python objects, from an even sample of them."""
    count = len(objects)
    if count <= _SAMPLE:
        return sum(map(sys.getsizeof, objects))
    sample = objects[:: count // _SAMPLE][:_SAMPLE]
    return sum(map(sys.getsizeof, sample)) * count // len(sample)


def parquet_safe(value: Any) -> bool:
    """Whether a DataFrame comes back from Parquet exactly as it went in: string column labels,
    a plain index, and only dtypes Parquet stores natively (no Python objects)."""
    pandas = sys.modules.get("pandas")
    if pandas is None or not isinstance(value, pandas.DataFrame) or value.attrs:
        return False
    labels = list(value.columns)
    if not all(isinstance(c, str) for c in labels) or len(set(labels)) != len(labels):
        return False
    index = value.index
    if isinstance(index, pandas.MultiIndex):
        return False
    return all(_native_dtype(t, pandas) for t in [*value.dtypes, index.dtype])


def _native_dtype(dtype: Any, pandas: Any) -> bool:
    if isinstance(dtype, pandas.StringDtype):
        return True
    if isinstance(dtype, pandas.CategoricalDtype):
        return _native_dtype(dtype.categories.dtype, pandas)
    return dtype.kind in "biufcmM"


def memory_only(value: Any) -> bool:
    """Values the cache keeps in memory only, on purpose: Spark's objects (a DataFrame is a lazy
    plan in this Spark application, a session a handle on it). Pickling a plan would not keep
    its data, and it means nothing to another application; a restarted kernel builds it again,
    which costs no Spark job. What is computed from it (a count, a collected table) is stored
    as usual."""
    return type(value).__module__.startswith("pyspark.")


def usable(value: Any) -> bool:
    """Whether a value kept in memory can still be handed out: not a Spark DataFrame (or
    session) whose Spark session was stopped since (``spark.stop()``, then a new session in the
    same kernel); such a value only raises when used, so it is computed again."""
    if not memory_only(value):
        return True
    session = value if hasattr(value, "_sc") else getattr(value, "sparkSession", None)
    context = getattr(session, "_sc", None)
    return context is None or getattr(context, "_jsc", True) is not None


def always_storable(value: Any) -> bool:
    """Values that certainly serialise (so they can be serialised later, off the main thread)."""
    if isinstance(value, SCALARS):
        return True
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.ndarray) and value.dtype.kind != "O":
        return True
    return parquet_safe(value)


def dumps(value: Any) -> tuple[str, bytes]:
    """Serialise: DataFrames that round-trip exactly go to Parquet, the rest to pickle.

    Raises:
        Exception: whatever pickling raises for a value that cannot be stored.
    """
    if parquet_safe(value):
        buffer = io.BytesIO()
        try:
            value.to_parquet(buffer, engine="pyarrow")
            return PARQUET, buffer.getvalue()
        except Exception:  # an exotic dtype pyarrow refuses: pickle keeps it exactly
            pass
    return PICKLE, pickle.dumps(value, protocol=5)


def loads(kind: str, payload: bytes) -> Any:
    """The inverse of ``dumps``."""
    if kind == PARQUET:
        import pandas

        return pandas.read_parquet(io.BytesIO(payload), engine="pyarrow")
    return pickle.loads(payload)
