"""The report kinds built from hand-made tables: members' reports withhold small numbers
everywhere (tiles, tables, sentences, charts and their alt text); blocks are accessible."""

from __future__ import annotations

import pandas as pd
import pytest
from lxml import html as lxml_html

from pmf_lib.config import Area, Config, Council, DataSources
from pmf_lib.render.month import MonthData
from pmf_lib.render.reports import Dashboard, ExceptionsReport, ServiceAreaReport

ENDS = pd.date_range("2024-11-30", "2026-10-31", freq="ME")  # 24 month ends


def _history() -> pd.DataFrame:
    """referrals_count: 40 a month, 3 in Oct 2026 (1 to 4 children: withheld for members).
    assessments_45wd_pct: 40 of 50 (80.0%) a month; Oct 2026 47 of 50 (94.0%): the 3
    children not assessed in time would be revealed, so withheld too."""
    rows = []
    for e in ENDS:
        last = e == ENDS[-1]
        n = 3.0 if last else 40.0
        rows.append(("referrals_count", e, "month", n, n, float("nan")))
        rows.append(("referrals_count", e, "rolling_12m", 480.0, 480.0, float("nan")))
        num = 47.0 if last else 40.0
        rows.append(("assessments_45wd_pct", e, "month", 100 * num / 50, num, 50.0))
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


@pytest.fixture
def members(tmp_path) -> MonthData:
    return MonthData.from_tables(_config("members", tmp_path), "2026-10", _history())


def text(fragment: str) -> str:
    return " ".join(
        lxml_html.fragment_fromstring(fragment, create_parent="div").text_content().split()
    )


def test_internal_reports_show_every_figure(tmp_path):
    d = MonthData.from_tables(_config("internal", tmp_path), "2026-10", _history())
    tiles = text(ServiceAreaReport(d, "front_door").tiles().data)
    assert "3" in tiles.split() and "<5" not in tiles
    assert "94.0%" in text(ServiceAreaReport(d, "assessment").tiles().data)


def test_members_reports_withhold_small_numbers_throughout(members):
    area = ServiceAreaReport(members, "front_door")
    tiles = text(area.tiles().data)
    withheld = "suppressed (fewer than 5)"
    assert withheld in tiles and " 3 " not in f" {tiles} " and "<5" not in tiles
    table = text(area.table().data)
    assert withheld in table
    assess = ServiceAreaReport(members, "assessment")
    assert "94.0" not in assess.tiles().data and withheld in text(assess.tiles().data)
    # The dashboard and the exceptions report read the same withheld figures.
    dash = Dashboard(members)
    assert "94.0" not in dash.areas().data and "94.0" not in dash.summary().data
    assert "94.0" not in ExceptionsReport(members).exceptions().data
    # A withheld point is not plotted, and the alt text says so without stating it.
    doc = lxml_html.fragment_fromstring(area.charts().data, create_parent="div")
    alt = doc.find(".//img").get("alt")
    assert "withheld" in alt and "latest 3" not in alt
    chart = members.chart("assessments_45wd_pct")
    assert "withheld" in chart.alt and "94.0" not in chart.alt


def test_dashboard_table_has_real_headers_and_words_for_colours(members):
    doc = lxml_html.fragment_fromstring(Dashboard(members).areas().data, create_parent="div")
    table = doc.find(".//table")
    assert table.find("caption") is not None
    assert [th.get("scope") for th in table.findall(".//thead/tr/th")] == ["col"] * 12
    assert all(tr.find("th").get("scope") == "row" for tr in table.findall(".//tbody/tr"))
    # Both October figures are withheld (see _history): their rating reads a word.
    rag = table.find(".//span[@class='pmf-rag pmf-rag-withheld']")
    assert rag is not None and rag.text_content().strip() == "Withheld"
