"""The decorators of a function's statement, read from its source: their names, lines and the
strings they hold (the columns of ``@extract_columns``, the nodes of ``@parameterize``, a
step's name, a config condition). Pure: the source is parsed, nothing is run."""

from __future__ import annotations

import ast
from dataclasses import dataclass

_CONFIG = ("when", "when_not", "when_in", "when_not_in")


@dataclass(frozen=True)
class Decorator:
    """One decorator of a ``def``.

    Attributes:
        name: as Hamilton's documentation names it: ``extract_columns``, ``config.when``.
        line: its first line, counted from the statement's first line (1).
        names: each string constant or keyword it holds -> the line where it first appears.
        condition: for ``@config.when...``, its keywords as ``key=value`` (``score=fitted``;
            ``score!=fitted`` for a ``when_not``).
    """

    name: str
    line: int
    names: dict[str, int]
    condition: str = ""


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return node.id if isinstance(node, ast.Name) else ""


def _name(expr: ast.expr) -> str:
    parts = _dotted(expr.func if isinstance(expr, ast.Call) else expr).split(".")
    return ".".join(parts[-2:]) if parts[-1] in _CONFIG and len(parts) > 1 else parts[-1]


def _condition(name: str, call: ast.expr) -> str:
    if not isinstance(call, ast.Call) or not name.startswith("config."):
        return ""
    sign = "!=" if name.endswith("_not") or name.endswith("_not_in") else "="
    parts = []
    for k in call.keywords:
        v = k.value
        value = (
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else ast.unparse(v)
        )
        parts.append(f"{k.arg}{sign}{value}")
    return ", ".join(parts)


def _names(expr: ast.expr) -> dict[str, int]:
    found: dict[str, int] = {}
    for node in ast.walk(expr):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.setdefault(node.value, node.lineno)
        elif isinstance(node, ast.keyword) and node.arg is not None:
            found.setdefault(node.arg, node.value.lineno)
    return found


def decorators(statement: str) -> tuple[Decorator, ...]:
    """The decorators of the ``def`` in ``statement``, outermost first; none when it is not
    one (or does not parse)."""
    try:
        tree = ast.parse(statement)
    except SyntaxError:
        return ()
    fn = tree.body[0] if tree.body else None
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return ()
    found = []
    for d in fn.decorator_list:
        name = _name(d)
        found.append(Decorator(name, d.lineno, _names(d), _condition(name, d)))
    return tuple(found)
