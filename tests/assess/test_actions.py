"""Each improvement action's state at the month end (pmf_lib.assess.actions), on tiny logs."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from pmf_lib.assess.actions import (
    COLUMNS,
    STATES,
    action_table,
    actions_for_config,
    figures_withheld,
    log_told,
    withhold_lists,
)
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
    # each documented state of an action once here (withheld is a members' area row)
    assert set(t["state"]) == set(STATES) - {"unknown", "withheld"}
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
        {"kpi_id": ["actions_open_count"], "period_end": [pd.Timestamp(END)], "value": [6.0]}
    )
    path = tmp_path / "improvement_actions.csv"
    rows = [
        "A1,referrals_count,front_door,Check,Lead,2026-01-10,2026-03-01,,overdue",
        "A2,referrals_count,front_door,Audit,Lead,2026-01-10,2026-02-01,2026-02-20,complete",
    ]
    rows += [  # five more due after March: open, not overdue, at 31 March
        f"B{i},referrals_count,front_door,Plan {i},Lead {i},2026-01-10,2026-06-0{i},,in_progress"
        for i in range(1, 6)
    ]
    path.write_text(HEAD + "\n".join(rows) + "\n")
    internal = actions_for_config(_config(tmp_path, [str(path)]), history, "2026-03")
    assert internal["action_id"].tolist()[:2] == ["A2", "A1"] and len(internal) == 7
    # at 31 March front_door has 6 open (A1, B1-B5), 1 of them overdue (A1): its overdue
    # list would say 1, so the area's lists are withheld, one row saying so
    for audience in ("members", "public"):
        shown = actions_for_config(_config(tmp_path, [str(path)], audience), history, "2026-03")
        assert shown[["area", "state"]].values.tolist() == [["front_door", "withheld"]]
        assert shown["action_id"].isna().all() and list(shown.columns) == list(COLUMNS)
    path.write_text(HEAD + "\n".join(rows[1:]) + "\n")  # no A1: 5 open, none overdue
    shown = actions_for_config(_config(tmp_path, [str(path)], "members"), history, "2026-03")
    # A2 (complete in February) is on no page, so not in the table; B1-B5 are listed
    assert shown["action_id"].tolist() == ["B1", "B2", "B3", "B4", "B5"]
    assert set(shown["state"]) == {"open"} and shown["owner"].isna().all()


HEAD = "Action ID,KPI,Area,Action,Owner,Date created,Due date,Date completed,Status\n"


def _open(**areas: tuple[int, int]) -> pd.DataFrame:
    """An action table at 31 March: per area (open, of them overdue)."""
    rows = []
    for area, (n, o) in areas.items():
        rows += [(f"{area}-{i}", area, "overdue" if i < o else "open") for i in range(n)]
    t = pd.DataFrame(rows, columns=["action_id", "area", "state"])
    t["period_end"] = pd.Timestamp(END)
    t["owner"] = "Lead"
    t["closed_since"] = False
    return t.reindex(columns=list(COLUMNS))


def _listed(t: pd.DataFrame) -> dict:
    """Area -> the number of its rows listed, or "withheld"."""
    out = {}
    for area, part in t.groupby("area"):
        out[area] = "withheld" if (part["state"] == "withheld").all() else len(part)
    return out


def test_three_in_one_area_and_seven_in_another_are_both_withheld():
    # x: 3 open -> withheld (a count of 1-4). y: 7 open, not small; but the improvement
    # actions page would list y's 7 beside "Improvement actions open: 10", and 10 - 7 = 3
    # is x's. So y is withheld too (secondary): each area page and the improvement
    # actions page show the wording; no list is shown to subtract from 10.
    assert _listed(withhold_lists(_open(x=(3, 0), y=(7, 0)))) == {
        "x": "withheld",
        "y": "withheld",
    }
    # With z (12 open) as well: x and y withheld add up to 10, not 1-4. z's page and the
    # improvement actions page list z's 12; 22 - 12 = 10 (x and y together) states no
    # count of 1-4, and no shown list is of x or y alone.
    assert _listed(withhold_lists(_open(x=(3, 0), y=(7, 0), z=(12, 0)))) == {
        "x": "withheld",
        "y": "withheld",
        "z": 12,
    }


def test_an_overdue_or_not_overdue_count_of_one_to_four_withholds_the_area():
    # x: 8 open, 2 overdue -> its overdue list says 2. y: 9 open, 6 overdue -> its open
    # (not overdue) list says 3. z: 10 open, 5 overdue, 5 not: shown on its own; but the
    # withheld x and y add up to 17 open, 8 overdue, 9 not: nothing of 1-4 to subtract.
    t = withhold_lists(_open(x=(8, 2), y=(9, 6), z=(10, 5)))
    assert _listed(t) == {"x": "withheld", "y": "withheld", "z": 10}
    # the overdue ones withheld add up to 2 (x's alone, with y having none overdue): the
    # overdue figure 7 minus z's 5 listed would state them, so z is withheld too
    t = withhold_lists(_open(x=(8, 2), y=(9, 0), z=(10, 5)))
    assert _listed(t) == {"x": "withheld", "y": 9, "z": "withheld"}


def test_no_list_is_of_an_area_the_published_breakdown_withholds():
    # Open (overdue): a 3 (0), b 6 (2), c 5 (0), d 20 (6), e 30 (10); 64 open, 18 overdue.
    # The open count's breakdown by area withholds a (3) and then c (5, the smallest, as
    # 3 alone would be 64 minus the shown groups). b's overdue list would say 2: withheld.
    # Were c listed, 64 - c's 5 listed - b's 6, d's 20 and e's 30 (published groups)
    # would state a's 3: so c is withheld too. Withheld a, b, c then have 2 overdue, which
    # 18 minus d's 6 and e's 10 listed would state: d (the smaller) is withheld as well,
    # leaving 8 overdue, 26 not overdue and 34 open withheld. e's 30 are listed.
    t = withhold_lists(_open(a=(3, 0), b=(6, 2), c=(5, 0), d=(20, 6), e=(30, 10)))
    assert _listed(t) == dict.fromkeys("abcd", "withheld") | {"e": 30}


def test_a_withheld_figure_withholds_every_list():
    # 10 open, none overdue: nothing small by area, but the published history withholds
    # the month's overdue figure (its suppressed flag): no list may be shown
    t = _open(x=(5, 0), y=(5, 0))
    assert _listed(withhold_lists(t)) == {"x": 5, "y": 5}
    assert _listed(withhold_lists(t, figures_withheld=True)) == {"x": "withheld", "y": "withheld"}
    # 3 open in all (x 3): the open figure itself is 3
    assert _listed(withhold_lists(_open(x=(3, 3)))) == {"x": "withheld"}
    h = pd.DataFrame(
        {
            "kpi_id": ["actions_open_count", "actions_overdue_pct", "referrals_count"],
            "period_end": pd.Timestamp(END),
            "suppressed": [False, False, True],
        }
    )
    assert not figures_withheld(h, END)  # another KPI's withheld figure says nothing
    assert figures_withheld(h.assign(suppressed=[False, True, False]), END)


def test_max_count_and_what_is_left_alone():
    # max_count 5: an area of 5 is withheld, with the other (6) as the secondary
    assert _listed(withhold_lists(_open(x=(5, 0), y=(6, 0)), 5)) == {
        "x": "withheld",
        "y": "withheld",
    }
    # an area with none open has no row (0 identifies nobody: "no open actions");
    # a month the log cannot tell keeps its rows (no list is shown)
    assert _listed(withhold_lists(_open(x=(6, 0)))) == {"x": 6}
    unknown = _open(x=(2, 0)).assign(state="unknown")
    assert withhold_lists(unknown)["state"].tolist() == ["unknown", "unknown"]
    # actions with no area are a group of their own: its row has a blank area (2 of them:
    # withheld, and x's 9 with them, as 23 - z's 12 would otherwise state them)
    t = _open(x=(9, 0), y=(2, 0), z=(12, 0)).assign(area=["x"] * 9 + [None, None] + ["z"] * 12)
    w = withhold_lists(t)
    gone = w.loc[w["state"] == "withheld", "area"]
    assert gone.isna().tolist() == [True, False] and gone.iloc[1] == "x"
    assert (w["area"] == "z").sum() == 12


def _small(v, m=4) -> bool:
    return 1 <= v <= m


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 12), st.integers(0, 12)).map(lambda t: (max(t), min(t))),
        min_size=1,
        max_size=6,
    )
)
def test_no_shown_list_or_difference_states_one_to_four(areas):
    # the rule written out again: per area n open, o overdue, r = n - o not overdue
    t = _open(**{f"a{i}": nm for i, nm in enumerate(areas) if nm[0]})
    w = withhold_lists(t)
    listed = w[w["state"].isin(["open", "overdue"])]
    n_all = {f"a{i}": n for i, (n, _) in enumerate(areas) if n}
    o_all = {f"a{i}": o for i, (n, o) in enumerate(areas) if n}
    withheld = set(w.loc[w["state"] == "withheld", "area"])
    assert withheld | set(listed["area"]) == set(n_all)
    total, late = sum(n_all.values()), sum(o_all.values())
    if _small(total) or _small(late) or _small(total - late):  # a withheld figure: no list
        assert listed.empty
        return
    for a, part in listed.groupby("area"):
        n, o = len(part), int((part["state"] == "overdue").sum())
        assert (n, o) == (n_all[a], o_all[a])  # an area is listed whole
        assert not (_small(n) or _small(o) or _small(n - o)), (a, n, o)
    # the published figures minus the lists: the withheld areas' sums
    for figure, shown in (
        (total, len(listed)),
        (late, int((listed["state"] == "overdue").sum())),
        (total - late, int((listed["state"] == "open").sum())),
    ):
        assert not _small(figure - shown)
    # and no listed area is one whose group the open count's breakdown withholds, however
    # it breaks a tie between the smallest groups (its keys sorted either way)
    from pmf_lib.assess.disclosure import suppress_counts

    for rank in (str, lambda a: str(99 - int(a[1:]))):
        hidden = suppress_counts({rank(a): n for a, n in n_all.items()})
        assert not any(hidden[rank(a)] for a in set(listed["area"]))


def test_a_tie_for_the_smallest_area_withholds_both():
    # a 3, b 6, c 6, d 20 (none overdue): a is withheld; the breakdown by area then
    # withholds one of b and c (3 alone would be 35 minus the shown groups), which one
    # depending on its order of rows. Listing the other would, with the breakdown's shown
    # group, state a's 3 (35 - 6 - 20 - 6): so both are withheld; d's 20 are listed.
    t = withhold_lists(_open(a=(3, 0), b=(6, 0), c=(6, 0), d=(20, 0)))
    assert _listed(t) == dict.fromkeys("abc", "withheld") | {"d": 20}
