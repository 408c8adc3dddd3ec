"""Committed notebooks: no outputs, no functions or classes, typed and commented parameters."""

from __future__ import annotations

import ast

import nbformat
import papermill
import pytest

from pmf_lib.publish.batch import NOTEBOOK, NOTEBOOK_PARAMETERS
from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_is_a_report_notebook():
    assert NOTEBOOK in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {i} has outputs"
            assert cell.execution_count is None, f"cell {i} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_defines_no_functions_or_classes(path):
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        defined = [
            type(n).__name__
            for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda)
        ]
        assert not defined, f"cell {i} defines {defined}: put the logic in pmf_lib"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_is_typed_commented_parameters(path):
    nb = nbformat.read(path, as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert "parameters" in first.metadata.get("tags", [])
    tree = ast.parse(first.source)
    for node in tree.body:
        assert isinstance(node, ast.AnnAssign), "parameters are typed: `name: type = value`"
        assert isinstance(node.value, ast.Constant), "parameters are literals"
    declared = papermill.inspect_notebook(str(path))
    for name, p in declared.items():
        assert p["inferred_type_name"] != "None", f"{name} has no type"
        assert p["help"], f"{name} has no comment saying what it is"


def test_report_notebook_declares_what_the_batch_passes():
    declared = papermill.inspect_notebook(str(NOTEBOOK))
    assert set(NOTEBOOK_PARAMETERS) <= set(declared)
    assert {declared[n]["inferred_type_name"] for n in NOTEBOOK_PARAMETERS} == {"str"}
