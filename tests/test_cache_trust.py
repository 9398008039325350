"""Trust: nothing in a cache folder is unpickled unless this user's secret authenticates it.

"Another user" is a kernel whose ``JUPYTER_DATA_DIR`` (where the secret lives) is another folder.
"""

from __future__ import annotations

import os
import pickle
import shlex
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

import hamilton_nb
from hamilton_nb.cache import trust
from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.cache.stores import DiskStore, Record
from hamilton_nb.jupyter.registry import REGISTRY
from tests.conftest import Shell

CELL = "%%dataflow\ndef answer() -> int:\n    return 40 + 2\n"


class _Payload:
    """What an attacker puts in a cache entry: unpickling it runs a shell command."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (f"touch {shlex.quote(str(self.marker))}",))


def _new_kernel(monkeypatch: pytest.MonkeyPatch, user: Path, cache: Path) -> None:
    """Start over as a new kernel of ``user`` (its secret lives in ``user``)."""
    for s in list(REGISTRY.sessions.values()):
        s.close()
    REGISTRY.sessions.clear()
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(user))
    REGISTRY.set_cache(NodeCache(cache))


def test_a_forged_entry_is_never_unpickled_and_its_value_is_computed_again(
    shell: Shell,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cache, marker = tmp_path / ".hamilton_nb" / "cache", tmp_path / "pwned"
    _new_kernel(monkeypatch, tmp_path / "attacker", cache)  # runs the code to learn the key
    shell.ok(CELL, "c1")
    shell.ok("%dataflow run answer")
    run = hamilton_nb.session().runs.nodes["answer"]
    assert run.key is not None
    REGISTRY.cache.flush()
    shutil.rmtree(cache)  # the folder the victim clones holds the forged entry alone
    DiskStore(cache).write([Record.of(run.key, _Payload(marker))])

    _new_kernel(monkeypatch, tmp_path / "victim", cache)
    shell.ok(CELL, "c1")
    capsys.readouterr()
    assert shell.ok("%dataflow run answer") == 42
    assert not marker.exists()
    last = hamilton_nb.session().last_run
    assert last is not None and last.computed == ("answer",)
    told = capsys.readouterr().err
    assert told.count("not signed with your secret") == 1, told


def test_another_users_cache_beside_the_notebook_is_computed_again_and_ours_survives_restarts(
    shell: Shell,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cache = tmp_path / ".hamilton_nb" / "cache"
    cells = [CELL, "%%dataflow\ndef half(answer: int) -> float:\n    return answer / 2\n"]

    def kernel(user: str) -> tuple[str, ...]:
        _new_kernel(monkeypatch, tmp_path / user, cache)
        for i, cell in enumerate(cells):
            shell.ok(cell, f"c{i}")
        assert shell.ok("%dataflow run answer half") == {"answer": 42, "half": 21.0}
        last = hamilton_nb.session().last_run
        assert last is not None
        return last.computed

    assert kernel("colleague") == ("answer", "half")
    capsys.readouterr()
    assert kernel("me") == ("answer", "half")  # the folder came with a clone: computed again
    assert capsys.readouterr().err.count("not signed with your secret") == 1  # two entries
    assert kernel("me") == ()  # my own cache, after a restart
    assert "not signed" not in capsys.readouterr().err


@pytest.mark.parametrize("forger", ["another user's hamilton_nb", "a bare pickle"])
def test_export_tests_never_unpickles_a_run_record_it_cannot_authenticate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forger: str
) -> None:
    notebook, marker = tmp_path / "shop.ipynb", tmp_path / "pwned"
    nbformat.write(
        new_notebook(cells=[new_code_cell("%load_ext hamilton_nb"), new_code_cell(CELL)]), notebook
    )
    cache = tmp_path / ".hamilton_nb" / "cache"
    forged = {"inputs": {"x": _Payload(marker)}, "config": {}}
    if forger == "a bare pickle":  # what runs/<module>.pkl used to hold
        (cache / "runs").mkdir(parents=True)
        (cache / "runs" / "dataflow.pkl").write_bytes(pickle.dumps(forged))
    else:
        monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "attacker"))
        attacker = NodeCache(cache)
        attacker.remember("dataflow", forged)
        attacker.flush()
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "victim"))
    done = subprocess.run(
        [sys.executable, "-m", "hamilton_nb.jupyter.cli", "export", str(notebook), "--tests"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert not marker.exists()
    assert done.returncode == 1 and "not signed with your secret" in done.stderr, done.stderr
    assert not (tmp_path / "test_dataflow.py").exists()


def test_the_secret_is_made_once_readable_by_its_owner_alone_even_by_kernels_starting_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "data"))
    path = trust.secret_path()
    assert path.parent == tmp_path / "data"
    start, made = threading.Barrier(8), []

    def kernel() -> None:
        start.wait()
        made.append(trust._read_or_create(path))

    threads = [threading.Thread(target=kernel) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == 8 and len(set(made)) == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "from hamilton_nb.cache import trust;"
            " print(trust._read_or_create(trust.secret_path()).hex())",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert child.stdout.strip() == made[0].hex()  # another process of the user: the same


def test_without_a_place_for_the_secret_the_disk_cache_serves_this_kernel_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(blocker / "jupyter"))
    cache = NodeCache(tmp_path / "cache")
    cache.put_many([("a" * 24, 1, 28)])
    cache.flush()
    assert cache.disk is not None and cache.disk.get("a" * 24) == (True, 1)  # this kernel's
    assert NodeCache(tmp_path / "cache").get("a" * 24) == (False, None)
    (told,) = cache.take_notices()
    assert "cannot keep its secret" in told and cache.take_notices() == []


@pytest.mark.parametrize("theirs_first", [True, False])
def test_a_record_of_another_user_never_hides_ours_whatever_the_order_of_the_packs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, theirs_first: bool
) -> None:
    cache, key = tmp_path / "cache", "k" * 24
    names = (
        {"theirs": "0.pack", "mine": "f.pack"}
        if theirs_first
        else {"theirs": "f.pack", "mine": "0.pack"}
    )
    for user in ("theirs", "mine"):
        monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / user))
        DiskStore(cache).write([Record.of(key, user)])
        (new,) = (p for p in (cache / "packs").iterdir() if p.name not in names.values())
        new.rename(new.with_name(names[user]))
    store = DiskStore(cache)
    assert store.get(key) == (True, "mine")
    assert store.notices.take() == []
