"""NumPy air quality analysis: arrays read from a CSV file, helpers in their own cell, a t-test
on random samples."""

import numpy as np

from tests.corpus import Edit


def _csv() -> str:
    """120 hours of 7 pollutants (the tutorial's columns), small and reproducible."""
    rng = np.random.default_rng(3)
    hours = np.arange("2020-03-01T00", "2020-03-06T00", dtype="datetime64[h]")
    header = "datetime,PM2.5,PM10,NO2,NH3,SO2,CO,O3"
    rows = [
        ",".join([str(h).replace("T", " ") + ":00", *(f"{v:.2f}" for v in rng.uniform(1, 30, 7))])
        for h in hours
    ]
    return "\n".join([header, *rows]) + "\n"


FILES = {"air-quality-data.csv": _csv()}
INPUTS = {
    "input_file_name": "air-quality-data.csv",
    "after_lock_date": "2020-03-04T00",
    "before_lock_date": "2020-03-03T23",
}
UNSEEDED = dict.fromkeys(
    ["rng", "before_sample", "after_sample", "t_value", "p_value"],
    "numpy's default_rng() without a seed: two Hamilton runs differ too",
)
EDITS = [
    Edit(
        "helper",
        1,
        "return ret[n - 1 :] / n",
        "return ret[n - 1 :] / n * 1.5",
        ("pollutants_A_24hr_avg", "pollutants_B_8hr_avg"),
    ),
    Edit(
        "table",
        3,
        "np.array([0, 51, 101, 201, 301, 401, 501])",
        "np.array([0, 50, 100, 200, 300, 400, 500])",
        ("AQI",),
    ),
    Edit(
        "lockdown",
        6,
        "datetime_index >= np.datetime64(after_lock_date)",
        "datetime_index > np.datetime64(after_lock_date)",
        ("after_lock",),
    ),
]
