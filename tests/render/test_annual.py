"""The annual evidence pack's blocks, from a hand-made history, action table and store."""

from __future__ import annotations

import pandas as pd
import pytest
from lxml import html as lxml_html

from pmf_lib.assess.annual import annual_points_for_config, suppress_annual
from pmf_lib.config import Area, Config, Council, DataSources, LocalSources
from pmf_lib.errors import PmfError
from pmf_lib.read.benchmarks import BenchmarkStore
from pmf_lib.render.annual import AnnualPack, commentary_root, year_months
from pmf_lib.render.month import MonthData

NAN = float("nan")
MONTH = "2026-06"

# The years to 31 March: re-referrals 20.0 %, 22.0 %, 25.0 % (lower is better: +3 pp on
# 2024-25 is Worsening); referrals 480, 500, 3 (the 3 is withheld for members).
REREFERRALS = {"2024-03-31": 20.0, "2025-03-31": 22.0, "2026-03-31": 25.0}
REFERRALS = {"2024-03-31": 480.0, "2025-03-31": 500.0, "2026-03-31": 3.0}


def _history() -> pd.DataFrame:
    rows = []
    for e in pd.date_range("2023-04-30", MONTH + "-30", freq="ME"):
        key = e.strftime("%Y-%m-%d")
        pct = REREFERRALS.get(key, 21.0)
        count = REFERRALS.get(key, 490.0)
        rows.append(("rereferrals_12m_pct", e, "month", 21.0, 21.0, 100.0))
        rows.append(("rereferrals_12m_pct", e, "rolling_12m", pct, pct * 10, 1000.0))
        rows.append(("referrals_count", e, "month", 40.0, 40.0, NAN))
        rows.append(("referrals_count", e, "rolling_12m", count, count, NAN))
    cols = ["kpi_id", "period_end", "window", "value", "numerator", "denominator"]
    return pd.DataFrame(rows, columns=cols)


def _actions() -> pd.DataFrame:
    """IA-1 completed in the year (on re-referrals); IA-2 in the year before; IA-3 open."""
    return pd.DataFrame(
        {
            "period_end": pd.Timestamp("2026-06-30"),
            "action_id": ["IA-1", "IA-2", "IA-3"],
            "kpi_id": "rereferrals_12m_pct",
            "area": "front_door",
            "action": ["Step-down plans", "Old audit", "Open review"],
            "owner": "Head of Service",
            "created_date": pd.Timestamp("2024-01-01"),
            "due_date": pd.to_datetime(["2025-12-31", "2024-12-31", "2026-12-31"]),
            "completed_date": pd.to_datetime(["2025-10-01", "2024-10-01", None]),
            "status": ["complete", "complete", "in_progress"],
            "state": ["complete", "complete", "open"],
            "closed_since": False,
        }
    )


def _store() -> BenchmarkStore:
    """ReReferral (lower is better), published for 2024 and 2025 only.

    Councils' figures each year 10, 20, 30, 40 (938 is one of them at 30): quartile
    points 10, 17.5, 25, 32.5, 40; lower is better, so up to 17.5 is A, to 25 B,
    to 32.5 C, above D. England 23; South East 24; 938's neighbours 801 and 802: mean 15.
    """
    rows = []
    for year in ("2024", "2025"):
        for code, level, value in [
            (801, "LA", 10.0),
            (802, "LA", 20.0),
            (938, "LA", 30.0),
            (803, "LA", 40.0),
            (970, "England", 23.0),
            (989, "Region", 24.0),
        ]:
            rows.append(
                {
                    "measure": "ReReferral",
                    "year": year,
                    "year_end": pd.Timestamp(f"{year}-03-31"),
                    "level": level,
                    "la_code": code,
                    "name": f"LA {code}",
                    "region": "South East",
                    "value": value,
                    "suppression": None,
                    "source": "test",
                }
            )
    measures = pd.DataFrame(
        [
            {
                "code": "ReReferral",
                "title": "Re-referrals",
                "measure": "ReReferral",
                "topic": "t",
                "polarity": "Low",
                "unit": "%",
                "source_table": "t",
                "year_type": "Financial Year",
                "no_quartile": False,
                "dps": 1.0,
                "source": "test",
            }
        ]
    )
    nb = pd.DataFrame(
        {
            "model": "2025",
            "la_code": 938,
            "la_name": "LA 938",
            "region": "South East",
            "sn_rank": [1, 2],
            "neighbour": [801, 802],
            "neighbour_name": None,
            "closeness": "Close",
            "inherited_from": pd.NA,
        }
    )
    return BenchmarkStore(measures, pd.DataFrame(rows), nb, pd.DataFrame())


def _pack(tmp_path, audience="internal", commentary_dir="") -> AnnualPack:
    config = Config(
        council=Council(code=938, name="Testshire County Council"),
        data=DataSources(
            ssda903="a",
            cin_census="b",
            population="p.csv",
            local=LocalSources(improvement_actions=["log.csv"]),
        ),
        areas={
            "front_door": Area(title="Front door", kpis=["rereferrals_12m_pct", "referrals_count"]),
            "care_leavers": Area(title="Care leavers", kpis=["referrals_count"]),
        },
        audience=audience,
        base_dir=tmp_path,
    )
    data = MonthData.from_tables(config, MONTH, _history(), actions=_actions())
    # The annual points as the month build publishes them: from the full history, then
    # (members) through the one suppression rule, against the members' published history
    points = annual_points_for_config(config, _history(), MONTH)
    if data.suppressing:
        points = suppress_annual(points, data.history, data.metas, data.disclosure.max_count)
    return AnnualPack.from_data(data, "front_door", commentary_dir, points=points, store=_store())


@pytest.fixture(scope="module")
def internal(tmp_path_factory):
    return _pack(tmp_path_factory.mktemp("annual"))


@pytest.fixture(scope="module")
def members(tmp_path_factory):
    return _pack(tmp_path_factory.mktemp("annual_members"), audience="members")


def _rows(fragment: str) -> list[list[str]]:
    doc = lxml_html.fragment_fromstring(fragment, create_parent="div")
    return [
        [" ".join(c.text_content().split()) for c in tr.findall("./*")]
        for tr in doc.findall(".//tbody/tr")
    ]


def test_year_months_and_commentary_root():
    assert year_months("2026-03-31")[:2] == ["2025-04", "2025-05"]
    assert commentary_root("x/commentary/2026-06").name == "commentary"


def test_title_and_headings(internal):
    title = internal.title_block().data
    assert "annual self-evaluation evidence 2025-26" in title
    heading = internal.headings_block().data
    assert "children who need help and protection" in heading


def test_trends_three_years_and_the_change(internal):
    rows = _rows(internal.trends().data)
    rr = next(r for r in rows if r[0].startswith("Re-referrals"))
    # 20.0 %, 22.0 %, 25.0 %; +3.0 pp on the year before, lower is better: Worsening
    assert rr[1:4] == ["20.0%", "22.0%", "25.0%"]
    assert "Worsening" in rr[4] and "+3.0 pp" in rr[4]
    assert "year to 31 March" in rr[0]


def test_members_see_the_withheld_wording_and_no_verdict(members):
    rows = _rows(members.trends().data)
    ref = next(r for r in rows if r[0].startswith("Referrals"))
    wording = members.data.withheld_text
    # 480, 500 shown; the 3 of 2025-26 withheld, so no change on the year is given
    assert ref[1:4] == ["480", "500", wording]
    assert "Not available" in ref[4] and "3" not in ref[3]


def test_comparators_quartile_each_year_and_movement(internal):
    rows = _rows(internal.comparators().data)
    assert len(rows) == 1  # referrals_count is a count: not compared
    r = rows[0]
    # 2023-24: 20.0 % in (17.5, 25]: B; 2024-25: 22.0 %: B; 2025-26 against the 2024-25
    # figures (2025-26 not published): 25.0 % is still B (the 50 % point is 25): stayed
    assert r[0].endswith("compared with DfE's 31 March 2025 figures") and r[1] == "25.0%"
    assert r[2:5] == ["23.0%", "24.0%", "15.0%"]
    assert r[5:8] == ["B", "B", "B"]
    assert r[8] == "Stayed in quartile B"


def test_actions_completed_in_the_year_with_movement(internal, members):
    rows = _rows(internal.actions().data)
    # IA-1 only: IA-2 was completed in 2024-25, IA-3 is open. Re-referrals 22.0 % -> 25.0 %
    assert [r[0] for r in rows] == ["Step-down plans IA-1"]
    assert rows[0][4:7] == ["22.0%", "25.0%", "Worsening"]
    # members' action tables hold no completed actions: the pack says so, lists none
    m = members.actions().data
    assert not _rows(m) and "internal edition" in m


def test_commentary_of_the_year_months(tmp_path):
    root = tmp_path / "commentary"
    for month, text in (
        ("2025-05", "May's view."),
        ("2026-02", "February's view."),
        ("2026-04", "Next year's."),
    ):
        (root / month).mkdir(parents=True)
        (root / month / "front_door.md").write_text(f"## Overall\n{text}\n", encoding="utf-8")
    pack = _pack(tmp_path, commentary_dir=root / MONTH)
    html = pack.commentary().data
    assert "May 2025" in html and "May's view." in html
    assert "February's view." in html
    assert "Next year's." not in html  # April 2026 is not in 2025-26
    assert "No commentary was written for Front door in April 2025, June 2025" in html


def test_council_summary_counts_each_heading(internal):
    rows = _rows(internal.summary().data)
    got = {r[0]: r[1:] for r in rows}
    # help and protection (front door): re-referrals Worsening, referrals neutral;
    # care leavers: referrals only (neutral): neither improving nor worsening
    assert got["The experiences and progress of children who need help and protection"][:4] == [
        "2",
        "0",
        "1",
        "0",
    ]
    assert got["The experiences and progress of care leavers"][:4] == ["1", "0", "0", "0"]


def test_members_pack_refuses_to_make_its_own_points(tmp_path):
    config = Config(
        council=Council(code=938, name="Testshire County Council"),
        data=DataSources(ssda903="a", cin_census="b", population="p.csv"),
        areas={"front_door": Area(title="Front door", kpis=["referrals_count"])},
        audience="members",
        base_dir=tmp_path,
    )
    data = MonthData.from_tables(config, MONTH, _history())
    # the members' history holds the charted (monthly) series only: no year to 31 March
    with pytest.raises(PmfError, match="annual.parquet"):
        AnnualPack.from_data(data, "front_door", store=_store())


def test_the_config_places_an_area_under_its_own_heading(internal):
    from dataclasses import replace

    config = internal.data.config.model_copy(update={"ilacs": {"front_door": ["leaders"]}})
    data = replace(internal.data, config=config)
    pack = AnnualPack.from_data(data, "front_door", points=internal.table, store=_store())
    html = pack.headings_block().data
    # the table places the front door under help and protection; the config under leaders
    assert "The impact of leaders" in html and "need help and protection" not in html


def test_audit_findings_trends_and_team_breakdown(internal):
    from dataclasses import replace

    areas = {
        **internal.data.config.areas,
        "quality_assurance": Area(title="QA", kpis=["qa_audits_good_pct"]),
    }
    config = internal.data.config.model_copy(update={"areas": areas})
    history = pd.DataFrame(
        {
            "kpi_id": "qa_audits_good_pct",
            "period_end": pd.to_datetime(["2024-03-31", "2025-03-31", "2026-03-31"]),
            "window": "rolling_12m",
            "value": [50.0, 60.0, 70.0],
            "numerator": [50.0, 60.0, 70.0],
            "denominator": 100.0,
        }
    )
    # Good or better by team, 12 months to June 2026: North 18 of 20 = 90.0 %
    breakdowns = pd.DataFrame(
        {
            "kpi_id": "qa_audits_good_pct",
            "period_end": pd.Timestamp("2026-06-30"),
            "window": ["rolling_12m", "quarter"],
            "dimension": "team",
            "group": ["North", "South"],
            "value": [90.0, 10.0],
            "numerator": [18.0, 1.0],
            "denominator": [20.0, 10.0],
        }
    )
    metas = {**internal.data.metas}
    from pmf_lib.compute.registry import all_kpis

    metas["qa_audits_good_pct"] = all_kpis()["qa_audits_good_pct"].meta
    data = replace(internal.data, config=config, breakdowns=breakdowns, metas=metas)
    points = annual_points_for_config(config, pd.concat([_history(), history]), MONTH)
    pack = AnnualPack.from_data(data, "front_door", points=points, store=_store())
    parts = pack.audits().data
    rows = _rows(parts)
    # the audits' years: 50.0 %, 60.0 %, 70.0 % (+10 pp, higher is better: Improving)
    assert rows[0][1:4] == ["50.0%", "60.0%", "70.0%"] and "Improving" in rows[0][4]
    # by team, the rolling 12 months only (South's row is a quarter's)
    assert rows[1:] == [["North", "90.0%"]]
    # the audit area's own pack does not repeat the trends its first table shows
    qa = AnnualPack.from_data(data, "quality_assurance", points=points, store=_store())
    assert _rows(qa.audits().data) == [["North", "90.0%"]]
