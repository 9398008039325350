# The cells of original.py, in the order they are written in a notebook.
# %% imports
import polars as pl

from hamilton.function_modifiers import extract_columns

# %% load
@extract_columns("signups", "spend")
def base_df(base_df_location: str) -> pl.DataFrame:
    """Loads base dataframe of data.

    :param base_df_location: just showing that we could load this from a file...
    :return: a Polars dataframe
    """
    return pl.DataFrame(
        {
            "signups": pl.Series([1, 10, 50, 100, 200, 400]),
            "spend": pl.Series([10, 10, 20, 40, 40, 50]),
        }
    )

# %% spend features
def avg_3wk_spend(spend: pl.Series) -> pl.Series:
    """Computes rolling 3 week average spend."""
    return spend.rolling_mean(3)


def spend_per_signup(spend: pl.Series, signups: pl.Series) -> pl.Series:
    """Computes cost per signup in relation to spend."""
    return spend / signups

# %% spend statistics
def spend_mean(spend: pl.Series) -> float:
    """Shows function creating a scalar. In this case it computes the mean of the entire column."""
    return spend.mean()


def spend_std_dev(spend: pl.Series) -> float:
    """Computes the standard deviation of the spend column."""
    return spend.std()

# %% normalised spend
def spend_zero_mean(spend: pl.Series, spend_mean: float) -> pl.Series:
    """Shows function that takes a scalar. In this case to zero mean spend."""
    return spend - spend_mean


def spend_zero_mean_unit_variance(spend_zero_mean: pl.Series, spend_std_dev: float) -> pl.Series:
    """Shows one way to make spend have zero mean and unit variance."""
    return spend_zero_mean / spend_std_dev
