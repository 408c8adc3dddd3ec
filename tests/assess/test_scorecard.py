"""Quarterly scorecards (pmf_lib.assess.scorecard) on hand-built histories: the columns, the
value at each quarter end, the target in force then, RAG by the assessed table's own rule,
direction against the column before, comparators, members' suppression; and over the
published demo month, the month's RAG equal to kpis.parquet's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmf_lib.assess.assessed import assess_month
from pmf_lib.assess.build import build_from_table
from pmf_lib.assess.scorecard import (
    SCORECARD_COLUMNS,
    quarter_columns,
    scorecard_table,
    scorecards_for_config,
    suppress_scorecard,
)
from pmf_lib.assess.targets import TargetPeriod, Targets
from pmf_lib.compute.registry import all_kpis
from pmf_lib.config import Area, Config, Council, DataSources, Scorecard
from pmf_lib.errors import PmfError

KPI = "assessments_45wd_pct"  # percent, higher is better, headline window "month"
QKPI = "complaints_stage1_10wd_pct"  # percent, higher is better, headline window "quarter"
METAS = {k: all_kpis()[k].meta for k in (KPI, QKPI, "cp_second_subsequent_pct")}
ENDS = pd.date_range("2025-06-30", "2026-10-31", freq="ME")

# The month window's figure at each quarter end (every other month is 50.0, so a figure
# taken from the wrong month shows), and the quarter before the first column (Jun 2025).
AT = {
    "2025-06-30": 70.5,
    "2025-09-30": 70.0,
    "2025-12-31": 78.0,
    "2026-03-31": 77.0,
    "2026-06-30": 79.0,
    "2026-09-30": 74.9,
    "2026-10-31": 86.0,
}


def _history() -> pd.DataFrame:
    rows = []
    for e in ENDS:
        v = AT.get(f"{e:%Y-%m-%d}", 50.0)
        rows.append((KPI, e, "month", v, v, 100.0))
        rows.append((KPI, e, "rolling_12m", 60.0, 600.0, 1000.0))  # never a scorecard figure
        # The quarter window of the quarterly KPI: 60 + the month number.
        rows.append((QKPI, e, "quarter", 60.0 + e.month, 60.0 + e.month, 100.0))
    return pd.DataFrame(
        rows, columns=["kpi_id", "period_end", "window", "value", "numerator", "denominator"]
    )


def _period(**kw) -> TargetPeriod:
    return TargetPeriod.model_validate(kw)


TARGETS = Targets(
    {
        # 75 (amber within 5) from April 2025, 80 (amber within 5) from April 2026.
        KPI: [
            _period(**{"from": "2025-04-01", "target": 75, "amber_tolerance": 5}),
            _period(**{"from": "2026-04-01", "target": 80, "amber_tolerance": 5}),
        ],
        # 70 from April 2025, withdrawn (null) from October 2026.
        QKPI: [
            _period(**{"from": "2025-04-01", "target": 70, "amber_tolerance": 0}),
            _period(**{"from": "2026-10-01", "target": None}),
        ],
    }
)


def _card(kpis=(KPI,), quarters=5) -> Scorecard:
    return Scorecard(
        title="Practice Improvement Scorecard", meeting="DLT", kpis=list(kpis), quarters=quarters
    )


def _rows(table: pd.DataFrame, kpi: str) -> pd.DataFrame:
    return table[table["kpi_id"] == kpi].sort_values("column").reset_index(drop=True)


# ---- columns ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("month", "quarters", "expected"),
    [
        # October is not a quarter end: the last 5 quarter ends, then October to date.
        (
            "2026-10",
            5,
            ["2025-09-30", "2025-12-31", "2026-03-31", "2026-06-30", "2026-09-30", "2026-10-31*"],
        ),
        # September is one: 5 columns, the last the month itself.
        ("2026-09", 5, ["2025-09-30", "2025-12-31", "2026-03-31", "2026-06-30", "2026-09-30"]),
        # January: the quarter ends run back over the year end; January to date.
        ("2027-01", 2, ["2026-09-30", "2026-12-31", "2027-01-31*"]),
        # December ends a quarter.
        ("2026-12", 2, ["2026-09-30", "2026-12-31"]),
    ],
)
def test_columns_are_the_last_quarter_ends_then_the_quarter_to_date(month, quarters, expected):
    cols = [
        f"{d:%Y-%m-%d}" + ("*" if to_date else "")
        for d, to_date in quarter_columns(month, quarters)
    ]
    assert cols == expected


# ---- values, targets, RAG and direction ---------------------------------------------------
def test_value_target_rag_and_direction_at_each_quarter_end():
    t = scorecard_table("dlt", _card(), _history(), METAS, "2026-10", TARGETS)
    r = _rows(t, KPI)
    assert list(t.columns) == SCORECARD_COLUMNS
    assert r["period_end"].dt.strftime("%Y-%m-%d").tolist() == [
        "2025-09-30",
        "2025-12-31",
        "2026-03-31",
        "2026-06-30",
        "2026-09-30",
        "2026-10-31",
    ]
    assert r["to_date"].tolist() == [False] * 5 + [True]
    # The month window's figure at each month end (never 50.0, the other months, nor the
    # rolling 12 months' 60.0).
    assert r["value"].tolist() == [70.0, 78.0, 77.0, 79.0, 74.9, 86.0]
    # The target in force at each date: 75 until March 2026, 80 from April 2026.
    assert r["target"].tolist() == [75.0, 75.0, 75.0, 80.0, 80.0, 80.0]
    # Sep 2025: 70.0 against 75 within 5 is on the amber edge: Amber. Dec 2025: 78 >= 75:
    # Green. Mar 2026: 77 >= 75 (the 80 applies from April only): Green. Jun 2026: 79 is
    # within 5 below 80: Amber. Sep 2026: 74.9 < 80 - 5: Red. Oct 2026: 86 >= 80: Green.
    assert r["rag"].tolist() == ["Amber", "Green", "Green", "Amber", "Red", "Green"]
    # Against the column before (Sep 2025 against Jun 2025's 70.5), 1 point the least change:
    # -0.5 no change; +8.0 improving; -1.0 exactly 1 point worsening; +2.0 improving;
    # -4.1 worsening; +11.1 improving.
    assert r["travel_label"].tolist() == [
        "No change",
        "Improving",
        "Worsening",
        "Improving",
        "Worsening",
        "Improving",
    ]
    assert r["previous_end"].dt.strftime("%m-%d").tolist()[:2] == ["06-30", "09-30"]
    assert r["travel_change"].round(1).tolist() == [-0.5, 8.0, -1.0, 2.0, -4.1, 11.1]


def test_rag_is_the_assessed_tables_rule_at_every_column():
    # Each column's RAG is the one the month's assessed table gives that month: the same
    # rule (called, not copied), with the target in force at that date.
    h = _history()
    t = _rows(scorecard_table("dlt", _card((KPI, QKPI)), h, METAS, "2026-10", TARGETS), KPI)
    for when, rag in zip(t["period_end"], t["rag"], strict=True):
        a = assess_month(h[h["period_end"] <= when], {KPI: METAS[KPI]}, when, TARGETS)
        assert a.iloc[0]["rag"] == rag, when


def test_a_quarterly_kpi_shows_its_quarter_window_and_a_withdrawn_target():
    t = _rows(scorecard_table("dlt", _card((QKPI,)), _history(), METAS, "2026-10", TARGETS), QKPI)
    # The quarter window ending each month: 60 + the month (Sep 69, Dec 72, Mar 63, Jun 66,
    # Sep 69) and, to date, the quarter to October as kpis.parquet has it: 70.
    assert t["value"].tolist() == [69.0, 72.0, 63.0, 66.0, 69.0, 70.0]
    assert (t["window"] == "quarter").all()
    # Against 70 (no tolerance): 69 Red, 72 Green, 63 Red, 66 Red, 69 Red; in October the
    # target is withdrawn: No target (never Red).
    assert t["rag"].tolist() == ["Red", "Green", "Red", "Red", "Red", "No target"]
    assert t["target"].isna().tolist() == [False] * 5 + [True]


def test_a_missing_figure_is_no_data_and_no_direction():
    h = _history()
    h = h[~((h["kpi_id"] == KPI) & (h["period_end"] == "2026-06-30"))]  # June absent
    r = _rows(scorecard_table("dlt", _card(), h, METAS, "2026-10", TARGETS), KPI)
    assert np.isnan(r.loc[3, "value"]) and r.loc[3, "rag"] == "No data"
    # Jun (missing) against Mar, and Sep against the missing Jun: not available.
    assert r.loc[3:4, "travel_label"].tolist() == ["Not available", "Not available"]


def test_without_targets_every_cell_has_no_target():
    r = _rows(scorecard_table("dlt", _card(), _history(), METAS, "2026-10"), KPI)
    assert set(r["rag"]) == {"No target"} and r["target"].isna().all()


def test_groups_give_headings_and_positions_in_order():
    card = Scorecard(
        title="Balanced",
        meeting="Cabinet",
        groups=[
            {"heading": "Quality", "kpis": [QKPI, KPI]},
            {"heading": "Outcomes", "kpis": ["cp_second_subsequent_pct"]},
        ],
        quarters=2,
    )
    t = scorecard_table("balanced", card, _history(), METAS, "2026-10", TARGETS)
    first = t[t["column"] == 0]
    assert first[["heading", "kpi_id", "position"]].values.tolist() == [
        ["Quality", QKPI, 0],
        ["Quality", KPI, 1],
        ["Outcomes", "cp_second_subsequent_pct", 2],
    ]
    assert len(t) == 3 * 3  # 2 quarter ends and October to date for each KPI
    # A KPI with no rows at all: every cell without a figure.
    assert t.loc[t["kpi_id"] == "cp_second_subsequent_pct", "value"].isna().all()


def test_comparators_are_the_assessed_tables():
    a = pd.DataFrame(
        {
            "kpi_id": [KPI],
            "england": [85.7],
            "england_year": ["2025"],
            "region": [89.9],
            "region_name": ["South East"],
            "region_year": ["2025"],
            "sn": [82.5],
            "sn_stat": ["mean"],
            "sn_year": ["2025"],
        }
    )
    r = _rows(scorecard_table("dlt", _card(), _history(), METAS, "2026-10", TARGETS, a), KPI)
    assert (r["england"] == 85.7).all() and (r["region_name"] == "South East").all()
    assert (r["sn"] == 82.5).all() and (r["sn_year"] == "2025").all()


def test_a_kpi_not_configured_is_an_error_naming_the_scorecard():
    with pytest.raises(PmfError) as e:
        scorecard_table("dlt", _card(("referrals_count",)), _history(), METAS, "2026-10")
    assert e.value.field == "scorecards.dlt" and "referrals_count" in e.value.message


# ---- members' suppression ------------------------------------------------------------------
def test_a_withheld_figure_takes_its_rag_and_both_directions_with_it():
    t = scorecard_table("dlt", _card(), _history(), METAS, "2026-10", TARGETS)
    # The suppressed history withholds June 2026 (as published_tables flags it).
    h = _history().assign(suppressed=False)
    h.loc[(h["kpi_id"] == KPI) & (h["period_end"] == "2026-06-30"), "suppressed"] = True
    s = _rows(suppress_scorecard(t, h), KPI)
    assert s["suppressed"].tolist() == [False, False, False, True, False, False]
    # June: value, RAG and direction withheld; September: shown, but its change against
    # June would state June's figure, so its direction goes too. The targets stay.
    assert np.isnan(s.loc[3, "value"]) and s.loc[3, "rag"] is None
    assert s.loc[3:4, "travel_label"].isna().all() and s.loc[3:4, "travel_change"].isna().all()
    assert s.loc[4, "value"] == 74.9 and s.loc[4, "rag"] == "Red"
    assert s.loc[5, "travel_label"] == "Improving" and s["target"].notna().all()
    # Read back (a published table), it gives itself.
    again = suppress_scorecard(suppress_scorecard(t, h), h.assign(suppressed=False))
    assert _rows(again, KPI)["suppressed"].tolist() == s["suppressed"].tolist()


def _config(audience: str, tmp_path) -> Config:
    return Config(
        council=Council(code=938, name="Testshire County Council"),
        data=DataSources(ssda903="a", cin_census="b", population="p.csv"),
        areas={"adoption": Area(title="Adoption", kpis=["cla_adopted_count"])},
        scorecards={
            "dlt": {"title": "S", "meeting": "DLT", "kpis": ["cla_adopted_count"], "quarters": 2}
        },
        audience=audience,
        base_dir=tmp_path,
    )


def test_the_month_build_makes_the_table_and_the_members_view_withholds_1_to_4(tmp_path):
    # Children adopted: 12 a month, except 3 in September 2026 (1 to 4: withheld).
    ends = pd.date_range("2025-01-31", "2026-10-31", freq="ME")
    n = [3.0 if f"{e:%Y-%m}" == "2026-09" else 12.0 for e in ends]
    h = pd.DataFrame(
        {
            "kpi_id": "cla_adopted_count",
            "period_end": ends,
            "window": "month",
            "value": n,
            "numerator": n,
            "denominator": np.nan,
        }
    )
    build = build_from_table(_config("members", tmp_path), h, "2026-10")
    inside = build.scorecards.set_index("period_end")
    assert inside["value"].tolist() == [12.0, 3.0, 12.0]  # Jun, Sep, Oct to date
    shown = build.published(_config("members", tmp_path)).scorecards.set_index("period_end")
    # September's 3 is withheld; October's change against it (+9) would state it.
    assert shown["suppressed"].tolist() == [False, True, False]
    assert np.isnan(shown.loc["2026-09-30", "value"])
    assert shown["travel_change"].isna().tolist() == [False, True, True]
    # An internal build publishes it as it is; a config without scorecards publishes none.
    internal = build_from_table(_config("internal", tmp_path), h, "2026-10")
    assert internal.published(_config("internal", tmp_path)).scorecards["value"].tolist() == [
        12.0,
        3.0,
        12.0,
    ]
    bare = _config("internal", tmp_path).model_copy(update={"scorecards": {}})
    assert scorecards_for_config(bare, h, None, "2026-10") is None


# ---- the published demo month --------------------------------------------------------------
@pytest.mark.demo
def test_demo_month_rag_equals_the_assessed_tables(published_demo_month):
    # The month's column of every scorecard rates each KPI as kpis.parquet does, and each
    # scorecard lists the config's KPIs.
    from pmf_lib.config import load_config

    config = load_config(published_demo_month / "config.yaml", check_files=False)
    s = pd.read_parquet(published_demo_month / "scorecard.parquet")
    a = pd.read_parquet(published_demo_month / "kpis.parquet").set_index("kpi_id")
    assert set(s["scorecard"]) == set(config.scorecards) == {"practice_improvement", "balanced"}
    now = s[s["period_end"] == pd.Timestamp("2026-10-31")]
    assert now["to_date"].all()
    for sid, card in config.scorecards.items():
        mine = now[now["scorecard"] == sid]
        assert mine["kpi_id"].tolist() == card.kpi_ids()
        assert mine["rag"].tolist() == a.loc[card.kpi_ids(), "rag"].tolist()
        assert np.allclose(mine["value"], a.loc[card.kpi_ids(), "value"], equal_nan=True)
    assert s.groupby(["scorecard", "kpi_id"]).size().eq(6).all()  # 5 quarter ends + to date
