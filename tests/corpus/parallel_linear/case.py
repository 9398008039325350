"""``Parallelizable`` / ``Collect``: a fan-out over steps and a sum of what they computed."""

from tests.corpus import Edit, bugs

DYNAMIC = True
TARGETS = ["final", "number_of_steps"]
EDITS = [
    Edit("a-parallel-step", 3, "return steps**3", "return steps**3 + 1", ("step_cubed",)),
    Edit(
        "after-the-join",
        5,
        "return sum_step_squared_plus_step_cubed",
        "return sum_step_squared_plus_step_cubed + 1",
        ("final",),
    ),
]

XFAIL = {
    "exact 0": bugs.PARALLEL_BLOCK_RERUNS,
}
