"""The workforce report's caseload distribution section, from hand-made published tables."""

from __future__ import annotations

import pandas as pd
from lxml import html as lxml_html

from pmf_lib.config import Area, Config, Council, DataSources
from pmf_lib.render.month import MonthData
from pmf_lib.render.workforce import DISTRIBUTION, caseload_distribution

END = pd.Timestamp("2026-10-31")
NAN = float("nan")
KPIS = [k for k, _ in DISTRIBUTION] + ["wf_caseload_over_threshold_pct", "wf_caseload_median"]
#: At October 2026: 20 case holders; 17 over 10 (20 - 17 = 3 in the lowest band), 9 over 15,
#: 2 over 20, 0 over 25; 2 of 20 over the threshold; median 16.
OCTOBER = {
    "wf_case_holders_count": (20.0, NAN),
    "wf_caseload_over_10_count": (17.0, NAN),
    "wf_caseload_over_15_count": (9.0, NAN),
    "wf_caseload_over_20_count": (2.0, NAN),
    "wf_caseload_over_25_count": (0.0, NAN),
    "wf_caseload_over_threshold_pct": (2.0, 20.0),
    "wf_caseload_median": (320.0, 20.0),
}


def _history() -> pd.DataFrame:
    rows = []
    for e in pd.date_range("2026-08-31", END, freq="ME"):
        for k, (n, d) in OCTOBER.items():
            value = n if d != d else (100 * n / d if k.endswith("_pct") else n / d)
            rows.append((k, e, "snapshot", value, n, d))
    return pd.DataFrame(
        rows, columns=["kpi_id", "period_end", "window", "value", "numerator", "denominator"]
    )


def _breakdowns() -> pd.DataFrame:
    """By team: North 14 case holders (12 over 10), South 6 (5 over 10)."""
    r = [
        ("wf_case_holders_count", "North", 14.0, 14.0, NAN),
        ("wf_case_holders_count", "South", 6.0, 6.0, NAN),
        ("wf_case_holders_count", "Not known", 0.0, 0.0, NAN),
        ("wf_caseload_over_10_count", "North", 12.0, 12.0, NAN),
        ("wf_caseload_over_10_count", "South", 5.0, 5.0, NAN),
        ("wf_caseload_over_10_count", "Not known", 0.0, 0.0, NAN),
    ]
    t = pd.DataFrame(r, columns=["kpi_id", "group", "value", "numerator", "denominator"])
    t.insert(1, "period_end", END)
    t.insert(2, "window", "snapshot")
    t.insert(3, "dimension", "team")
    return t


def _data(audience: str, tmp_path) -> MonthData:
    config = Config(
        council=Council(code=938, name="Testshire County Council"),
        data=DataSources(ssda903="a", cin_census="b", population="p.csv"),
        areas={"workforce": Area(title="Workforce", kpis=KPIS)},
        audience=audience,
        base_dir=tmp_path,
    )
    d = MonthData.from_tables(config, "2026-10", _history())
    d.breakdowns = _breakdowns()
    return d


def _section(data):
    html = caseload_distribution(data, KPIS).data
    return lxml_html.fragment_fromstring(html, create_parent="div")


def _team_cells(doc) -> list[list[str]]:
    table = doc.find(".//table")
    return [[c.text_content().strip() for c in tr] for tr in table.findall("./tbody/tr")]


def test_internal_chart_and_team_table_show_every_figure(tmp_path):
    doc = _section(_data("internal", tmp_path))
    alt = doc.find(".//img").get("alt")
    assert alt == (
        "Bar chart of Case-holding social workers by caseload (at 31 October 2026): All "
        "case-holding social workers 20; More than 10 cases 17; More than 15 cases 9; More "
        "than 20 cases 2; More than 25 cases 0."
    )
    facts = [li.text_content() for li in doc.findall(".//li")]
    assert facts == [
        "Median caseload of case-holding social workers: 16.0",
        "Social workers over the council's caseload threshold: 10.0%",
    ]
    # the team table: a column per KPI with a team breakdown, figures as published
    head = [th.text_content() for th in doc.find(".//table/thead/tr")]
    assert head == ["Team", "All case-holding social workers", "More than 10 cases"]
    assert _team_cells(doc) == [["North", "14", "12"], ["South", "6", "5"], ["Not known", "0", "0"]]


def test_members_see_no_band_that_states_1_to_4_workers(tmp_path):
    data = _data("members", tmp_path)
    doc = _section(data)
    alt = doc.find(".//img").get("alt")
    # over 10 (17) is withheld: 20 - 17 = 3 would be stated; over 20 (2) is 1-4 itself, and
    # so is the share over the threshold (2 of 20); over 15 (9) and over 25 (0) state nothing
    assert "All case-holding social workers 20;" in alt
    assert "More than 10 cases withheld" in alt and " 17" not in alt
    assert "More than 15 cases 9;" in alt
    assert "More than 20 cases withheld" in alt
    facts = [li.text_content() for li in doc.findall(".//li")]
    assert facts[1] == f"Social workers over the council's caseload threshold: {data.withheld_text}"
    # by team: the over-10 figure is withheld council-wide, so its whole team breakdown is
    # (South's 6 - 5 = 1 would state a worker anyway); the case holders by team are shown
    cells = _team_cells(doc)
    assert [row[1] for row in cells] == ["14", "6", "0"]
    assert {row[2] for row in cells} == {data.withheld_text}
    assert data.withheld_text in doc.text_content()


def test_other_areas_get_no_section(tmp_path):
    assert caseload_distribution(_data("internal", tmp_path), ["referrals_count"]).data == ""


def test_members_demo_caseloads_state_no_count_of_1_to_4(published_demo_month):
    """The demo month's caseload section for members: no team figure, band or difference
    (across teams or between bands) states 1 to 4 social workers."""
    from pmf_lib.config import load_config
    from tests.conftest import DEMO_CONFIG

    config = load_config(DEMO_CONFIG, check_files=False).model_copy(update={"audience": "members"})
    folder = published_demo_month
    data = MonthData.from_tables(
        config,
        "2026-10",
        pd.read_parquet(folder / "kpi_history.parquet"),
        pd.read_parquet(folder / "kpis.parquet"),
        breakdowns=pd.read_parquet(folder / "breakdowns.parquet"),
        spc=pd.read_parquet(folder / "spc.parquet"),
    )
    doc = _section(data)
    withheld = data.withheld_text
    head = [th.text_content() for th in doc.find(".//table/thead/tr")][1:]
    counts = [i for i, h in enumerate(head) if not h.startswith("Social workers over")]
    rows = _team_cells(doc)
    assert any(withheld in row for row in rows)  # the demo's small teams (Permanence: 3)

    def small(n):
        return 1 <= n <= 4

    for row in rows:
        shown = [int(row[1 + i]) if row[1 + i] != withheld else None for i in counts]
        assert not any(n is not None and small(n) for n in shown), row
        pairs = zip(shown, shown[1:], strict=False)  # each band within the one before
        assert not any(a is not None and b is not None and small(a - b) for a, b in pairs), row
    for i in counts:
        kpi = [k for k, label in DISTRIBUTION if label == head[i]][0]
        total = data.shown_value(kpi)
        cells = [row[1 + i] for row in rows]
        if total is not None and withheld in cells:
            rest = total - sum(int(c) for c in cells if c != withheld)
            assert not small(rest), (kpi, total, cells)
