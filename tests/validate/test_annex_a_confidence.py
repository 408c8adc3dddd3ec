"""Data quality confidence of the figures whose source is Annex A (issue 15).

A figure from Annex A is rated as a national one is (``confidence_table`` with the
KPI's declared feeds), over the Annex A records feeding it: each list's validation
issues placed on the canonical records made from its rows.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from pmf_lib.assess.build import MonthRead
from pmf_lib.assess.reconcile import annex_a_confidence
from pmf_lib.compute.registry import kpi_feeds
from pmf_lib.read import SourceData
from pmf_lib.read.annex_a import read_annex_a
from pmf_lib.read.annex_a_inputs import AnnexAData, annex_a_inputs
from pmf_lib.validate import Sources, validate

D = dt.date
END = pd.Timestamp("2026-10-31")
L4 = [
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age of Child (Years)",
    "Does the Child have a Disability",
    "Continuous Assessment Start Date",
    "Child Seen During Continuous Assessment",
    "Continuous Assessment Date of Authorisation",
    "Allocated Team",
    "Allocated Worker",
]


def _list_4(path, bad_gender_at=None, n=50):
    """A workbook whose List 4 holds ``n`` assessments authorised in October 2026.

    The assessment at position ``bad_gender_at`` (0-based) has the gender ``Q``, not
    a code of the list's gender codes: an S03 error on that one row.
    """
    wb = openpyxl.Workbook()
    cover = wb.active
    cover.title = "Cover"
    cover.append(["Annex A"])
    cover.append(["Extract date", D(2026, 10, 31)])
    ws = wb.create_sheet("List 4")
    ws.append(L4)
    for i in range(n):
        gender = "Q" if i == bad_gender_at else "a) Male"
        start, done = D(2026, 9, 1 + i % 28), D(2026, 10, 1 + i % 28)
        ws.append(
            [f"C{i:02d}", gender, "WBRI", D(2015, 1, 1), 11, "No", start, "Yes", done, "T1", "W1"]
        )
    wb.save(path)
    return path


def _read(files):
    """The month as read from Annex A workbooks alone, and its validation issues."""
    tables = [t for f in files for t in read_annex_a(f).lists.values()]
    sources = Sources(files=tables)
    annex = annex_a_inputs(tables)
    data = SourceData(cin=annex.cin, cla=annex.cla, population=None, local=dict(annex.local))
    issues = validate(sources, as_of=END, rules=[])
    return MonthRead(sources, data, annex), issues


FEEDS = {k: kpi_feeds()[k] for k in ("assessments_completed_count", "assessments_45wd_pct")}


def test_one_bad_row_in_fifty_is_medium(tmp_path):
    read, issues = _read([_list_4(tmp_path / "a.xlsx", bad_gender_at=17)])
    # the list's one error (S03, gender) is on the assessment made from that row
    errors = issues[issues["severity"] == "error"]
    assert errors["rule"].tolist() == ["S03"]
    placed = read.annex.issues_on_tables(issues, read.sources.files)
    assert placed[["source", "table"]].drop_duplicates().values.tolist() == [
        ["cin_census", "assessments"]
    ]
    a = read.annex.cin.assessments
    assert a.loc[placed["record"].tolist(), "LAchildID"].tolist() == ["C17"]
    conf = annex_a_confidence(issues, read, [END], FEEDS).set_index("kpi_id")
    # 50 assessments authorised in October 2026 feed both KPIs (month and 12 months
    # alike); 1 breaks an error rule: share 1 / 50 = 0.02, above High's 1 % and at most
    # Medium's 5 %, so Medium.
    assert conf.loc["assessments_completed_count", "dq_error_share"] == pytest.approx(0.02)
    assert conf.loc["assessments_completed_count", "dq_confidence"] == "Medium"
    assert conf.loc["assessments_45wd_pct", "dq_confidence"] == "Medium"


def test_clean_list_is_high_and_national_issues_are_not_placed(tmp_path):
    read, issues = _read([_list_4(tmp_path / "a.xlsx")])
    # an error on the national returns' assessment 0 is not on Annex A's record 0
    national = pd.DataFrame(
        {
            "source": ["cin_census"],
            "file": ["cin.xml"],
            "table": ["assessments"],
            "record": [0],
            "child_id": ["C00"],
            "severity": ["error"],
        }
    )
    both = pd.concat([issues, national], ignore_index=True)
    conf = annex_a_confidence(both, read, [END], FEEDS).set_index("kpi_id")
    # no error among the 50: share 0 -> High
    assert conf.loc["assessments_completed_count", "dq_error_share"] == 0.0
    assert conf.loc["assessments_completed_count", "dq_confidence"] == "High"


def test_a_row_replaced_by_a_later_extract_counts_nothing(tmp_path):
    # September's extract has the bad row; October's sends the same assessment
    # (same child and start date: the list's key) clean, and wins
    sept = _list_4(tmp_path / "sept.xlsx", bad_gender_at=17)
    wb = openpyxl.load_workbook(sept)
    wb["Cover"]["B2"] = D(2026, 9, 30)
    wb.save(sept)
    read, issues = _read([sept, _list_4(tmp_path / "oct.xlsx")])
    assert (issues["severity"] == "error").sum() == 1  # still reported, in its workbook
    assert read.annex.issues_on_tables(issues, read.sources.files).empty
    conf = annex_a_confidence(issues, read, [END], FEEDS).set_index("kpi_id")
    assert conf.loc["assessments_completed_count", "dq_confidence"] == "High"  # 0 of 50


def test_an_issue_on_no_row_is_on_every_record_of_its_list():
    # a column missing from List 4 of a.xlsx (S01, no record): both of its
    # assessments are in error, b.xlsx's not
    origin = pd.DataFrame(
        {"record": [0, 1, 2], "list": ["list_4"] * 3, "file": ["a.xlsx", "a.xlsx", "b.xlsx"]}
    ).assign(row=[2, 3, 2])
    annex = AnnexAData(origins={("cin_census", "assessments"): origin})
    issues = pd.DataFrame(
        {
            "source": ["annex_a/list_4"],
            "file": ["a.xlsx"],
            "table": ["annex_a/list_4"],
            "record": [None],
            "severity": ["error"],
        }
    )
    placed = annex.issues_on_tables(issues, [])
    assert placed["record"].tolist() == [0, 1]


@pytest.mark.demo
def test_annex_a_only_demo_config_rates_every_supported_kpi(demo_dir):
    from pmf_lib.assess.build import build_month
    from pmf_lib.config import load_config
    from tests.conftest import ROOT

    config = load_config(ROOT / "parameters" / "config_annex_a.yaml")
    b = build_month(config, "latest", through="kpis")
    t = b.kpi_table
    figures = t[(t["source"] == "annex_a") & t["value"].notna()]
    assert len(figures) and figures["kpi_id"].nunique() >= 30
    # every figure Annex A gives has a rating, and it is the one over the Annex A records
    assert figures["dq_confidence"].isin(["High", "Medium", "Low"]).all()
    conf = b.quality.annex_a_confidence.set_index(["kpi_id", "period_end"])
    keys = pd.MultiIndex.from_arrays([figures["kpi_id"], pd.to_datetime(figures["period_end"])])
    assert figures["dq_confidence"].tolist() == conf["dq_confidence"].reindex(keys).tolist()
    # the data quality report's table: each KPI Annex A supports rated at the month end
    month = b.month_quality.set_index("kpi_id")
    for kpi_id in figures["kpi_id"].unique():
        assert month.loc[kpi_id, "dq_confidence"] in ("High", "Medium", "Low")
        assert (
            month.loc[kpi_id, "dq_error_share"]
            == conf.loc[(kpi_id, b.period_ends[-1]), "dq_error_share"]
        )


def _config(national: bool, headline: str = "national"):
    """The parts of a config :func:`annex_a_quality` reads."""
    from types import SimpleNamespace as NS

    files = ["x"] if national else None
    return NS(
        data=NS(ssda903=files, cin_census=files, local=NS(contacts=None)),
        sources=NS(headline=headline),
        data_quality=NS(high=0.01, medium=0.05),
    )


def _national_quality(read):
    """The data quality as rated on the national returns (here: no records, all High)."""
    from pmf_lib.validate.quality import assess_quality

    return assess_quality(read.sources, [END], feeds=FEEDS, rules=[], as_of=END)


def test_report_table_takes_annex_a_rating_alone_or_headline(tmp_path):
    from pmf_lib.assess.reconcile import annex_a_quality

    read, issues = _read([_list_4(tmp_path / "a.xlsx", bad_gender_at=3)])
    q = _national_quality(read)
    # rated on the (empty) national tables: nothing in error, High
    assert set(q.confidence["dq_confidence"]) == {"High"}
    for config, rating in (
        (_config(national=False), "Medium"),  # Annex A alone: its rating, 1/50
        (_config(national=True, headline="annex_a"), "Medium"),  # its headline: its rating
        (_config(national=True), "High"),  # the national headline: the national rating
    ):
        out = annex_a_quality(config, q, read, [END], FEEDS).confidence.set_index("kpi_id")
        assert out.loc["assessments_completed_count", "dq_confidence"] == rating


def test_an_unreadable_workbook_leaves_annex_a_figures_low(tmp_path):
    from pmf_lib.assess.reconcile import annex_a_quality
    from pmf_lib.errors import PmfError

    read, issues = _read([_list_4(tmp_path / "a.xlsx")])
    read.sources.unreadable.append(("annex_a", "b.xlsx", PmfError("not a workbook")))
    q = annex_a_quality(_config(national=False), _national_quality(read), read, [END], FEEDS)
    # b.xlsx could not be checked at all: no share, Low (as an unreadable national return)
    row = q.confidence.set_index("kpi_id").loc["assessments_completed_count"]
    assert pd.isna(row["dq_error_share"]) and row["dq_confidence"] == "Low"
    assert q.unrated["assessments_completed_count"] == ["b.xlsx"]
