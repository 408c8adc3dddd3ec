"""The "What children and families told us" report (pmf_lib.render.voice) on hand-made tables:
themes by quarter with members' suppression (no theme worked out from the total), and quotes
escaped and marked as the respondent's own words."""

from __future__ import annotations

import pandas as pd
from lxml import html as lxml_html

from pmf_lib.assess.disclosure import suppress_breakdowns
from pmf_lib.compute.kpis.voice import THEME_PARTITIONS
from pmf_lib.config import Area, Config, Council, DataSources
from pmf_lib.render.month import MonthData
from pmf_lib.render.voice import VoiceReport

THEMES = THEME_PARTITIONS["complaints_received_count"]  # communication, delay, decision, ...
# the five quarters to Jul-Sep 2026 (the latest complete in October), and October itself
ENDS = pd.to_datetime(
    ["2025-09-30", "2025-12-31", "2026-03-31", "2026-06-30", "2026-09-30", "2026-10-31"]
)


def _history() -> pd.DataFrame:
    """Every quarter (and the three months to October): 30 complaints, communication 12,
    delay 9, decision 6, staff conduct 3, the other themes 0."""
    values = {"complaints_received_count": 30.0, **dict.fromkeys(THEMES, 0.0)}
    values.update(dict(zip(THEMES[:4], (12.0, 9.0, 6.0, 3.0), strict=True)))
    rows = [(k, e, "quarter", v, v, float("nan")) for e in ENDS for k, v in values.items()]
    # children in care answering positively: 45 of 60 answers every quarter
    rows += [("voice_cic_positive_pct", e, "quarter", 75.0, 45.0, 60.0) for e in ENDS]
    return pd.DataFrame(
        rows, columns=["kpi_id", "period_end", "window", "value", "numerator", "denominator"]
    )


def _report(audience: str, tmp_path, quotes=None, questions=None) -> VoiceReport:
    config = Config(
        council=Council(code=938, name="Testshire County Council"),
        data=DataSources(ssda903="a", cin_census="b", population="p.csv"),
        areas={
            "complaints": Area(title="Complaints", kpis=["complaints_received_count"]),
            "voice": Area(
                title="Voice of children and families",
                kpis=["voice_cic_positive_pct", *THEMES],
            ),
        },
        audience=audience,
        base_dir=tmp_path,
        outputs=str(tmp_path / "outputs"),
    )
    data = MonthData.from_tables(config, "2026-10", _history())
    if questions is not None and data.rules is not None:  # as the members' build publishes it
        questions = suppress_breakdowns(questions, data.metas, data.history, data.rules.max_count)
    return VoiceReport(data, quotes, questions)


def _cells(fragment: str, caption: str) -> dict[str, list[str]]:
    doc = lxml_html.fragment_fromstring(fragment, create_parent="div")
    table = next(t for t in doc.iter("table") if caption in t.findtext("caption"))
    return {
        tr.find("th").text_content().strip(): [td.text_content().strip() for td in tr.findall("td")]
        for tr in table.find("tbody").findall("tr")
    }


def test_internal_themes_by_quarter_show_every_count(tmp_path):
    cells = _cells(_report("internal", tmp_path).themes().data, "Complaints by theme")
    assert cells["Communication"] == ["12"] * 5
    assert cells["Staff conduct"] == ["3"] * 5
    assert cells["All (complaints received)"] == ["30"] * 5


def test_members_themes_never_state_or_let_be_worked_out_a_count_of_1_to_4(tmp_path):
    r = _report("members", tmp_path)
    cells = _cells(r.themes().data, "Complaints by theme")
    withheld = r.data.withheld_text
    # staff conduct (3) withheld; 30 - 12 - 9 - 6 = 3 would state it, so decision (6) too
    assert cells["Staff conduct"] == [withheld] * 5
    assert cells["A decision"] == [withheld] * 5
    assert cells["Communication"] == ["12"] * 5 and cells["Delay"] == ["9"] * 5
    # what is shown: 30 - 12 - 9 - 0s = 9 withheld in all (not 1 to 4)
    shown = [int(v[-1]) for k, v in cells.items() if v[-1].isdigit() and not k.startswith("All")]
    assert int(cells["All (complaints received)"][-1]) - sum(shown) == 9


def test_quotes_are_escaped_and_marked_as_their_own_words(tmp_path):
    quotes = pd.DataFrame(
        {
            "quarter_end": pd.to_datetime(["2026-09-30", "2026-06-30"]),
            "respondent_group": ["A child in care", "A parent or carer"],
            "survey": ["Bright Spots", "The council's own survey"],
            "question": ["Do you feel <safe>?", "Listened?"],
            "quote": ['<script>alert("x")</script> & my carer', "Earlier quarter"],
        }
    )
    html = _report("internal", tmp_path, quotes).quotes_block().data
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp; my carer" in html
    assert "In their own words:" in html and "A child in care" in html
    assert "Do you feel &lt;safe&gt;?" in html
    assert "Earlier quarter" not in html  # only the report quarter's (Jul-Sep 2026)


def test_no_quotes_table_says_so(tmp_path):
    html = _report("members", tmp_path, None).quotes_block().data
    assert "no quotes" in html and "<blockquote" not in html


def test_the_demo_month_publishes_the_voice_report_and_quotes_naming_no_one(published_demo_month):
    # October is a voice month in the demo schedule (January, April, July, October)
    from pmf_lib.assess.voice import QUOTE_COLUMNS

    q = pd.read_parquet(published_demo_month / "voice_quotes.parquet")
    assert list(q.columns) == QUOTE_COLUMNS and len(q)
    assert pd.to_datetime(q["quarter_end"]).max() == pd.Timestamp("2026-09-30")
    html = (published_demo_month / "voice_report.html").read_text(encoding="utf-8")
    assert "What children and families told us" in html and "In their own words:" in html
    assert "Complaints by theme" in html
    b = pd.read_parquet(published_demo_month / "voice_questions.parquet")
    # the five quarters to Jul-Sep 2026, each with the six Bright Spots questions asked
    assert pd.to_datetime(b["period_end"]).nunique() == 5 and b["group"].nunique() == 6
    assert "each question positively, by quarter" in html


def _questions() -> pd.DataFrame:
    """Each quarter to Jul-Sep 2026: 'Safe?' 28 of 30 positive (2 not: the complement is
    small), 'Settled?' 17 of 30 positive."""
    rows = []
    for e in ENDS[:-1]:
        rows.append(("Safe?", e, 100 * 28 / 30, 28.0, 30.0))
        rows.append(("Settled?", e, 100 * 17 / 30, 17.0, 30.0))
    b = pd.DataFrame(rows, columns=["group", "period_end", "value", "numerator", "denominator"])
    return b.assign(kpi_id="voice_cic_positive_pct", window="quarter", dimension="question")


def test_questions_by_quarter_internal_and_members(tmp_path):
    caption = "each question positively, by quarter"
    cells = _cells(
        _report("internal", tmp_path, questions=_questions()).survey_questions().data, caption
    )
    assert cells["Safe?"] == ["93.3%"] * 5 and cells["Settled?"] == ["56.7%"] * 5
    r = _report("members", tmp_path, questions=_questions())
    cells = _cells(r.survey_questions().data, caption)
    # 30 - 28 = 2 children not positive would be stated: withheld
    assert cells["Safe?"] == [r.data.withheld_text] * 5
