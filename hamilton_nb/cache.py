"""The node-output cache: memory with a size cap, and a disk store written behind the run."""

from __future__ import annotations

import atexit
import hashlib
import os
import pickle
import queue
import shutil
import struct
import threading
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hamilton_nb import values

MAGIC = b"HNB1"
_HEADER = struct.Struct("<4s8sQ16s24s")  # magic, kind, payload length, payload digest, key
SMALL = 64 * 1024  # pickles under this size are packed together, one file per batch


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


class MemoryStore:
    """Values by key, least recently used evicted first once their sizes exceed ``cap``."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.used = 0
        self._items: OrderedDict[str, tuple[Any, int]] = OrderedDict()

    def __contains__(self, key: str) -> bool:
        return key in self._items

    def get(self, key: str) -> tuple[bool, Any]:
        """(found, value); a hit becomes the most recently used."""
        item = self._items.get(key)
        if item is None:
            return False, None
        self._items.move_to_end(key)
        return True, item[0]

    def put(self, key: str, value: Any, size: int) -> None:
        """Keep a value unless it alone is larger than the cap."""
        self.put_many([(key, value, size)])

    def put_many(self, items: Iterable[tuple[str, Any, int]]) -> None:
        """``put`` each (key, value, size), then evict once (not after each: a run puts a
        value per node it computed); the cap holds afterwards, as after ``put``."""
        stored, used = self._items, self.used
        for key, value, size in items:
            if size > self.cap:
                continue
            old = stored.pop(key, None)
            if old is not None:
                used -= old[1]
            stored[key] = (value, size)
            used += size
        while used > self.cap:
            _, (_, evicted) = stored.popitem(last=False)
            used -= evicted
        self.used = used

    def clear(self) -> None:
        """Forget everything."""
        self._items.clear()
        self.used = 0


@dataclass(frozen=True)
class _Record:
    key: str
    kind: str
    payload: bytes

    @staticmethod
    def of(key: str, value: Any) -> _Record:
        """Serialise a value (see ``values.dumps``)."""
        kind, payload = values.dumps(value)
        return _Record(key, kind, payload)

    def encode(self) -> bytes:
        """Header (with a digest of the payload) + payload."""
        check = hashlib.blake2b(self.payload, digest_size=16).digest()
        kind = self.kind.encode().ljust(8, b"\0")
        header = _HEADER.pack(MAGIC, kind, len(self.payload), check, self.key.encode())
        return header + self.payload


class DiskStore:
    """Values on disk under ``root``; every write is atomic (temporary file + rename).

    Large values get a file each (``objects/``); small pickles written in one batch share a
    pack file (``packs/``). Every record carries a digest of its bytes: an entry that is
    truncated or corrupt reads as a miss (and is recomputed), never as a wrong value.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._packs: dict[str, tuple[Path, int, int]] | None = None  # key -> file, offset, size
        self._objects: set[str] = set()
        self._lock = threading.Lock()

    def _object_path(self, key: str) -> Path:
        return self.root / "objects" / key[:2] / key

    def _index(self) -> dict[str, tuple[Path, int, int]]:
        if self._packs is not None:  # read without the lock: the writer only adds keys
            return self._packs
        with self._lock:
            if self._packs is None:  # one look at the directory; writes keep it up to date
                packs: dict[str, tuple[Path, int, int]] = {}
                for pack in sorted((self.root / "packs").glob("*.pack")):
                    _scan(pack, packs)
                self._objects = {p.name for p in (self.root / "objects").glob("*/*")}
                self._packs = packs  # last: a reader without the lock sees all of it or none
            return self._packs

    def contains(self, key: str) -> bool:
        """Whether an entry exists (it may still turn out corrupt when read)."""
        return key in self._index() or key in self._objects

    def get(self, key: str) -> tuple[bool, Any]:
        """(found, value); an unreadable or corrupt entry is removed and reads as a miss."""
        packs = self._packs if self._packs is not None else self._index()
        where = packs.get(key)
        if where is None and key not in self._objects:
            return False, None
        try:
            if where is not None:
                path, offset, size = where
                with path.open("rb") as f:
                    f.seek(offset)
                    data = f.read(size)
            else:
                data = self._object_path(key).read_bytes()
        except OSError:
            return False, None
        try:
            return True, _decode(data, key)
        except Exception:
            self._forget(key)
            return False, None

    def _forget(self, key: str) -> None:
        with self._lock:
            if self._packs is not None:
                self._packs.pop(key, None)
            self._objects.discard(key)
        self._object_path(key).unlink(missing_ok=True)

    def write(self, records: Iterable[_Record]) -> None:
        """Write records: small ones into one new pack, large ones into files of their own."""
        small = []
        for record in records:
            if record.kind == values.PICKLE and len(record.payload) < SMALL:
                small.append(record)
            else:
                _atomic_write(self._object_path(record.key), record.encode())
                with self._lock:
                    self._objects.add(record.key)
        if small:
            pack = self.root / "packs" / f"{uuid.uuid4().hex}.pack"
            _atomic_write(pack, b"".join(r.encode() for r in small))
            with self._lock:
                if self._packs is not None:
                    _scan(pack, self._packs)

    def clear(self) -> None:
        """Delete every entry."""
        with self._lock:
            shutil.rmtree(self.root, ignore_errors=True)
            self._packs = None
            self._objects = set()


_OPEN: weakref.WeakSet[NodeCache] = weakref.WeakSet()


@atexit.register
def _flush_all() -> None:
    """Let pending writes finish when the kernel exits."""
    for cache in list(_OPEN):
        cache.flush()


def _scan(pack: Path, packs: dict[str, tuple[Path, int, int]]) -> None:
    """Index the records of a pack file: key -> (file, offset, size)."""
    try:
        data = pack.read_bytes()
    except OSError:
        return
    offset = 0
    while offset + _HEADER.size <= len(data):
        magic, _, length, _, key = _HEADER.unpack_from(data, offset)
        try:
            name = key.decode()
        except UnicodeDecodeError:
            name = ""
        if magic != MAGIC or not name:  # damaged from here on: what follows is a miss
            return
        packs[name] = (pack, offset, _HEADER.size + length)
        offset += _HEADER.size + length


def _decode(data: bytes, key: str) -> Any:
    magic, kind, length, check, stored_key = _HEADER.unpack_from(data, 0)
    payload = data[_HEADER.size : _HEADER.size + length]
    if magic != MAGIC or stored_key.decode() != key or len(payload) != length:
        raise ValueError("not a hamilton_nb cache entry for this key")
    if hashlib.blake2b(payload, digest_size=16).digest() != check:
        raise ValueError("corrupt cache entry")
    return values.loads(kind.rstrip(b"\0").decode(), payload)


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with tmp.open("wb") as f:
        f.write(data)
    os.replace(tmp, path)


class NodeCache:
    """Memory first, then disk. Values are written to disk behind the run by one thread.

    Responsibilities: get / put by key, a size-capped memory store, an optional disk store
    (on by default), serialising values for disk (and telling which cannot be stored), and
    flushing pending writes.
    """

    def __init__(self, directory: Path | None, memory_cap: int | None = None) -> None:
        self.memory = MemoryStore(memory_cap or default_memory_cap())
        self.disk = DiskStore(directory) if directory is not None else None
        self._pending: queue.Queue[list[_Record | tuple[str, Any] | tuple[Path, bytes]]] = (
            queue.Queue()
        )
        self._writer: threading.Thread | None = None
        self._held: list[_Record | tuple[str, Any] | tuple[Path, bytes]] | None = None
        self.write_errors: list[str] = []
        _OPEN.add(self)

    @property
    def directory(self) -> Path | None:
        """Where values are stored on disk (None: memory only)."""
        return self.disk.root if self.disk else None

    def get(self, key: str) -> tuple[bool, Any]:
        """(found, value), from memory or else from disk (then kept in memory too)."""
        found, value = self.memory.get(key)
        if found or self.disk is None:
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
        that cannot be stored on disk (they stay in memory only)."""
        items = list(items)
        self.memory.put_many(items)
        if self.disk is None:
            return {}
        records: list[_Record | tuple[str, Any] | tuple[Path, bytes]] = []
        refused: dict[str, str] = {}
        for key, value, _ in items:
            if values.always_storable(value):  # serialised by the writer thread
                records.append((key, value))
                continue
            try:  # here, so that a value that cannot be stored is reported with its run
                records.append(_Record.of(key, value))
            except Exception as e:
                refused[key] = f"{type(e).__name__}: {e}"
        if records:
            self._queue(records)
        return refused

    def remember(self, name: str, context: dict[str, Any]) -> None:
        """Keep a small named record on disk (the latest run's inputs of a module, so that a
        command-line export can find its values); best effort, written behind."""
        if self.disk is None:
            return
        try:
            data = pickle.dumps(context, protocol=5)
        except Exception:
            return  # inputs that cannot be pickled: nothing to remember
        self._queue([(self.disk.root / "runs" / f"{name}.pkl", data)])

    def recall(self, name: str) -> dict[str, Any] | None:
        """A record kept by ``remember``, if there is one."""
        if self.disk is None:
            return None
        try:
            record: dict[str, Any] = pickle.loads(
                (self.disk.root / "runs" / f"{name}.pkl").read_bytes()
            )
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

    def _queue(self, batch: list[_Record | tuple[str, Any] | tuple[Path, bytes]]) -> None:
        if self._held is not None:
            self._held += batch
            return
        self._start_writer()
        self._pending.put(batch)

    def _start_writer(self) -> None:
        if self._writer is None or not self._writer.is_alive():
            self._writer = threading.Thread(target=self._write_loop, daemon=True)
            self._writer.start()

    def _write_loop(self) -> None:
        while True:
            batch = self._pending.get()
            try:
                files = [r for r in batch if isinstance(r, tuple) and isinstance(r[0], Path)]
                for path, data in files:
                    _atomic_write(path, data)
                if self.disk is not None:
                    records = [
                        r for r in batch if not (isinstance(r, tuple) and isinstance(r[0], Path))
                    ]
                    self.disk.write(
                        r if isinstance(r, _Record) else _Record.of(*r) for r in records
                    )
            except Exception as e:  # a full disk must not break the notebook
                self.write_errors.append(f"{type(e).__name__}: {e}")
            finally:
                self._pending.task_done()

    def flush(self) -> None:
        """Wait until every queued value is on disk."""
        if self._writer is not None and self._writer.is_alive():
            self._pending.join()

    def clear(self) -> None:
        """Forget every value, in memory and on disk."""
        self.flush()
        self.memory.clear()
        if self.disk is not None:
            self.disk.clear()
