"""``@mutate``: each target in the same cell as the functions that mutate it."""

from tests.corpus import Edit

INPUTS = {"input_1": 1, "input_2": 2, "input_3": 3}
EDITS = [
    Edit(
        "mutation",
        2,
        '"-post pipe 0-"',
        '"-post pipe zero-"',
        ("f_of_interest.with_mutate0", "chain_not_using_mutate"),  # it calls the mutations
    ),
    Edit(
        "helper-mutation",
        4,
        "return v + 1\n",
        "return v + 7\n",
        ("chain_1_using_mutate.a", "chain_1_not_using_mutate"),
    ),
    Edit("target-body", 4, "return v * 10", "return v * 11", ("chain_1_using_mutate.raw",)),
]
