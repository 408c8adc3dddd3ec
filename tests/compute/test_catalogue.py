"""parameters/kpis.yaml (titles an analyst may edit) is cross-checked with the registry."""

from __future__ import annotations

import pytest
import yaml

from pmf_lib.compute.catalogue import load_catalogue, write_catalogue
from pmf_lib.compute.registry import all_kpis
from pmf_lib.errors import PmfError
from tests.conftest import ROOT

SHIPPED = ROOT / "parameters" / "kpis.yaml"


def _entries() -> dict:
    return yaml.safe_load(SHIPPED.read_text())


def test_shipped_catalogue_lists_exactly_the_library_kpis():
    assert set(load_catalogue(SHIPPED)) == set(all_kpis())


def test_title_set_by_an_analyst_is_used(tmp_path):
    entries = _entries()
    entries["referrals_count"]["title"] = "Referrals to children's social care"
    p = tmp_path / "kpis.yaml"
    p.write_text(yaml.safe_dump(entries))
    metas = load_catalogue(p)
    assert metas["referrals_count"].title == "Referrals to children's social care"
    # Everything else about the KPI is the library's.
    assert metas["referrals_count"].definition == all_kpis()["referrals_count"].meta.definition


def test_kpis_in_one_and_not_the_other_are_named(tmp_path):
    entries = _entries()
    del entries["cla_count"]
    entries["cla_cuont"] = {"title": "Typo"}
    p = tmp_path / "kpis.yaml"
    p.write_text(yaml.safe_dump(entries))
    with pytest.raises(PmfError) as e:
        load_catalogue(p)
    msg = str(e.value)
    assert "not defined in pmf_lib: cla_cuont" in msg
    assert "missing here: cla_count" in msg


def test_unknown_setting_names_the_kpi_and_key(tmp_path):
    entries = _entries()
    entries["cla_count"]["colour"] = "red"
    p = tmp_path / "kpis.yaml"
    p.write_text(yaml.safe_dump(entries))
    with pytest.raises(PmfError) as e:
        load_catalogue(p)
    assert e.value.field == "cla_count.colour"


def test_write_catalogue_round_trips_titles(tmp_path):
    metas = load_catalogue(SHIPPED)
    out = write_catalogue(tmp_path / "kpis.yaml", metas)
    assert {k: m.title for k, m in load_catalogue(out).items()} == {
        k: m.title for k, m in metas.items()
    }
