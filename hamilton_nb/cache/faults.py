"""What the disk does wrong, and what the cache does then: atomic writes that leave no temporary
file behind, a sweep of those a killed writer left, and notices told to the user once each."""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

_HOST = socket.gethostname().replace(".", "_")  # temporary names: ".<name>.<host>.<pid>.<id>.tmp"
STALE_AFTER = 24 * 3600  # seconds: a temporary file untouched this long is abandoned


class Notices:
    """Messages for the user, each kind told at most once (a cache lives as long as its
    kernel's session); safe to use from the writer thread."""

    def __init__(self) -> None:
        self._told: set[str] = set()
        self._waiting: list[str] = []
        self._lock = threading.Lock()

    def tell(self, kind: str, message: str) -> None:
        """Queue ``message`` unless a notice of this ``kind`` was queued before."""
        with self._lock:
            if kind not in self._told:
                self._told.add(kind)
                self._waiting.append(message)

    def take(self) -> list[str]:
        """The messages queued since the last call."""
        with self._lock:
            taken, self._waiting = self._waiting, []
        return taken


def is_full(error: OSError) -> bool:
    """Whether a write failed for want of space (which may come back), not for a folder that
    cannot be written at all."""
    return error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it to ``path``; if that
    fails, the temporary file is removed (one left by a killed process: see ``sweep``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{_HOST}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    try:
        with tmp.open("wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


def is_temporary(path: Path) -> bool:
    """Whether ``path`` is the name of a temporary file ``atomic_write`` makes."""
    return path.name.startswith(".") and path.name.endswith(".tmp")


def sweep(paths: Iterable[Path]) -> None:
    """Remove the temporary files no writer will rename any more: those of a process of this
    machine that is gone, and those of any machine untouched for a day. Best effort."""
    now = time.time()
    for path in paths:
        try:
            if _abandoned(path, now):
                path.unlink()
        except OSError:
            pass  # gone already, or a folder that cannot be written (told elsewhere)


def _abandoned(path: Path, now: float) -> bool:
    parts = path.name.rsplit(".", 4)  # [".name", host, pid, id, "tmp"]
    if len(parts) == 5 and parts[1] == _HOST and parts[2].isdigit() and not _alive(int(parts[2])):
        return True
    return now - path.stat().st_mtime > STALE_AFTER  # another machine's, or a reused pid


def _alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill there ends the process: only a day's age tells
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
