"""Regression tests written by export compare each kind of value with the right tool: they pass on
the values the notebook computed, and fail (with an assertion naming the node) when one changes."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import Shell

IMPORTS = (
    "import dataclasses\nimport numpy as np\nimport pandas as pd\nimport polars as pl\n"
    "from sklearn.linear_model import LinearRegression, LogisticRegression"
)

CELL = """%%dataflow kinds
@dataclasses.dataclass
class Point:
    x: float


@dataclasses.dataclass
class Curve:  # its == compares arrays, which gives no True or False
    ys: np.ndarray


class Plain:
    pass


def floats() -> np.ndarray:
    return np.array([1.5, np.nan, 3.25])


def integers() -> np.ndarray:
    return np.arange(4, dtype=np.int64)


def scalar() -> np.float64:
    return np.float64(0.125)


def polars_frame() -> pl.DataFrame:
    return pl.DataFrame({"a": [1, 2], "b": ["x", None]})


def polars_series() -> pl.Series:
    return pl.Series("s", [0.5, None])


def frames_by_name() -> dict:
    return {"left": pd.DataFrame({"a": [1, 2]}), "right": pd.DataFrame({"b": [0.75]})}


def frame_and_count() -> tuple:
    return (pd.DataFrame({"c": ["p", "q"]}), 7)


def linear() -> LinearRegression:
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    return LinearRegression().fit(x, np.array([1.0, 3.0, 5.0, 7.0]))


def logistic() -> LogisticRegression:
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    return LogisticRegression(C=1.0).fit(x, np.array([0, 0, 1, 1]))


def point() -> Point:
    return Point(2.5)


def curve() -> Curve:
    return Curve(np.array([0.0, 0.5]))


def plain() -> Plain:
    p = Plain()
    p.label = "first"
    return p
"""

# node -> (text in the exported module, what it becomes): each edit changes that node's value
EDITS = {
    "floats": ("3.25]", "3.5]"),
    "integers": ("dtype=np.int64", "dtype=np.int32"),  # same numbers, another dtype
    "scalar": ("np.float64(0.125)", "np.float64(0.126)"),
    "polars_frame": ('"x", None', '"y", None'),
    "polars_series": ("[0.5, None]", "[0.25, None]"),
    "frames_by_name": ("[0.75]", "[0.8]"),
    "frame_and_count": ('"q"]', '"r"]'),
    "linear": ("5.0, 7.0", "5.0, 7.5"),
    "logistic": ("C=1.0", "C=0.5"),
    "point": ("Point(2.5)", "Point(2.75)"),
    "curve": ("[0.0, 0.5]", "[0.0, 0.6]"),
    "plain": ('"first"', '"second"'),
}
OUT = Path("out")


def _export(shell: Shell) -> None:
    shell.ok(IMPORTS)
    shell.ok(CELL, "c1")
    shell.ok(f"%dataflow run {' '.join(EDITS)} --module kinds")
    shell.ok(f"%dataflow export {OUT / 'kinds.py'} --tests --module kinds")


def _pytest(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider", "test_kinds.py"],
        capture_output=True,
        text=True,
        cwd=folder,
        env={**os.environ, "COLUMNS": "400"},  # whole lines in the short summary
        timeout=180,
    )


def _failures(stdout: str) -> dict[str, str]:
    """Node -> the error of each failed test, from pytest's short summary."""
    found = re.findall(r"^FAILED \S+\[(\w+)\] - (.*)$", stdout, flags=re.MULTILINE)
    return dict(found)


def test_generated_tests_pass_on_each_kind_of_value_and_fail_when_it_changes(
    shell: Shell, tmp_path: Path
) -> None:
    _export(shell)
    folder = tmp_path / OUT
    done = _pytest(folder)
    assert done.returncode == 0 and f"{len(EDITS)} passed" in done.stdout, done.stdout

    module = folder / "kinds.py"
    text = module.read_text()
    for before, after in EDITS.values():
        assert text.count(before) == 1, before
        text = text.replace(before, after)
    module.write_text(text)
    done = _pytest(folder)
    failures = _failures(done.stdout)
    assert set(failures) == set(EDITS), done.stdout
    for node, error in failures.items():  # a failed comparison, not a comparison that broke
        assert error.startswith("AssertionError"), f"{node}: {error}"


def test_one_changed_value_fails_only_its_own_test(shell: Shell, tmp_path: Path) -> None:
    _export(shell)
    folder = tmp_path / OUT
    module = folder / "kinds.py"
    module.write_text(module.read_text().replace(*EDITS["linear"]))
    done = _pytest(folder)
    assert list(_failures(done.stdout)) == ["linear"], done.stdout
    assert "coef_" in done.stdout  # the message names the fitted attribute that changed
    assert f"{len(EDITS) - 1} passed" in done.stdout


def test_the_generated_file_is_clean_and_imports_no_value_library_at_top_level(
    shell: Shell, tmp_path: Path
) -> None:
    _export(shell)
    folder = tmp_path / OUT
    tests = folder / "test_kinds.py"
    top_level = set()
    for node in ast.parse(tests.read_text()).body:
        if isinstance(node, ast.Import):
            top_level |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            top_level.add(node.module.partition(".")[0])
    assert top_level == {"os", "pickle", "sys", "pathlib", "pytest", "hamilton", "kinds"}
    checked = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", tests.name],
        capture_output=True,
        text=True,
        cwd=folder,
    )
    assert checked.returncode == 0, checked.stdout
    data = folder / "test_kinds_data"
    assert {p.name for p in data.iterdir()} == {"inputs.pkl"} | {f"{n}.pkl" for n in EDITS}
