"""Annex A as a KPI source: coverage, headline choice, reconciliation, and the demo's figures."""

from __future__ import annotations

import glob

import numpy as np
import pandas as pd
import pytest

from pmf_lib.assess.reconcile import (
    RECONCILIATION_COLUMNS,
    annex_a_fed,
    annex_a_kpis,
    headline_table,
    reconciliation,
)
from pmf_lib.compute.engine import compute_kpi_table
from pmf_lib.compute.registry import KpiInputs, kpi_feeds
from pmf_lib.read.annex_a import read_annex_a
from pmf_lib.read.annex_a_inputs import AnnexAData, annex_a_inputs, support
from pmf_lib.read.cin_census import read_cin_census
from pmf_lib.read.local import concat_tables, read_local
from pmf_lib.read.population import read_population
from pmf_lib.read.ssda903 import read_ssda903

# a workbook with every list, extracted on 31 October 2026, its lists from 1 November 2025
PERIOD = AnnexAData(
    extract_date=pd.Timestamp("2026-10-31"),
    coverage_start=pd.Timestamp("2025-11-01"),
    lists={f"list_{n}" for n in range(1, 12)},
)


def _table(rows):
    t = pd.DataFrame(rows, columns=["kpi_id", "period_end", "window", "value"])
    t["period_end"] = pd.to_datetime(t["period_end"])
    t["numerator"] = t["value"]
    t["denominator"] = np.nan
    return t


def test_annex_a_figures_outside_the_lists_are_missing_not_zero():
    feeds = kpi_feeds()
    t = _table(
        [
            # the lists run from 1 Nov 2025 to 31 Oct 2026
            ("referrals_count", "2026-10-31", "rolling_12m", 100.0),  # Nov 25-Oct 26: kept
            ("referrals_count", "2026-09-30", "rolling_12m", 90.0),  # from Oct 2025: missing
            ("referrals_count", "2025-11-30", "month", 8.0),  # first month: kept
            ("cla_foster_pct", "2026-10-31", "snapshot", 70.0),  # at the extract: kept
            ("cla_foster_pct", "2026-09-30", "snapshot", 71.0),  # earlier: missing
            ("rereferrals_12m_pct", "2026-10-31", "month", 20.0),  # needs a year before
            ("cla_missing_pct", "2026-10-31", "month", 0.0),  # not supported: missing
            ("lado_referrals_count", "2020-01-31", "quarter", 3.0),  # local: untouched
        ]
    )
    out = annex_a_kpis(t, PERIOD, feeds)
    assert out["value"].tolist()[:3] == [100.0, pytest.approx(np.nan, nan_ok=True), 8.0]
    kept = out["value"].notna().tolist()
    assert kept == [True, False, True, True, False, False, False, True]
    assert out["numerator"].notna().tolist() == kept


def test_a_kpi_over_a_list_not_sent_is_missing():
    feeds = kpi_feeds()
    no_list_8 = AnnexAData(
        extract_date=PERIOD.extract_date,
        coverage_start=PERIOD.coverage_start,
        lists={"list_3", "list_6"},
    )
    t = _table(
        [
            ("cla_count", "2026-10-31", "snapshot", 0.0),
            ("referrals_count", "2026-10-31", "month", 40.0),
        ]
    )
    # no List 8: no children looked after read, so 0 children looked after is not a figure
    assert annex_a_kpis(t, no_list_8, feeds)["value"].isna().tolist() == [True, False]
    r = reconciliation(
        t.assign(value=[700.0, 40.0]), annex_a_kpis(t, no_list_8, feeds), no_list_8, feeds
    ).set_index("kpi_id")
    assert r.loc["cla_count", "likely_reason"] == "not supported"


def test_headline_choice():
    feeds = kpi_feeds()
    nat = _table(
        [
            ("cin_count", "2026-10-31", "snapshot", 3000.0),
            ("cin_count", "2026-09-30", "snapshot", np.nan),
        ]
    )
    nat["dq_confidence"] = ["High", "Low"]
    ann = _table(
        [
            ("cin_count", "2026-10-31", "snapshot", 2990.0),
            ("cin_count", "2026-09-30", "snapshot", 2980.0),
        ]
    )
    # national headline: the 903/CIN figure; Annex A fills only the month it lacks
    t = headline_table(nat, ann, feeds, "national")
    assert t["value"].tolist() == [3000.0, 2980.0]
    assert t["source"].tolist() == ["national", "annex_a"]
    assert t["dq_confidence"].tolist()[0] == "High" and pd.isna(t["dq_confidence"].iloc[1])
    # annex_a headline: Annex A wherever it gives a figure
    t = headline_table(nat, ann, feeds, "annex_a")
    assert t["value"].tolist() == [2990.0, 2980.0]
    assert t["source"].tolist() == ["annex_a", "annex_a"]


def test_reconciliation_reasons():
    feeds = kpi_feeds()
    key = [
        ("referrals_count", "2026-10-31", "month"),  # same definition, same figure
        ("cin_count", "2026-10-31", "snapshot"),  # same definition, different figure
        ("referrals_disabled_pct", "2026-10-31", "month"),  # definition differs
        ("care_leavers_eet_pct", "2026-10-31", "snapshot"),  # the list is at the extract
        ("cla_missing_pct", "2026-10-31", "month"),  # not supported
        ("referrals_count", "2025-10-31", "month"),  # before the lists: not reconciled
        ("lado_referrals_count", "2026-10-31", "quarter"),  # not fed by Annex A
    ]
    nat = _table([(*k, v) for k, v in zip(key, [482, 3017, 8.9, 68.0, 9.0, 400, 5], strict=True)])
    ann = _table(
        [(*k, v) for k, v in zip(key, [482, 3000, 8.0, 70.0, np.nan, np.nan, 5], strict=True)]
    )
    r = reconciliation(nat, ann, PERIOD, feeds).set_index(["kpi_id", "window"])
    assert list(r.columns) == [c for c in RECONCILIATION_COLUMNS if c not in ("kpi_id", "window")]
    assert len(r) == 5
    assert r.loc[("referrals_count", "month"), "likely_reason"] == "agree"
    assert r.loc[("cin_count", "snapshot"), "likely_reason"] == "data quality"
    assert r.loc[("cin_count", "snapshot"), "difference"] == -17.0  # Annex A less national
    assert r.loc[("referrals_disabled_pct", "month"), "likely_reason"] == "definition"
    assert r.loc[("care_leavers_eet_pct", "snapshot"), "likely_reason"] == "timing"
    assert r.loc[("cla_missing_pct", "month"), "likely_reason"] == "not supported"
    assert "no dates" in r.loc[("cla_missing_pct", "month"), "detail"]


def test_reconciliation_names_no_headline_when_neither_figure_exists():
    # Annex A alone (no national figure) and a KPI it cannot give (cla_missing_pct): the
    # published figure is missing, so the row must not say the headline is "national"
    # (the config names no national return). Referrals: Annex A alone gives 480, the
    # headline is Annex A's; both present: the national figure, as configured.
    feeds = kpi_feeds()
    key = [
        ("cla_missing_pct", "2026-10-31", "month"),
        ("referrals_count", "2026-10-31", "month"),
        ("cin_count", "2026-10-31", "snapshot"),
    ]
    nat = _table([(*key[0], np.nan), (*key[1], np.nan), (*key[2], 3017)])
    ann = _table([(*key[0], np.nan), (*key[1], 480), (*key[2], 3000)])
    r = reconciliation(nat, ann, PERIOD, feeds).set_index("kpi_id")["headline"]
    assert r.to_dict() == {
        "cin_count": "national",
        "cla_missing_pct": "none",
        "referrals_count": "annex_a",
    }


# ---- the demo council: Annex A against its own 903/CIN returns -------------------------

# Each KPI over the tables Annex A feeds whose Annex A figure is not, by definition, the
# 903/CIN figure, with why (read/annex_a_inputs.ANNEX_A_KPIS); any other KPI Annex A
# supports must equal the 903/CIN figure wherever the lists cover its window.
DIFFERS = {
    "contacts_repeat_12m_pct": "needs a year of List 1 before the window",
    "rereferrals_12m_pct": "needs a year of List 3 before the window",
    "referrals_disabled_count": "List 3 has no disability column",
    "referrals_disabled_pct": "List 3 has no disability column",
    "cla_foster_pct": "List 8 gives the placement at the extract date only",
    "care_leavers_19_21_count": "List 9 describes care leavers at the extract date",
    "care_leavers_suitable_accommodation_pct": "List 9 at the extract date",
    "care_leavers_eet_pct": "List 9 at the extract date",
    "care_leavers_neet_pct": "List 9 at the extract date",
    "care_leavers_not_in_touch_pct": "List 9 at the extract date",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from pmf_lib.synth import generate

    d = tmp_path_factory.mktemp("annex-demo") / "demo"
    generate(d, "2025-11", 12, children=8000)
    cin = read_cin_census(sorted(glob.glob(str(d / "cin_census" / "*.xml"))))
    cla = read_ssda903(sorted((d / "ssda903").rglob("*.csv")))
    pop = read_population(d / "population.csv", la_code=938)
    contacts = concat_tables(read_local("contacts", [d / "local" / "contacts.csv"]))
    (book,) = sorted((d / "annex_a").glob("*.xlsx"))
    annex = annex_a_inputs(read_annex_a(book).lists.values())
    ends = pd.date_range("2025-11-30", "2026-10-31", freq="ME")
    feeds = kpi_feeds()
    fed = [k for k in feeds if annex_a_fed(k, feeds)]
    nat = compute_kpi_table(
        KpiInputs(cin=cin, cla=cla, population=pop, local={"contacts": contacts}), ends, fed
    )
    ann = compute_kpi_table(
        KpiInputs(cin=annex.cin, cla=annex.cla, population=pop, local=annex.local), ends, fed
    )
    return nat, annex_a_kpis(ann, annex, feeds), annex, feeds


@pytest.mark.slow  # the fixture: a demo-sized year generated, two KPI tables (15-20 s)
def test_demo_annex_a_covers_the_twelve_months(demo):
    _, _, annex, _ = demo
    assert annex.extract_date == pd.Timestamp("2026-10-31")
    assert annex.coverage_start == pd.Timestamp("2025-11-01")


@pytest.mark.slow
def test_demo_annex_a_equals_903_cin_where_the_definitions_coincide(demo):
    nat, ann, annex, feeds = demo
    m = nat.merge(ann, on=["kpi_id", "period_end", "window"], suffixes=("_n", "_a"))
    same = m[m["kpi_id"].map(lambda k: support(k).status == "same")]
    both = same[same["value_a"].notna()]
    # every supported KPI has figures from Annex A in the lists' period
    assert set(both["kpi_id"]) == set(same["kpi_id"])
    for col in ("value", "numerator", "denominator"):
        a, n = both[f"{col}_a"].to_numpy(float), both[f"{col}_n"].to_numpy(float)
        bad = ~np.isclose(a, n, equal_nan=True)
        assert not bad.any(), (
            both.loc[bad, ["kpi_id", "period_end", "window", f"{col}_n", f"{col}_a"]]
            .head(10)
            .to_string()
        )
    # Annex A gives no figure for a window reaching before its lists
    early = ann[(ann["window"] == "rolling_12m") & (ann["period_end"] < "2026-10-31")]
    assert early[early["kpi_id"].isin(same["kpi_id"])]["value"].isna().all()


@pytest.mark.slow
def test_demo_each_kpi_that_differs_and_why(demo):
    nat, ann, annex, feeds = demo
    fed = {k for k in feeds if annex_a_fed(k, feeds)}
    not_same = {k for k in fed if support(k).status in ("differs", "at_extract")}
    assert not_same == set(DIFFERS)
    for k in DIFFERS:
        assert support(k).reason
    # the at-extract figures: the demo's lists are taken from the same records, so they
    # agree at the extract's month end (and are missing at any other)
    m = nat.merge(ann, on=["kpi_id", "period_end", "window"], suffixes=("_n", "_a"))
    at = m[m["kpi_id"].map(lambda k: support(k).status == "at_extract")]
    last = at[at["period_end"] == "2026-10-31"]
    assert np.allclose(last["value_a"], last["value_n"], equal_nan=True)
    assert at[at["period_end"] < "2026-10-31"]["value_a"].isna().all()
    # not supported: missing, each with its reason
    unsupported = {k for k in fed if support(k).status == "none"}
    assert "cla_missing_pct" in unsupported and "cp_reviews_on_time_pct" in unsupported
    assert ann[ann["kpi_id"].isin(unsupported)]["value"].isna().all()
    r = reconciliation(nat, ann, annex, feeds)
    month = r[r["period_end"] == "2026-10-31"]
    assert set(month.loc[month["likely_reason"] == "not supported", "kpi_id"]) == unsupported
    assert (month["detail"].str.len() > 0).sum() >= len(unsupported)


# ---- the month's build with Annex A configured ------------------------------------------


def _config(tmp_path, d, data: str, headline: str = "national"):
    from pmf_lib.config import load_config

    text = (
        "council: {code: 938, name: Demo}\n"
        f"data:\n{data}  population: {d / 'population.csv'}\n"
        f"sources: {{headline: {headline}}}\n"
        f"outputs: {tmp_path / 'out'}\n"
        "areas: {front_door: {title: Front door, kpis: [referrals_count, contacts_count, "
        "rereferrals_12m_pct]}, cla: {title: CLA, kpis: [cla_count, cla_missing_pct]}}\n"
    )
    p = tmp_path / "config.yaml"
    p.write_text(text)
    return load_config(p)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    from pmf_lib.synth import generate

    d = tmp_path_factory.mktemp("annex-build") / "demo"
    generate(d, "2026-04", 3, children=3000)
    return d


@pytest.mark.slow  # a month's build through the KPI table (about 15 s)
def test_build_with_annex_a_alone(tmp_path, small):
    from pmf_lib.assess.build import build_month

    d = small
    config = _config(tmp_path, d, f"  annex_a: {d / 'annex_a'}/*.xlsx\n")
    b = build_month(config, "latest", through="kpis")
    assert b.month == "2026-06"  # the lists' extract date is the data's last day
    t = b.kpi_table.set_index(["kpi_id", "window", "period_end"])
    end = pd.Timestamp("2026-06-30")
    assert t.loc[("referrals_count", "month", end), "source"] == "annex_a"
    assert t.loc[("referrals_count", "month", end), "value"] > 0
    assert t.loc[("cla_count", "snapshot", end), "value"] > 0
    # not supported by Annex A, or needing a year before the window: missing, not 0
    assert pd.isna(t.loc[("cla_missing_pct", "rolling_12m", end), "value"])
    assert pd.isna(t.loc[("rereferrals_12m_pct", "month", end), "value"])
    # a local KPI with no local dataset: local source
    assert t.loc[("lado_referrals_count", "quarter", end), "source"] == "local"
    r = b.annex_a_reconciliation
    month = r[r["period_end"] == end].set_index(["kpi_id", "window"])
    assert month.loc[("referrals_count", "month"), "likely_reason"] == "no national figure"
    assert month.loc[("cla_missing_pct", "rolling_12m"), "likely_reason"] == "not supported"


@pytest.mark.slow  # two builds of a month through the KPI table (about 60-130 s)
def test_build_beside_the_national_returns(tmp_path, small):
    from pmf_lib.assess.build import build_month

    d = small
    national = (
        f"  ssda903: {d / 'ssda903'}\n  cin_census: {d / 'cin_census'}/*.xml\n"
        f"  annex_a: {d / 'annex_a'}/*.xlsx\n"
    )
    b = build_month(_config(tmp_path, d, national), "2026-06", through="kpis")
    t = b.kpi_table
    fed = t["kpi_id"].isin(["referrals_count", "cla_count"])
    # national headline: every figure is the national one
    assert (t.loc[fed, "source"] == "national").all()
    r = b.annex_a_reconciliation
    month = r[r["period_end"] == "2026-06-30"].set_index(["kpi_id", "window"])
    assert month.loc[("referrals_count", "month"), "likely_reason"] == "agree"
    assert month.loc[("cla_count", "snapshot"), "difference"] == 0
    # Annex A headline: its figure, where it gives one (the same value here)
    (tmp_path / "a").mkdir()
    b2 = build_month(_config(tmp_path / "a", d, national, "annex_a"), "2026-06", through="kpis")
    t2 = b2.kpi_table.set_index(["kpi_id", "window", "period_end"])
    row = t2.loc[("referrals_count", "month", pd.Timestamp("2026-06-30"))]
    # rated over the Annex A records feeding it (not left unrated, not the national rating)
    assert row["source"] == "annex_a" and row["dq_confidence"] in ("High", "Medium", "Low")
    conf = b2.quality.annex_a_confidence.set_index(["kpi_id", "period_end"])
    assert (
        row["dq_confidence"]
        == conf.loc[("referrals_count", pd.Timestamp("2026-06-30")), "dq_confidence"]
    )
    assert (
        row["value"]
        == t.set_index(["kpi_id", "window", "period_end"]).loc[
            ("referrals_count", "month", pd.Timestamp("2026-06-30")), "value"
        ]
    )


def test_demo_annex_a_config_names_only_annex_a():
    from pmf_lib.config import load_config
    from tests.conftest import ROOT

    c = load_config(ROOT / "parameters" / "config_annex_a.yaml", check_files=False)
    assert c.data.annex_a and not c.data.ssda903 and not c.data.cin_census
    assert c.optional_sources() == ["annex_a"]
