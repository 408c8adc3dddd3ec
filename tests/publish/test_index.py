"""The month's landing page, run log, glossary page and navigation, on tiny inputs."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from lxml import html as lxml_html

from pmf_lib.config import Area, Config, Council, DataSources
from pmf_lib.publish.index import (
    meeting_groups,
    month_highlights,
    month_index_html,
    nav_links,
    previous_edition,
    root_index_html,
    run_log_html,
    write_month_pages,
)

STARTED, FINISHED = "2026-11-02T09:00:00", "2026-11-02T09:01:30"


def assessed() -> pd.DataFrame:
    """Four KPIs as assess judged them (the page only reads these verdicts):

    * ``a`` (area x): Red and an exception (red) -> in "Rated Red" and "Exceptions";
    * ``b`` (area x): Green with good practice -> in neither list, counted as good practice;
    * ``c`` (area y): an exception without a RAG (special cause concern) -> "Exceptions" only;
    * ``d`` (area y): Red, but withheld in a members' view -> in no list.
    """
    return pd.DataFrame(
        {
            "kpi_id": ["a", "b", "c", "d"],
            "title": ["Alpha rate", "Beta count", "Gamma <days>", "Delta"],
            "area": ["x", "x", "y", "y"],
            "rag": ["Red", "Green", "No target", "Red"],
            "exception": [True, False, True, True],
            "exception_flags": ["red", "", "special_cause_concern", "red"],
            "good_practice": [False, True, False, False],
            "good_practice_flags": ["", "moved_up_quartile", "", ""],
            "sentence": ["Alpha rose.", "Beta fell.", "Gamma rose.", "Delta withheld."],
            "suppressed": [False, False, False, True],
        }
    )


def reports() -> list[dict]:
    ok = {"status": "ok", "seconds": 2.0, "error": None}
    return [
        {"id": "dashboard", "kind": "dashboard", "title": "Indicators", "href": "dashboard.html"}
        | ok,
        {"id": "x", "kind": "area", "title": "Area X", "href": "x.html"} | ok,
        {
            "id": "y",
            "kind": "area",
            "title": "Area Y",
            "href": None,
            "status": "failed",
            "seconds": 0.5,
            "error": "ValueError: no figures",
        },
        {"id": "exceptions", "kind": "exceptions", "title": "Exceptions", "href": "exceptions.html"}
        | ok,
        {"id": "highlight_x", "kind": "highlight", "title": "X highlights", "href": "hx.html"} | ok,
    ]


def test_highlights_are_the_assessed_verdicts_and_skip_withheld_rows():
    h = month_highlights(assessed(), area_titles={"x": "Area X"}, area_reports={"x"})
    assert [r["kpi_id"] for r in h["reds"]] == ["a"]  # d is Red but withheld
    assert [r["kpi_id"] for r in h["exceptions"]] == ["a", "c"]
    assert [r["kpi_id"] for r in h["good"]] == ["b"]
    a, c = h["exceptions"]
    assert a["href"] == "x.html#chart-a" and a["area_title"] == "Area X"
    # Area y has no published report here: no link, and its id stands for its title.
    assert c["href"] is None and c["area_title"] == "y"
    assert c["flags"] == ["Special cause concern"]


def test_highlights_without_an_assessed_table_or_columns():
    assert month_highlights(None) is None
    bare = pd.DataFrame({"kpi_id": ["a"], "rag": ["Red"]})  # no flags, no suppressed column
    h = month_highlights(bare)
    assert [r["kpi_id"] for r in h["reds"]] == ["a"] and h["exceptions"] == h["good"] == []


def test_meetings_in_the_boards_order():
    groups = meeting_groups(reports())
    assert [g["id"] for g in groups] == ["meeting-leadership", "meeting-board", "meeting-areas"]
    board = groups[1]
    assert [r["title"] for r in board["reports"]] == ["Exceptions", "X highlights"]


def _doc(page: str):
    return lxml_html.document_fromstring(page)


def test_the_landing_page_lists_reds_exceptions_and_reports_by_meeting():
    highlights = month_highlights(assessed(), area_titles={"x": "Area X"}, area_reports={"x"})
    page = month_index_html(
        council="Demo",
        month="2026-10",
        reports=reports(),
        started=STARTED,
        finished=FINISHED,
        highlights=highlights,
        dq_href="data_quality.html",
    )
    doc = _doc(page)
    red = doc.xpath("//h3[@id='rated-red']/following-sibling::ul[1]/li")
    assert [li.xpath("string(.//strong)") for li in red] == ["Alpha rate"]
    exc = doc.xpath("//h3[@id='exceptions']/following-sibling::ul[1]/li")
    assert [li.xpath("string(.//strong)") for li in exc] == ["Alpha rate", "Gamma <days>"]
    assert "Special cause concern" in exc[1].text_content()
    assert "Gamma &lt;days&gt;" in page  # escaped
    assert exc[0].xpath(".//a/@href") == ["x.html#chart-a"]
    board = doc.xpath("//h3[@id='meeting-board']/following::table[1]//tbody/tr/th")
    assert [th.text_content() for th in board] == ["Exceptions", "X highlights"]
    failed = doc.xpath("//tr[th='Area Y']")[0].text_content()
    assert "Failed" in failed and "ValueError: no figures" in failed
    assert "No report is published for this month." in failed
    hrefs = set(doc.xpath("//a/@href"))
    assert {"run.html", "glossary.html", "data_quality.html", "kpis.csv"} <= hrefs
    assert "Seconds" not in page and "<script" not in page


def test_a_members_landing_page_says_so_and_links_no_internal_files():
    page = month_index_html(
        council="Demo",
        month="2026-10",
        reports=reports(),
        started=STARTED,
        finished=FINISHED,
        show_table=False,
        audience="members",
        highlights=None,
    )
    assert "elected members' edition" in _doc(page).text_content()
    assert "kpis.csv" not in page and "data_quality.html" not in page
    assert "assessed figures are not available" in page


def test_the_run_log_has_the_seconds():
    page = run_log_html(
        council="Demo", month="2026-10", reports=reports(), started=STARTED, finished=FINISHED
    )
    doc = _doc(page)
    rows = {tr.find("th").text_content(): tr for tr in doc.xpath("//tbody/tr")}
    # Area X took 2.0 s and Area Y 0.5 s (as given), each printed to one decimal.
    assert rows["Area X"].xpath("string(td[2])") == "2.0"
    assert rows["Area Y"].xpath("string(td[2])") == "0.5"
    assert "ValueError: no figures" in rows["Area Y"].text_content()
    assert "Seconds" in page and 'href="run.json"' in page


def test_nav_links_and_the_previous_edition(tmp_path):
    for month, name in (("2026-09", "x"), ("2026-07", "quarterly_lado"), ("2025-09", "old")):
        (tmp_path / month).mkdir(exist_ok=True)
        (tmp_path / month / f"{name}.html").write_text("x")
    # Monthly: the month before. Quarterly: three months back. 13 months back: too far.
    assert previous_edition(tmp_path, "2026-10", "x")["href"] == "../2026-09/x.html"
    assert previous_edition(tmp_path, "2026-10", "quarterly_lado")["month"] == "2026-07"
    assert previous_edition(tmp_path, "2026-10", "old") is None
    nav = nav_links("2026-10", current="x.html", report_id="x", outputs_dir=tmp_path)
    assert [n["href"] for n in nav] == [
        "index.html",
        "dashboard.html",
        "glossary.html",
        "../2026-09/x.html",
    ]
    assert nav[-1]["text"] == "Previous edition: September 2026"
    assert not any(n["current"] for n in nav)  # x.html is not in the bar
    assert [n["href"] for n in nav_links("2026-10", report_id="y", outputs_dir=tmp_path)][-1] == (
        "glossary.html"
    )


def _config(tmp_path, audience="internal") -> Config:
    return Config(
        council=Council(code=938, name="Demo <County>"),
        data=DataSources(ssda903="a", cin_census="b", population="p.csv"),
        areas={"x": Area(title="Area X", kpis=["referrals_count"])},
        outputs=str(tmp_path),
        audience=audience,
        base_dir=tmp_path,
    )


def test_write_month_pages_writes_index_run_log_and_glossary(tmp_path):
    out = tmp_path / "2026-10"
    out.mkdir()
    assessed().to_parquet(out / "kpis.parquet")
    index = write_month_pages(
        _config(tmp_path),
        out,
        month="2026-10",
        reports=reports(),
        started=STARTED,
        finished=FINISHED,
        run_id="20261102T090000-abcdef",
    )
    assert index == out / "index.html"
    assert {p.name for p in out.glob("*.html")} == {"index.html", "run.html", "glossary.html"}
    page = index.read_text()
    assert "Alpha rate" in page and "Demo &lt;County&gt;" in page
    assert "20261102T090000-abcdef" in page  # stamped with the run id
    glossary = _doc((out / "glossary.html").read_text())
    assert glossary.xpath("//dt[@id='term-pp']")
    # The members' glossary states the config's threshold: max_count 4 -> fewer than 5.
    assert "fewer than 5 children" in glossary.text_content()
    assert glossary.xpath("//nav[@class='pmf-nav']//a[@aria-current='page']/@href") == [
        "glossary.html"
    ]


def test_root_index_lists_months_latest_first(tmp_path):
    for month, ok in (("2026-09", 3), ("2026-10", 2)):
        (tmp_path / month).mkdir()
        (tmp_path / month / "index.html").write_text("x")
        run = {"reports": [{"status": "ok"}] * ok + [{"status": "failed"}], "finished": FINISHED}
        (tmp_path / month / "run.json").write_text(json.dumps(run))
    (tmp_path / "notes").mkdir()  # not a month: not listed
    doc = _doc(root_index_html(council="Demo", outputs_dir=tmp_path))
    assert doc.xpath("//tbody/tr/th/a/@href") == ["2026-10/index.html", "2026-09/index.html"]
    assert [tr.xpath("string(td[1])") for tr in doc.xpath("//tbody/tr")] == ["2", "3"]


@pytest.mark.parametrize("audience", ["members", "public"])
def test_no_kpis_csv_link_for_members_or_public(tmp_path, audience):
    out = tmp_path / "2026-10"
    out.mkdir()
    (out / "data_quality.html").write_text("x")  # written by pmf validate: still not linked
    write_month_pages(
        _config(tmp_path, audience),
        out,
        month="2026-10",
        reports=reports(),
        started=STARTED,
        finished=FINISHED,
    )
    page = (out / "index.html").read_text()
    assert "kpis.csv" not in page and "data_quality.html" not in page


def test_the_nav_bar_is_escaped_and_marks_the_current_page():
    import nbformat

    from pmf_lib.render.export import export_html

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## Figures")])
    nav = nav_links("2026-10", current="dashboard.html")
    nav[0]["text"] = "All <b>reports</b>"  # as if a title held markup
    doc = _doc(export_html(nb, council="Demo", title="Dashboard", nav=nav))
    bar = doc.xpath("//nav[@class='pmf-nav']")[0]
    assert bar.get("aria-label") == "Reports" and not bar.xpath(".//b")
    assert bar.xpath("string(.//a[1])") == "All <b>reports</b>"
    assert bar.xpath(".//a[@aria-current='page']/@href") == ["dashboard.html"]


# ---- the published demo month ----------------------------------------------------------
@pytest.fixture(scope="module")
def published():
    from tests.conftest import ROOT

    month = ROOT / "outputs" / "2026-10"
    if not (month / "run.html").is_file():
        pytest.skip("the demo month is not published with a run log: run `pmf run --force`")
    return month


def test_the_published_index_lists_the_months_reds_and_exceptions(published):
    table = pd.read_parquet(published / "kpis.parquet")
    doc = _doc((published / "index.html").read_text(encoding="utf-8"))

    def listed(anchor: str) -> list[str]:
        items = doc.xpath(f"//h3[@id='{anchor}']/following-sibling::*[1][self::ul]/li")
        return [li.xpath("string(.//strong)") for li in items]

    # The internal month withholds nothing: the reds are the rows rated Red, the
    # exceptions the rows flagged, in the table's order.
    assert listed("rated-red") == table.loc[table["rag"].eq("Red"), "title"].tolist()
    assert listed("exceptions") == table.loc[table["exception"], "title"].tolist()
    assert listed("exceptions"), "the demo month has exceptions to list"
    assert "Seconds" not in doc.text_content()
    assert "run.html" in doc.xpath("//a/@href")


def test_the_published_run_log_and_glossary(published):
    run = _doc((published / "run.html").read_text(encoding="utf-8"))
    manifest = json.loads((published / "run.json").read_text(encoding="utf-8"))
    rows = run.xpath("//tbody/tr")
    assert len(rows) == len(manifest["reports"]) and "Seconds" in run.text_content()
    glossary = _doc((published / "glossary.html").read_text(encoding="utf-8"))
    from pmf_lib.render.glossary import term_ids

    assert glossary.xpath("//dt/@id") == [f"term-{t}" for t in term_ids()]
