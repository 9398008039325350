"""Feature engineering with ``@check_output`` (ranges and pandera schemas kept as constants in
their own cells), ``@extract_columns(fill_with=...)`` and ``@tag``."""

import pandas as pd

from tests.corpus import Edit

INPUTS = {
    "age": pd.Series([33.0, 50.0, 38.0, 39.0, 28.0, 36.0]),
    "seasons": pd.Series([1, 2, 3, 4, 1, 2]),
    "day_of_the_week": pd.Series([2, 3, 4, 5, 2, 3]),
    "son": pd.Series([0, 1, 2, 0, 1, 0]),
    "pet": pd.Series([1, 0, 0, 4, 0, 1]),
    "month_of_absence": pd.Series([1, 7, 12, 3, 2, 8]),
}
EDITS = [
    Edit("body", 1, "return age.std()", "return age.std(ddof=0)", ("age_std_dev_raw",)),
    Edit(
        "schema-constant",
        2,
        "pa.Check.in_range(-4.0, 4.0)",
        "pa.Check.in_range(-3.0, 3.0)",
        ("age_zero_mean_unit_variance_pandera_schema_validator",),
    ),
    Edit("summer-months", 6, "isin([1, 2, 12])", "isin([1, 2, 3, 12])", ("is_summer_raw",)),
]
