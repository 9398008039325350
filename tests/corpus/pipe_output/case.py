"""``@pipe_output``: steps after a function's body, some switched on by config (``.when``)."""

from tests.corpus import Edit

INPUTS = {"input_1": 1, "input_2": 2, "input_3": 3}
CONFIG = {"key": "Yes"}
EDITS = [
    Edit(
        "helper-of-a-step",
        1,
        '"-post pipe 0-"',
        '"-post pipe zero-"',
        ("f_of_interest.with_pipe_output0", "chain_not_using_pipe_output"),
    ),
    Edit(
        "body",
        3,
        '"-raw function-"',
        '"-the raw function-"',
        ("f_of_interest.raw", "chain_not_using_pipe_output"),
    ),
    Edit(  # chain_not_using_pipe_output calls upstream() itself
        "source-node", 2, '"-upstream-"', '"-up-"', ("upstream", "chain_not_using_pipe_output")
    ),
]
