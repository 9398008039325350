"""Where cached values are kept: in memory (size-capped, least recently used out first) and on
disk (atomic writes, every entry authenticated when read: ``trust``; size-capped too, least
recently used out first: ``eviction``). Both answer ``get`` / ``contains`` / ``clear``
(``Store``); ``NodeCache`` puts them together."""

from __future__ import annotations

import contextlib
import shutil
import struct
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from hamilton_nb.cache import eviction, faults, values
from hamilton_nb.cache.trust import Signer, user_signer

MAGIC = b"HNB2"
_HEADER = struct.Struct("<4s8sQ32s24s")  # magic, kind, payload length, MAC, key
_SIGNED = struct.Struct("<4s8sQ24s")  # what the MAC covers, with the payload: all but the MAC
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

    def peek(self, key: str) -> tuple[bool, Any]:
        """(found, value), leaving the order of use as it was."""
        item = self._items.get(key)
        return (False, None) if item is None else (True, item[0])

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

    def encode(self, signer: Signer) -> bytes:
        """Header (with the MAC of the header and payload) + payload."""
        kind, key, length = self.kind.encode().ljust(8, b"\0"), self.key.encode(), len(self.payload)
        mac = signer.mac(_SIGNED.pack(MAGIC, kind, length, key), self.payload)
        return _HEADER.pack(MAGIC, kind, length, mac, key) + self.payload


class Untrusted(ValueError):
    """An entry whose MAC is not this user's."""


class DiskStore:
    """Values on disk under ``root``; every write is atomic (temporary file + rename).

    Large values get a file each (``objects/``); small pickles written in one batch share a
    pack file (``packs/``). Every record carries a MAC made with the user's secret (``signer``):
    an entry that is truncated, corrupt or written by someone else reads as a miss (and is
    recomputed), never as a wrong value, and is never unpickled. A folder that cannot be written
    to (or an entry that cannot be removed) makes the store read-only (``writable``); what
    the user should hear of goes to ``notices``, once.

    The folder holds ``cap`` bytes at most once ``sweep`` has run (the writer thread runs it
    after writing): the entries used least recently go first (a pack as a whole, see
    ``eviction``); an entry gone is a miss. A read, or ``touch``, marks an entry used.
    """

    def __init__(
        self,
        root: Path,
        signer: Signer | None = None,
        notices: faults.Notices | None = None,
        cap: int | None = None,
    ) -> None:
        self.root = root
        self.cap = cap if cap is not None else eviction.default_cap(root)
        self.notices = notices if notices is not None else faults.Notices()
        if signer is None:
            signer, problem = user_signer()
            if problem is not None:
                self.notices.tell("secret", problem)
        self.signer = signer
        self.writable = True
        self._packs: dict[str, tuple[Path, int, int]] | None = None  # key -> file, offset, size
        self._objects: set[str] = set()
        self._lock = threading.Lock()
        self._used: set[str] = set()  # keys read since the last sweep
        self._measured: int | None = None  # bytes in the folder when last measured
        self._written = 0  # bytes written since

    def _object_path(self, key: str) -> Path:
        return self.root / "objects" / key[:2] / key

    def _index(self) -> dict[str, tuple[Path, int, int]]:
        if self._packs is not None:  # read without the lock: a miss at worst, never wrong
            return self._packs
        with self._lock:
            if self._packs is None:  # one look at the directory; writes keep it up to date
                packs: dict[str, tuple[Path, int, int]] = {}
                for pack in sorted((self.root / "packs").glob("*.pack")):
                    _scan(pack, packs, self.signer)
                found = [*self.root.glob("objects/*/*"), *self.root.glob("*/.*.tmp")]
                faults.sweep(p for p in found if faults.is_temporary(p))  # of killed writers
                self._objects = {p.name for p in found if not faults.is_temporary(p)}
                self._packs = packs  # last: a reader without the lock sees all of it or none
            return self._packs

    def contains(self, key: str) -> bool:
        """Whether an entry exists (it may still turn out corrupt when read)."""
        return key in self._index() or key in self._objects

    def get(self, key: str) -> tuple[bool, Any]:
        """(found, value); an entry that is unreadable, corrupt or not signed with the user's
        secret reads as a miss (and is removed); its bytes are never unpickled."""
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
            value = _decode(data, key, self.signer)
        except Untrusted:
            self.notices.tell(
                "untrusted",
                f"hamilton_nb: the disk cache in {self.root} holds values that were not written"
                " by you (they are not signed with your secret) or are damaged: they are"
                " computed again, never loaded.",
            )
        except Exception:
            pass  # truncated, another format, or a value that no longer loads
        else:
            self.touch(key)
            return True, value
        self._forget(key)
        return False, None

    def touch(self, key: str) -> None:
        """Mark ``key``'s entry as used now (its file's time is set by the next ``sweep``)."""
        with self._lock:  # the sweep takes the set away
            self._used.add(key)

    def _forget(self, key: str) -> None:
        with self._lock:
            if self._packs is not None:
                self._packs.pop(key, None)
            self._objects.discard(key)
        if not self.writable:
            return
        try:
            self._object_path(key).unlink(missing_ok=True)
        except OSError as e:
            self.cannot_write(e)

    def cannot_write(self, error: OSError) -> None:
        """Stop writing to (and removing from) a folder that refused a change (mutates)."""
        self.writable = False
        self.notices.tell(
            "unwritable",
            f"hamilton_nb: the disk cache in {self.root} cannot be changed"
            f" ({type(error).__name__}: {error}); for the rest of this session, new values"
            " are kept in memory only.",
        )

    def write(self, records: Iterable[Record]) -> None:
        """Write records: small ones into one new pack, large ones into files of their own
        (nothing once the store is read-only)."""
        if not self.writable:
            return
        small = []
        for record in records:
            if len(record.payload) > self.cap:  # it would be the first thing evicted
                self.notices.tell(
                    "over cap",
                    f"hamilton_nb: a value of {len(record.payload) / 2**20:.1f} MiB is larger"
                    f" than the disk cache's cap ({self.cap / 2**20:.1f} MiB): it is kept in"
                    " memory only. `%dataflow cache --max-disk SIZE` sets the cap.",
                )
                continue
            if record.kind == values.PICKLE and len(record.payload) < SMALL:
                small.append(record)
            else:
                self.write_file(self._object_path(record.key), record.encode(self.signer))
                with self._lock:
                    self._objects.add(record.key)
        if small:
            pack = self.root / "packs" / f"{uuid.uuid4().hex}.pack"
            encoded = [r.encode(self.signer) for r in small]
            self.write_file(pack, b"".join(encoded))
            with self._lock:
                if self._packs is not None:
                    offset = 0
                    for record, data in zip(small, encoded, strict=True):
                        self._packs[record.key] = (pack, offset, len(data))
                        offset += len(data)

    def write_file(self, path: Path, data: bytes) -> None:
        """Write a file of the folder atomically, counted against the cap."""
        faults.atomic_write(path, data)
        self._written += len(data)
        with contextlib.suppress(OSError):  # written a moment ago: recent enough
            eviction.mark_used(path)

    def size(self) -> int:
        """The bytes every file in the folder holds now."""
        return eviction.scan(self.root)[1]

    def sweep(self) -> None:
        """Set the time of the entries read since the last sweep to now; then, if the folder
        may hold more than ``cap`` bytes, remove the least recently used entries until it
        does not (mutates; the writer thread runs it)."""
        with self._lock:
            used, self._used = self._used, set()
        if not self.writable:
            return
        for path in {p for key in used if (p := self._path_of(key)) is not None}:
            with contextlib.suppress(OSError):  # evicted meanwhile, by another kernel too
                eviction.mark_used(path)
        if self._measured is not None and self._measured + self._written <= self.cap:
            return
        self._written = 0
        entries, total = eviction.scan(self.root)
        removed: set[Path] = set()
        try:
            for entry in eviction.least_recent(entries, total, self.cap):
                entry.path.unlink(missing_ok=True)
                removed.add(entry.path)
                total -= entry.size
        except OSError as e:
            self.cannot_write(e)
        self._measured = total
        with self._lock:
            if self._packs is not None:
                for key in [k for k, where in self._packs.items() if where[0] in removed]:
                    del self._packs[key]
            self._objects -= {p.name for p in removed if p.parent.parent.name == "objects"}

    def _path_of(self, key: str) -> Path | None:
        where = self._index().get(key)
        if where is not None:
            return where[0]
        return self._object_path(key) if key in self._objects else None

    def clear(self) -> None:
        """Delete every entry."""
        with self._lock:
            shutil.rmtree(self.root, ignore_errors=True)
            self._packs = None
            self._objects = set()
            self._measured, self._written = 0, 0


def _scan(pack: Path, packs: dict[str, tuple[Path, int, int]], signer: Signer) -> None:
    """Index the records of a pack file: key -> (file, offset, size). A key indexed from another
    pack already is taken from this one only if its record here is signed with the user's
    secret: a copy written by someone else never hides the user's own (records are checked
    when read; here only where two packs hold one key)."""
    try:
        data = pack.read_bytes()
    except OSError:
        return
    offset = 0
    while offset + _HEADER.size <= len(data):
        magic, kind, length, mac, key = _HEADER.unpack_from(data, offset)
        start, end = offset + _HEADER.size, offset + _HEADER.size + length
        try:
            name = key.decode()
        except UnicodeDecodeError:
            name = ""
        if magic != MAGIC or not name or end > len(data):
            return  # damaged from here on (a length past the end too): what follows is a miss
        signed = _SIGNED.pack(magic, kind, length, key)
        if name not in packs or signer.check(mac, signed, memoryview(data)[start:end]):
            packs[name] = (pack, offset, end - offset)
        offset = end


def _decode(data: bytes, key: str, signer: Signer) -> Any:
    """The value of an entry, loaded only once its MAC is found to be the user's.

    Raises:
        Untrusted: the MAC does not match (written by someone else, or damaged).
        ValueError: not an entry of this format for this key, or truncated.
    """
    magic, kind, length, mac, stored_key = _HEADER.unpack_from(data, 0)
    payload = data[_HEADER.size : _HEADER.size + length]
    if magic != MAGIC or stored_key.decode() != key or len(payload) != length:
        raise ValueError("not a hamilton_nb cache entry for this key")
    if not signer.check(mac, _SIGNED.pack(magic, kind, length, stored_key), payload):
        raise Untrusted(f"cache entry {key} is not signed with this user's secret")
    return values.loads(kind.rstrip(b"\0").decode(), payload)
