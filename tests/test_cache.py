"""The cache stores: memory cap and eviction, disk round trips, damage, content hashes."""

from __future__ import annotations

import gc
import threading
import weakref
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hamilton_nb.cache import hashing, values
from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.cache.stores import DiskStore, MemoryStore
from hamilton_nb.cache.stores import Record as _Record
from hamilton_nb.jupyter.registry import REGISTRY
from tests.conftest import Shell


def test_memory_store_evicts_least_recently_used_beyond_its_cap() -> None:
    store = MemoryStore(cap=100)
    store.put("a", "A", 40)
    store.put("b", "B", 40)
    assert store.get("a") == (True, "A")  # "a" is now the most recently used
    store.put("c", "C", 40)
    assert "b" not in store and "a" in store and "c" in store
    assert store.used == 80
    store.put("huge", "H", 101)  # larger than the cap: not kept, nothing evicted for it
    assert "huge" not in store and store.used == 80


def test_memory_store_put_many_keeps_the_most_recent_values_within_its_cap() -> None:
    store = MemoryStore(cap=100)
    store.put("old", "O", 30)
    store.put_many([("a", "A", 40), ("huge", "H", 101), ("b", "B", 40)])
    assert "old" not in store and "huge" not in store and "a" in store and "b" in store
    assert store.used == 80


FRAMES = {
    "numbers": pd.DataFrame({"a": [1, 2, 3], "b": [0.5, None, 2.5]}),
    "strings-and-dates": pd.DataFrame(
        {"s": ["x", "y", None], "d": pd.date_range("2026-01-01", periods=3, tz="UTC")}
    ),
    "nullable-and-categorical": pd.DataFrame(
        {"i": pd.array([1, None, 3], dtype="Int64"), "c": pd.Categorical(["a", "b", "a"])}
    ),
    "named-string-index": pd.DataFrame({"v": [1, 2]}, index=pd.Index(["p", "q"], name="k")),
    "objects": pd.DataFrame({"o": [{"x": 1}, [2], "three"]}),
    "multi-index": pd.DataFrame(
        {"v": [1, 2]}, index=pd.MultiIndex.from_tuples([(1, "a"), (2, "b")])
    ),
    "integer-labels": pd.DataFrame({0: [1], 1: [2]}),
}


@pytest.mark.parametrize("name", FRAMES)
def test_dataframes_come_back_from_disk_exactly(tmp_path: Path, name: str) -> None:
    frame = FRAMES[name]
    kind, _ = values.dumps(frame)
    assert kind == (values.PARQUET if values.parquet_safe(frame) else values.PICKLE)
    store = DiskStore(tmp_path)
    store.write([_Record.of("k" * 24, frame)])
    found, back = DiskStore(tmp_path).get("k" * 24)
    assert found
    pd.testing.assert_frame_equal(back, frame, check_exact=True)
    assert list(back.dtypes) == list(frame.dtypes)


def test_columnar_format_is_used_for_plain_frames() -> None:
    assert values.parquet_safe(FRAMES["numbers"]) and values.parquet_safe(
        FRAMES["strings-and-dates"]
    )
    assert not values.parquet_safe(FRAMES["objects"]) and not values.parquet_safe(
        FRAMES["multi-index"]
    )


def test_small_values_share_a_pack_and_big_ones_get_a_file(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    store.write(
        [_Record.of(f"{i:024d}", i) for i in range(50)] + [_Record.of("b" * 24, b"x" * 100_000)]
    )
    assert len(list((tmp_path / "packs").glob("*.pack"))) == 1
    assert (tmp_path / "objects" / "bb" / ("b" * 24)).exists()
    fresh = DiskStore(tmp_path)
    assert [fresh.get(f"{i:024d}") for i in (0, 49)] == [(True, 0), (True, 49)]
    assert not list(tmp_path.rglob("*.tmp"))  # written through temporary files, renamed


def test_a_corrupt_entry_reads_as_a_miss_and_is_removed(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    store.write([_Record.of("c" * 24, b"y" * 100_000)])
    path = tmp_path / "objects" / "cc" / ("c" * 24)
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    assert DiskStore(tmp_path).get("c" * 24) == (False, None)
    assert not path.exists()


def test_a_pack_whose_key_bytes_are_damaged_reads_as_misses(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    store.write([_Record.of("a" * 24, 1), _Record.of("b" * 24, 2)])
    (pack,) = (tmp_path / "packs").glob("*.pack")
    data = bytearray(pack.read_bytes())
    data[60] = 0xFF  # inside the first record's key (bytes 52-75): not UTF-8 any more
    pack.write_bytes(bytes(data))
    fresh = NodeCache(tmp_path)
    assert fresh.get("a" * 24) == (False, None) and fresh.get("b" * 24) == (False, None)
    fresh.put_many([("a" * 24, 1, 28)])
    fresh.flush()
    assert NodeCache(tmp_path).get("a" * 24) == (True, 1)


def test_node_cache_writes_behind_and_reports_values_it_cannot_store(tmp_path: Path) -> None:
    cache = NodeCache(tmp_path, memory_cap=1 << 20)
    refused = cache.put_many([("a" * 24, 1, 28), ("l" * 24, threading.Lock(), 64)])
    assert set(refused) == {"l" * 24} and "pickle" in refused["l" * 24]
    cache.flush()
    fresh = NodeCache(tmp_path)
    assert fresh.get("a" * 24) == (True, 1)
    assert fresh.get("l" * 24) == (False, None)
    assert cache.get("l" * 24)[0]  # still in the memory of the cache that computed it


def test_writes_put_inside_writes_after_reach_the_disk_when_the_block_ends(
    tmp_path: Path,
) -> None:
    cache = NodeCache(tmp_path)
    with cache.writes_after():
        cache.put_many([("a" * 24, 1, 28)])
        with cache.writes_after():  # nested: handed on by the outer block
            cache.remember("m", {"inputs": {"x": 1}})
        cache.flush()
        assert NodeCache(tmp_path).get("a" * 24) == (False, None)
        assert cache.recall("m") is None
        assert cache.get("a" * 24) == (True, 1)  # in memory at once
    cache.flush()
    assert NodeCache(tmp_path).get("a" * 24) == (True, 1)
    assert cache.recall("m") == {"inputs": {"x": 1}}


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (1, 1, True),
        (1, 1.0, False),
        ("x", "x", True),
        (pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1]}), True),
        (pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [2]}), False),
        (pd.DataFrame({"a": [1]}), pd.DataFrame({"b": [1]}), False),
        (pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1.0]}), False),
        (np.arange(3), np.arange(3), True),
        (np.arange(3), np.arange(3).reshape(3, 1), False),
        ({"k": [1, 2]}, {"k": [1, 2]}, True),
        # what pandas' own row hashes read alike: an int and its string, None and NaN
        (pd.DataFrame({"a": [1, "x"]}), pd.DataFrame({"a": ["1", "x"]}), False),
        (pd.Series(["a", None], dtype=object), pd.Series(["a", np.nan], dtype=object), False),
        (pd.Series(["a", "b"], dtype=object), pd.Series(["a", "b"], dtype=object), True),
        (pd.Series(["a", "b"]), pd.Series(["a", "c"]), False),  # Arrow-backed strings
        (pd.Series(["ab", "c"]), pd.Series(["a", "bc"]), False),  # same bytes, other offsets
        (pd.Series(["a", "b", "c"])[1:], pd.Series(["b", "c"]), None),  # a slice: no error
        (pd.Series(["a", "b"], dtype="category"), pd.Series(["b", "a"], dtype="category"), False),
        (pd.Series([1, None], dtype="Int64"), pd.Series([1, 0], dtype="Int64"), False),
        (pd.Series(pd.to_datetime(["2024-01-01"])), pd.Series(pd.to_datetime(["2024-02"])), False),
        (
            pd.Series(pd.to_datetime(["2024-01-01"]).tz_localize("UTC")),
            pd.Series(pd.to_datetime(["2024-01-01"]).tz_localize("Europe/Paris")),
            False,
        ),
        (pd.Series([1], index=["a"]), pd.Series([1], index=["b"]), False),
        (pd.Series([1, 2], index=[0, 1]), pd.Series([1, 2]), False),  # an index of ints, a range
        (
            pd.Series([1, 2], index=pd.MultiIndex.from_tuples([("a", 1), ("a", 2)])),
            pd.Series([1, 2], index=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)])),
            False,
        ),
        (pd.DataFrame({"a": [[1], [2]]}), pd.DataFrame({"a": [[1], [3]]}), False),  # lists in cells
        (np.arange(6)[::2], np.array([0, 2, 4]), True),  # not contiguous: same values
        (np.array(["2024-01-01"], dtype="M8[D]"), np.array(["2024-01-02"], dtype="M8[D]"), False),
        (np.zeros(2, dtype=np.int32), np.zeros(2, dtype=np.int64), False),
    ],
)
def test_input_hashes_follow_content(a: object, b: object, same: bool | None) -> None:
    """Equal content, equal hash; a difference the cache must see, another hash (None: only
    that both have one: a hash may differ for equal values, a miss is never wrong)."""
    ha, hb = hashing.hash_value(a), hashing.hash_value(b)
    assert ha is not None and hb is not None
    if same is not None:
        assert (ha == hb) is same


def test_values_that_cannot_be_hashed_have_no_hash() -> None:
    assert hashing.hash_value(threading.Lock()) is None


def test_a_cache_the_kernel_replaced_is_freed_with_the_values_it_kept(shell: Shell) -> None:
    """``%dataflow cache --max-memory`` makes a new cache; the old one, whose writer thread
    wrote for it, must not stay alive with every value it kept in memory."""
    shell.ok(
        "%%dataflow big\nimport numpy as np\n\ndef block() -> np.ndarray:\n"
        "    return np.ones(1_000_000)\n"
    )
    shell.ok("%dataflow run block --module big")
    old = weakref.ref(REGISTRY.cache)
    REGISTRY.cache.flush()  # its writer thread has run
    shell.ok("%dataflow cache --max-memory 512MB")
    gc.collect()
    assert old() is None
    assert shell.ok("%dataflow run block --module big").sum() == 1_000_000  # from disk
