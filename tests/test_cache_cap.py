"""The disk cache's cap: the folder stays within it once the writer is done, the entries used
last survive, and an evicted value is computed again, never loaded wrong."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from IPython.core.error import UsageError

import hamilton_nb
from hamilton_nb.cache.stores import DiskStore, Record
from hamilton_nb.jupyter.cache_command import parse_size
from hamilton_nb.jupyter.registry import REGISTRY
from tests.conftest import Shell

BIG = 300_000  # bytes per value: each gets a file of its own, four do not fit in 1 MiB
NAMES = ("a", "b", "c", "d", "e")
CELL = "%%dataflow\n" + "".join(
    f"def {n}() -> bytes:\n    CALLS.append({n!r})\n    return {n.encode()!r} * {BIG}\n"
    for n in NAMES
)


def _folder() -> Path:
    assert REGISTRY.cache.directory is not None
    return REGISTRY.cache.directory


def _bytes_in(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _kernel(shell: Shell, max_disk: str = "1MB") -> None:
    """Start over as a new kernel would, on the same cache folder, with this cap."""
    for s in list(REGISTRY.sessions.values()):
        s.close()
    REGISTRY.sessions.clear()
    shell.ok(f"%dataflow cache --max-disk {max_disk}")  # a new cache: nothing in memory
    shell.ok("CALLS = []")
    shell.ok(CELL, "c1")


def _run(shell: Shell, *names: str) -> tuple[set[str], set[str]]:
    """Run ``names``, check their values; (computed, taken from the cache)."""
    shell.ok(f"got = %dataflow run {' '.join(names)}")
    got = shell.ip.user_ns["got"]
    values = got if len(names) > 1 else {names[0]: got}
    assert values == {n: n.encode() * BIG for n in names}
    last = hamilton_nb.session().last_run
    assert last is not None
    return set(last.computed), set(last.from_cache)


def test_a_run_writing_more_than_the_cap_leaves_the_folder_within_it(shell: Shell) -> None:
    _kernel(shell)
    assert _run(shell, *NAMES) == (set(NAMES), set())
    REGISTRY.cache.flush()  # the writer has written, and swept
    assert 0 < _bytes_in(_folder()) <= 2**20
    assert _run(shell, *NAMES) == (set(), set(NAMES))  # in memory still: evicted from disk only
    _kernel(shell)
    computed, loaded = _run(shell, *NAMES)  # the values written last are on disk still
    assert computed and loaded and computed | loaded == set(NAMES)


def test_the_entries_used_last_survive_and_an_evicted_one_is_computed_after_a_restart(
    shell: Shell,
) -> None:
    _kernel(shell)
    for name in ("a", "b", "c"):
        assert _run(shell, name) == ({name}, set())
    assert _run(shell, "a") == (set(), {"a"})  # read (from memory): used after b and c
    assert _run(shell, "d") == ({"d"}, set())  # four do not fit: b, used least recently, goes
    REGISTRY.cache.flush()
    assert _bytes_in(_folder()) <= 2**20

    _kernel(shell)
    assert _run(shell, "a", "b", "c", "d") == ({"b"}, {"a", "c", "d"})
    assert shell.ok("CALLS") == ["b"]


def test_a_smaller_cap_applies_at_once_and_the_cache_magic_shows_size_and_cap(
    shell: Shell, capsys: pytest.CaptureFixture[str]
) -> None:
    _kernel(shell, "10MB")
    _run(shell, *NAMES)
    REGISTRY.cache.flush()
    capsys.readouterr()
    shell.ok("%dataflow cache")
    shown = capsys.readouterr().out
    assert re.search(r"disk 1\.4 MiB of 10\.0 MiB in ", shown), shown

    shell.ok("%dataflow cache --max-disk 0.5MiB")  # kept: the folder
    REGISTRY.cache.flush()
    assert _bytes_in(_folder()) <= 2**19
    shell.ok("%dataflow cache --max-memory 64MB")  # kept: the disk cap
    assert REGISTRY.cache.disk is not None and REGISTRY.cache.disk.cap == 2**19


def test_the_default_cap_is_a_tenth_of_the_space_free_at_most_10_gib(
    shell: Shell, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = shutil.disk_usage(tmp_path).free
    shell.ok(f"%dataflow cache --dir {tmp_path / 'not' / 'yet' / 'made'}")
    after = shutil.disk_usage(tmp_path).free
    disk = REGISTRY.cache.disk
    slack = 2**30  # of free space: other processes write to this disk meanwhile
    low, high = (min(before, after) - slack) // 10, (max(before, after) + slack) // 10
    assert disk is not None and min(low, 10 * 2**30) <= disk.cap <= min(high, 10 * 2**30)
    assert "disk 0.0 MiB of " in capsys.readouterr().out


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


@pytest.mark.parametrize("option", ["--max-disk", "--max-memory"])
def test_the_cache_magic_names_the_option_whose_size_it_cannot_read(
    shell: Shell, option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.run(f"%dataflow cache {option} 12XB")
    told = capsys.readouterr()
    assert f"UsageError: {option} 12XB: expected a size such as 512MB" in told.out + told.err
    assert REGISTRY.cache.disk is not None and REGISTRY.cache.disk.cap > 0
