"""What changed in a node's value when it was computed again: the gist the widget marks it with
(``rows 1,204 → 1,187``, ``+ column margin``, ``price: int64 → float64``, ``3.1 → 3.4``).

The new value is compared with the one the cache kept under the node's previous key, when that
one is still in memory (a value only on disk is not read back for this). Equal values give no
gist, so an edit that changes nothing downstream leaves its descendants unmarked. Values are
compared through their content hashes (``cache.hashing``: a few milliseconds for millions of
rows); values of other kinds than DataFrames, Series, arrays, scalars and small collections
are not compared (no gist: nothing is claimed about them), and of a DataFrame with an object column
of over 100,000 rows only the shape, columns and dtypes (hashing its objects would take longer
than most nodes).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any

from hamilton_nb.cache.hashing import SCALARS, hash_value
from hamilton_nb.run.runbook import NodeRun

_SMALL = 10_000  # items of a list, dict, tuple or set compared by content
_LONG = 100_000  # rows of an object column past which only shape and dtypes are compared
_TEXT = 24  # characters of a scalar shown on each side of the arrow


def value_changes(
    previous: Mapping[str, NodeRun],
    keys: Mapping[str, str | None],
    results: Mapping[str, Any],
    kept: Callable[[str], tuple[bool, Any]],
) -> dict[str, str]:
    """Node -> gist, for the nodes of ``results`` whose value differs from the one computed
    before under another key (``previous``: each node's last record; ``kept``: the value kept
    in memory for a key, if it is)."""
    changes = {}
    for name, value in results.items():
        before = previous.get(name)
        old_key = before.key if before is not None else None
        if old_key is None or old_key == keys.get(name):
            continue
        found, old = kept(old_key)
        if found:
            text = gist(old, value)
            if text is not None:
                changes[name] = text
    return changes


def gist(old: Any, new: Any) -> str | None:
    """How ``new`` differs from ``old``, in a few words; None when they are equal or cannot be
    compared cheaply."""
    if type(old) is not type(new):
        return f"type {type(old).__name__} → {type(new).__name__}"
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(new, pandas.DataFrame | pandas.Series):
        described = _frame if isinstance(new, pandas.DataFrame) else _series
        if _cheap(old) and _cheap(new):
            return described(old, new) if hash_value(old) != hash_value(new) else None
        return described(old, new, compare=False)
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(new, numpy.ndarray):
        return _array(old, new) if hash_value(old) != hash_value(new) else None
    if isinstance(new, SCALARS) or (numpy is not None and isinstance(new, numpy.generic)):
        return None if _same_scalar(old, new) else f"{_short(old)} → {_short(new)}"
    if isinstance(new, list | dict | tuple | set | frozenset) and len(new) <= _SMALL:
        if hash_value(old) == hash_value(new):
            return None
        return f"{len(old):,} → {len(new):,} items" if len(old) != len(new) else "items changed"
    return None


def _same_scalar(old: Any, new: Any) -> bool:
    try:
        return bool(old == new) or (old != old and new != new)  # NaN stays NaN
    except Exception:
        return old is new


def _short(value: Any) -> str:
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.generic):
        value = value.item()  # 2.5, not np.float64(2.5)
    text = repr(value)
    return text if len(text) <= _TEXT else text[: _TEXT - 1] + "…"


def _rows(old: Any, new: Any) -> list[str]:
    return [f"rows {len(old):,} → {len(new):,}"] if len(old) != len(new) else []


def _cheap(value: Any) -> bool:
    """Whether a DataFrame or Series hashes in milliseconds: not with a long object column,
    whose objects must be converted or pickled to be hashed."""
    dtypes = value.dtypes if hasattr(value, "columns") else [value.dtype]
    return len(value) <= _LONG or all(getattr(t, "kind", "") != "O" for t in dtypes)


def _frame(old: Any, new: Any, compare: bool = True) -> str | None:
    parts = _rows(old, new)
    before, after = set(old.columns), set(new.columns)
    added = [str(c) for c in new.columns if c not in before]
    removed = [str(c) for c in old.columns if c not in after]
    if added:
        parts.append(f"+ column{'s' if len(added) > 1 else ''} {', '.join(added[:3])}")
    if removed:
        parts.append(f"- column{'s' if len(removed) > 1 else ''} {', '.join(removed[:3])}")
    retyped = [
        f"{c}: {old.dtypes[c]} → {new.dtypes[c]}"
        for c in new.columns
        if c in before
        and old.columns.is_unique
        and new.columns.is_unique
        and old.dtypes[c] != new.dtypes[c]
    ]
    parts += retyped[:2]
    return "; ".join(parts) or ("values changed" if compare else None)


def _series(old: Any, new: Any, compare: bool = True) -> str | None:
    parts = _rows(old, new)
    if old.dtype != new.dtype:
        parts.append(f"dtype {old.dtype} → {new.dtype}")
    if len(parts) == 0 and len(new) == 1 and compare:
        return f"{_short(old.iloc[0])} → {_short(new.iloc[0])}"
    return "; ".join(parts) or ("values changed" if compare else None)


def _array(old: Any, new: Any) -> str:
    parts = []
    if old.shape != new.shape:
        parts.append(f"shape {old.shape} → {new.shape}")
    if old.dtype != new.dtype:
        parts.append(f"dtype {old.dtype} → {new.dtype}")
    return "; ".join(parts) or "values changed"
