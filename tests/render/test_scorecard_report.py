"""The quarterly scorecard report (pmf_lib.render.scorecard_report) on hand-made tables: quarters
as columns, a row per KPI under its heading, every figure and judgement read from the
scorecard table, members' suppression, and loading the published table."""

from __future__ import annotations

import pandas as pd
import pytest
from lxml import html as lxml_html

from pmf_lib.assess.scorecard import scorecards_for_config
from pmf_lib.config import Area, Config, Council, DataSources
from pmf_lib.errors import PmfError
from pmf_lib.render.month import MonthData
from pmf_lib.render.scorecard_report import ScorecardReport, financial_quarter

ENDS = pd.date_range("2024-11-30", "2026-10-31", freq="ME")  # 24 month ends
CARD = "balanced"


def _history() -> pd.DataFrame:
    """referrals_count: 40 + i in month i (i = 0..23), except 3 in Sep 2026 (1 to 4: withheld
    for members). assessments_45wd_pct: 40 of 50 (80.0%) a month."""
    rows = []
    for i, e in enumerate(ENDS):
        n = 3.0 if f"{e:%Y-%m}" == "2026-09" else 40.0 + i
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
        scorecards={
            CARD: {
                "title": "Quarterly balanced scorecard",
                "meeting": "Cabinet, quarterly",
                "groups": [
                    {"heading": "Quality", "kpis": ["assessments_45wd_pct"]},
                    {"heading": "Demand", "kpis": ["referrals_count"]},
                ],
                "quarters": 3,
            }
        },
        audience=audience,
        base_dir=tmp_path,
        outputs=str(tmp_path / "outputs"),
    )


def _table(data: MonthData) -> pd.DataFrame:
    """The scorecard table as assess makes it, then set by hand so the report can only show
    these by reading them: assessments in Jun 2026 rated Red against 85% (the target then),
    with England 84.0% and region 86.0% (South East, 2025)."""
    t = scorecards_for_config(data.config, data.history_full, data.assessed, data.month)
    a = t["kpi_id"] == "assessments_45wd_pct"
    jun = a & (t["period_end"] == "2026-06-30")
    t.loc[jun, ["rag", "target"]] = ["Red", 85.0]
    t.loc[a, ["england", "region", "region_name", "region_year"]] = [
        84.0,
        86.0,
        "South East",
        "2025",
    ]
    return t


def _doc(fragment: str):
    return lxml_html.fragment_fromstring(fragment, create_parent="div")


def _cells(row) -> list[str]:
    return [" ".join(c.text_content().split()) for c in row.findall("./th") + row.findall("./td")]


def _rows(doc) -> dict:
    return {tr.get("data-kpi"): tr for tr in doc.iter("tr") if tr.get("data-kpi")}


def test_financial_quarters():
    # April-June is Q1, January-March Q4 of the year that began the April before.
    assert financial_quarter("2026-04-30") == (1, "2026-27")
    assert financial_quarter("2026-12-31") == (3, "2026-27")
    assert financial_quarter("2026-01-31") == (4, "2025-26")


def test_quarters_are_columns_and_each_row_reads_the_table(tmp_path):
    data = MonthData.from_tables(_config("internal", tmp_path), "2026-10", _history())
    report = ScorecardReport.from_table(data, CARD, _table(data))
    doc = _doc(report.scorecard().data)
    table = doc.find(".//table")
    heads = [" ".join(th.text_content().split()) for th in table.findall("./thead/tr/th")]
    # Measure, target, 3 quarter ends (Mar, Jun, Sep 2026), October to date, comparators.
    assert heads == [
        "Measure",
        "Target now",
        "Mar 2026 Q4 2025-26",
        "Jun 2026 Q1 2026-27",
        "Sep 2026 Q2 2026-27",
        "Oct 2026 Q3 2026-27 to date",
        "England",
        "Region",
        "Statistical neighbours",
    ]
    # The groups in the config's order, each a row group with its heading.
    bodies = table.findall("./tbody")
    assert [_cells(b.find("./tr"))[0] for b in bodies] == ["Quality", "Demand"]
    assert [b.find("./tr/th").get("scope") for b in bodies] == ["rowgroup", "rowgroup"]
    cells = _cells(_rows(doc)["assessments_45wd_pct"])
    # No target now; June's cell reads the Red and the 85% set above, in words (greyscale).
    assert cells[1] == "–"
    assert cells[3] == "80.0% Red → No change target 85.0%"
    assert cells[2] == "80.0% No target → No change"
    assert cells[6:8] == ["84.0% 2025", "86.0% South East 2025"]
    link = _rows(doc)["assessments_45wd_pct"].find(".//a").get("href")
    assert link == "assessment.html#chart-assessments_45wd_pct"
    # Referrals: Sep 2026's 3 against Jun 2026's 59 is down; October's 63 is up.
    ref = _cells(_rows(doc)["referrals_count"])
    assert ref[4] == "3 No target ↓ Down" and ref[5] == "63 No target ↑ Up"


def test_title_names_the_meeting_and_the_quarters(tmp_path):
    data = MonthData.from_tables(_config("internal", tmp_path), "2026-10", _history())
    doc = _doc(ScorecardReport.from_table(data, CARD, _table(data)).title_block().data)
    assert doc.find(".//h1").text_content() == "Quarterly balanced scorecard"
    facts = dict(
        zip(
            [dt.text_content() for dt in doc.iter("dt")],
            [dd.text_content() for dd in doc.iter("dd")],
            strict=True,
        )
    )
    assert facts["Meeting"] == "Cabinet, quarterly" and facts["Measures"] == "2"
    assert facts["Quarters"] == "Mar 2026 to Sep 2026, and Oct 2026 (the quarter to date)"


def test_members_read_the_wording_and_nothing_that_states_the_small_number(tmp_path):
    members = MonthData.from_tables(_config("members", tmp_path), "2026-10", _history())
    # The table as assess made it for everyone: the report withholds through the members'
    # suppressed history.
    report = ScorecardReport.from_table(members, CARD, _table(members))
    doc = _doc(report.scorecard().data)
    ref = _cells(_rows(doc)["referrals_count"])
    withheld = members.withheld_text
    # September's 3: the wording, RAG and direction withheld; October's change against it
    # is not available (it would state September's figure).
    assert ref[4] == f"{withheld} Withheld Withheld"
    assert ref[5] == "63 No target Not available"
    assert " 3 " not in f" {ref[4]} {ref[5]} "
    assert members.suppressed_note(kpi_ids=report.kpis) in doc.text_content()


def test_load_reads_the_published_table_beside_the_history(tmp_path):
    config = _config("internal", tmp_path)
    data = MonthData.from_tables(config, "2026-10", _history())
    folder = tmp_path / "outputs" / "2026-10"
    folder.mkdir(parents=True)
    _history().to_parquet(folder / "kpi_history.parquet")
    data.assessed.reset_index(drop=True).to_parquet(folder / "kpis.parquet")
    data.spc.to_parquet(folder / "spc.parquet")
    cfg = tmp_path / "config.yaml"
    cfg.write_text(
        "council: {code: 938, name: Testshire County Council}\n"
        "data: {ssda903: a, cin_census: b, population: p.csv}\n"
        f"outputs: {tmp_path / 'outputs'}\n"
        "areas:\n"
        "  front_door: {title: Front door, kpis: [referrals_count]}\n"
        "  assessment: {title: Assessment, kpis: [assessments_45wd_pct]}\n"
        "scorecards:\n"
        f"  {CARD}: {{title: Quarterly balanced scorecard, meeting: Cabinet, quarters: 3,\n"
        "    kpis: [assessments_45wd_pct, referrals_count]}\n",
        encoding="utf-8",
    )
    # Not published yet: one error naming the file.
    with pytest.raises(PmfError) as e:
        ScorecardReport.load(cfg, CARD, "2026-10")
    assert str(e.value).startswith(str(folder / "scorecard.parquet"))
    _table(data).to_parquet(folder / "scorecard.parquet")
    report = ScorecardReport.load(cfg, CARD, "2026-10")
    assert report.kpis == ["assessments_45wd_pct", "referrals_count"]
    assert len(report.table) == 2 * 4 and [c["month"] for c in report.columns] == [
        "Mar 2026",
        "Jun 2026",
        "Sep 2026",
        "Oct 2026",
    ]
    # An id the config does not have names those it does.
    with pytest.raises(PmfError) as e:
        ScorecardReport.load(cfg, "dlt", "2026-10")
    assert e.value.field == "scorecard" and CARD in e.value.message


def test_a_table_from_another_month_or_config_is_refused(tmp_path):
    data = MonthData.from_tables(_config("internal", tmp_path), "2026-10", _history())
    t = _table(data)
    with pytest.raises(PmfError, match="no figures of scorecard"):
        ScorecardReport.from_table(data, CARD, t[t["period_end"] < "2026-10-31"])
    with pytest.raises(PmfError, match="differ from the config"):
        ScorecardReport.from_table(data, CARD, t[t["kpi_id"] == "referrals_count"])


def test_a_members_table_read_back_from_parquet_reads_the_same(tmp_path):
    # The members' run publishes the table suppressed; read back, its blanks are NaN, not
    # None: the report reads them as blanks ("Not available"), never as "nan".
    from pmf_lib.assess.scorecard import suppress_scorecard

    members = MonthData.from_tables(_config("members", tmp_path), "2026-10", _history())
    suppress_scorecard(_table(members), members.history).to_parquet(tmp_path / "s.parquet")
    back = pd.read_parquet(tmp_path / "s.parquet")
    doc = _doc(ScorecardReport.from_table(members, CARD, back).scorecard().data)
    ref = _cells(_rows(doc)["referrals_count"])
    assert ref[4] == f"{members.withheld_text} Withheld Withheld"
    assert ref[5] == "63 No target Not available"
    assert "nan" not in doc.text_content().lower().split()
