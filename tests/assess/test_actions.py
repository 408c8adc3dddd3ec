"""Each improvement action's state at the month end (pmf_lib.assess.actions), on tiny logs."""

from __future__ import annotations

import pandas as pd

from pmf_lib.assess.actions import COLUMNS, STATES, action_table, actions_for_config, log_told
from pmf_lib.compute.kpis._local import local_frame
from pmf_lib.config import Area, Config, Council, DataSources, LocalSources

END = "2026-03-31"


def _log(**overrides) -> pd.DataFrame:
    """Five actions, each in a different state at 31 March 2026 (see the test)."""
    cols = {
        "action_id": ["A1", "A2", "A3", "A4", "A5"],
        "kpi_id": ["referrals_count"] * 5,
        "area": ["front_door"] * 5,
        "action": ["a", "b", "c", "d", "e"],
        "owner": ["Lead"] * 5,
        "status": ["overdue", "complete", "in_progress", "complete", "cancelled"],
        "created_date": ["2026-01-10", "2026-02-01", "2026-04-02", "2025-12-01", "2026-01-01"],
        "due_date": ["2026-03-01", "2026-06-30", "2026-09-30", "2026-02-27", "2026-05-01"],
        "completed_date": [None, "2026-05-02", None, "2026-02-20", "2026-03-10"],
    }
    cols.update(overrides)
    return local_frame("improvement_actions", **cols)


def _states(t: pd.DataFrame) -> dict:
    return dict(zip(t["action_id"], t["state"], strict=True))


def test_each_state_at_the_month_end():
    t = action_table(_log(), END, current=False)
    assert list(t.columns) == list(COLUMNS)
    # A1: created January, due 1 March, not completed -> open and due before 31 March: overdue
    # A2: created February, completed 2 May -> open at 31 March, due 30 June: open
    # A3: created 2 April -> not yet created at 31 March: not_open
    # A4: completed 20 February with status complete: complete
    # A5: cancelled 10 March: cancelled
    assert _states(t) == {
        "A1": "overdue",
        "A2": "open",
        "A3": "not_open",
        "A4": "complete",
        "A5": "cancelled",
    }
    assert set(t["state"]) == set(STATES) - {"unknown"}  # each documented state once here
    # sorted by due date: A4 (27 Feb), A1 (1 Mar), A5 (1 May), A2 (30 Jun), A3 (30 Sep)
    assert t["action_id"].tolist() == ["A4", "A1", "A5", "A2", "A3"]
    assert (t["period_end"] == pd.Timestamp(END)).all()


def test_closed_since_marks_an_action_open_then_but_closed_now():
    t = action_table(_log(), END, current=False).set_index("action_id")
    # A2 was open at 31 March and is complete now; A1 is open and still overdue in the log;
    # A4 was already complete at 31 March (not open then, so not "closed since").
    assert bool(t.loc["A2", "closed_since"])
    assert not t.loc["A1", "closed_since"] and not t.loc["A4", "closed_since"]


def test_a_log_without_history_is_told_only_for_its_own_month():
    no_dates = _log(created_date=[None] * 5, completed_date=[None] * 5)
    # a past month: every action unknown, never today's status copied back
    assert set(action_table(no_dates, END, current=False)["state"]) == {"unknown"}
    # the month the status describes: A1 status overdue; A2 status complete;
    # A3 in progress, due 30 September (not before 31 March): open
    s = _states(action_table(no_dates, END, current=True))
    assert s["A1"] == "overdue" and s["A2"] == "complete" and s["A3"] == "open"


def test_a_log_read_without_a_required_column_is_unknown():
    log = _log()
    log.attrs["missing_columns"] = ["due_date"]  # read only because the council runs anyway
    assert set(action_table(log, END, current=True)["state"]) == {"unknown"}


def test_an_empty_log_has_no_rows():
    t = action_table(local_frame("improvement_actions"), END, current=False)
    assert t.empty and list(t.columns) == list(COLUMNS)


def test_log_told_reads_the_published_open_count():
    def h(value, suppressed=None):
        t = pd.DataFrame(
            {"kpi_id": ["actions_open_count"], "period_end": [pd.Timestamp(END)], "value": [value]}
        )
        return t if suppressed is None else t.assign(suppressed=[suppressed])

    assert log_told(h(2.0), END)
    assert not log_told(h(float("nan")), END)  # missing: the log cannot tell the month
    assert log_told(h(float("nan"), suppressed=True), END)  # withheld is not missing
    assert not log_told(h(2.0), "2026-02-28")  # no figure for that month


def _config(tmp_path, files, audience="internal") -> Config:
    return Config(
        audience=audience,
        council=Council(code=938, name="Testshire"),
        data=DataSources(
            ssda903="a",
            cin_census="b",
            population="p.csv",
            local=LocalSources(improvement_actions=files),
        ),
        areas={"front_door": Area(title="Front door", kpis=["referrals_count"])},
        base_dir=tmp_path,
    )


def test_actions_for_config(tmp_path):
    history = pd.DataFrame(
        {"kpi_id": ["actions_open_count"], "period_end": [pd.Timestamp(END)], "value": [1.0]}
    )
    assert actions_for_config(_config(tmp_path, []), history, "2026-03") is None  # no log
    path = tmp_path / "improvement_actions.csv"
    path.write_text(
        "Action ID,KPI,Area,Action,Owner,Date created,Due date,Date completed,Status\n"
        "A1,referrals_count,front_door,Check,Lead,2026-01-10,2026-03-01,,overdue\n"
    )
    # read from the config's file: A1 open and due before 31 March
    t = actions_for_config(_config(tmp_path, [str(path)]), history, "2026-03")
    assert t[["action_id", "state"]].values.tolist() == [["A1", "overdue"]]


def test_members_and_the_public_get_only_the_listed_rows(tmp_path):
    history = pd.DataFrame(
        {"kpi_id": ["actions_open_count"], "period_end": [pd.Timestamp(END)], "value": [2.0]}
    )
    path = tmp_path / "improvement_actions.csv"
    path.write_text(
        "Action ID,KPI,Area,Action,Owner,Date created,Due date,Date completed,Status\n"
        "A1,referrals_count,front_door,Check,Lead,2026-01-10,2026-03-01,,overdue\n"
        "A2,referrals_count,front_door,Audit,Lead,2026-01-10,2026-02-01,2026-02-20,complete\n"
        "A3,referrals_count,front_door,Plan,Lead,2026-01-10,2026-06-01,,in_progress\n"
    )
    internal = actions_for_config(_config(tmp_path, [str(path)]), history, "2026-03")
    assert internal["action_id"].tolist() == ["A2", "A1", "A3"]  # by due date
    for audience in ("members", "public"):
        shown = actions_for_config(_config(tmp_path, [str(path)], audience), history, "2026-03")
        # A1 overdue and A3 open are listed on the pages; A2 (complete in February) is not,
        # so its row is not published either
        assert shown[["action_id", "state"]].values.tolist() == [
            ["A1", "overdue"],
            ["A3", "open"],
        ]
