"""The node-output cache: memory with a size cap, and a disk store with a size cap, written
(and swept of what it holds beyond its cap) behind the run."""

from __future__ import annotations

import atexit
import os
import pickle
import queue
import threading
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hamilton_nb.cache import faults, values
from hamilton_nb.cache.stores import DiskStore, MemoryStore, Record


def default_cache_dir() -> Path:
    """``.hamilton_nb/cache`` in the current (the kernel's) working directory."""
    return Path.cwd() / ".hamilton_nb" / "cache"


def default_memory_cap() -> int:
    """An eighth of the machine's memory, between 256 MiB and 4 GiB."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        total = 8 << 30
    return int(min(max(total // 8, 256 << 20), 4 << 30))


_OPEN: weakref.WeakSet[NodeCache] = weakref.WeakSet()
_RUN_MAGIC = b"HNBR1"  # a run record: this, its MAC, the pickle


@atexit.register
def _flush_all() -> None:
    """Let pending writes finish when the kernel exits."""
    for cache in list(_OPEN):
        cache.flush()


class NodeCache:
    """Memory first, then disk. Values are written to disk behind the run by one thread.

    Responsibilities: get / put by key, a size-capped memory store, an optional disk store
    (on by default; its cap, ``disk_cap``, defaults to ``eviction.default_cap``), serialising
    values for disk (and telling which cannot be stored), flushing pending writes, sweeping
    the disk down to its cap after them, and what the user should hear of the disk
    (``take_notices``: a full disk, a folder that cannot be written, entries not signed by
    this user), once each.
    """

    def __init__(
        self, directory: Path | None, memory_cap: int | None = None, disk_cap: int | None = None
    ) -> None:
        self.memory = MemoryStore(memory_cap or default_memory_cap())
        self.notices = faults.Notices()
        self.disk = (
            DiskStore(directory, notices=self.notices, cap=disk_cap)
            if directory is not None
            else None
        )
        self._pending: queue.Queue[list[Record | tuple[str, Any] | tuple[Path, bytes]]] = (
            queue.Queue()
        )
        self._writer: threading.Thread | None = None
        self._held: list[Record | tuple[str, Any] | tuple[Path, bytes]] | None = None
        _OPEN.add(self)

    @property
    def directory(self) -> Path | None:
        """Where values are stored on disk (None: memory only)."""
        return self.disk.root if self.disk else None

    def get(self, key: str) -> tuple[bool, Any]:
        """(found, value), from memory or else from disk (then kept in memory too)."""
        found, value = self.memory.get(key)
        if found and not values.usable(value):  # of a Spark session stopped since
            return False, None
        if self.disk is None:
            return found, value
        if found:
            self.disk.touch(key)  # used: its entry on disk is among the last evicted
            return found, value
        found, value = self.disk.get(key)
        if found:
            self.memory.put(key, value, values.sizeof(value))
        return found, value

    def contains(self, key: str) -> bool:
        """Whether a value for ``key`` is in memory or on disk."""
        return key in self.memory or (self.disk is not None and self.disk.contains(key))

    def put_many(self, items: Iterable[tuple[str, Any, int]]) -> dict[str, str]:
        """Keep values in memory and queue them for disk. Returns ``key -> reason`` for values
        that cannot be stored on disk (they stay in memory only). Spark's objects stay in memory
        only on purpose, and are not among them (``values.memory_only``)."""
        items = list(items)
        self.memory.put_many(items)
        if self.disk is None or not self.disk.writable:
            return {}
        records: list[Record | tuple[str, Any] | tuple[Path, bytes]] = []
        refused: dict[str, str] = {}
        for key, value, _ in items:
            if values.memory_only(value):
                continue
            if values.always_storable(value):  # serialised by the writer thread
                records.append((key, value))
                continue
            try:  # here, so that a value that cannot be stored is reported with its run
                records.append(Record.of(key, value))
            except Exception as e:
                refused[key] = f"{type(e).__name__}: {e}"
        if records:
            self._queue(records)
        return refused

    def remember(self, name: str, context: dict[str, Any]) -> None:
        """Keep a small named record on disk (the latest run's inputs of a module, so that a
        command-line export can find its values), signed as cache entries are; best effort,
        written behind."""
        if self.disk is None or not self.disk.writable:
            return
        try:
            data = pickle.dumps(context, protocol=5)
        except Exception:
            return  # inputs that cannot be pickled: nothing to remember
        blob = _RUN_MAGIC + self.disk.signer.seal(f"runs/{name}", data)
        self._queue([(self.disk.root / "runs" / f"{name}.pkl", blob)])

    def recall(self, name: str) -> dict[str, Any] | None:
        """A record kept by ``remember``, if there is one signed with this user's secret (one
        that is not is never unpickled: it reads as none, with a notice)."""
        if self.disk is None:
            return None
        path = self.disk.root / "runs" / f"{name}.pkl"
        try:
            blob = path.read_bytes()
        except OSError:
            return None
        data = None
        if blob.startswith(_RUN_MAGIC):
            data = self.disk.signer.unseal(f"runs/{name}", blob[len(_RUN_MAGIC) :])
        if data is None:
            self.notices.tell(
                f"untrusted run {name}",
                f"hamilton_nb: {path} is not signed with your secret (someone else, or a"
                " hamilton_nb older than this one, wrote it; or it is damaged): it is ignored,"
                " never loaded.",
            )
            return None
        try:
            record: dict[str, Any] = pickle.loads(data)
        except Exception:
            return None
        return record

    @contextmanager
    def writes_after(self) -> Iterator[None]:
        """Hand what is put inside the block to the writer thread when the block ends: the
        writer then does not compete with the rest of a run for the interpreter's lock. Inside
        another such block (a run started by a listener of a run), the outer block hands on."""
        if self._held is not None:
            yield
            return
        self._held = []
        try:
            yield
        finally:
            held, self._held = self._held, None
            if held:
                self._queue(held)

    def _queue(self, batch: list[Record | tuple[str, Any] | tuple[Path, bytes]]) -> None:
        if self._held is not None:
            self._held += batch
            return
        self._start_writer()
        self._pending.put(batch)

    def sweep(self) -> None:
        """Have the writer bring the disk down to its cap (it does after each write too)."""
        if self.disk is not None and self.disk.writable:
            self._queue([])

    def _start_writer(self) -> None:
        if self._writer is None or not self._writer.is_alive():
            loop = (weakref.ref(self), self._pending)
            self._writer = threading.Thread(target=_write_loop, args=loop, daemon=True)
            self._writer.start()

    def _write_batch(self, batch: list[Record | tuple[str, Any] | tuple[Path, bytes]]) -> None:
        self._write(batch)
        if self._pending.empty():  # once for batches queued together
            self._sweep()

    def _write(self, batch: list[Record | tuple[str, Any] | tuple[Path, bytes]]) -> None:
        """Write a batch; a fault is told once and never breaks the notebook: a full disk is
        tried again with the next batch, a folder that refuses writes is written no more."""
        disk = self.disk
        if disk is None or not disk.writable:
            return
        try:
            files = [r for r in batch if isinstance(r, tuple) and isinstance(r[0], Path)]
            for path, data in files:
                disk.write_file(path, data)
            records = [r for r in batch if not (isinstance(r, tuple) and isinstance(r[0], Path))]
            disk.write(r if isinstance(r, Record) else Record.of(*r) for r in records)
        except OSError as e:
            if not faults.is_full(e):
                disk.cannot_write(e)
                return
            self.notices.tell(
                "full",
                f"hamilton_nb: the disk holding the cache in {disk.root} is full ({e}); values"
                " that do not fit are kept in memory only (it tries again with each run).",
            )
        except Exception as e:
            self.notices.tell(
                f"write {type(e).__name__}",
                f"hamilton_nb: the cache could not write to disk ({type(e).__name__}: {e});"
                " those values are kept in memory only.",
            )

    def _sweep(self) -> None:
        """Evict what the disk holds beyond its cap; a fault is told, never raised."""
        if self.disk is None:
            return
        try:
            self.disk.sweep()
        except Exception as e:
            self.notices.tell(
                f"sweep {type(e).__name__}",
                f"hamilton_nb: the disk cache could not be brought down to its cap"
                f" ({type(e).__name__}: {e}); it tries again after the next write.",
            )

    def take_notices(self) -> list[str]:
        """What the user should hear of since the last call (each kind once per cache): the
        disk is full, its folder cannot be written, entries not signed by this user."""
        return self.notices.take()

    def flush(self) -> None:
        """Wait until every queued value is on disk, and the disk swept down to its cap."""
        if self._writer is not None and self._writer.is_alive():
            self._pending.join()

    def clear(self) -> None:
        """Forget every value, in memory and on disk."""
        self.flush()
        self.memory.clear()
        if self.disk is not None:
            self.disk.clear()


def _write_loop(
    cache: weakref.ref[NodeCache],
    pending: queue.Queue[list[Record | tuple[str, Any] | tuple[Path, bytes]]],
) -> None:
    """The writer thread. It holds its cache weakly: a cache the kernel replaced
    (``%dataflow cache --max-memory``) is freed with the values it keeps in memory, and the
    thread ends once nothing is left to write for it."""
    while True:
        try:
            batch = pending.get(timeout=_IDLE)
        except queue.Empty:
            if cache() is None:
                return
            continue
        live = cache()
        try:
            if live is not None:
                live._write_batch(batch)
        finally:
            live = None  # not held while waiting for the next batch
            pending.task_done()  # after the sweep: ``flush`` waits for it too


_IDLE = 5.0  # seconds the writer waits for a batch before it checks its cache is still used
