"""The demo's finance files (issue 16) from hand-built SSDA903 episodes: each placement is an
episode (the latest return's version), its costs follow its type, the placements budget line
is the placements' costs, and the files come from their own random stream."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmf_lib.read.local import read_table
from pmf_lib.synth.finance import (
    PLACEMENTS_LINE,
    SERVICE_LINES,
    cost_between,
    weekly_cost_mean,
    write_finance,
)
from pmf_lib.synth.local import Span
from pmf_lib.synth.model import day

HEAD = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE\n"


def _returns(tmp):
    """Two years' episodes: C1's episode is still open in 2025 and ended in the 2026 return."""
    d = tmp / "ssda903"
    (d / "2025").mkdir(parents=True)
    (d / "2026").mkdir()
    (d / "2025" / "episodes.csv").write_text(
        HEAD + "C1,01/03/2025,S,C2,N1,K2,PR4,,,\n"
        "C2,10/01/2024,S,C2,N1,U4,PR1,20/02/2025,E11,\n"  # ended before the span: not costed
    )
    (d / "2026" / "episodes.csv").write_text(
        HEAD + "C1,01/03/2025,S,C2,N1,K2,PR4,15/06/2025,X1,\n"
        "C1,15/06/2025,P,C2,N1,U6,PR5,,,\n"
        "C3,01/09/2025,S,V2,N1,P1,PR0,,,\n"
    )
    return d


def _span():
    # local data from 1 May 2025 to 31 October 2025 (its month ends)
    ends = pd.date_range("2025-05-31", "2025-10-31", freq="ME")
    return Span(
        first=day("2025-05-01"),
        end=day("2025-10-31"),
        detail_from=day("2025-05-01"),
        month_ends=np.array([day(e) for e in ends], dtype=np.int64),
    )


def test_placements_follow_the_episodes(tmp_path):
    counts = write_finance(tmp_path / "local", _returns(tmp_path), _span(), 7)
    assert counts == {"local/budget_monitoring": 6 * 7, "local/placement_costs": 3}
    p = read_table(tmp_path / "local" / "placement_costs.csv", "placement_costs").data
    # C1's K2 episode as the 2026 return has it (ended 15 June), then its U6; C3's P1.
    # C2's episode ended before the financial year holding 1 May 2025: not costed.
    assert p["placement_id"].tolist() == ["PC00001", "PC00002", "PC00003"]
    assert p["child_id"].tolist() == ["C1", "C1", "C3"]
    assert p["placement_type"].tolist() == ["K2", "U6", "P1"]
    assert p["start_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2025-03-01",
        "2025-06-15",
        "2025-09-01",
    ]
    assert p.loc[0, "end_date"] == pd.Timestamp("2025-06-15") and p["end_date"][1:].isna().all()
    # costs: to the nearest £5; placed with parents costs nothing; providers by type
    assert (p["weekly_cost"] % 5 == 0).all() and p.loc[2, "weekly_cost"] == 0.0
    assert p.loc[0, "provider"].endswith("Ltd") and p.loc[2, "provider"] == "Demo County Council"
    # next review: none once ended; else the first 13-week anniversary after 31 Oct 2025
    # (C1's U6 from 15 Jun: +91 = 14 Sep, +182 = 14 Dec; C3's P1 from 1 Sep: +91 = 1 Dec)
    assert pd.isna(p.loc[0, "next_review_date"])
    assert p["next_review_date"][1:].dt.strftime("%Y-%m-%d").tolist() == [
        "2025-12-14",
        "2025-12-01",
    ]


def test_the_placements_budget_line_is_the_placements_costs(tmp_path):
    write_finance(tmp_path / "local", _returns(tmp_path), _span(), 7)
    p = read_table(tmp_path / "local" / "placement_costs.csv", "placement_costs").data
    b = read_table(tmp_path / "local" / "budget_monitoring.csv", "budget_monitoring").data
    assert set(b["service_line"]) == {PLACEMENTS_LINE, *(s[0] for s in SERVICE_LINES)}
    line = b[b["service_line"] == PLACEMENTS_LINE].set_index("month")
    start = p["start_date"].to_numpy(dtype="datetime64[ns]")
    end = p["end_date"].to_numpy(dtype="datetime64[ns]")
    cost = p["weekly_cost"].to_numpy(dtype=float)
    # actual to date at 31 July: the costs from 1 April 2025 (the financial year) to 31 July
    july = pd.Timestamp("2025-07-31")
    want = cost_between(start, end, cost, pd.Timestamp("2025-04-01"), july)
    assert abs(line.loc[july, "actual_to_date"] - want) <= 0.5  # written to the pound
    # forecast: that plus the open placements' weekly cost for the rest of the year (243 days)
    open_july = cost[1] + 0.0  # C1's U6 (C3's P1 starts in September)
    assert abs(line.loc[july, "forecast_outturn"] - (want + 243 * open_july / 7)) <= 0.5
    # one budget per financial year
    assert line["budget"].nunique() == 1


def test_the_files_come_from_their_own_stream(tmp_path):
    a = write_finance(tmp_path / "a", _returns(tmp_path), _span(), 7)
    b = write_finance(tmp_path / "b", tmp_path / "ssda903", _span(), 7)
    assert a == b
    for name in ("placement_costs.csv", "budget_monitoring.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    # a global NumPy draw in between changes nothing: the stream is [seed, 1600]
    np.random.seed(1)
    np.random.random(10)
    write_finance(tmp_path / "c", tmp_path / "ssda903", _span(), 7)
    assert (tmp_path / "c" / "placement_costs.csv").read_bytes() == (
        tmp_path / "a" / "placement_costs.csv"
    ).read_bytes()


def test_private_childrens_homes_cost_most():
    assert (
        weekly_cost_mean("K2", "PR4")
        > weekly_cost_mean("K2", "PR1")
        > 4 * weekly_cost_mean("U4", "PR1")
    )
    assert weekly_cost_mean("R5", "PR3") == 0.0  # a young offender institution: not the council's
