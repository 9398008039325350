"""Content hashes of given values (inputs, config, overrides): what a cache key knows of them.

Every run hashes every given value, so a DataFrame of millions of rows is hashed on each run.
Its data is read where it lies: the buffers of numpy-backed columns and of Arrow-backed ones
(pandas' default strings) go straight into xxhash's 128-bit XXH3, a column at a time, with no
copy and no hex string. Only what has no buffer of its own is hashed another way: object columns
of strings as the Arrow strings they convert to, other object columns by pickling them
(pandas' row hashes read ``1`` and ``"1"`` alike), other extension dtypes by pandas' row hashes.

A hash may differ for equal values (a sliced Arrow buffer is hashed whole; ``0.0`` and ``-0.0``
differ): then the cache misses, which costs time, never a wrong value. Two values the cache
must tell apart never share a hash, short of a 128-bit collision.
"""

from __future__ import annotations

import pickle
import sys
import uuid
import weakref
from typing import Any

import xxhash

from hamilton_nb.analysis.digest import digest

# Types whose repr is their content, for hashing small values without pickling them.
SCALARS = (type(None), bool, int, float, complex, str, bytes)


class _Unhashable(Exception):
    """A part of the value has no reliable hash (a list in a cell of a DataFrame)."""


def hash_value(value: Any) -> str | None:
    """A content hash of a given value, or None when the value cannot be hashed reliably
    (then nothing computed from it is reused from the cache)."""
    if isinstance(value, SCALARS):
        return digest(type(value).__qualname__, repr(value))
    kind = type(value).__qualname__
    hasher = xxhash.xxh3_128()
    try:
        pandas = sys.modules.get("pandas")
        if pandas is not None and isinstance(value, pandas.DataFrame | pandas.Series):
            return digest(kind, _pandas(hasher, value, pandas))
        numpy = sys.modules.get("numpy")
        if numpy is not None and isinstance(value, numpy.ndarray) and not value.dtype.hasobject:
            _array(hasher, value)
            return digest(kind, hasher.hexdigest())
        spark = sys.modules.get("pyspark.sql")
        if spark is not None and isinstance(value, spark.DataFrame | spark.SparkSession):
            return _spark(value, spark)
        hasher.update(pickle.dumps(value, protocol=5))
    except Exception:  # _Unhashable, or a value pickle refuses
        return None
    return digest(kind, hasher.hexdigest())


def _array(hasher: Any, array: Any) -> None:
    """A numpy array without Python objects: its dtype, shape and bytes."""
    import numpy

    hasher.update(f"{array.dtype!r}{array.shape}".encode())
    data = numpy.ascontiguousarray(array)  # no copy when it already is
    hasher.update(data.reshape(-1).view(numpy.uint8))


def _pandas(hasher: Any, value: Any, pandas: Any) -> str:
    """A DataFrame or Series: its labels and dtypes, its index, then each column's data."""
    if isinstance(value, pandas.Series):
        hasher.update(repr((value.name, str(value.dtype))).encode())
        columns = [value]
    else:
        hasher.update(repr([(repr(c), str(t)) for c, t in value.dtypes.items()]).encode())
        columns = [column for _, column in value.items()]
    hasher.update(repr(value.index.names).encode())
    _index(hasher, value.index, pandas)
    for column in columns:
        _data(hasher, column.array, pandas)
    return str(hasher.hexdigest())


def _index(hasher: Any, index: Any, pandas: Any) -> None:
    hasher.update(f"{type(index).__name__}{index.dtype!r}{len(index)}".encode())
    if isinstance(index, pandas.RangeIndex):
        hasher.update(repr((index.start, index.stop, index.step)).encode())
    elif isinstance(index, pandas.MultiIndex):
        for level, codes in zip(index.levels, index.codes, strict=True):
            _index(hasher, level, pandas)
            _array(hasher, codes)
    else:
        _data(hasher, index.array, pandas)


def _data(hasher: Any, data: Any, pandas: Any) -> None:
    """One column's values (an ExtensionArray, as ``Series.array`` gives)."""
    import numpy

    dtype = data.dtype
    if isinstance(data, pandas.arrays.NumpyExtensionArray):
        array = data.to_numpy()  # no copy
        if array.dtype.hasobject:
            _objects(hasher, array, pandas)
        else:
            _array(hasher, array)
    elif isinstance(dtype, numpy.dtype):  # datetimes and durations without a time zone
        _array(hasher, numpy.asarray(data))  # no copy
    elif isinstance(data, pandas.Categorical):
        _array(hasher, data.codes)
        _index(hasher, data.categories, pandas)
    elif hasattr(data, "__arrow_array__") and _arrow_backed(dtype, pandas):
        _arrow(hasher, data.__arrow_array__())
    else:  # masked (Int64, boolean), datetimes with a time zone, periods, intervals, ...
        rows = pandas.util.hash_pandas_object(pandas.Series(data), index=False)
        _array(hasher, numpy.asarray(rows))


def _arrow_backed(dtype: Any, pandas: Any) -> bool:
    if isinstance(dtype, pandas.ArrowDtype):
        return True
    return isinstance(dtype, pandas.StringDtype) and dtype.storage == "pyarrow"


def _arrow(hasher: Any, chunked: Any) -> None:
    """An Arrow chunked array: per chunk, where it starts and its buffers, whole."""
    hasher.update(f"{chunked.type}{chunked.num_chunks}".encode())
    for chunk in chunked.chunks:
        hasher.update(f"{chunk.offset},{len(chunk)},{chunk.null_count};".encode())
        for buffer in chunk.buffers():
            hasher.update(b"-" if buffer is None else f"{buffer.size}:".encode())
            if buffer is not None:
                hasher.update(buffer)


def _objects(hasher: Any, objects: Any, pandas: Any) -> None:
    """An object column: as Arrow strings when every value is a ``str``, else pickled."""
    if pandas.api.types.infer_dtype(objects, skipna=False) == "string":
        import pyarrow  # their UTF-8 bytes and offsets, as Arrow lays them out: 5x pandas' hashes

        try:
            strings = pyarrow.array(objects, type=pyarrow.string())
        except pyarrow.ArrowException:  # not UTF-8 (lone surrogates): pickled
            pass
        else:
            _arrow(hasher, pyarrow.chunked_array([strings]))
            return
    try:
        hasher.update(pickle.dumps(objects, protocol=5))
    except Exception as e:
        raise _Unhashable from e


def _spark(value: Any, spark: Any) -> str | None:
    """A Spark DataFrame by its identity, never by its rows: hashing must not run a Spark job.
    A DataFrame is an immutable plan, so the same object given again is the same value; one
    built again (even by the same code) gets another token, as it would after a restart. Its
    plan's text cannot stand for it: Spark shortens the text of wide plans (``... 6 more
    fields``), so two DataFrames differing only past their 25th column would read alike. A plan
    over files holds their paths, not their content: a file changed in place is not seen. A
    SparkSession is a handle, not data: hashed by its Spark version and master, so what is
    computed from it survives a restart (what a node reads through it by name, a table or a
    view, is no more part of the key than a file a node reads by path). Spark Connect
    DataFrames, or any that cannot be referred to weakly, are not hashed (nothing computed
    from them is reused)."""
    if isinstance(value, spark.SparkSession):
        context = getattr(value, "sparkContext", None)
        return digest("SparkSession", value.version, getattr(context, "master", ""))
    if getattr(value, "_jdf", None) is None:
        return None
    try:
        token = _SPARK_FRAMES.get(value)
        if token is None:
            token = _SPARK_FRAMES[value] = uuid.uuid4().hex
    except TypeError:  # not hashable, or not weakly referable
        return None
    return digest("SparkDataFrame", token)


# each Spark DataFrame given as a value -> a token of its own, for as long as it lives
_SPARK_FRAMES: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
