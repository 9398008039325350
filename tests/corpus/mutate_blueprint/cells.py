# The cells of original.py, in the order they are written in a notebook.
# %% imports
from typing import Any, List

import pandas as pd

from hamilton.function_modifiers import mutate, source, value

# %% data
def data_1() -> pd.DataFrame:
    df = pd.DataFrame.from_dict({"col_1": [3, 2, pd.NA, 0], "col_2": ["a", "b", pd.NA, "d"]})
    return df


def data_2() -> pd.DataFrame:
    df = pd.DataFrame.from_dict(
        {"col_1": ["a", "b", pd.NA, "d", "e"], "col_2": [150, 155, 145, 200, 5000]}
    )
    return df


def data_3() -> pd.DataFrame:
    df = pd.DataFrame.from_dict({"col_1": [150, 155, 145, 200, 5000], "col_2": [10, 23, 32, 50, 0]})
    return df

# %% cleaning
# data1 and data2
@mutate(data_1, data_2)
def filter_(some_data: pd.DataFrame) -> pd.DataFrame:
    """Remove NAN values.

    Decorated with mutate this will be applied to both data_1 and data_2.
    """
    return some_data.dropna()


# data 2
# this is for value
@mutate(data_2, missing_row=value(["c", 145]))
def add_missing_value(some_data: pd.DataFrame, missing_row: List[Any]) -> pd.DataFrame:
    """Add row to dataframe.

    The functions decorated with mutate can be viewed as steps in pipe_output in the order they
    are implemented. This means that data_2 had a row removed with NAN and here we add back a row
    by hand that replaces that row.
    """
    some_data.loc[-1] = missing_row
    return some_data

# %% joining and sorting
# data 2
# this is for source
@mutate(data_2, other_data=source("data_3"))
def join(some_data: pd.DataFrame, other_data: pd.DataFrame) -> pd.DataFrame:
    """Join two dataframes.

    We can use results from other nodes in the DAG by using the `source` functionality. Here we join
    data_2 table with another table - data_3 - that is the output of another node.
    """
    return some_data.set_index("col_2").join(other_data.set_index("col_1"))


# data1 and data2
@mutate(data_1, data_2)
def sort(some_data: pd.DataFrame) -> pd.DataFrame:
    """Sort dataframes by first column.

    This is the last step of our pipeline(s) and gets again applied to data_1 and data_2. We did some
    light pre-processing on data_1 by removing NANs and sorting and more elaborate pre-processing on
    data_2 where we added values and joined another table.
    """
    columns = some_data.columns
    return some_data.sort_values(by=columns[0])

# %% feature
def feat_A(data_1: pd.DataFrame, data_2: pd.DataFrame) -> pd.DataFrame:
    """Combining two raw dataframes to create a feature."""
    return (
        data_1.set_index("col_2").join(data_2.reset_index(names=["col_3"]).set_index("col_1"))
    ).reset_index(names=["col_0"])

