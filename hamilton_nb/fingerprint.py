"""Code fingerprints: a function's normalised code and all module-level code it reads."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


def digest(*parts: str) -> str:
    """A short, stable hash of some strings."""
    joined = "\x00".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(joined, digest_size=12).hexdigest()


@dataclass(frozen=True)
class Code:
    """What the index knows of one module-level name: its own digest and the names it reads."""

    digest: str
    reads: frozenset[str]


@dataclass
class CodeIndex:
    """Own digests and reads of every module-level name, and the reverse (who reads a name).

    Responsibilities: answer "what is the fingerprint of this function" (its code and the code of
    every helper, constant and import it reads, followed through helpers, cycles allowed) and
    "which names are affected when these names change". Changes are staged and committed, so a
    rejected cell leaves the index as it was.
    """

    codes: dict[str, Code] = field(default_factory=dict)
    readers: dict[str, set[str]] = field(default_factory=dict)

    def stage(self, upsert: Mapping[str, Code], remove: Iterable[str]) -> StagedIndex:
        """A read-only view of the index with ``upsert`` and ``remove`` applied."""
        return StagedIndex(self, dict(upsert), frozenset(remove) - upsert.keys())

    def commit(self, staged: StagedIndex) -> None:
        """Apply a staged change (mutates the index)."""
        for name in staged.removed | staged.upsert.keys():
            old = self.codes.pop(name, None)
            if old is not None:
                for read in old.reads:
                    self.readers.get(read, set()).discard(name)
        for name, code in staged.upsert.items():
            self.codes[name] = code
            for read in code.reads:
                self.readers.setdefault(read, set()).add(name)


@dataclass(frozen=True)
class StagedIndex:
    """The index as it would be after a change; answers fingerprint questions on that state."""

    base: CodeIndex
    upsert: dict[str, Code]
    removed: frozenset[str]

    def code(self, name: str) -> Code | None:
        """The staged code of ``name``, or None if the name is not (or no longer) defined."""
        if name in self.upsert:
            return self.upsert[name]
        if name in self.removed:
            return None
        return self.base.codes.get(name)

    def fingerprint(self, name: str) -> str:
        """Hash of ``name``'s code and of every defined name it reads, transitively."""
        seen = {name}
        todo = [name]
        parts: list[str] = []
        while todo:
            current = todo.pop()
            code = self.code(current)
            if code is None:
                continue
            parts.append(f"{current}={code.digest}")
            for read in code.reads:
                if read not in seen:
                    seen.add(read)
                    todo.append(read)
        return digest(*sorted(parts))

    def changed_names(self) -> set[str]:
        """Names whose own code differs between the base and this staged state."""
        changed = {n for n in self.removed if n in self.base.codes}
        changed |= {n for n, c in self.upsert.items() if self.base.codes.get(n) != c}
        return changed

    def affected(self, changed: Iterable[str]) -> set[str]:
        """Every name that reads one of ``changed``, directly or through other names."""
        seen: set[str] = set()
        todo = list(changed)
        staged_readers: dict[str, set[str]] = {}
        for name, code in self.upsert.items():
            for read in code.reads:
                staged_readers.setdefault(read, set()).add(name)
        while todo:
            current = todo.pop()
            for reader in self.base.readers.get(current, set()) | staged_readers.get(
                current, set()
            ):
                if reader not in seen:
                    seen.add(reader)
                    todo.append(reader)
        return seen
