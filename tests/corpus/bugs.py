"""What the product does not do yet on the corpus, one line each (the reasons of its strict
xfails: a case starts failing once it is fixed, and its mark must go)."""

PARALLEL_BLOCK_RERUNS = (
    "the nodes between Parallelizable and Collect are not cached per item: an edit inside the "
    "block runs the whole block again"
)
