"""Code fingerprints: a function's normalised code and all module-level code it reads."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from hamilton_nb.analysis.digest import digest
from hamilton_nb.graph.walks import reachable


@dataclass(frozen=True)
class Code:
    """What the index knows of one module-level name: its own digest and the names it reads;
    for a function, also those of its ``def`` without decorators (``undecorated``)."""

    digest: str
    reads: frozenset[str]
    undecorated: tuple[str, frozenset[str]] | None = None


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
    _version: str | None = None

    def version(self) -> str:
        """A digest of every name's code: equal for equal code, in this kernel or the next."""
        if self._version is None:
            self._version = digest(*sorted(f"{n}={c.digest}" for n, c in self.codes.items()))
        return self._version

    def undecorated_fingerprint(self, name: str) -> str | None:
        """``StagedIndex.undecorated_fingerprint`` of a defined name, as committed; None: the
        name is not defined by a cell."""
        if name not in self.codes:
            return None
        return self.stage({}, ()).undecorated_fingerprint(name)

    def stage(self, upsert: Mapping[str, Code], remove: Iterable[str]) -> StagedIndex:
        """A read-only view of the index with ``upsert`` and ``remove`` applied."""
        return StagedIndex(self, dict(upsert), frozenset(remove) - upsert.keys())

    def commit(self, staged: StagedIndex) -> None:
        """Apply a staged change (mutates the index)."""
        self._version = None
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
        names = reachable([name], self._reads) | {name}
        return digest(*sorted(f"{n}={code.digest}" for n in names if (code := self.code(n))))

    def undecorated_fingerprint(
        self, name: str, bare: Callable[[str], bool] = lambda _: False
    ) -> str:
        """Like ``fingerprint``, for a function without its decorators: its ``def``'s code and
        every defined name the ``def`` reads, transitively (the names only its decorators read
        are left out).

        ``bare(n)``: calling the value bound to ``n`` runs ``n``'s ``def`` as written (its
        decorators returned the function itself, as ``@mutate`` does); such a helper counts
        without its decorators too, so what its decorators read does not reach its callers.
        """
        code = self.code(name)
        if code is None or code.undecorated is None:
            return self.fingerprint(name)

        def part(n: str) -> tuple[str, frozenset[str]] | None:
            c = self.code(n)
            if c is None:
                return None
            return c.undecorated if c.undecorated is not None and bare(n) else (c.digest, c.reads)

        def part_reads(n: str) -> frozenset[str]:
            p = part(n)
            return p[1] if p is not None else frozenset()

        own, reads = code.undecorated
        names = reachable(reads, part_reads) | set(reads)  # itself only if a callee calls it
        return digest(f"{name}={own}", *sorted(f"{n}={p[0]}" for n in names if (p := part(n))))

    def _reads(self, name: str) -> frozenset[str]:
        code = self.code(name)
        return code.reads if code is not None else frozenset()

    def changed_names(self) -> set[str]:
        """Names whose own code differs between the base and this staged state."""
        changed = {n for n in self.removed if n in self.base.codes}
        changed |= {n for n, c in self.upsert.items() if self.base.codes.get(n) != c}
        return changed

    def affected(self, changed: Iterable[str]) -> set[str]:
        """Every name that reads one of ``changed``, directly or through other names."""
        staged_readers: dict[str, set[str]] = {}
        for name, code in self.upsert.items():
            for read in code.reads:
                staged_readers.setdefault(read, set()).add(name)
        base = self.base.readers

        def readers(name: str) -> set[str]:
            return base.get(name, set()) | staged_readers.get(name, set())

        return reachable(changed, readers)
