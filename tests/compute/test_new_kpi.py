"""Issue 13's "done when": a KPI added at run time, in one place, is picked up everywhere.

A new KPI (``referrals_nfa_count``, over the existing CIN referrals table) is defined
in this test only, with a docstring example and its inputs declared on ``@kpi``. The
registry, the generated KPI docs, the data quality confidence (its feeds), the
breakdowns and the config (``compute/catalogue.py`` and the ``parameters/`` loading)
pick it up, with no other file changed. The fixture removes it from the registry
afterwards, so the other tests see the library's KPIs only.
"""

from __future__ import annotations

import doctest
import hashlib
import shutil

import pandas as pd
import pytest
import yaml

from pmf_lib.assess.pipeline import configured_kpis
from pmf_lib.assess.targets import load_targets
from pmf_lib.compute.breakdowns import compute_breakdowns
from pmf_lib.compute.catalogue import load_catalogue
from pmf_lib.compute.docs import render_kpi_docs
from pmf_lib.compute.engine import compute_kpi_table
from pmf_lib.compute.registry import REGISTRY, Figure, KpiInputs, all_kpis, kpi, kpi_feeds
from pmf_lib.config import load_config
from pmf_lib.feeds import Feed
from pmf_lib.read.tables import CIN_COLUMNS, CinCensus, Ssda903, conform
from pmf_lib.validate.confidence import confidence_table
from tests.conftest import ROOT

NEW_ID = "referrals_nfa_count"
PARAMETERS = ROOT / "parameters"
FEED = Feed("cin_census", "referrals", "CINreferralDate", fields=("ReferralNFA",))


def _tree_digest() -> str:
    """A digest of every library, parameters and docs file (to show none changes)."""
    h = hashlib.sha256()
    for folder in ("pmf_lib", "parameters", "docs"):
        for p in sorted((ROOT / folder).rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                h.update(str(p.relative_to(ROOT)).encode())
                h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture
def new_kpi():
    """``referrals_nfa_count`` defined at run time, then removed from the registry."""
    all_kpis()  # the library's KPIs first

    @kpi(
        id=NEW_ID,
        title="Referrals closed with no further action",
        area="front_door",
        unit="count",
        polarity="neutral",
        windows=("month", "rolling_12m"),
        cadence="monthly",
        source="CIN census",
        definition="Referrals dated in the window with ReferralNFA = 1 (no further action).",
        numerator="Referrals with CINreferralDate in the window and ReferralNFA 1",
        breakdowns=("sex",),
        inputs=(FEED,),
    )
    def referrals_nfa_count(inputs, window):
        """Referrals dated in the window that were no further action.

        Examples
        --------
        >>> import pandas as pd
        >>> from pmf_lib.dates import Window
        >>> from pmf_lib.read.tables import CIN_COLUMNS, CinCensus, conform
        >>> cin = CinCensus()
        >>> cin.tables["referrals"] = conform(pd.DataFrame({"LAchildID": ["a", "b", "c"],
        ...     "CINreferralDate": pd.to_datetime(["2025-03-03", "2025-03-04", "2025-02-05"]),
        ...     "ReferralNFA": ["1", "0", "1"]}), CIN_COLUMNS["referrals"])
        >>> referrals_nfa_count(KpiInputs(cin=cin), Window.of("month", "2025-03-31"))
        Figure(numerator=1, denominator=None)
        """
        r = inputs.cin.referrals
        nfa = r["ReferralNFA"].astype("string") == "1"
        return Figure(int((window.contains(r["CINreferralDate"]).fillna(False) & nfa).sum()))

    before = _tree_digest()
    try:
        yield referrals_nfa_count
    finally:
        REGISTRY.pop(NEW_ID, None)
    assert _tree_digest() == before, "adding a KPI at run time changed a file"


def _cin() -> CinCensus:
    # March 2025: a (NFA), b (not NFA), c (NFA); February 2025: d (NFA)
    cin = CinCensus()
    cin.tables["children"] = conform(
        pd.DataFrame({"LAchildID": ["a", "b", "c", "d"], "Sex": ["1", "2", "2", "1"]}),
        CIN_COLUMNS["children"],
    )
    cin.tables["referrals"] = conform(
        pd.DataFrame(
            {
                "LAchildID": ["a", "b", "c", "d"],
                "CINreferralDate": pd.to_datetime(
                    ["2025-03-03", "2025-03-04", "2025-03-05", "2025-02-05"]
                ),
                "ReferralNFA": ["1", "0", "1", "1"],
            }
        ),
        CIN_COLUMNS["referrals"],
    )
    return cin


def test_the_registry_has_it_and_its_example_runs(new_kpi):
    assert all_kpis()[NEW_ID] is new_kpi
    globs = {"KpiInputs": KpiInputs, "Figure": Figure, "referrals_nfa_count": new_kpi}
    test = doctest.DocTestParser().get_doctest(new_kpi.func.__doc__, globs, NEW_ID, None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.summarize(verbose=False) == doctest.TestResults(0, len(test.examples))
    # The engine computes it: March has 2 NFA referrals (a, c); the 12 months add d -> 3
    t = compute_kpi_table(KpiInputs(cin=_cin()), ["2025-03-31"], [NEW_ID])
    assert dict(zip(t["window"], t["value"], strict=True)) == {"month": 2.0, "rolling_12m": 3.0}


def test_the_generated_docs_list_it_with_its_inputs(new_kpi):
    text = render_kpi_docs()
    entry = text.split(f"### `{NEW_ID}`", 1)[1].split("\n### ", 1)[0]
    assert "Referrals closed with no further action" in entry
    assert (
        "- **Inputs:** CIN census `referrals`: dated by `CINreferralDate` in the window "
        "(month, rolling_12m); fields `ReferralNFA`" in entry
    )
    assert f"| [`{NEW_ID}`](#{NEW_ID}) |" in text  # and in the index table


def test_its_data_quality_confidence_is_rated_on_its_declared_feed(new_kpi):
    assert kpi_feeds()[NEW_ID] == (FEED,)
    # One error, on a's referral (record 0). Month at 31 March: 3 referrals, 1 in error
    # -> 1/3; rolling 12 months: 4 referrals, 1 in error -> 1/4. The worse, 1/3, is Low.
    issues = pd.DataFrame(
        {
            "source": ["cin_census"],
            "table": ["referrals"],
            "record": [0],
            "child_id": ["a"],
            "severity": ["error"],
        }
    )
    conf = confidence_table(issues, _cin(), Ssda903(), ["2025-03-31"], feeds=kpi_feeds())
    row = conf[conf["kpi_id"] == NEW_ID]
    assert row["dq_error_share"].tolist() == pytest.approx([1 / 3])
    assert row["dq_confidence"].tolist() == ["Low"]


def test_its_breakdowns_split_its_declared_table(new_kpi):
    t = compute_breakdowns(KpiInputs(cin=_cin()), "2025-03-31", [NEW_ID])
    month = t[(t["dimension"] == "sex") & (t["window"] == "month")]
    # March NFA referrals: a (Male), c (Female); b is not NFA
    assert dict(zip(month["group"], month["value"], strict=True)) == {
        "Male": 1.0,
        "Female": 1.0,
        "Not known": 0.0,
    }


def test_the_config_picks_it_up_and_the_shipped_parameters_still_load(new_kpi, tmp_path):
    # The shipped catalogue (optional overrides) does not list it: it loads, library title.
    assert load_catalogue(PARAMETERS / "kpis.yaml")[NEW_ID].title == (
        "Referrals closed with no further action"
    )
    # The shipped parameters load unchanged ...
    shipped = load_config(PARAMETERS / "config.yaml", check_files=False)
    metas = configured_kpis(shipped)
    assert NEW_ID not in metas  # no area shows it until the council lists it
    load_targets(shipped.resolve(shipped.targets), {k: v.meta for k, v in all_kpis().items()})
    # ... and with an area showing the new KPI, too.
    for name in ("config.yaml", "kpis.yaml", "targets.yaml", "schedule.yaml"):
        shutil.copy(PARAMETERS / name, tmp_path / name)
    raw = yaml.safe_load((tmp_path / "config.yaml").read_text())
    raw["areas"]["front_door"]["kpis"].append(NEW_ID)
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    config = load_config(tmp_path / "config.yaml", check_files=False)
    assert configured_kpis(config)[NEW_ID].inputs == (FEED,)


def test_without_inputs_it_is_refused_naming_it():
    with pytest.raises(ValueError, match=f"{NEW_ID}: a registered KPI must declare its inputs"):
        kpi(
            id=NEW_ID,
            title="t",
            area="front_door",
            unit="count",
            polarity="neutral",
            cadence="monthly",
            source="CIN census",
            definition="d",
            numerator="n",
        )(lambda inputs, window: Figure(0))
    assert NEW_ID not in REGISTRY


def test_the_fixture_left_the_registry_as_the_library_defines_it():
    # (runs after the tests above) no trace of the run-time KPI remains
    assert NEW_ID not in all_kpis() and NEW_ID not in kpi_feeds()
    assert f"`{NEW_ID}`" not in render_kpi_docs()
