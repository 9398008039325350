"""Where cached values are kept: in memory (size-capped, least recently used out first) and on
disk (atomic writes, every entry checked when read). Both answer ``get`` / ``contains`` /
``clear`` (``Store``); ``NodeCache`` puts them together."""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from hamilton_nb.cache import values

MAGIC = b"HNB1"
_HEADER = struct.Struct("<4s8sQ16s24s")  # magic, kind, payload length, payload digest, key
SMALL = 64 * 1024  # pickles under this size are packed together, one file per batch


class Store(Protocol):
    """What every store answers."""

    def get(self, key: str) -> tuple[bool, Any]:
        """(found, value)."""
        ...

    def contains(self, key: str) -> bool:
        """Whether a value is kept for ``key``."""
        ...

    def clear(self) -> None:
        """Forget everything."""
        ...


class MemoryStore:
    """Values by key, least recently used evicted first once their sizes exceed ``cap``."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.used = 0
        self._items: OrderedDict[str, tuple[Any, int]] = OrderedDict()

    def __contains__(self, key: str) -> bool:
        return key in self._items

    def contains(self, key: str) -> bool:
        """Whether a value is kept for ``key`` (without making it the most recently used)."""
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
class Record:
    key: str
    kind: str
    payload: bytes

    @staticmethod
    def of(key: str, value: Any) -> Record:
        """Serialise a value (see ``values.dumps``)."""
        kind, payload = values.dumps(value)
        return Record(key, kind, payload)

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

    def write(self, records: Iterable[Record]) -> None:
        """Write records: small ones into one new pack, large ones into files of their own."""
        small = []
        for record in records:
            if record.kind == values.PICKLE and len(record.payload) < SMALL:
                small.append(record)
            else:
                atomic_write(self._object_path(record.key), record.encode())
                with self._lock:
                    self._objects.add(record.key)
        if small:
            pack = self.root / "packs" / f"{uuid.uuid4().hex}.pack"
            atomic_write(pack, b"".join(r.encode() for r in small))
            with self._lock:
                if self._packs is not None:
                    _scan(pack, self._packs)

    def clear(self) -> None:
        """Delete every entry."""
        with self._lock:
            shutil.rmtree(self.root, ignore_errors=True)
            self._packs = None
            self._objects = set()


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


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with tmp.open("wb") as f:
        f.write(data)
    os.replace(tmp, path)
