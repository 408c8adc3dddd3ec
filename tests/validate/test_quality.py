"""One data quality confidence: ``pmf validate`` and the KPI table ``pmf run`` publishes agree.

Both call :func:`pmf_lib.validate.quality.assess_quality` on the same records,
with dates "in the future" judged against the returns' extract date and
planned dates (``future: true`` in the schemas) never called future.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmf_lib.assess.build import build_month, read_month
from pmf_lib.cli import main
from pmf_lib.config import load_config
from pmf_lib.validate.quality import extract_date, history_ends
from tests.conftest import ROOT
from tests.validate.test_unreadable import _council

CONFERENCING = (
    "Meeting ID,Child ID,Meeting type,Due date,Meeting date,Chair\n"
    # held 10 March, due 5 April: a planned date after the extract (31 March) -> no error
    "M1,C1,ICPC,2022-04-05,2022-03-10,IRO 1\n"
    "M2,C1,RCPC,2022-03-01,2022-02-25,IRO 1\n"
    # held 2 April, after the extract of 31 March: S06, one of the 3 meetings in error
    "M3,C1,RCPC,2022-03-30,2022-04-02,IRO 2\n"
)


def _with_conferencing(tmp_path):
    config = _council(tmp_path)
    (tmp_path / "conferencing.csv").write_text(CONFERENCING)
    text = config.read_text().replace(
        "local: {contacts: contacts.csv}",
        "local: {contacts: contacts.csv, conferencing: conferencing.csv}",
    )
    config.write_text(text)
    return config


def _same(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    a = a.assign(period_end=pd.to_datetime(a["period_end"]))
    b = b.assign(period_end=pd.to_datetime(b["period_end"]))
    keys = ["kpi_id", "period_end"]
    m = a[[*keys, "dq_error_share", "dq_confidence"]].merge(
        b[[*keys, "dq_error_share", "dq_confidence"]], on=keys, suffixes=("_a", "_b")
    )
    return m


def test_validate_and_the_kpi_table_give_one_confidence(tmp_path, capsys):
    config_path = _with_conferencing(tmp_path)
    assert main(["validate", "--config", str(config_path), "--month", "2022-03"]) == 0
    capsys.readouterr()
    by_validate = pd.read_csv(tmp_path / "out" / "2022-03" / "data_quality_confidence.csv")
    config = load_config(config_path)
    table = build_month(config, "2022-03", through="kpis").kpi_table
    by_run = table.drop_duplicates(["kpi_id", "period_end"])
    m = _same(by_run, by_validate)
    # every KPI x 36 months, each rated the same
    assert len(m) == len(by_validate) == by_run["kpi_id"].nunique() * 36
    assert (m["dq_confidence_a"] == m["dq_confidence_b"]).all()
    assert np.allclose(m["dq_error_share_a"], m["dq_error_share_b"], equal_nan=True)
    # conferencing at 31 March 2022: M3 held after the extract date is 1 error of the
    # meetings feeding the KPI; M1's due date after it is not an error at all.
    issues = pd.read_csv(tmp_path / "out" / "2022-03" / "data_quality_issues.csv", dtype=str)
    conf = issues[issues["source"] == "local/conferencing"]
    assert conf[["row_or_element", "field", "rule"]].values.tolist() == [
        ["row 4", "meeting_date", "S06"]
    ]
    assert "after 2022-03-31" in conf["message"].iloc[0]  # the extract date, not today


def test_extract_date_is_the_reference_of_s06(tmp_path):
    config = load_config(_council(tmp_path))
    data = read_month(config).data
    assert extract_date(data.cin, data.cla) == pd.Timestamp("2022-03-31")
    assert history_ends("2022-03")[-1] == pd.Timestamp("2022-03-31")


def test_published_demo_month_has_one_confidence_per_kpi():
    """The demo's published month: kpis.parquet and data_quality_confidence.csv agree."""
    out = ROOT / "outputs" / "2026-10"
    kpis, dq = out / "kpis.parquet", out / "data_quality_confidence.csv"
    if not (kpis.is_file() and dq.is_file()):
        pytest.skip("the demo month is not published with its data quality report (make report)")
    demo = ROOT / "data" / "demo" / ".complete"
    if demo.is_file() and min(kpis.stat().st_mtime, dq.stat().st_mtime) < demo.stat().st_mtime:
        pytest.skip("the demo data were rewritten after the month was published (make report)")
    published = pd.read_parquet(kpis)
    rated = pd.read_csv(dq)
    rated = rated[pd.to_datetime(rated["period_end"]) == pd.Timestamp("2026-10-31")]
    m = _same(published, rated)
    assert len(m) == published["kpi_id"].nunique()
    # e.g. conferencing: Low (6.5 % in error) in kpis.csv and High in data_quality.html
    # before, because one read future due dates as errors against the extract date
    assert (m["dq_confidence_a"] == m["dq_confidence_b"]).all(), m[
        m["dq_confidence_a"] != m["dq_confidence_b"]
    ]
    assert np.allclose(m["dq_error_share_a"], m["dq_error_share_b"], equal_nan=True)


def test_running_anyway_without_a_required_column_gives_missing_low_never_zero_high(
    tmp_path, capsys
):
    config_path = _council(tmp_path)
    # contacts without "Contact date": by default an error (test_unreadable); here the
    # council chooses to run anyway
    (tmp_path / "contacts.csv").write_text("Contact ID,Child ID,Decision\nK1,C1,referral\n")
    config_path.write_text(
        config_path.read_text() + "data_quality: {missing_columns: run_anyway}\n"
    )
    assert main(["validate", "--config", str(config_path), "--month", "2022-03"]) == 0
    assert capsys.readouterr().err == ""
    out = tmp_path / "out" / "2022-03"
    issues = pd.read_csv(out / "data_quality_issues.csv", dtype=str)
    s01 = issues[issues["rule"] == "S01"]
    assert s01[["row_or_element", "field"]].values.tolist() == [["header", "contact_date"]]
    by_validate = pd.read_csv(out / "data_quality_confidence.csv")

    config = load_config(config_path)
    table = build_month(config, "2022-03", through="kpis").kpi_table
    contacts = table[table["kpi_id"].str.startswith("contacts_")]
    # every contacts KPI, every month: missing (not 0) and rated Low (not High)
    assert contacts["value"].isna().all() and contacts["numerator"].isna().all()
    assert (contacts["dq_confidence"] == "Low").all()
    # the CIN referral was read as usual: 1 referral in January 2022
    ref = table[(table["kpi_id"] == "referrals_count") & (table["window"] == "month")]
    assert ref.set_index("period_end").loc[pd.Timestamp("2022-01-31"), "value"] == 1
    # and validate says the same
    m = _same(table.drop_duplicates(["kpi_id", "period_end"]), by_validate)
    assert (m["dq_confidence_a"] == m["dq_confidence_b"]).all()


def test_published_demo_month_calls_no_planned_date_future():
    from pmf_lib.read.local import LOCAL_DATASETS, load_schema
    from pmf_lib.validate.schema import FUTURE_ALLOWED

    path = ROOT / "outputs" / "2026-10" / "data_quality_issues.csv"
    if not path.is_file():
        pytest.skip("the demo month's data quality report is not written (make report)")
    issues = pd.read_csv(path, dtype=str)
    s06 = issues[issues["rule"] == "S06"]
    planned = {
        (f"local/{name}", c.name)
        for name in LOCAL_DATASETS
        for c in load_schema(name).columns
        if c.future
    }
    assert ("local/conferencing", "due_date") in planned
    assert ("local/improvement_actions", "due_date") in planned
    called = set(zip(s06["source"], s06["field"], strict=True))
    assert not called & planned
    # nor a national one (an ICPC target date, a UASC 18th birthday, an expected birth)
    assert not {f for _, f in called} & {f for _, f in FUTURE_ALLOWED}
