"""The product bugs the corpus shows, one line each (the reasons of its strict xfails)."""

# known, being fixed elsewhere
HELPER_IN_DECORATOR = (
    "editing a helper that a decorator in another cell uses (step(_f), does(_f), "
    "subdag(*_f())) leaves stale values"
)
MUTATE_IN_LATER_CELL = "@mutate in a later cell than its target is refused"
PARALLELIZABLE = "Parallelizable/Collect nodes cannot be run"
CONFIG_KEY_AS_INPUT = "a config key that a node also takes as an input makes the run refused"
SUBDAG_OF_ANOTHER_MODULE = (
    "an edit in a %%dataflow module that @subdag reuses does not reach the subdag's nodes"
)

# found by the corpus
MUTATE_EDIT_IGNORED = (
    "editing a @mutate function, in its target's cell, leaves the target's stale value"
)
SIBLINGS_RECOMPUTED = (
    "an edit to one part of a decorated function (body, a decorator argument) recomputes "
    "every node Hamilton makes from it"
)
UPSTREAM_RECOMPUTES_SIBLINGS = (
    "a changed node recomputes every node of a @subdag that reads it, even the subdag's "
    "nodes that do not depend on it"
)
DECORATOR_TARGET_TAINTS_HELPER = (
    "editing a function named in a @mutate decorator recomputes the callers of the decorated helper"
)
