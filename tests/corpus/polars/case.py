"""Polars series features from a frame split by ``@extract_columns``."""

from tests.corpus import Edit

INPUTS = {"base_df_location": "unused.csv"}
EDITS = [
    Edit(
        "loader-data",
        1,
        '"spend": pl.Series([10, 10, 20, 40, 40, 50])',
        '"spend": pl.Series([10, 15, 20, 40, 45, 50])',
        ("base_df",),
    ),
    Edit("window", 2, "rolling_mean(3)", "rolling_mean(2)", ("avg_3wk_spend",)),
    Edit("std-ddof", 3, "spend.std()", "spend.std(ddof=0)", ("spend_std_dev",)),
]
