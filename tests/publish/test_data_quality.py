"""The data-quality HTML report: self-contained, INTERNAL, counts, first rows, KPIs touched."""

from __future__ import annotations

import re

import pandas as pd

from pmf_lib.compute.registry import kpi_feeds
from pmf_lib.publish.data_quality import (
    kpis_by_rule,
    render_data_quality,
    summary_by_rule,
    write_data_quality,
)
from pmf_lib.validate import ISSUE_COLUMNS

#: The thirteen core KPIs' declared feeds (the records each reads).
CORE = (
    "referrals_count",
    "referrals_rate_10k",
    "rereferrals_12m_pct",
    "assessments_completed_count",
    "assessments_45wd_pct",
    "s47_count",
    "icpc_15wd_pct",
    "cp_plans_rate_10k",
    "cp_second_subsequent_pct",
    "cla_count",
    "cla_rate_10k",
    "cla_3plus_placements_pct",
    "cla_long_term_stability_pct",
)
DEFAULT_FEEDS = {k: kpi_feeds()[k] for k in CORE}


def _issues():
    rows = [
        # 12 issues of 903 rule 146 on episodes (children e0..e11), one CIN 8608 on assessments,
        # one header issue (child-level: touches every CLA KPI), one local S03 warning-free error
        *[
            (
                "ssda903",
                "episodes.csv",
                f"episodes CHILD=e{i}, DECOM=2024-05-01",
                f"e{i}",
                "PLACE",
                "146",
                "error",
                "Placement type code is not a valid code.",
                "episodes",
                i,
            )
            for i in range(12)
        ],
        (
            "cin_census",
            "cin.xml",
            "assessments LAchildID=c1",
            "c1",
            "AssessmentActualStartDate",
            "8608",
            "error",
            "Assessment Start Date cannot be later than its End Date",
            "assessments",
            0,
        ),
        (
            "ssda903",
            "header.csv",
            "header CHILD=h1",
            "h1",
            "SEX",
            "101",
            "error",
            "Gender code is not valid.",
            "header",
            0,
        ),
        (
            "local/complaints",
            "c.csv",
            "row 3",
            None,
            "stage",
            "S03",
            "warning",
            "Value is not a valid code: '<script>'",
            "local/complaints",
            1,
        ),
    ]
    return pd.DataFrame(rows, columns=ISSUE_COLUMNS)


def test_kpis_each_rule_touches():
    k = kpis_by_rule(_issues(), DEFAULT_FEEDS)
    assert k[("cin_census", "8608")] == ["assessments_45wd_pct", "assessments_completed_count"]
    cla = ["cla_3plus_placements_pct", "cla_count", "cla_long_term_stability_pct", "cla_rate_10k"]
    assert k[("ssda903", "146")] == cla and k[("ssda903", "101")] == cla
    assert k[("local/complaints", "S03")] == []


def test_summary_counts():
    s = summary_by_rule(_issues(), DEFAULT_FEEDS).set_index(["source", "rule"])
    assert s.loc[("ssda903", "146"), "issues"] == 12
    assert s.loc[("ssda903", "146"), "children"] == 12
    assert s.loc[("cin_census", "8608"), "issues"] == 1


def test_page_is_self_contained_internal_and_escaped(tmp_path):
    recon = pd.DataFrame(
        {
            "source": ["ssda903"],
            "file": ["episodes.csv"],
            "table": ["episodes"],
            "rows_read": [20],
            "accepted": [8],
            "reported": [12],
            "blank_rows": [0],
        }
    )
    conf = pd.DataFrame(
        {
            "kpi_id": ["cla_count"],
            "period_end": [pd.Timestamp("2025-03-31")],
            "dq_error_share": [0.6],
            "dq_confidence": ["Low"],
        }
    )
    path = write_data_quality(
        tmp_path, "2025-03", _issues(), recon, conf, council="Demo", feeds=DEFAULT_FEEDS
    )
    assert path == tmp_path / "2025-03" / "data_quality.html"
    page = path.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "INTERNAL" in page
    # nothing external: no scripts, links, remote images or URLs (in-page anchors, and the
    # navigation bar's links to the month's own pages and the month before's only)
    assert not re.search(
        r"<script|<link|src=|href=(?![\"'](#|(\.\./\d{4}-\d\d/)?\w+\.html))|://", page
    )
    assert 'href="index.html"' in page and 'href="glossary.html"' in page
    # a hostile value is shown escaped
    assert "&#x27;&lt;script&gt;&#x27;" in page
    # first rows at fault: at most 10 of rule 146's 12 are listed, with child ids
    block = page[page.index("ssda903 146: 12 issue(s)") :]
    block = block[: block.index("</details>")]
    assert block.count("<tr>") == 1 + 10
    assert "e0" in block and "e11" not in block
    assert "60.0%" in page and "class='Low'" in page
    assert not list(path.parent.glob(".*.tmp"))


def test_empty_issues():
    page = render_data_quality(
        pd.DataFrame(columns=ISSUE_COLUMNS),
        pd.DataFrame(),
        pd.DataFrame(),
        council="X",
        month="2025-01",
        feeds=DEFAULT_FEEDS,
    )
    assert "0 error(s) and 0 warning(s)" in page


def test_unreadable_files_are_listed_and_touch_the_kpis_they_feed():
    from pmf_lib.errors import PmfError
    from pmf_lib.validate import Sources, validate

    FEEDS = kpi_feeds()

    # What validate makes of two unreadable files: S00 rows with no table (NA). This used
    # to raise "TypeError: boolean value of NA is ambiguous" while grouping by table.
    bad = [
        (
            "cin_census",
            "cin.xml",
            PmfError("not well-formed XML", file="cin.xml", location="line 9"),
        ),
        ("local/lado", "lado.csv", PmfError("the file is empty", file="lado.csv")),
    ]
    issues = validate(Sources(unreadable=bad), as_of="2025-03-31", rules=[])
    assert issues["table"].isna().all() and issues["rule"].tolist() == ["S00", "S00"]
    touched = kpis_by_rule(issues, FEEDS)
    # the CIN file feeds every CIN KPI (referrals among them); the LADO file the LADO KPIs
    assert "referrals_count" in touched[("cin_census", "S00")]
    assert "cla_count" not in touched[("cin_census", "S00")]
    assert touched[("local/lado", "S00")] == sorted(k for k in FEEDS if k.startswith("lado_"))
    conf = pd.DataFrame(
        {
            "kpi_id": ["lado_open_count"],
            "period_end": [pd.Timestamp("2025-03-31")],
            "dq_error_share": [float("nan")],
            "dq_confidence": ["Low"],
        }
    )
    page = render_data_quality(
        issues, pd.DataFrame(), conf, council="X", month="2025-03", feeds=FEEDS, unreadable=bad
    )
    section = page[page.index("Files that could not be read") :]
    section = section[: section.index("<h2>", 10)]
    assert "cin.xml, line 9: not well-formed XML" in section
    assert "lado.csv: the file is empty" in section
    assert "not rated: a file could not be read or lacks a required column" in page


# ---- SPC rebase proposals (helper A, issue 10) ------------------------------------------


def test_rebase_proposals_from_the_last_run_are_listed(tmp_path):
    # pmf run wrote one proposal beside the report: the page lists the KPI and the date.
    folder = tmp_path / "2026-10"
    folder.mkdir()
    pd.DataFrame(
        {
            "kpi_id": ["assessments_45wd_pct"],
            "shift_from": ["2026-04-30"],
            "rebase_from": ["2026-04-01"],
            "points": [7],
            "side": ["below"],
            "reason": ["the last 7 points, from Apr 2026, are all below the mean"],
        }
    ).to_csv(folder / "spc_rebase_proposals.csv", index=False)
    empty = pd.DataFrame(columns=ISSUE_COLUMNS)
    path = write_data_quality(
        tmp_path, "2026-10", empty, pd.DataFrame(), pd.DataFrame(), council="C", feeds={}
    )
    page = path.read_text(encoding="utf-8")
    assert "SPC: proposed rebase dates" in page
    assert "assessments_45wd_pct" in page and "2026-04-01" in page
    # Without a run there is nothing to list, and the page says why.
    other = write_data_quality(
        tmp_path, "2026-09", empty, pd.DataFrame(), pd.DataFrame(), council="C", feeds={}
    )
    assert "has not run for this month" in other.read_text(encoding="utf-8")


def test_targets_past_their_review_are_listed_in_a_section_of_their_own(tmp_path):
    # issue 12: one target set 1 Apr 2026 (review by 1 Oct 2026) is in force at 31 Oct 2026,
    # 30 days past its review; another is reviewed by 1 Dec 2026, not yet due: only the first
    # is listed.
    from pmf_lib.assess.targets import TargetPeriod, Targets, reviews_overdue

    t = Targets(
        {
            "icpc_15wd_pct": [TargetPeriod.model_validate({"from": "2026-04-01", "target": 80})],
            "cla_foster_pct": [
                TargetPeriod.model_validate(
                    {"from": "2026-06-01", "target": 69, "review_by": "2026-12-01"}
                )
            ],
        }
    )
    empty = pd.DataFrame(columns=ISSUE_COLUMNS)
    page = write_data_quality(
        tmp_path,
        "2026-10",
        empty,
        pd.DataFrame(),
        pd.DataFrame(),
        council="C",
        feeds={},
        target_reviews=reviews_overdue(t, "2026-10-31"),
    ).read_text(encoding="utf-8")
    section = page.split("Targets past their six-monthly review", 1)[1]
    assert "1 target in force at the end of 2026-10 is past" in section
    assert "icpc_15wd_pct" in section and "2026-10-01" in section
    assert "cla_foster_pct" not in section
    # A bad targets file: the section says it could not check, with the file's error.
    page = write_data_quality(
        tmp_path,
        "2026-09",
        empty,
        pd.DataFrame(),
        pd.DataFrame(),
        council="C",
        feeds={},
        target_reviews="targets.yaml, field x: unknown KPI id(s): x",
    ).read_text(encoding="utf-8")
    assert "Not checked: the targets file could not be read" in page
