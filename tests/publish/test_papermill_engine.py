"""pmf's warm kernel is a papermill engine: ``papermill --engine pmf`` runs a notebook."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

from pmf_lib.publish.papermill_engine import PmfEngine, kernel_for
from tests.conftest import ROOT


def _notebook(path: Path, *cells: str) -> Path:
    """A notebook with a ``parameters`` cell (``x = 1``) then ``cells``."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("x = 1")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# tiny"), params]
    nb.cells += [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.write(nb, path)
    return path


def _texts(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs)


def test_the_entry_point_registers_the_engine():
    from papermill.engines import papermill_engines

    # The entry point's class (free of papermill imports) hands over to the engine.
    assert papermill_engines.get_engine("pmf").engine() is PmfEngine


@pytest.mark.slow  # papermill's command line and a kernel (about 10-20 s)
def test_papermill_command_line_runs_a_notebook_on_the_pmf_engine(tmp_path):
    src = _notebook(tmp_path / "in.ipynb", "print(x * 2)")
    exe = Path(sys.executable).with_name("papermill" + (".exe" if sys.platform == "win32" else ""))
    out = tmp_path / "out.ipynb"
    done = subprocess.run(
        [str(exe), "--engine", "pmf", "--no-progress-bar", str(src), str(out), "-p", "x", "21"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    nb = nbformat.read(out, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    # parameters cell, papermill's injected x = 21, then print(21 * 2) -> "42".
    assert "x = 21" in code[1].source and "injected-parameters" in code[1].metadata.tags
    assert _texts(code[2]) == "42\n"
    assert [c.execution_count for c in code] == [1, 2, 3]  # numbered as in a fresh kernel
    assert nb.metadata.papermill.parameters == {"x": 21}


@pytest.mark.slow  # kernels
def test_notebooks_share_a_kernel_but_not_a_namespace_and_errors_fail(tmp_path):
    first = _notebook(tmp_path / "a.ipynb", "leftover = 'from a'", "print(x)")
    second = _notebook(
        tmp_path / "b.ipynb",
        "print('leftover' in dir())",
        "raise ValueError('boom')",
        "print('never')",
    )
    try:
        a = papermill.execute_notebook(
            str(first), str(tmp_path / "a.out.ipynb"), engine_name="pmf", progress_bar=False
        )
        assert _texts(a.cells[-1]) == "1\n"  # no parameters passed: x keeps its default
        with pytest.raises(papermill.PapermillExecutionError, match="boom"):
            papermill.execute_notebook(
                str(second), str(tmp_path / "b.out.ipynb"), engine_name="pmf", progress_bar=False
            )
        b = nbformat.read(tmp_path / "b.out.ipynb", as_version=4)
        code = [c for c in b.cells if c.cell_type == "code"]
        # The first notebook's variable is gone (the namespace was cleared between them).
        assert _texts(code[1]) == "False\n"
        assert code[2].outputs[0].output_type == "error"
        assert code[2].metadata.papermill.status == "failed"
        assert code[3].outputs == [] and code[3].execution_count is None  # never reached
    finally:
        kernel_for("python3", Path.cwd()).shutdown()


@pytest.mark.slow  # kernels
def test_a_report_notebook_runs_on_the_pmf_engine_in_its_folder(tmp_path):
    # The schedule page reads only the shipped parameters (relative to notebooks/).
    notebooks = ROOT / "notebooks"
    try:
        nb = papermill.execute_notebook(
            str(notebooks / "reporting_schedule.ipynb"),
            str(tmp_path / "schedule.ipynb"),
            parameters={"month": "2026-10"},
            engine_name="pmf",
            cwd=str(notebooks),
            progress_bar=False,
        )
    finally:
        kernel_for("python3", notebooks).shutdown()
    html = "".join(
        o.get("data", {}).get("text/html", "") for c in nb.cells for o in c.get("outputs", [])
    )
    assert "Quarterly" in html or "quarterly" in html
    assert nb.metadata.papermill.parameters == {"month": "2026-10"}


def test_the_engine_module_imports_before_papermill():
    # papermill loads its entry points while it is imported: importing the engine module
    # first (as doctest collection does) must not meet a half-initialised module.
    code = "import pmf_lib.publish.papermill_engine as m; print(m.PmfEngine.__name__)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "PmfEngine"
