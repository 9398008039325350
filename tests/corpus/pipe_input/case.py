"""``@pipe_input``: chains of steps on a function's input, made of helpers in their own cell."""

from tests.corpus import Edit

INPUTS = {"input_1": 1, "input_2": 2, "input_3": 3}
EDITS = [
    Edit(
        "helper-of-a-step",
        1,
        "return v + 1",
        "return v + 5",
        (
            "chain_1_using_pipe.a",
            "global.a",
            "chain_1_not_using_pipe",
            "chain_1_not_using_pipe_input_target_global",
        ),
    ),
    Edit("body", 4, "return v + 10", "return v + 20", ("chain_2_using_pipe",)),
    Edit("step-value", 4, "n=value(2)", "n=value(3)", ("chain_2_using_pipe.b",)),
]
