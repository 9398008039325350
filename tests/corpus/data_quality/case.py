"""``@check_output`` on every feature (range, data type, values, NaNs), ``@config.when_in``."""

import pandas as pd

from tests.corpus import Edit

INPUTS = {
    "age": pd.Series([33.0, 50.0, 38.0, 39.0, 28.0, 36.0]),
    "seasons": pd.Series([1, 2, 3, 4, 1, 2]),
    "day_of_the_week": pd.Series([2, 3, 4, 5, 6, 2]),
    "son": pd.Series([0, 1, 2, 0, 1, 0]),
    "pet": pd.Series([1, 0, 0, 4, 0, 1]),
    "month_of_absence": pd.Series([1, 7, 12, 3, 2, 8]),
}
CONFIG = {"execution": "local"}
EDITS = [
    Edit("body", 1, "return age.mean()", "return age.median()", ("age_mean_raw",)),
    Edit(
        "check-range",
        1,
        "@check_output(range=(20.0, 60.0), data_type=np.float64)",
        "@check_output(range=(40.0, 60.0), data_type=np.float64)",
        ("age_mean_range_validator",),
    ),
    Edit("summer-months", 4, "isin([1, 2, 12])", "isin([1, 2, 3, 12])", ("is_summer_raw",)),
]
