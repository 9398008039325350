"""Readable names of type annotations, as messages, fingerprints and the widget show them."""

from __future__ import annotations

from typing import Any


def type_name(t: Any) -> str:
    """A readable name for a type annotation."""
    if isinstance(t, type):
        return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"
    return repr(t).replace("typing.", "")
