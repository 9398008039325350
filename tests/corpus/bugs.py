"""What the product does not do yet on the corpus, one line each (the reasons of its strict
xfails: a case starts failing once it is fixed, and its mark must go)."""

SIBLINGS_RECOMPUTED = (
    "an edit to one part of a decorated function (body, a decorator argument, a @mutate step "
    "or a helper a @subdag or @pipe step uses) recomputes every node Hamilton makes from it"
)
PARALLEL_BLOCK_RERUNS = (
    "the nodes between Parallelizable and Collect are not cached per item: an edit inside the "
    "block runs the whole block again"
)
DECORATOR_TARGET_TAINTS_HELPER = (
    "editing a function named in a @mutate decorator recomputes the callers of the decorated helper"
)
