"""The CLI exports a saved notebook by replaying it: every dataflow module of the notebook, in
notebook order, and module names checked as the kernel checks them (nothing written if not)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from tests.conftest import Shell, plain

USERS = "%%dataflow unique_users\ndef per_user(events: int) -> int:\n    return events * 2\n"
REPORT = (
    "%%dataflow report\nimport unique_users\n"
    "from hamilton.function_modifiers import subdag, source\n\n"
    "@subdag(unique_users, inputs={'events': source('raw')})\n"
    "def reused(per_user: int) -> int:\n    return per_user + 1\n"
)


def _notebook(tmp_path: Path, *cells: str) -> Path:
    path = tmp_path / "nb.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(c) for c in cells]), path)
    return path


def _export(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hamilton_nb.jupyter.cli", "export", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def test_a_module_importing_another_dataflow_of_the_notebook_exports(tmp_path: Path) -> None:
    notebook = _notebook(tmp_path, USERS, REPORT)
    done = _export(str(notebook), "--module", "report", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert _export(str(notebook), "--module", "unique_users", cwd=tmp_path).returncode == 0
    ran = subprocess.run(  # the two exported modules, as plain Hamilton
        [
            sys.executable,
            "-c",
            "import report\nfrom hamilton import driver\n"
            "dr = driver.Builder().with_modules(report).build()\n"
            "print(dr.execute(['reused'], inputs={'raw': 5})['reused'])",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "11"


def test_module_names_the_kernel_refuses_are_refused_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    for name in ("json", "class"):
        notebook = _notebook(tmp_path, f"%%dataflow {name}\ndef a() -> int:\n    return 1\n")
        done = _export(str(notebook), cwd=tmp_path)
        assert done.returncode == 1
        assert "Nothing was exported" in done.stderr
    notebook = _notebook(tmp_path, "%%dataflow fine\ndef a() -> int:\n    return 1\n")
    done = _export(str(notebook), "-o", str(tmp_path / "json.py"), cwd=tmp_path)
    assert done.returncode == 1 and "standard library" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb.ipynb"]


def test_a_refused_export_from_the_magic_writes_nothing(shell: Shell, tmp_path: Path) -> None:
    shell.ok("%%dataflow shop\ndef total(x: int) -> int:\n    return x * 2\n", "c1")
    shell.ok("%dataflow run total --module shop --inputs x=2")
    out = tmp_path / "out"
    out.mkdir()
    (out / "shop.py").write_text("# mine\n")
    shell.fails("%dataflow export out/shop.py --tests --module shop")
    assert sorted(p.name for p in out.iterdir()) == ["shop.py"]  # no test file, no data
    (out / "shop.py").unlink()
    (out / "test_shop.py").write_text("# my own tests\n")
    shell.fails("%dataflow export out/shop.py --tests --module shop")
    assert sorted(p.name for p in out.iterdir()) == ["test_shop.py"]  # no module either
    shell.ok("%dataflow export out/shop.py --tests --module shop --force")
    assert {"shop.py", "test_shop.py", "test_shop_data"} <= {p.name for p in out.iterdir()}


def test_export_tests_lists_the_nodes_without_a_test_and_run_covers_them(
    shell: Shell, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.ok(
        "%%dataflow cover\ndef a(x: int) -> int:\n    return x + 1\n\n"
        "def b(a: int) -> int:\n    return a * 2\n\ndef c(x: int) -> int:\n    return x - 1\n",
        "c1",
    )
    shell.ok("%dataflow run b --module cover --inputs x=1")
    shell.ok("%%dataflow cover\ndef d(b: int) -> int:\n    return b + 100\n", "c2")
    capsys.readouterr()
    shell.ok("%dataflow export cover.py --tests --module cover")
    said = plain(capsys.readouterr().out)
    assert "no test for 2 nodes: c (never run), d (never run)" in said
    shell.ok("%dataflow export cover.py --tests --run --module cover")
    said = plain(capsys.readouterr().out)
    assert "no test for" not in said
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_cover.py"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert ran.returncode == 0 and "4 passed" in ran.stdout, ran.stdout + ran.stderr


def test_a_value_that_cannot_be_stored_is_listed_without_a_test(
    shell: Shell, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.ok(
        "%%dataflow rules\ndef rule(x: int) -> dict:\n    return {'f': lambda v: v > x}\n\n"
        "def passed(rule: dict, x: int) -> bool:\n    return rule['f'](x + 1)\n",
        "c1",
    )
    shell.ok("%dataflow run passed rule --module rules --inputs x=1")
    capsys.readouterr()
    shell.ok("%dataflow export rules.py --tests --module rules")
    said = plain(capsys.readouterr().out)
    assert "no test for 1 node: rule (its value cannot be stored: " in said
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_rules.py"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert ran.returncode == 0 and "1 passed" in ran.stdout, ran.stdout + ran.stderr


def test_a_broken_cell_of_another_module_does_not_stop_the_export(tmp_path: Path) -> None:
    broken = "%%dataflow other\ndef b() -> int:\n    return (1\n"
    notebook = _notebook(tmp_path, broken, "%%dataflow fine\ndef a() -> int:\n    return 1\n")
    done = _export(str(notebook), "--module", "fine", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    refused = _export(str(notebook), "--module", "other", cwd=tmp_path)
    assert refused.returncode == 1 and "cell 1" in refused.stderr


def test_the_export_help_says_that_export_runs_the_notebooks_code(tmp_path: Path) -> None:
    done = _export("--help", cwd=tmp_path)
    assert done.returncode == 0
    assert "This runs the notebook's code" in " ".join(done.stdout.split())


def test_a_cli_output_path_that_is_a_folder_is_refused_before_any_cell_runs(
    tmp_path: Path,
) -> None:
    marker = tmp_path / "ran"
    cell = f"%%dataflow\nopen({str(marker)!r}, 'w').close()\ndef f(x: int) -> int:\n    return x\n"
    notebook = _notebook(tmp_path, cell)
    (tmp_path / "out.py").mkdir()
    done = _export(str(notebook), "-o", "out.py", cwd=tmp_path)
    assert done.returncode == 1
    assert "out.py is a folder" in done.stderr
    assert not marker.exists()
