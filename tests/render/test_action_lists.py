"""The action lists page and CSVs: offline, script allowed only by its hash, marked personal."""

from __future__ import annotations

import base64
import hashlib
import re

import pandas as pd
from lxml import html as lxml_html

from pmf_lib.assess.action_lists import SPECS, ActionList
from pmf_lib.compute.registry import Figure
from pmf_lib.render.action_lists import (
    PERSONAL_DATA,
    action_lists_html,
    csv_frame,
    page_csp,
    script_text,
)

END = pd.Timestamp("2026-10-31")


def assessments_list() -> ActionList:
    rows = pd.DataFrame(
        {
            "team": ["North", "North", "not recorded"],
            "worker": ["Ann", "Ann", "not recorded"],
            "child_id": ["c1", "<b>c2</b>", "c3"],
            "start": pd.to_datetime(["2026-08-26", "2026-08-27", "2026-09-04"]),
            "completed": pd.to_datetime(["2026-10-30", None, None]),
            "due": pd.to_datetime(["2026-10-28", "2026-10-29", "2026-11-06"]),
            "working_days": pd.array([46.0, 46.0, 41.0], dtype="Float64"),
            "status": ["Completed late", "Open: past 45 working days", "Open: due within 5"],
            "counted_in_kpi": [True, False, False],
        }
    )
    return ActionList(SPECS["assessments"], END, rows, Figure(3, 4))


def page() -> str:
    return action_lists_html([assessments_list()], council="Demo CC", month="2026-10")


def test_the_script_is_allowed_by_its_hash_and_nothing_else_runs():
    text = page()
    doc = lxml_html.document_fromstring(text)
    csp = doc.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    scripts = doc.xpath("//script")
    assert len(scripts) == 1 and not scripts[0].get("src")
    # the hash of the script exactly as inlined in the page (between its tags)
    inline = re.search(r"<script>(.*?)</script>", text, re.DOTALL).group(1)
    assert inline == script_text()
    digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
    script_src = re.search(r"script-src ([^;]+);", csp).group(1)
    assert script_src == f"'sha256-{digest}'"
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp
    assert csp == page_csp()
    # no inline event handlers (a hash does not cover them) and nothing loaded from outside
    assert not doc.xpath("//@*[starts-with(name(), 'on')]")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)


def test_title_banner_and_footer_say_personal_data():
    doc = lxml_html.document_fromstring(page())
    assert "contains personal data" in doc.findtext(".//title")
    assert PERSONAL_DATA in doc.xpath("string(//footer)")
    assert PERSONAL_DATA in doc.xpath("string(//p[@class='pmf-personal-data'])")


def test_table_rows_escaped_sortable_and_reconciled():
    doc = lxml_html.document_fromstring(page())
    table = doc.get_element_by_id("al-assessments")
    heads = [th.text_content() for th in table.xpath("./thead/tr/th")]
    assert heads[:3] == ["Team", "Allocated worker", "Child id"]
    body = table.xpath("./tbody/tr")
    assert len(body) == 3
    cells = body[1].xpath("./td")
    assert cells[2].text_content() == "<b>c2</b>"  # shown as text, not markup
    assert not table.xpath(".//b")
    # dates sort by ISO date, working days as numbers; an empty date sorts last
    assert cells[3].get("data-sort") == "2026-08-27" and cells[3].text_content() == "27 August 2026"
    assert cells[4].get("data-sort") == "" and cells[4].text_content() == ""
    assert table.xpath("./thead/tr/th")[6].get("data-type") == "number"
    # one row counted in the figure; the figure: 4 authorised, 3 on time -> 1 breach
    summary = doc.xpath("//table[@class='pmf-action-summary']/tbody/tr/td")
    assert [c.text_content() for c in summary[2:]] == ["3", "1", "1", "yes"]


def test_a_list_that_does_not_reconcile_says_no():
    lst = assessments_list()
    lst.kpi_figure = Figure(1, 4)  # 3 breaches in the figure, 1 row counted
    doc = lxml_html.document_fromstring(
        action_lists_html([lst], council="Demo CC", month="2026-10")
    )
    assert doc.xpath("string(//td[@class='pmf-reconciles-no'])") == "NO"


def test_csv_frame_names_the_list_kpi_and_dates_as_iso():
    f = csv_frame(assessments_list())
    assert f["list_id"].unique().tolist() == ["assessments"]
    assert f["kpi_id"].unique().tolist() == ["assessments_45wd_pct"]
    assert f["period_end"].unique().tolist() == ["2026-10-31"]
    assert f["start"].tolist() == ["2026-08-26", "2026-08-27", "2026-09-04"]
    assert f["completed"].isna().tolist() == [False, True, True]


def test_each_list_is_grouped_by_team_and_worker():
    doc = lxml_html.document_fromstring(page())
    rows = doc.xpath("//table[@class='pmf-action-teams']/tbody/tr")
    # North/Ann: 2 rows, 1 in the figure; not recorded: 1 row, none in the figure
    assert [[td.text_content() for td in r.xpath("./td")] for r in rows] == [
        ["North", "Ann", "2", "1"],
        ["not recorded", "not recorded", "1", "0"],
    ]


def test_a_list_annex_a_cannot_give_shows_no_count_and_no_agreement():
    # With Annex A alone, CP reviews cannot be listed (List 7 has only the latest review):
    # the list is not supplied, its figure missing. Its summary row must not read 0 rows,
    # 0 counted and "yes" (as if nobody needed action and the list agreed with a figure);
    # nor may its section say "No children on this list": nobody knows.
    from pmf_lib.assess.action_lists import _not_supplied

    lst = _not_supplied(SPECS["cp_reviews"], END, "Annex A does not give this figure.")
    doc = lxml_html.document_fromstring(
        action_lists_html([lst], council="Demo CC", month="2026-10")
    )
    summary = doc.xpath("//table[@class='pmf-action-summary']/tbody/tr/td")
    assert [c.text_content() for c in summary[2:]] == ["–", "–", "–", "no figure"]
    section = doc.xpath("string(//section)")
    assert "No children on this list" not in section
    assert "Not listed: the figure is missing" in section


def test_each_filter_box_is_named_for_its_list():
    # The page has a filter box per list; a screen reader must tell them apart: each is
    # named "Filter: <the list's title>" (the bare label "Filter" is the same for all).
    doc = lxml_html.document_fromstring(page())
    (box,) = doc.xpath("//input[@type='search']")
    assert box.get("aria-label") == f"Filter: {SPECS['assessments'].title}"
