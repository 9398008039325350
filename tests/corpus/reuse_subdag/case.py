"""``@subdag`` reusing functions made by a helper, with ``@parameterize`` and ``@does`` after."""

from tests.corpus import Edit

EDITS = [
    Edit("reused-function", 2, "return c * 2", "return c * 3", ("v1.e", "v2.e", "v3.e", "v4.e")),
    Edit("source", 1, "def b() -> int:\n    return 2", "def b() -> int:\n    return 5", ("b",)),
    Edit(
        "does-helper",
        5,
        "return sum(kwargs.values())",
        "return sum(kwargs.values()) + 1",
        ("sum_everything",),
    ),
]
