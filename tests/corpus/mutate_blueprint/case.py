"""``@mutate`` as Hamilton's example writes it: the data first, the mutations in later cells."""

from tests.corpus import Edit

EDITS = [
    Edit(
        "mutation-value",
        2,
        'value(["c", 145])',
        'value(["c", 146])',
        ("data_2.with_add_missing_value",),
    ),
    Edit(
        "source-data",
        1,
        '"col_2": [10, 23, 32, 50, 0]',
        '"col_2": [10, 23, 32, 50, 1]',
        ("data_3",),
    ),
    Edit(
        "mutation-body",
        3,
        "sort_values(by=columns[0])",
        "sort_values(by=columns[0], ascending=False)",
        ("data_1.with_sort", "data_2.with_sort"),
    ),
]
