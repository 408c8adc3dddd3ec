"""Data-quality confidence per KPI and month."""

from __future__ import annotations

import pandas as pd
import pytest

from pmf_lib.compute.registry import kpi_feeds
from pmf_lib.feeds import Feed
from pmf_lib.read.tables import CIN_COLUMNS, S903_COLUMNS, CinCensus, Ssda903, conform
from pmf_lib.validate.confidence import (
    CONFIDENCE_COLUMNS,
    attach,
    confidence_table,
    rate,
)

CORE = [
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
]


FEEDS = kpi_feeds()  # every registered KPI's declared inputs
DEFAULT_FEEDS = {k: FEEDS[k] for k in CORE}


def _issues(rows):
    return pd.DataFrame(rows, columns=["source", "table", "record", "child_id", "severity"])


def test_the_thirteen_core_kpis_declare_their_feeds():
    assert all(DEFAULT_FEEDS[k] for k in CORE)


def test_rate_thresholds():
    assert [rate(s) for s in (0, 0.01, 0.0101, 0.05, 0.0501)] == [
        "High",
        "High",
        "Medium",
        "Medium",
        "Low",
    ]
    assert rate(0.02, high=0.02, medium=0.1) == "High"
    with pytest.raises(ValueError):
        rate(0.1, high=0.2, medium=0.1)


def test_flow_share_uses_worse_of_month_and_12_months():
    cin = CinCensus()
    # 10 referrals: 2 in March 2025 (one in error), 8 earlier in the 12 months (none in error)
    dates = ["2025-03-03", "2025-03-10"] + [f"2024-{m:02d}-15" for m in range(5, 13)]
    cin.tables["referrals"] = conform(
        pd.DataFrame(
            {"LAchildID": [f"c{i}" for i in range(10)], "CINreferralDate": pd.to_datetime(dates)}
        ),
        CIN_COLUMNS["referrals"],
    )
    issues = _issues(
        [
            ("cin_census", "referrals", 0, "c0", "error"),
            ("cin_census", "referrals", 1, "c1", "warning"),
        ]
    )  # warnings do not count
    t = confidence_table(
        issues,
        cin,
        Ssda903(),
        ["2025-03-31", "2025-04-30"],
        feeds={"referrals_count": DEFAULT_FEEDS["referrals_count"]},
    )
    assert list(t.columns) == CONFIDENCE_COLUMNS
    # March: month share 1/2 = 0.5, 12-month share 1/10 -> worse is 0.5 -> Low.
    # April: no referrals in the month (share 0), 12 months May 2024-Apr 2025 hold all 10 -> 0.1
    assert t["dq_error_share"].tolist() == [0.5, 0.1]
    assert t["dq_confidence"].tolist() == ["Low", "Low"]


def test_stock_share_and_child_level_errors_propagate():
    cla = Ssda903()
    # at 2025-03-31: a, b, c open (d ceased 2025-03-31, so not open); header error on child c
    cla.tables["episodes"] = conform(
        pd.DataFrame(
            {
                "CHILD": ["a", "b", "c", "d"],
                "DECOM": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-01-01"]),
                "DEC": pd.to_datetime([None, None, None, "2025-03-31"]),
            }
        ),
        S903_COLUMNS["episodes"],
    )
    cla.tables["header"] = conform(pd.DataFrame({"CHILD": list("abcd")}), S903_COLUMNS["header"])
    issues = _issues(
        [("ssda903", "header", 2, "c", "error"), ("ssda903", "episodes", 3, "d", "error")]
    )  # d is not feeding
    t = confidence_table(
        issues, CinCensus(), cla, ["2025-03-31"], feeds={"cla_count": DEFAULT_FEEDS["cla_count"]}
    )
    # 1 of the 3 open episodes (child c) is in error: 1/3 -> Low
    assert t["dq_error_share"].iloc[0] == pytest.approx(1 / 3)
    assert t["dq_confidence"].iloc[0] == "Low"


def test_no_records_is_share_zero_and_every_kpi_month_rated():
    t = confidence_table(
        _issues([]), CinCensus(), Ssda903(), ["2025-01-31", "2025-02-28"], feeds=DEFAULT_FEEDS
    )
    assert len(t) == 13 * 2
    assert (t["dq_error_share"] == 0).all() and (t["dq_confidence"] == "High").all()
    t = confidence_table(
        _issues([]), CinCensus(), Ssda903(), ["2025-01-31", "2025-02-28"], feeds=FEEDS
    )
    assert len(t) == len(FEEDS) * 2
    assert (t["dq_error_share"] == 0).all() and (t["dq_confidence"] == "High").all()


def test_custom_feed_and_attach_to_kpi_table():
    cin = CinCensus()
    cin.tables["cp_plans"] = conform(
        pd.DataFrame(
            {
                "LAchildID": [f"c{i}" for i in range(50)],
                "CPPstartDate": pd.to_datetime(["2025-01-10"] * 50),
            }
        ),
        CIN_COLUMNS["cp_plans"],
    )
    issues = _issues([("cin_census", "cp_plans", 0, "c0", "error")])
    feeds = {"my_cp_kpi": (Feed("cin_census", "cp_plans", "CPPstartDate", "stock", "CPPendDate"),)}
    conf = confidence_table(issues, cin, Ssda903(), ["2025-01-31"], feeds=feeds)
    # 1 of 50 open plans in error = 2 % -> Medium
    assert conf[["dq_error_share", "dq_confidence"]].values.tolist() == [[0.02, "Medium"]]
    kpis = pd.DataFrame(
        {
            "kpi_id": ["my_cp_kpi", "my_cp_kpi", "other"],
            "period_end": pd.to_datetime(["2025-01-31"] * 3),
            "window": ["snapshot", "month", "month"],
            "value": [1.0, 2.0, 3.0],
        }
    )
    out = attach(kpis, conf)
    assert out["dq_confidence"].tolist()[:2] == ["Medium", "Medium"]
    assert pd.isna(out["dq_confidence"].iloc[2])  # no mapping: no made-up rating
    assert len(out) == 3


def test_latest_return_with_no_dated_return_is_share_zero():
    # An OC2 table whose only record names no collection year belongs to no return, so no
    # record of a latest return feeds the KPI at 31 October 2023: share 0, High (an empty
    # table of years once indexed an empty array).
    oc2 = pd.DataFrame({"CHILD": ["C1"], "collection_year": [None]})
    feeds = {"k": (Feed("ssda903", "oc2", kind="latest_return"),)}
    t = confidence_table(
        _issues([]), CinCensus(), Ssda903(tables={"oc2": oc2}), ["2023-10-31"], feeds=feeds
    )
    assert t[["dq_error_share", "dq_confidence"]].values.tolist() == [[0.0, "High"]]
