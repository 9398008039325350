"""Iris features: ``@parameterize_sources`` built from a constant list kept in its own cell."""

import pandas as pd

from tests.corpus import Edit

INPUTS = {
    "sepal_length_cm": pd.Series([5.1, 4.9, 6.3, 5.8, 7.1, 6.5]),
    "sepal_width_cm": pd.Series([3.5, 3.0, 3.3, 2.7, 3.0, 3.2]),
    "petal_length_cm": pd.Series([1.4, 1.4, 6.0, 5.1, 5.9, 4.6]),
    "petal_width_cm": pd.Series([0.2, 0.2, 2.5, 1.9, 2.1, 1.5]),
    "target_class": pd.Series(["setosa", "setosa", "virginica", "virginica", "virginica", "x"]),
}
_COLUMNS = ("sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm")
EDITS = [
    Edit(
        "statistic",
        3,
        "return col.std()",
        "return col.std(ddof=0)",
        tuple(f"{c}_std" for c in _COLUMNS),
    ),
    Edit(
        "normalisation",
        4,
        "return (col - col_mean) / col_std",
        "return (col - col_mean) / (2 * col_std)",
        tuple(f"{c}_normalized" for c in _COLUMNS),
    ),
]
