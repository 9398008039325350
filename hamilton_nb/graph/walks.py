"""Graph algorithms as free functions over a neighbour function: reach, order, cycles.

Every walk in the package goes through here, over nodes (``consumers``, dependencies) or over
module-level names (who reads whom). All are iterative, so a 5,000-deep chain is fine.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T", bound=Hashable)
_LEAVE: Any = object()  # on the walk's stack: the name beneath it is finished
Neighbours = Callable[[T], Iterable[T]]


def reachable(roots: Iterable[T], neighbours: Neighbours[T]) -> set[T]:
    """Everything reached from ``roots`` through ``neighbours`` (the roots only if reached)."""
    seen: set[T] = set()
    todo = list(roots)
    while todo:
        for nxt in neighbours(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def post_order(roots: Iterable[T], expand: Neighbours[T]) -> list[T]:
    """The roots and everything ``expand`` reaches from them, each after all it reaches.

    ``expand`` is called once per name, when the walk enters it, so it may decide there
    (and record) whether to go further: return nothing to stop at a name.
    """
    order: list[T] = []
    entered: set[T] = set()
    stack: list[Any] = list(roots)
    push, pop = stack.append, stack.pop
    while stack:
        name = pop()
        if name is _LEAVE:  # back above everything the name below it reaches
            order.append(pop())
            continue
        if name in entered:
            continue  # met again through another path
        entered.add(name)
        push(name)
        push(_LEAVE)
        for nxt in expand(name):
            if nxt not in entered:
                push(nxt)
    return order


def find_cycle(roots: Iterable[T], neighbours: Callable[[T], Iterable[T]]) -> list[T] | None:
    """A cycle reachable from ``roots``, as ``[a, b, ..., a]``, or None. Neighbours are visited
    in sorted order, so the cycle reported is the same from one run to the next."""
    state: dict[T, int] = {}  # 1: on the current path, 2: finished
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        path = [root]
        stack: list[Iterator[T]] = [iter(sorted(neighbours(root)))]  # type: ignore[type-var]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(neighbours(nxt))))  # type: ignore[type-var]
    return None
