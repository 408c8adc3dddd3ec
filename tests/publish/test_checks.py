"""The batch's checks before any work: areas, KPI ids and each notebook's parameters."""

from __future__ import annotations

import nbformat
import pytest

from pmf_lib.config import Area, Config, Council, DataSources
from pmf_lib.errors import PmfError
from pmf_lib.publish.checks import (
    NOTEBOOK,
    check_areas,
    check_notebook_parameters,
    check_specs,
)
from pmf_lib.publish.plan import ReportSpec


def config(**areas) -> Config:
    return Config(
        council=Council(code=938, name="D"),
        data=DataSources(ssda903="a", cin_census="b", population="p.csv"),
        areas={k: Area(title=k.title(), kpis=v) for k, v in areas.items()},
    )


def test_areas_default_to_all_and_are_deduplicated():
    c = config(front_door=["referrals_count"], cla=["cla_count"])
    assert check_areas(c, None) == ["front_door", "cla"]
    assert check_areas(c, ["cla", " cla ", "front_door"]) == ["cla", "front_door"]


def test_no_area_or_an_unknown_one_is_refused():
    c = config(front_door=["referrals_count"])
    with pytest.raises(PmfError, match="no service areas given"):
        check_areas(c, ["", " "])
    with pytest.raises(PmfError, match="unknown service area.*front_dor") as e:
        check_areas(c, ["front_dor"])
    assert e.value.field == "areas"


def test_an_unknown_kpi_id_in_any_area_is_refused_even_when_not_run():
    c = config(front_door=["referrals_count"], cla=["cla_cuont"])
    with pytest.raises(PmfError, match="cla_cuont") as e:
        check_areas(c, ["front_door"])  # the assessed table covers every area
    assert e.value.field == "areas.cla.kpis"


def notebook_without(tmp_path, name: str):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells[0].source = nb.cells[0].source.replace(f"{name}:", f"{name}_x:")
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return path


def test_a_notebook_lacking_a_parameter_is_refused(tmp_path):
    path = notebook_without(tmp_path, "kpi_table")
    with pytest.raises(PmfError, match="does not declare kpi_table") as e:
        check_notebook_parameters(path)
    assert (e.value.file, e.value.field) == (str(path), "kpi_table")
    with pytest.raises(PmfError, match="not found"):
        check_notebook_parameters(tmp_path / "missing.ipynb")


def test_specs_need_unique_ids_declared_parameters_and_no_common_ones():
    a = ReportSpec("a", "A", "area", NOTEBOOK, {"area": "front_door"})
    # the service area notebook declares every common parameter but assessed_table
    common = check_specs([a])
    assert set(common[NOTEBOOK.resolve()]) >= {"month", "config_path", "kpi_table"}
    with pytest.raises(PmfError, match="two reports have the id 'a'"):
        check_specs([a, a])
    with pytest.raises(PmfError, match="'b' passes colour") as e:
        check_specs([ReportSpec("b", "B", "area", NOTEBOOK, {"colour": "red"})])
    assert e.value.field == "colour"
    with pytest.raises(PmfError, match="'c' sets month, which the batch fills"):
        check_specs([ReportSpec("c", "C", "area", NOTEBOOK, {"month": "2026-10"})])
