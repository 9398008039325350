"""What a session keeps of a run once it is done: values in the cache, the run's records, the
latest inputs for regression tests, and what the user should hear of it."""

from __future__ import annotations

from typing import Any

from hamilton_nb.cache.node_cache import NodeCache
from hamilton_nb.cache.values import sizes_of
from hamilton_nb.run.changes import value_changes
from hamilton_nb.run.execute import Outcome
from hamilton_nb.run.plan import Plan
from hamilton_nb.run.runbook import RunBook


def keep_run(
    module: str,
    cache: NodeCache,
    runs: RunBook,
    names: list[str],
    the_plan: Plan,
    outcome: Outcome,
    config: dict[str, Any],
) -> list[str]:
    """Cache what a run computed and record what it did; returns the notices to show."""
    sizes = {**sizes_of(outcome.results), **runs.loaded_sizes(the_plan)}
    keys = the_plan.keys
    # before the new values go in: they may push the previous ones out of memory
    changed = value_changes(runs.nodes, keys, outcome.results, cache.memory.peek)
    skip = the_plan.block | outcome.uncopied  # a node could change an uncopied value
    kept = ((n, v) for n, v in outcome.results.items() if n not in skip)
    refused = cache.put_many([(k, v, sizes[n]) for n, v in kept if (k := keys.get(n)) is not None])
    not_stored = {n: refused[k] for n in outcome.results if (k := keys.get(n)) in refused}
    runs.record(names, the_plan, outcome, sizes, not_stored, changed)
    runs.config = config
    record = runs.to_remember(config)
    if record is not None:
        cache.remember(module, record)
    notices = [
        f"{module}: '{n}' is not cached: its value cannot be copied apart"
        for n in sorted(outcome.uncopied)
    ]
    notices += [
        f"{module}: '{n}' is kept in memory only, not on disk ({reason})"
        for n, reason in not_stored.items()
    ]
    return notices + cache.take_notices()  # writes of earlier runs: they go on behind
