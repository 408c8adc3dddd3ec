"""Data-quality confidence for every registered KPI, local datasets included."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pmf_lib.assess.build import MonthRead, build_month, read_month
from pmf_lib.compute import all_kpis
from pmf_lib.compute.registry import kpi_feeds
from pmf_lib.config import load_config
from pmf_lib.read.local import load_schema
from pmf_lib.read.tables import CIN_COLUMNS, S903_COLUMNS, Population
from pmf_lib.validate.confidence import local_issues_on_frames

FEEDS = kpi_feeds()  # every registered KPI's declared inputs

CONFIG = """\
council: {{code: 938, name: Demo}}
data:
  ssda903: x
  cin_census: y
  population: p.csv
  local: {{lado: "{lado}/*.csv"}}
areas:
  cla: {{title: CLA, kpis: [cla_count]}}
"""
HEADER = "LADO referral ID,Date received,Outcome,Date closed\n"


def test_every_registered_kpi_has_a_feed_and_no_feed_is_for_an_unknown_kpi():
    assert set(FEEDS) == set(all_kpis())
    assert all(len(FEEDS[k]) >= 1 for k in FEEDS)


def test_every_feed_names_a_real_table_and_date_columns():
    for kpi_id, feeds in FEEDS.items():
        for f in feeds:
            if f.source == "local":
                columns = load_schema(f.table).column_names
            else:
                tables = CIN_COLUMNS if f.source == "cin_census" else S903_COLUMNS
                assert f.table in tables, (kpi_id, f.table)
                columns = list(tables[f.table])
            used = [c for c in (f.date, f.end) if c]
            if f.kind == "latest_return":
                used.append("collection_year")
            assert set(used) <= set(columns), (kpi_id, f)


def _lado_council(tmp_path: Path) -> tuple:
    d = tmp_path / "lado"
    d.mkdir()
    # a.csv: row 2 received in March 2025, row 3 in 2023 (outside every window at 2025-03-31)
    (d / "a.csv").write_text(HEADER + "L1,2025-03-03,unfounded,\nL2,2023-01-05,unfounded,\n")
    # b.csv: three referrals in March 2025; row 3 (record 1 of this file) has a closing
    # date that cannot be read (31 February): an S04 error.
    (d / "b.csv").write_text(
        HEADER + "L3,2025-03-04,unfounded,\nL4,2025-03-05,unfounded,31/02/2025\n"
        "L5,2025-03-06,unfounded,\n"
    )
    (tmp_path / "config.yaml").write_text(CONFIG.format(lado=d))
    config = load_config(tmp_path / "config.yaml", check_files=False)
    read: MonthRead = read_month(config)  # the build's one read: the lado files
    # Nothing national was supplied: no returns' records and no population file (not
    # an unreadable one), but a CIN return whose reference date covers March 2025.
    read.sources.unreadable = [u for u in read.unreadable if u[0] != "population"]
    read.data.population = Population(pd.Series(dtype=float))
    read.data.cin.returns = pd.DataFrame(
        {"collection_year": [2025], "reference_date": [pd.Timestamp("2025-03-31")]}
    )
    return config, read


def test_local_error_counts_on_its_own_record_of_the_stacked_frame(tmp_path):
    config, read = _lado_council(tmp_path)
    # Stacked frame: 0 = a.csv row 2, 1 = a.csv row 3 (2023), 2..4 = b.csv rows 2..4.
    assert read.data.local["lado"]["row"].tolist() == [2, 3, 2, 3, 4]
    build = build_month(config, "2025-03", read=read, through="quality", history_months=1)
    t = build.quality.confidence.set_index("kpi_id")
    # lado_referrals_count (quarter and 12 months to March 2025): 4 referrals received,
    # 1 (b.csv row 3) in error -> 1/4 = 0.25 -> Low (above the 5 % medium threshold).
    # Had the file's record 1 been taken as record 1 of the stacked frame (the 2023
    # referral, outside the window), the share would be 0.
    assert t.loc["lado_referrals_count", "dq_error_share"] == pytest.approx(0.25)
    assert t.loc["lado_referrals_count", "dq_confidence"] == "Low"
    # Nothing national was supplied: national KPIs have no records and no errors.
    assert t.loc["cla_count", "dq_confidence"] == "High"


def test_issue_located_by_file_and_row():
    frame = pd.DataFrame(
        {"source_file": ["a.csv", "b.csv", "b.csv"], "row": pd.array([2, 2, 5], dtype="Int64")}
    )

    class T:
        source, file = "local/lado", "b.csv"
        schema = type("S", (), {"name": "lado"})
        data = pd.DataFrame({"row": [2, 5]})

    issues = pd.DataFrame(
        {
            "source": ["local/lado", "local/lado", "cin_census"],
            "file": ["b.csv", "b.csv", "x.xml"],
            "table": ["local/lado", "local/lado", "referrals"],
            "record": [1, None, 7],
            "severity": ["error"] * 3,
        }
    )
    out = local_issues_on_frames(issues, [T()], {"lado": frame})
    placed = out[out["source"] == "local"]
    # record 1 of b.csv is its row 5 -> frame record 2; the record-less issue (a missing
    # column) marks both of b.csv's records (1 and 2), never a.csv's record 0.
    assert sorted(placed["record"].tolist()) == [1, 2, 2]
    assert (placed["table"] == "lado").all()
    assert out.loc[out["source"] == "cin_census", "record"].tolist() == [7]


def test_kpi_table_has_a_confidence_for_every_kpi_and_month(tmp_path):
    config, read = _lado_council(tmp_path)
    table = build_month(config, "2025-03", read=read, through="kpis", history_months=3).kpi_table
    assert set(table["kpi_id"]) == set(all_kpis())
    assert table["dq_confidence"].notna().all()
    assert table["dq_error_share"].notna().all()
    per_kpi = table.groupby("kpi_id")["period_end"].nunique()
    assert (per_kpi == 3).all()
