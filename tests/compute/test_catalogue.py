"""parameters/kpis.yaml holds optional overrides of the library's KPI wording."""

from __future__ import annotations

import doctest
import shutil

import pytest
import yaml

from pmf_lib.assess.pipeline import configured_kpis
from pmf_lib.assess.targets import load_targets
from pmf_lib.compute.catalogue import load_catalogue
from pmf_lib.compute.registry import REGISTRY, Figure, KpiInputs, all_kpis, kpi
from pmf_lib.config import load_config
from pmf_lib.errors import PmfError
from pmf_lib.feeds import Feed
from tests.conftest import ROOT

PARAMETERS = ROOT / "parameters"
SHIPPED = PARAMETERS / "kpis.yaml"


def _write(tmp_path, entries) -> object:
    p = tmp_path / "kpis.yaml"
    p.write_text(yaml.safe_dump(entries, sort_keys=False))
    return p


def test_shipped_catalogue_loads_every_library_kpi():
    assert set(load_catalogue(SHIPPED)) == set(all_kpis())


def test_an_empty_file_gives_the_library_titles(tmp_path):
    p = tmp_path / "kpis.yaml"
    p.write_text("# no overrides\n")
    metas = load_catalogue(p)
    assert metas == {k: v.meta for k, v in all_kpis().items()}


def test_a_kpi_the_file_does_not_list_keeps_the_library_title(tmp_path):
    # Only referrals_count is overridden: cla_count reads as the library says.
    metas = load_catalogue(_write(tmp_path, {"referrals_count": {"title": "Referrals received"}}))
    assert metas["referrals_count"].title == "Referrals received"
    assert metas["cla_count"] == all_kpis()["cla_count"].meta


def test_title_and_local_note_override_only_the_wording(tmp_path):
    entries = {"referrals_count": {"title": "Front door referrals", "local_note": "Incl. EDT."}}
    m = load_catalogue(_write(tmp_path, entries))["referrals_count"]
    lib = all_kpis()["referrals_count"].meta
    assert m.title == "Front door referrals"
    # The library's definition stays, the council's note follows it.
    assert m.definition == lib.definition + " Local note: Incl. EDT."
    assert (m.unit, m.numerator, m.windows) == (lib.unit, lib.numerator, lib.windows)


def test_listed_kpis_come_first_in_the_files_order(tmp_path):
    # The file lists cla_count then referrals_count; every other KPI follows.
    p = _write(tmp_path, {"cla_count": None, "referrals_count": {"title": "Referrals"}})
    order = list(load_catalogue(p))
    assert order[:2] == ["cla_count", "referrals_count"]
    assert len(order) == len(all_kpis())


def test_an_override_of_a_kpi_the_library_lacks_is_one_line_naming_it(tmp_path):
    with pytest.raises(PmfError) as e:
        load_catalogue(_write(tmp_path, {"cla_cuont": {"title": "Typo"}}))
    assert e.value.file == str(tmp_path / "kpis.yaml")
    assert e.value.field == "cla_cuont"
    assert "not defined in pmf_lib" in str(e.value) and "\n" not in str(e.value)


def test_unknown_setting_names_the_kpi_and_key(tmp_path):
    with pytest.raises(PmfError) as e:
        load_catalogue(_write(tmp_path, {"cla_count": {"colour": "red"}}))
    assert e.value.field == "cla_count.colour"


def test_settings_that_are_not_a_mapping_name_the_kpi(tmp_path):
    with pytest.raises(PmfError) as e:
        load_catalogue(_write(tmp_path, {"cla_count": "Children in care"}))
    assert e.value.field == "cla_count"


NEW_ID = "referrals_weekend_count"


@pytest.fixture
def new_kpi():
    """A KPI defined at run time on an existing table (CIN referrals), then removed."""

    @kpi(
        id=NEW_ID,
        title="Referrals dated on a weekend",
        area="front_door",
        unit="count",
        polarity="neutral",
        windows=("month",),
        cadence="monthly",
        source="CIN census",
        definition="Referrals whose CINreferralDate in the window is a Saturday or Sunday.",
        numerator="Weekend referrals in the window",
        inputs=(Feed("cin_census", "referrals", "CINreferralDate", windows=("month",)),),
    )
    def referrals_weekend_count(inputs, window):
        """Referrals dated on a Saturday or Sunday in the window.

        Examples
        --------
        >>> import pandas as pd
        >>> from pmf_lib.dates import Window
        >>> from pmf_lib.read.tables import CIN_COLUMNS, CinCensus, conform
        >>> cin = CinCensus()
        >>> cin.tables["referrals"] = conform(pd.DataFrame({"LAchildID": ["a", "b"],
        ...     "CINreferralDate": pd.to_datetime(["2025-03-01", "2025-03-03"])}),
        ...     CIN_COLUMNS["referrals"])
        >>> referrals_weekend_count(KpiInputs(cin=cin), Window.of("month", "2025-03-31"))
        Figure(numerator=1, denominator=None)
        """
        dates = inputs.cin.referrals["CINreferralDate"]
        in_window = dates[(dates >= window.start) & (dates <= window.end)]
        return Figure(int((in_window.dt.day_of_week >= 5).sum()))

    try:
        yield referrals_weekend_count
    finally:
        REGISTRY.pop(NEW_ID, None)


def test_a_kpi_defined_at_run_time_does_not_break_the_shipped_parameters(new_kpi, tmp_path):
    # Its docstring example runs: 1 March 2025 was a Saturday, 3 March a Monday -> 1.
    globs = {"KpiInputs": KpiInputs, "Figure": Figure, "referrals_weekend_count": new_kpi}
    test = doctest.DocTestParser().get_doctest(new_kpi.func.__doc__, globs, NEW_ID, None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.summarize(verbose=False) == doctest.TestResults(0, len(test.examples))
    # The shipped catalogue does not list it: it loads, with the library's title.
    assert load_catalogue(SHIPPED)[NEW_ID].title == "Referrals dated on a weekend"
    # The shipped parameters, with an area showing the new KPI, still load.
    for name in ("config.yaml", "kpis.yaml", "targets.yaml", "schedule.yaml"):
        shutil.copy(PARAMETERS / name, tmp_path / name)
    raw = yaml.safe_load((tmp_path / "config.yaml").read_text())
    raw["areas"]["front_door"]["kpis"].append(NEW_ID)
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    config = load_config(tmp_path / "config.yaml", check_files=False)
    metas = configured_kpis(config)
    assert metas[NEW_ID].title == "Referrals dated on a weekend"
    load_targets(config.resolve(config.targets), {k: v.meta for k, v in all_kpis().items()})
