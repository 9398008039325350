"""Which functions a ``@mutate`` decorator changes, read from its source (Hamilton's remote
decorator: the target is named in another function's decorator)."""

from __future__ import annotations

import ast


def mutated(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> frozenset[str]:
    """Names of the functions a ``@mutate(f, apply_to(g).named("x"), ...)`` decorator targets."""
    targets: set[str] = set()
    for deco in fn.decorator_list:
        if not isinstance(deco, ast.Call):
            continue
        name = deco.func.id if isinstance(deco.func, ast.Name) else getattr(deco.func, "attr", "")
        if name == "mutate":
            targets |= {t for arg in deco.args if (t := _mutate_target(arg)) is not None}
    return frozenset(targets)


def _mutate_target(arg: ast.expr) -> str | None:
    """``f``, from ``f``, ``apply_to(f, ...)`` or ``apply_to(f).named(...).when(...)``."""
    while isinstance(arg, ast.Call):
        func = arg.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
            arg = func.value  # a method of what apply_to(...) returned
        elif arg.args:
            arg = arg.args[0]
        else:
            return None
    return arg.id if isinstance(arg, ast.Name) else None
