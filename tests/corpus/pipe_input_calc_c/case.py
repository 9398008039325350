"""``@pipe_input`` with the optional step turned on by config: ``calc_c`` is also an input of
the functions written without pipes (Hamilton passes config to nodes that ask for it)."""

SAME_CELLS_AS = "pipe_input"
INPUTS = {"input_1": 1, "input_2": 2, "input_3": 3}
CONFIG = {"calc_c": True}
