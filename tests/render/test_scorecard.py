"""The dashboard's scorecard, on hand-made tables: a line per configured KPI, grouped by
area, every judgement read from the assessed table, sparklines of the SPC table's last 13
points, members' suppression as the other blocks show it."""

from __future__ import annotations

import pandas as pd
import pytest
from lxml import html as lxml_html

from pmf_lib.assess.pipeline import assess_for_config
from pmf_lib.config import Area, Config, Council, DataSources
from pmf_lib.render.month import MonthData
from pmf_lib.render.reports import Dashboard
from pmf_lib.render.scorecard import spark_points, sparkline_alt, sparkline_html

ENDS = pd.date_range("2024-11-30", "2026-10-31", freq="ME")  # 24 month ends


def _history() -> pd.DataFrame:
    """referrals_count: 40 + i in month i (i = 0..23), except 3 in Oct 2026 (1 to 4
    children: withheld for members). assessments_45wd_pct: 40 of 50 (80.0%) a month."""
    rows = []
    for i, e in enumerate(ENDS):
        n = 3.0 if e == ENDS[-1] else 40.0 + i
        rows.append(("referrals_count", e, "month", n, n, float("nan")))
        rows.append(("referrals_count", e, "rolling_12m", 480.0, 480.0, float("nan")))
        rows.append(("assessments_45wd_pct", e, "month", 80.0, 40.0, 50.0))
        rows.append(("assessments_45wd_pct", e, "rolling_12m", 80.0, 480.0, 600.0))
    return pd.DataFrame(
        rows, columns=["kpi_id", "period_end", "window", "value", "numerator", "denominator"]
    )


def _config(audience: str, tmp_path) -> Config:
    return Config(
        council=Council(code=938, name="Testshire County Council"),
        data=DataSources(ssda903="a", cin_census="b", population="p.csv"),
        areas={
            "front_door": Area(title="Front door", kpis=["referrals_count"]),
            "assessment": Area(title="Assessment", kpis=["assessments_45wd_pct"]),
        },
        audience=audience,
        base_dir=tmp_path,
    )


def _doc(fragment: str):
    return lxml_html.fragment_fromstring(fragment, create_parent="div")


def _cells(row) -> list[str]:
    return [" ".join(c.text_content().split()) for c in row.findall("./th") + row.findall("./td")]


@pytest.fixture
def internal(tmp_path) -> MonthData:
    """The assessed table as assess makes it, then judgements set by hand so the scorecard
    can only show them by reading them: assessments rated Red against a target of 85%
    (baseline 78%), with England 84.0% and statistical neighbours 82.5%, quartile C."""
    config = _config("internal", tmp_path)
    history = _history()
    a = assess_for_config(config, history, "2026-10")
    i = a.index[a["kpi_id"] == "assessments_45wd_pct"][0]
    a.loc[i, ["rag", "quartile"]] = ["Red", "C"]
    a.loc[i, ["target", "target_baseline", "england", "sn"]] = [85.0, 78.0, 84.0, 82.5]
    return MonthData.from_tables(config, "2026-10", history, a)


def test_spark_points_are_the_last_13_up_to_the_month():
    rows = pd.DataFrame({"period_end": ENDS, "value": [float(v) for v in range(24)]})
    p = spark_points(rows, "2026-09-30")
    # 23 points to Sep 2026 (values 0..22): the last 13 are 10..22, oldest first.
    assert len(p) == 13 and p["value"].tolist() == [float(v) for v in range(10, 23)]
    assert p["period_end"].iloc[-1] == pd.Timestamp("2026-09-30")


def test_sparkline_alt_names_first_latest_and_range():
    p = pd.DataFrame(
        {"period_end": ENDS[-3:], "value": [12.0, 30.0, 7.0]}  # Aug, Sep, Oct 2026
    )
    assert sparkline_alt("Referrals", p, "count") == (
        "Last 3 months of Referrals: 12 in Aug 2026, 7 in Oct 2026 (lowest 7, highest 30)."
    )
    q = p.assign(value=[12.0, float("nan"), 7.0])
    # Sep has no value and is not among the withheld dates: it has no figure.
    assert sparkline_alt("Referrals", q, "count").endswith("1 point without a figure.")
    img = _doc(sparkline_html(p, "alt words")).find(".//img")
    assert img.get("src").startswith("data:image/png;base64,") and img.get("alt") == "alt words"


def test_scorecard_lists_every_kpi_by_area_with_the_assessed_judgements(internal):
    doc = _doc(Dashboard(internal).scorecard().data)
    table = doc.find(".//table")
    assert table.find("caption") is not None
    assert [th.get("scope") for th in table.findall("./thead/tr/th")] == ["col"] * 12
    bodies = table.findall("./tbody")
    assert [b.get("id") for b in bodies] == ["scorecard-front_door", "scorecard-assessment"]
    assert [b.find("./tr/th").get("scope") for b in bodies] == ["rowgroup", "rowgroup"]
    rows = {tr.get("data-kpi"): tr for tr in table.iter("tr") if tr.get("data-kpi")}
    assert set(rows) == {"referrals_count", "assessments_45wd_pct"}
    cells = _cells(rows["assessments_45wd_pct"])
    # latest, target with baseline, RAG in words, England, neighbours, quartile: as set above
    assert cells[1] == "80.0%" and cells[3] == "85.0% baseline 78.0%"
    assert cells[4] == "Red" and cells[8:11] == ["84.0%", "82.5%", "C"]
    assert rows["assessments_45wd_pct"].get("class") == "pmf-sc-row pmf-sc-red"
    links = [a.get("href") for a in rows["assessments_45wd_pct"].iter("a")]
    assert links == [
        "assessment.html#chart-assessments_45wd_pct",
        "assessment.html#definition-assessments_45wd_pct",
    ]
    # One Red (set above), counted above the table.
    counts = " ".join(doc.find(".//ul").text_content().split())
    assert counts.startswith("1 rated Red against target")
    # Each line's sparkline: the month window's last 13 points, Oct 2025 (month 11: 51) to
    # Oct 2026 (3); the highest is Sep 2026 (month 22: 62).
    alt = rows["referrals_count"].find(".//img").get("alt")
    assert (
        alt == "Last 13 months of Referrals: 51 in Oct 2025, 3 in Oct 2026 (lowest 3, highest 62)."
    )


def test_members_scorecard_withholds_what_a_small_number_gives_away(tmp_path):
    members = MonthData.from_tables(_config("members", tmp_path), "2026-10", _history())
    doc = _doc(Dashboard(members).scorecard().data)
    row = next(tr for tr in doc.iter("tr") if tr.get("data-kpi") == "referrals_count")
    cells = _cells(row)
    withheld = members.withheld_text
    # October's 3 referrals are withheld; its RAG, direction and SPC icons with it.
    assert cells[1] == withheld and cells[4] == "Withheld" and cells[5] == "Withheld"
    assert cells[6].endswith("Withheld") and cells[7].endswith("Withheld")
    alt = row.find(".//img").get("alt")
    assert "withheld in Oct 2026" in alt and "1 point withheld (fewer than 5" in alt
    assert " 3 " not in f" {alt} " and "lowest 51" in alt
    assert members.suppressed_note() in doc.text_content()


def test_area_report_gives_the_figures_the_scorecard_leaves_out(tmp_path):
    from pmf_lib.render.reports import ServiceAreaReport

    config = _config("internal", tmp_path)
    history = _history()
    a = assess_for_config(config, history, "2026-10")
    i = a.index[a["kpi_id"] == "assessments_45wd_pct"][0]
    a.loc[i, ["sn_median", "rank", "rank_of"]] = [81.25, 12, 153]  # set by hand
    d = MonthData.from_tables(config, "2026-10", history, a)
    tables = _doc(ServiceAreaReport(d, "assessment").table().data).findall(".//table")
    assert len(tables) == 2 and all(t.find("caption") is not None for t in tables)
    row = tables[1].find("./tbody/tr")
    # Oct 2026: 40 of 50 assessed in time (see _history); neighbours' median and rank as set.
    assert _cells(row)[1:] == ["40", "50", "81.3%", "12 of 153"]
    members = MonthData.from_tables(_config("members", tmp_path), "2026-10", history)
    row = _doc(ServiceAreaReport(members, "front_door").table().data).findall(".//table")[1]
    # October's 3 referrals are withheld: so is their numerator.
    assert _cells(row.find("./tbody/tr"))[1] == members.withheld_text
