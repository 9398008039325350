"""Marketing data: ``@extract_columns``, ``@does`` with a helper in its own cell, ``@parameterize``
with ``value`` and ``source``."""

import numpy as np
import pandas as pd

from tests.corpus import Edit

_dates = pd.date_range("2022-01-01", periods=25, freq="D")
_rng = np.random.default_rng(7)


def _frame(columns: list[str]) -> pd.DataFrame:
    values = {c: _rng.integers(1, 100, len(_dates)).astype(float) for c in columns}
    return pd.DataFrame({"date": _dates, **values})


INPUTS = {
    "spend": _frame(["facebook", "twitter", "tv", "youtube", "radio", "billboards"]),
    "signups": _frame(["womens", "mens"]),
    "churn": _frame(["womens", "mens"]),
}
EDITS = [
    Edit(
        "does-helper",
        1,
        "return sum(series.values())",
        "return sum(series.values()) * 2",
        ("total_marketing_spend", "total_signups", "total_churn"),
    ),
    Edit(
        "parameter-value",
        5,
        'twitter_spend_smoothed={"lookback_days": value(7)',
        'twitter_spend_smoothed={"lookback_days": value(5)',
        ("twitter_spend_smoothed",),
    ),
    Edit(
        "body",
        4,
        "return total_marketing_spend / total_signups",
        "return total_marketing_spend / (total_signups + 1)",
        ("acquisition_cost",),
    ),
]
