"""The month's published tables: read only as published, and selected for a KPI or an area."""

from __future__ import annotations

import pandas as pd
import pytest

from pmf_lib.assess.pipeline import assess_for_config, configured_kpis, spc_for_config
from pmf_lib.config import Area, Config, Council, DataSources, LocalSources, load_config
from pmf_lib.errors import PmfError
from pmf_lib.render.month_data import MonthTables

END = pd.Timestamp("2026-10-31")
NAN = float("nan")
CONFIG = (
    "council: {code: 938, name: Demo}\n"
    # the raw data paths do not exist: loading must never read (or compute from) them
    "data: {ssda903: nowhere.xml, cin_census: nowhere.xml, population: nowhere.csv%s}\n"
    "outputs: out\n"
    "areas: {front_door: {title: Front door, kpis: [referrals_count]}}\n"
)


def _history() -> pd.DataFrame:
    rows = []
    for e in pd.date_range("2025-11-30", END, freq="ME"):
        rows.append(("referrals_count", e, "month", 40.0, 40.0, NAN))
        rows.append(("referrals_count", e, "rolling_12m", 480.0, 480.0, NAN))
    cols = ["kpi_id", "period_end", "window", "value", "numerator", "denominator"]
    return pd.DataFrame(rows, columns=cols)


def _publish(tmp_path, *, log: bool = False, skip: tuple[str, ...] = ()) -> tuple:
    """A config and its published month (every table but those in ``skip``)."""
    local = ", local: {improvement_actions: [actions.csv]}" if log else ""
    (tmp_path / "config.yaml").write_text(CONFIG % local)
    config = load_config(tmp_path / "config.yaml", check_files=False)
    month = tmp_path / "out" / "2026-10"
    month.mkdir(parents=True)
    tables = {
        "kpi_history.parquet": _history(),
        "kpis.parquet": assess_for_config(config, _history(), "2026-10"),
        "spc.parquet": spc_for_config(config, _history(), "2026-10"),
    }
    for name, t in tables.items():
        if name not in skip:
            t.to_parquet(month / name)
    return tmp_path / "config.yaml", month


def test_load_reads_the_published_month(tmp_path):
    config, _ = _publish(tmp_path)
    d = MonthTables.load(config, "2026-10")
    assert d.month == "2026-10" and d.row("referrals_count")["value"] == 40.0
    assert d.breakdowns is None  # none published: none shown
    assert MonthTables.load(config, "latest").month == "2026-10"


@pytest.mark.parametrize("missing", ["kpis.parquet", "spc.parquet"])
def test_a_table_not_published_is_one_error_naming_it(tmp_path, missing):
    config, month = _publish(tmp_path, skip=(missing,))
    with pytest.raises(PmfError) as e:
        MonthTables.load(config, "2026-10")
    assert str(e.value).startswith(str(month / missing)) and "not found" in str(e.value)


def test_a_month_not_published_is_not_computed(tmp_path):
    config, month = _publish(tmp_path)
    # September was never run: no computation from the (absent) raw data, one line
    with pytest.raises(PmfError, match="no published month 2026-09") as e:
        MonthTables.load(config, "2026-09")
    assert str(month.parent / "2026-09" / "kpi_history.parquet") in str(e.value)
    (month / "kpi_history.parquet").unlink()
    with pytest.raises(PmfError, match="no published month latest"):
        MonthTables.load(config, "latest")


def test_the_actions_table_is_read_when_shown(tmp_path):
    config, month = _publish(tmp_path, log=True)
    d = MonthTables.load(config, "2026-10")  # the dashboard shows no actions: loads
    with pytest.raises(PmfError) as e:
        d.action_rows("front_door")
    assert str(e.value).startswith(str(month / "actions.parquet"))
    _actions().to_parquet(month / "actions.parquet")
    assert MonthTables.load(config, "2026-10").action_rows("front_door")["configured"]


# ---- selection, on hand-built tables -------------------------------------------------
def _config(audience="internal", log=("actions.csv",)) -> Config:
    return Config(
        council=Council(code=938, name="Testshire"),
        data=DataSources(
            ssda903="a",
            cin_census="b",
            population="p.csv",
            local=LocalSources(improvement_actions=list(log)),
        ),
        areas={
            "front_door": Area(
                title="Front door", kpis=["referrals_count", "contacts_decided_1wd_pct"]
            ),
            "improvement_actions": Area(title="Actions", kpis=["actions_open_count"]),
        },
        audience=audience,
    )


def _actions() -> pd.DataFrame:
    """The published action table: two front door actions, one children looked after."""
    return pd.DataFrame(
        {
            "period_end": END,
            "action_id": ["F2", "C1", "F1", "F3"],
            "area": ["front_door", "children_looked_after", "front_door", "front_door"],
            "due_date": pd.to_datetime(["2026-12-01", "2026-09-01", "2026-08-01", "2026-01-01"]),
            "state": ["open", "overdue", "overdue", "complete"],
        }
    )


def _tables(config=None, **fields) -> MonthTables:
    config = config or _config()
    history = pd.DataFrame(
        {
            "kpi_id": ["contacts_decided_1wd_pct"] * 2,
            "period_end": [END - pd.offsets.MonthEnd(1), END],
            "window": ["month"] * 2,
            "value": [NAN, 80.0],
            "suppressed": [True, False],
        }
    )
    assessed = pd.DataFrame(
        {
            "kpi_id": ["referrals_count", "contacts_decided_1wd_pct", "actions_open_count"],
            "value": [40.0, 80.0, 3.0],
            "england": [NAN, 75.0, NAN],
            "region": [NAN, NAN, NAN],
            "sn": [NAN, 70.5, NAN],
            "suppressed": [False, False, True],
        }
    ).set_index("kpi_id", drop=False)
    base = dict(
        config=config,
        period_end=END,
        history_full=history,
        history=history,
        assessed=assessed,
        metas=configured_kpis(config),
        actions_table=_actions(),
    )
    return MonthTables(**{**base, **fields})


def test_an_area_lists_its_own_actions_and_the_actions_area_every_one():
    d = _tables()
    fd = d.action_rows("front_door")
    # front door: F1 overdue; F2 open; F3 complete (not listed); C1 is another area's
    assert fd["overdue"]["action_id"].tolist() == ["F1"]
    assert fd["open"]["action_id"].tolist() == ["F2"]
    # the improvement actions area counts every action: C1 and F1 overdue, by due date
    ia = d.action_rows("improvement_actions")
    assert ia["overdue"]["action_id"].tolist() == ["F1", "C1"]
    assert ia["configured"] and not ia["unknown"]


def test_actions_unknown_or_not_configured():
    unknown = _actions().assign(state="unknown")
    r = _tables(actions_table=unknown).action_rows("front_door")
    assert r["unknown"] and r["open"].empty and r["overdue"].empty
    r = _tables(config=_config(log=()), actions_table=None).action_rows("front_door")
    assert not r["configured"]


def test_comparators_withheld_periods_and_shown_value():
    d = _tables()
    # England 75.0 and neighbours 70.5; the region is missing, so not given
    assert d.comparators("contacts_decided_1wd_pct") == {
        "England": 75.0,
        "Statistical neighbours": 70.5,
    }
    assert d.withheld_periods("contacts_decided_1wd_pct", "month") == [pd.Timestamp("2026-09-30")]
    assert d.shown_value("contacts_decided_1wd_pct") == 80.0
    assert d.shown_value("actions_open_count") is None  # withheld
    assert d.shown_value("not_a_kpi") is None


def test_report_kpis_and_areas():
    d = _tables()
    assert d.report_kpis(["improvement_actions"]) == ["actions_open_count"]
    assert d.report_kpis(kpi_ids=["referrals_count"]) == ["referrals_count"]
    assert len(d.report_kpis()) == 3  # every area
    assert d.areas_of(["referrals_count", "actions_open_count"]) == [
        "front_door",
        "improvement_actions",
    ]
    with pytest.raises(PmfError, match="unknown service area 'lado'"):
        d.area_kpis("lado")


def test_breakdown_parts_are_the_headline_window_at_the_month_end():
    b = pd.DataFrame(
        {
            "kpi_id": ["referrals_count"] * 4 + ["contacts_decided_1wd_pct"],
            "period_end": [END, END, END, END - pd.offsets.MonthEnd(1), END],
            "window": ["month", "month", "rolling_12m", "month", "month"],
            "dimension": ["sex", "age_band", "sex", "sex", "team"],
            "group": ["Male", "0-4", "Male", "Male", "North"],
            "value": [30.0, 5.0, 999.0, 7.0, 80.0],
        }
    )
    d = _tables(breakdowns=b)
    parts = d.breakdown_parts("referrals_count")
    # the month window at 31 October only; dimensions in the KPI's declared order
    # (age_band, sex, ethnicity), not the table's (sex first)
    assert [dim for dim, _ in parts] == ["age_band", "sex"]
    assert {dim: p["value"].tolist() for dim, p in parts} == {"sex": [30.0], "age_band": [5.0]}
    assert d.breakdown_parts("lado_count") == []  # not configured
    assert _tables(breakdowns=None).breakdown_parts("referrals_count") == []


def test_members_read_the_suppressed_view():
    # For members a count of 3 is withheld before any block reads it
    config = _config("members", log=())
    history = _history()
    history.loc[history["period_end"] == END, "value"] = 3.0
    history.loc[history["period_end"] == END, "numerator"] = 3.0
    d = MonthTables.from_tables(config, "2026-10", history)
    row = d.row("referrals_count")
    assert bool(row["suppressed"]) and pd.isna(row["value"])
    assert d.suppressing and d.withheld_text == "suppressed (fewer than 5)"
