"""``@check_output(importance="fail")``: one cell, a check that passes."""

from tests.corpus import Edit

INPUTS = {"data_quality_should_fail": False}
EDITS = [
    Edit(
        "value",
        0,
        "return pd.Series([0.5])",
        "return pd.Series([0.25])",
        ("data_might_be_in_range_raw",),
    )
]
