"""The disk cache's cap: the folder stays within it once the writer is done, the entries used
last survive, and an evicted value is computed again, never loaded wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from IPython.core.error import UsageError

from hamilton_nb.cache.stores import DiskStore, Record
from hamilton_nb.jupyter.cache_command import parse_size
from hamilton_nb.jupyter.registry import REGISTRY
from tests.conftest import Shell

BIG = 300_000  # bytes per value: each gets a file of its own


def _key(i: int) -> str:
    return f"{i:024d}"


def _big(i: int) -> Record:
    return Record.of(_key(i), bytes(BIG) + bytes([i]))


def test_entries_are_evicted_least_recently_used_first_a_pack_as_a_whole(tmp_path: Path) -> None:
    cap = 700_000  # two big values and a pack fit, not three
    store = DiskStore(tmp_path, cap=cap)
    store.write([Record.of(_key(i), i) for i in range(3)])  # one pack
    store.write([_big(10), _big(11)])
    assert store.get(_key(0)) == (True, 0)  # the pack is used after 10 and 11
    store.sweep()
    store.write([_big(12), _big(13)])
    store.sweep()  # 10 and 11 go; the pack stays, all of it
    assert [store.contains(_key(i)) for i in (0, 1, 2, 10, 11, 12, 13)] == [True] * 3 + [
        False,
        False,
        True,
        True,
    ]
    fresh = DiskStore(tmp_path, cap=cap)
    assert [fresh.get(_key(i)) for i in (1, 10, 12)] == [
        (True, 1),
        (False, None),
        (True, bytes(BIG) + bytes([12])),
    ]
    fresh.sweep()  # reading 12 made it used after 13: its file's time says so
    DiskStore(tmp_path, cap=BIG + 2**10).sweep()  # room for the pack and one big value
    after = DiskStore(tmp_path)
    assert [after.get(_key(i))[0] for i in (0, 12, 13)] == [True, True, False]


def test_a_value_larger_than_the_cap_is_not_written(tmp_path: Path) -> None:
    store = DiskStore(tmp_path, cap=BIG // 2)
    store.write([Record.of("b" * 24, bytes(BIG)), Record.of("s" * 24, 1)])
    (told,) = store.notices.take()
    assert "larger than the disk cache's cap" in told and "--max-disk" in told
    assert DiskStore(tmp_path).get("b" * 24) == (False, None)
    assert DiskStore(tmp_path).get("s" * 24) == (True, 1)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("512MB", 512 * 2**20),
        ("512mib", 512 * 2**20),
        ("1.5GiB", 3 * 2**29),
        ("2GB", 2 * 2**30),
        ("100KB", 100 * 2**10),
        ("100KiB", 100 * 2**10),
        ("1TB", 2**40),
        ("1TiB", 2**40),
        (" 64 MB ", 64 * 2**20),
        ("10B", 10),
    ],
)
def test_sizes_are_read_in_powers_of_1024(text: str, size: int) -> None:
    assert parse_size(text, "--max-disk") == size


@pytest.mark.parametrize("text", ["12XB", "MB", "512", "-1GB", "0MB", "nanMB", "infGB", "1PB"])
def test_a_size_that_cannot_be_read_is_refused(text: str) -> None:
    with pytest.raises(UsageError, match=f"^--max-disk {text}: expected a size such as 512MB"):
        parse_size(text, "--max-disk")


@pytest.mark.parametrize("option", ["--max-memory"])
def test_the_cache_magic_names_the_option_whose_size_it_cannot_read(
    shell: Shell, option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.run(f"%dataflow cache {option} 12XB")
    told = capsys.readouterr()
    assert f"UsageError: {option} 12XB: expected a size such as 512MB" in told.out + told.err
    assert REGISTRY.cache.memory.cap > 0
