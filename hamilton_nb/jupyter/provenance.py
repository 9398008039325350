"""What produced a node, said for the widget: which decorated function, by which decorator,
and the line of its source that makes it ("column `usage_m1` extracted from `customers` by
@extract_columns"); and the functions a config turns off (``@config.when``)."""

from __future__ import annotations

from typing import TypedDict

from hamilton_nb.analysis.decorators import Decorator, decorators
from hamilton_nb.ids import CellId
from hamilton_nb.sessions.records import CellRecord

_EXTRACT = {"extract_columns": "column", "extract_fields": "field"}
_PARAMETERIZE = ("parameterize", "parameterize_sources", "parameterize_values")
_CHECK = ("check_output", "check_output_custom")
_STEPS = ("pipe", "pipe_input", "pipe_output", "flow", "mutate", "step", "apply_to")


class Origin(TypedDict):
    function: str
    decorators: list[str]  # outermost first
    text: str
    source_line: int | None  # in the function's source (1-based, decorators included)


class Disabled(TypedDict):
    function: str
    cell: CellId
    condition: str  # "score=fitted"


def _base(function: str, found: tuple[Decorator, ...]) -> str:
    """The node a function names: without the ``__suffix`` of a ``@config.when`` variant."""
    configured = any(d.name.startswith("config.") for d in found)
    return function.rsplit("__", 1)[0] if configured and "__" in function else function


def _sentence(node: str, function: str, found: tuple[Decorator, ...]) -> tuple[str, Decorator]:
    """What made ``node`` (as a sentence) and the decorator that did."""
    base = _base(function, found)
    by = {d.name: d for d in found}
    for name, kind in _EXTRACT.items():
        if name in by and node != base:
            return f"{kind} `{node}` extracted from `{function}` by @{name}", by[name]
        if name in by:
            said = f"`{node}` as `{function}` returns it; @{name} makes a node of each {kind}"
            return said, by[name]
    for name in _PARAMETERIZE:
        if name in by:
            return f"`{node}` is one of the nodes @{name} makes from `{function}`", by[name]
    for name in _CHECK:
        if name in by and node.endswith("_validator"):
            return f"validator of `{base}` added by @{name}", by[name]
        if name in by and node == f"{base}_raw":
            return f"`{base}` as `{function}` returns it, before @{name} checks it", by[name]
    for name in _STEPS:
        if name in by and node != base:
            step = node.rsplit(".", 1)[-1]
            return f"step `{step}` of `{function}` by @{name}", by[name]
    config = next((d for d in found if d.name.startswith("config.")), None)
    if config is not None and node == base:
        return f"`{node}` from `{function}`, on while {config.condition} (@{config.name})", config
    names = " ".join(f"@{d.name}" for d in found)
    return f"`{node}` made by `{function}`" + (f" with {names}" if names else ""), found[0]


def origin(node: str, function: str, made: int, statement: str) -> Origin | None:
    """What produced ``node``: function ``function`` (whose statement is ``statement``), which
    makes ``made`` nodes. None for a plain function making one node of its own name."""
    if (node == function and made == 1) or not statement.startswith("@"):
        return None
    found = decorators(statement)
    if not found:
        return None
    text, decorator = _sentence(node, function, found)
    step = node.rsplit(".", 1)[-1]
    line = decorator.names.get(node) or decorator.names.get(step) or decorator.line
    return {
        "function": function,
        "decorators": [d.name for d in found],
        "text": text,
        "source_line": line,
    }


def disabled(record: CellRecord) -> list[Disabled]:
    """The functions of a cell that make no node under the current config, with the
    condition that would turn them on."""
    off: list[Disabled] = []
    for function in record.functions:
        d = record.analysis.definition(function)
        if record.nodes.get(function) or d is None:
            continue
        found = decorators(d.source)
        condition = ", ".join(x.condition for x in found if x.condition) or "config"
        off.append({"function": function, "cell": record.id, "condition": condition})
    return off
