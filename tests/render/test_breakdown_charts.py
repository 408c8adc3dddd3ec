"""Breakdown charts: bars drawn from the breakdown table as shown, alt text, withheld cells."""

from __future__ import annotations

import re

import pandas as pd

from pmf_lib.config import Area, Config, Council, DataSources
from pmf_lib.render.breakdown_charts import breakdown_chart, make_up_chart
from pmf_lib.render.month import MonthData
from pmf_lib.render.reports import ServiceAreaReport

END = pd.Timestamp("2026-10-31")
NAN = float("nan")


def test_a_withheld_group_gets_no_bar_and_the_alt_text_says_so():
    # Age band: Under 1 has 0 (drawn, a zero-length bar), 1 to 4 is withheld, 5 to 9 has 40.
    c = breakdown_chart(
        "Children looked after",
        "Age band",
        "At 31 October 2026",
        "count",
        ["Under 1", "1 to 4", "5 to 9"],
        [0.0, NAN, 40.0],
        [False, True, False],
        withheld="fewer than 5 children",
    )
    assert c.drawn == (("Under 1", 0.0), ("5 to 9", 40.0))
    assert c.alt == (
        "Bar chart of Children looked after by age band (At 31 October 2026): Under 1 0; "
        "1 to 4 withheld (fewer than 5 children), no bar drawn; 5 to 9 40."
    )
    assert c.to_html().startswith('<img class="pmf-chart" src="data:image/png;base64,')


def test_teams_are_sorted_and_their_spread_described_against_all_children():
    # Teams: North 62.5%, South 80%, East withheld. Sorted highest first: South, North.
    # Spread: 80.0 - 62.5 = 17.5 percentage points; overall 74%.
    c = breakdown_chart(
        "Visits on time",
        "Team",
        "October 2026",
        "percent",
        ["North", "South", "East"],
        [62.5, 80.0, NAN],
        [False, False, True],
        overall=74.0,
        sort=True,
    )
    assert c.drawn == (("South", 80.0), ("North", 62.5))
    assert "South 80.0%; North 62.5%; East withheld" in c.alt
    assert "Line: overall 74.0%." in c.alt
    assert "from 62.5% (North) to 80.0% (South), a gap of 17.5 percentage points" in c.alt


def test_nothing_to_draw_is_no_chart():
    assert breakdown_chart("K", "Sex", "w", "count", ["M", "F"], [3.0, 2.0], [True, True]) is None


def test_make_up_chart_sets_each_share_beside_all_children_in_need():
    # White 90% of the measure against 85% of children in need; Mixed withheld: its own bar is
    # not drawn, the reference bar is.
    c = make_up_chart(
        "Referrals",
        "October 2026",
        ["White", "Mixed"],
        [90.0, NAN],
        [False, True],
        {"White": 85.0, "Mixed": 6.0},
    )
    assert c.drawn == (("White", 90.0), ("White", 85.0), ("Mixed", 6.0))
    assert "White 90.0% against 85.0%" in c.alt
    assert "Mixed withheld (fewer than 5 children), no bar drawn, against 6.0%" in c.alt
    assert "No population by ethnic group is in the inputs" in c.alt


# ----------------------------------------------------------------------------- in the report


def _history() -> pd.DataFrame:
    rows = []
    for e in pd.date_range("2025-11-30", END, freq="ME"):
        rows.append(("referrals_count", e, "month", 40.0, 40.0, NAN))
        rows.append(("cin_count", e, "snapshot", 400.0, 400.0, NAN))
        rows.append(("contacts_decided_1wd_pct", e, "month", 80.0, 40.0, 50.0))
    cols = ["kpi_id", "period_end", "window", "value", "numerator", "denominator"]
    return pd.DataFrame(rows, columns=cols)


def _breakdowns() -> pd.DataFrame:
    """Referrals in October 2026 by ethnicity: White 33, Mixed 4, Asian 3 (of 40).

    For members 4 and 3 are withheld (each 1-4). Shares: White 33/40 = 82.5%.
    All children in need (cin_count) by ethnicity: White 340, Mixed 40, Asian 20 of 400:
    85.0%, 10.0%, 5.0%. Contacts decided in a working day by team: North 36/45 = 80.0%,
    South 4/5 = 80.0% (withheld for members: 1 not decided in time), East 40/50 = 80.0%;
    for members North goes too (the smallest other denominator), so South's 4 of 5 cannot
    be worked out from the teams' total.
    """
    r = [
        ("referrals_count", "month", "ethnicity", "White", 33.0, 33.0, NAN),
        ("referrals_count", "month", "ethnicity", "Mixed", 4.0, 4.0, NAN),
        ("referrals_count", "month", "ethnicity", "Asian or Asian British", 3.0, 3.0, NAN),
        ("cin_count", "snapshot", "ethnicity", "White", 340.0, 340.0, NAN),
        ("cin_count", "snapshot", "ethnicity", "Mixed", 40.0, 40.0, NAN),
        ("cin_count", "snapshot", "ethnicity", "Asian or Asian British", 20.0, 20.0, NAN),
        ("contacts_decided_1wd_pct", "month", "team", "North", 80.0, 36.0, 45.0),
        ("contacts_decided_1wd_pct", "month", "team", "South", 80.0, 4.0, 5.0),
        ("contacts_decided_1wd_pct", "month", "team", "East", 80.0, 40.0, 50.0),
    ]
    t = pd.DataFrame(
        r, columns=["kpi_id", "window", "dimension", "group", "value", "numerator", "denominator"]
    )
    t.insert(1, "period_end", END)
    return t


def _html(audience: str, tmp_path) -> str:
    config = Config(
        council=Council(code=938, name="Testshire County Council"),
        data=DataSources(ssda903="a", cin_census="b", population="p.csv"),
        areas={
            "front_door": Area(
                title="Front door",
                kpis=["referrals_count", "contacts_decided_1wd_pct", "cin_count"],
            )
        },
        audience=audience,
        base_dir=tmp_path,
    )
    d = MonthData.from_tables(config, "2026-10", _history())
    d.breakdowns = _breakdowns()
    return ServiceAreaReport(d, "front_door").breakdowns().data


def _alts(html: str) -> list[str]:
    return re.findall(r'<img class="pmf-chart"[^>]* alt="([^"]*)"', html)


def test_internal_report_draws_a_chart_beside_every_breakdown_table(tmp_path):
    html = _html("internal", tmp_path)
    alts = _alts(html)
    # referrals by ethnicity (bars + make-up), contacts by team, cin_count by ethnicity (bars
    # only: it is the reference itself)
    assert len(alts) == 4 and html.count("<figcaption>") == 4
    assert any(a.startswith("Bar chart of Referrals") and "White 33; Mixed 4;" in a for a in alts)
    mix = next(a for a in alts if "share of" in a)
    assert "White 82.5% against 85.0%" in mix and "Mixed 10.0% against 10.0%" in mix
    team = next(a for a in alts if "by team" in a)
    assert "North 80.0%; South 80.0%; East 80.0%" in team and "Line: overall 80.0%" in team


def test_members_report_draws_no_bar_for_a_withheld_cell(tmp_path):
    html = _html("members", tmp_path)
    alts = _alts(html)
    bars = next(a for a in alts if a.startswith("Bar chart of Referrals by ethnicity"))
    assert "Mixed withheld" in bars and "Asian or Asian British withheld" in bars
    assert " 4;" not in bars and " 3." not in bars  # the withheld counts appear nowhere
    team = next(a for a in alts if "by team" in a)
    assert "South withheld" in team and "North withheld" in team and "East 80.0%" in team
    mix = next(a for a in alts if "share of" in a)
    assert "Mixed withheld (fewer than 5 children), no bar drawn" in mix


def test_an_empty_group_is_no_figure_not_withheld_and_not_known_is_no_team():
    # Internal: team "Not known" has no contacts (0/0, no figure): it is not withheld, and the
    # spread runs over the real teams only: 70% (West) to 90% (East), 20 points.
    c = breakdown_chart(
        "Decided in a day",
        "Team",
        "October 2026",
        "percent",
        ["East", "West", "Not known"],
        [90.0, 70.0, NAN],
        [False, False, False],
        sort=True,
    )
    assert "Not known no figure, no bar drawn" in c.alt and "withheld" not in c.alt
    assert "from 70.0% (West) to 90.0% (East), a gap of 20.0 percentage points" in c.alt
    assert [g for g, _ in c.drawn] == ["East", "West"]
