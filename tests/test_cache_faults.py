"""Disk faults: a corrupt length, a folder that cannot be written, a full disk, a killed writer.

Each leaves the notebook computing right values, tells the user once, and leaves no temporary
file behind. The folder that cannot be written and the full disk are real where this process
may mount a small tmpfs (root, as CI runs); elsewhere, ``chmod`` and a failing rename.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hamilton_nb.cache import faults
from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.jupyter.dataflow import DataflowSession


@contextmanager
def _tmpfs(path: Path, size: str) -> Iterator[bool]:
    """A tmpfs of ``size`` mounted at ``path`` while the block runs, where this process may
    mount one; yields whether it did (else ``path`` is a plain folder)."""
    path.mkdir()
    mounted = os.geteuid() == 0 and shutil.which("mount") is not None
    if mounted:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
            capture_output=True,
        )
        mounted = done.returncode == 0
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(path)], check=True)


def _session(
    name: str, cache: Path, cells: list[str], disk_cap: int | None = None
) -> DataflowSession:
    s = DataflowSession(name, cache=NodeCache(cache, disk_cap=disk_cap))
    for i, cell in enumerate(cells):
        s.apply_cell(cell, f"c{i}")
    return s


def _notices(s: DataflowSession) -> list[str]:
    told: list[str] = []
    s.notify = told.append
    return told


def test_a_pack_record_whose_length_is_corrupt_is_a_miss_not_a_memory_error(
    tmp_path: Path,
) -> None:
    cells = ["def a() -> int:\n    return 1\n", "def b(a: int) -> int:\n    return a + 1\n"]
    s = _session("lengths", tmp_path / "cache", cells)
    assert s.run("b") == 2
    s.close()
    (pack,) = (tmp_path / "cache" / "packs").glob("*.pack")
    data = bytearray(pack.read_bytes())
    struct.pack_into("<Q", data, 12, 2**62)  # the first record's length: magic 4, kind 8
    pack.write_bytes(bytes(data))
    again = _session("lengths", tmp_path / "cache", cells)
    assert again.run("b") == 2
    assert again.last_run is not None and again.last_run.computed == ("a", "b")
    again.close()
    again = _session("lengths", tmp_path / "cache", cells)  # the damaged pack is still there
    assert again.run("b") == 2
    assert again.last_run is not None and again.last_run.from_cache == ("b",)
    again.close()


@contextmanager
def _read_only(folder: Path, mounted: bool) -> Iterator[None]:
    """``folder`` read-only while the block runs: remounted so where it is a tmpfs (root may
    write anywhere else), else by its permissions."""
    if mounted:
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    else:
        for p in [folder, *folder.rglob("*")]:
            p.chmod(0o555 if p.is_dir() else 0o444)
    try:
        probe = folder / "probe"
        try:
            probe.write_text("can this folder be written?")
        except OSError:
            pass
        else:
            pytest.skip("this process writes to folders it cannot change (root without mount)")
        yield
    finally:
        if mounted:
            subprocess.run(["mount", "-o", "remount,rw", str(folder)], check=True)
        else:
            for p in [folder, *folder.rglob("*")]:
                p.chmod(0o755 if p.is_dir() else 0o644)


def test_a_read_only_cache_with_a_corrupt_entry_is_read_not_written_and_told_once(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "shared"
    cells = [
        "def big() -> bytes:\n    return b'x' * 100_000\n",  # a file of its own
        "def size(big: bytes) -> int:\n    return len(big)\n",  # in a pack
        "def other(size: int) -> int:\n    return size + 1\n",
    ]
    with _tmpfs(folder, "16m") as mounted:
        s = _session("readonly", folder / "cache", cells[:2])
        assert s.run("size") == 100_000
        s.close()
        (entry,) = (folder / "cache" / "objects").glob("*/*")
        data = bytearray(entry.read_bytes())
        data[-1] ^= 0xFF
        entry.write_bytes(bytes(data))
        with _read_only(folder, mounted):
            again = _session("readonly", folder / "cache", cells)
            told = _notices(again)
            assert again.run("big") == b"x" * 100_000  # the corrupt entry: computed again
            assert again.run("size") == 100_000
            assert again.last_run is not None and again.last_run.from_cache == ("size",)
            assert again.run("other") == 100_001
            again.close()
            assert [t for t in told if "cannot be changed" in t] == told[-1:], told  # once
            assert "or are damaged" in told[0]  # the corrupt entry fails its check
            assert entry.exists()  # it could not be removed: left as it is, never loaded


def test_a_full_disk_is_told_once_leaves_no_temporary_file_and_values_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "small-disk"
    cells = [
        "def big(n: int) -> bytes:\n    return bytes(n)\n",
        "def small(n: int) -> int:\n    return n * 2\n",
    ]
    with _tmpfs(folder, "1m") as mounted:
        if not mounted:  # a rename that fails as a full disk does, after the bytes are written
            replace = os.replace

            def full(src: Any, dst: Any) -> None:
                if Path(dst).is_relative_to(folder) and Path(src).stat().st_size > 1 << 20:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                replace(src, dst)

            monkeypatch.setattr(faults.os, "replace", full)
        # the default cap (a tenth of the space free) would not write what cannot fit; a cap
        # set above the disk's size lets the disk fill up first
        s = _session("full", folder / "cache", cells, disk_cap=1 << 30)
        told = _notices(s)
        for n in (2_000_000, 2_000_001, 2_000_002):  # each too big for the disk
            assert s.run("big", inputs={"n": n}) == bytes(n)
            s.cache.flush()
        assert s.run("small", inputs={"n": 5}) == 10  # what fits is still written
        s.close()
        assert len(told) == 1 and "is full" in told[0], told
        assert not list(folder.rglob("*.tmp"))
        again = _session("full", folder / "cache", cells)
        assert again.run("small", inputs={"n": 5}) == 10
        assert again.last_run is not None and again.last_run.from_cache == ("small",)
        again.close()


_BIG = (
    "import numpy as np\n\n\ndef big() -> np.ndarray:\n    return np.arange(2**24, dtype=float)\n"
)
_KERNEL = f"""
import sys
from pathlib import Path
from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.jupyter.dataflow import DataflowSession

s = DataflowSession("killed", cache=NodeCache(Path(sys.argv[1])))
s.apply_cell({_BIG!r}, "c1")
s.run("big")
s.cache.flush()
"""


def _temporary_file(cache: Path, child: subprocess.Popen[bytes]) -> Path | None:
    """The temporary file the child writes, as soon as there is one (None: it finished)."""
    deadline = time.monotonic() + 120
    while child.poll() is None and time.monotonic() < deadline:
        found = list(cache.glob("objects/*/.*.tmp"))
        if found:
            return found[0]
        time.sleep(0.0005)
    return None


def test_a_writer_killed_in_the_middle_of_a_large_write_leaves_no_wrong_value_nor_its_file(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "cache"
    for _ in range(5):  # until the kill lands while the 128 MiB value is being written
        shutil.rmtree(cache, ignore_errors=True)
        child = subprocess.Popen([sys.executable, "-c", _KERNEL, str(cache)])
        caught = _temporary_file(cache, child)
        child.send_signal(signal.SIGKILL)
        child.wait()
        if caught is not None and caught.exists():
            break
    else:
        pytest.fail("the writer was never killed while writing")
    live = caught.with_name(f".x.{faults._HOST}.{os.getpid()}.0.tmp")  # a writer still at work
    live.write_bytes(b"half")
    s = _session("killed", cache, [_BIG])
    np.testing.assert_array_equal(s.run("big"), np.arange(2**24, dtype=float))
    assert s.last_run is not None and s.last_run.computed == ("big",)
    s.close()
    assert list(cache.rglob("*.tmp")) == [live]  # the dead writer's file is gone, not ours
