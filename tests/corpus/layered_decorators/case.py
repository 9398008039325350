"""``@does`` over ``@parameterize_values`` over ``@config.when``, the helper in its own cell."""

from tests.corpus import Edit

INPUTS = {"b": 3}
CONFIG = {"foo": "bar"}
EDITS = [
    Edit(
        "does-helper",
        1,
        "return sum(kwargs.values())",
        "return 2 * sum(kwargs.values())",
        ("e", "f"),
    ),
    Edit("parameter-value", 2, '("e", "First value"): 10', '("e", "First value"): 12', ("e",)),
]
