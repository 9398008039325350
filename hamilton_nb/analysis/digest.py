"""The one hash of strings that code digests, fingerprints and cache keys are made of."""

from __future__ import annotations

import hashlib


def digest(*parts: str) -> str:
    """A short, stable hash of some strings."""
    joined = "\x00".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(joined, digest_size=12).hexdigest()
