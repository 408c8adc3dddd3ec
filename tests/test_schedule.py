"""The reporting schedule's rules: the months each frequency is due, the cycle's dates,
the agenda and the calendar (pmf_lib/schedule.py), each on a hand-worked example."""

from __future__ import annotations

from datetime import date

import pytest

from pmf_lib.errors import PmfError
from pmf_lib.schedule import (
    Item,
    Meeting,
    ReportEntry,
    Schedule,
    agenda,
    calendar_rows,
    cycle_weeks,
    due_months,
    due_reports,
    is_due,
    meeting_day,
    publication_day,
    read_schedule,
)


@pytest.mark.parametrize(
    "frequency, months, expected",
    [
        ("monthly", None, tuple(range(1, 13))),  # every month
        ("bi-monthly", None, (2, 4, 6, 8, 10, 12)),  # from February: Feb, Apr, ..., Dec
        ("bi-monthly", [1, 3, 5, 7, 9, 11], (1, 3, 5, 7, 9, 11)),  # from January, given
        ("quarterly", None, (3, 6, 9, 12)),  # quarter ends
        ("quarterly", [10, 1, 4, 7], (1, 4, 7, 10)),  # the month after, given (sorted)
        ("six-monthly", None, (3, 9)),  # Kent's six-monthly target review
        ("annual", None, (3,)),  # the financial year's end
        ("annual", [6], (6,)),  # the evidence pack's June
    ],
)
def test_each_frequency_is_due_in_its_months(frequency, months, expected):
    e = Item(title="x", frequency=frequency, months=months)
    assert due_months(e) == expected
    # Due exactly in those months of any year.
    assert [m for m in range(1, 13) if is_due(e, f"2027-{m:02d}")] == list(expected)


def _write(tmp_path, text):
    p = tmp_path / "schedule.yaml"
    p.write_text(text)
    return p


@pytest.mark.parametrize(
    "frequency, months, message",
    [
        ("quarterly", "[3]", "a quarterly entry is due 4 months a year, not 1 ([3]); an entry "
         "due once a year is annual"),
        ("bi-monthly", "[2, 4, 6]", "a bi-monthly entry is due 6 months a year, not 3"),
        ("monthly", "[1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]", "a month is listed twice"),
        ("six-monthly", "[0, 6]", "month 0 is not 1-12"),
    ],
)  # fmt: skip
def test_months_that_do_not_fit_the_frequency_are_refused(tmp_path, frequency, months, message):
    p = _write(tmp_path, f"items:\n  - {{title: T, frequency: {frequency}, months: {months}}}\n")
    with pytest.raises(PmfError) as e:
        read_schedule(p)
    assert e.value.field == "items.0.months" and message in e.value.message


def test_an_unknown_key_or_meeting_names_the_key(tmp_path):
    with pytest.raises(PmfError) as e:
        read_schedule(_write(tmp_path, "meetings:\n  dlt: {title: D, week: 3, chair: X}\n"))
    assert (e.value.field, e.value.message) == ("meetings.dlt.chair", "unknown key")
    text = "items:\n  - {title: T, frequency: monthly, meeting: cabinet}\n"
    with pytest.raises(PmfError, match=r"unknown meeting 'cabinet' \(meetings: none") as e:
        read_schedule(_write(tmp_path, text))
    assert e.value.field == "items.0.meeting"


def test_no_file_is_pmfs_monthly_reports_and_the_four_quarterly_ones(tmp_path):
    s = read_schedule(tmp_path / "missing.yaml")
    assert [r.kind for r in due_reports(s, "2026-10")] == [
        "dashboard", "area", "exceptions", "highlight", "schedule",
    ]  # fmt: skip
    assert [r.area for r in due_reports(s, "2026-12") if r.kind == "quarterly"] == [
        "lado", "complaints", "conferencing", "quality_assurance",
    ]  # fmt: skip


def test_the_cycle_begins_on_the_4th_working_day_of_the_next_month():
    # The October 2026 reports: November 2026's working days are Mon 2, Tue 3, Wed 4,
    # Thu 5, so week 1 begins Thu 5 November and weeks 2-4 on the 12th, 19th and 26th.
    assert cycle_weeks("2026-10") == [date(2026, 11, d) for d in (5, 12, 19, 26)]
    # The April 2027 reports: May 2027 has Mon 3 May a bank holiday; its working days
    # are Tue 4, Wed 5, Thu 6, Fri 7: published Fri 7 May.
    assert publication_day("2027-04") == date(2027, 5, 7)
    # A schedule publishing on the 2nd working day: Tue 3 November 2026.
    assert publication_day("2026-10", 2) == date(2026, 11, 3)


def test_a_meeting_on_a_set_weekday_is_the_first_in_its_week():
    # Week 3 of the October 2026 cycle is Thu 19 - Wed 25 November: its Tuesday is the
    # 24th, its Thursday the 19th itself.
    s = Schedule(
        meetings={
            "dlt": Meeting(title="DLT", week=3, day="Tuesday"),
            "paab": Meeting(title="PAAB", week=3, day="Thursday"),
            "board": Meeting(title="Board", week=4),
        }
    )
    assert meeting_day(s, "dlt", 3, "2026-10") == date(2026, 11, 24)
    assert meeting_day(s, "paab", 3, "2026-10") == date(2026, 11, 19)
    assert meeting_day(s, "board", 4, "2026-10") is None  # no set weekday


def _demo() -> Schedule:
    return Schedule(
        meetings={
            "dlt": Meeting(title="DLT", week=3, day="Tuesday"),
            "cab": Meeting(title="Cabinet", week=4),
        },
        reports=[
            ReportEntry(kind="dashboard", title="Dash", frequency="monthly", owner="HoP"),
            ReportEntry(kind="finance", title="Fin", frequency="monthly", meeting="dlt"),
            ReportEntry(
                kind="high_cost_placements",
                title="HCP",
                frequency="bi-monthly",
                meeting="dlt",
                audience=["internal"],
            ),
            ReportEntry(kind="scorecard", scorecard="b", title="Bal", frequency="quarterly",
                        meeting="cab", week=2),
            ReportEntry(kind="quarterly", area="lado", title="LADO", frequency="quarterly"),
        ],
        items=[Item(title="Targets", frequency="six-monthly", meeting="cab")],
    )  # fmt: skip


def test_the_agenda_lists_each_meeting_with_what_it_receives_that_month():
    # October (internal): due are Dash (monthly), Fin (monthly) and HCP (bi-monthly from
    # February: October is one); Bal, LADO (quarterly) and Targets (March, September) not.
    weeks = agenda(_demo(), "2026-10", "internal")
    got = [
        (
            w["week"],
            m["title"],
            [r["title"] for r in m["reports"]],
            [i["title"] for i in m["items"]],
        )
        for w in weeks
        for m in w["meetings"]
    ]
    assert got == [(1, "Not at a meeting", ["Dash"], []), (3, "DLT", ["Fin", "HCP"], [])]
    assert weeks[2]["meetings"][0]["date"] == date(2026, 11, 24)
    # The members' edition: HCP is internal only.
    members = agenda(_demo(), "2026-10", "members")
    assert [r["title"] for r in members[2]["meetings"][0]["reports"]] == ["Fin"]
    # September: a quarter end and a six-monthly month. Bal goes in week 2 (its own week,
    # before Cabinet's usual 4); Targets to Cabinet in week 4; HCP not (September is odd).
    sept = agenda(_demo(), "2026-09", "internal")
    got = [(w["week"], m["title"], [r["title"] for r in m["reports"] + m["items"]])
           for w in sept for m in w["meetings"]]  # fmt: skip
    assert got == [
        (1, "Not at a meeting", ["Dash", "LADO"]),
        (2, "Cabinet", ["Bal"]),
        (3, "DLT", ["Fin"]),
        (4, "Cabinet", ["Targets"]),
    ]


def _config(**data):
    from pmf_lib.config import Area, Config, Council, DataSources

    return Config(
        council=Council(code=938, name="T"),
        data=DataSources(ssda903="a", cin_census="b", population="p.csv", **data),
        areas={"front_door": Area(title="F", kpis=["referrals_count"])},
        scorecards={},
    )


def test_what_the_council_lacks_is_not_planned_and_the_calendar_says_why():
    # This council has no area lado, no scorecard b and no finance data (placement_costs).
    c = _config()
    weeks = agenda(_demo(), "2026-12", "internal", c)  # December: every entry is due
    due = [r["title"] for w in weeks for m in w["meetings"] for r in m["reports"]]
    assert due == ["Dash"]
    rows = {r["title"]: r["unmet"] for r in calendar_rows(_demo(), "internal", c)}
    assert rows == {
        "Dash": None,
        "Fin": "the config supplies none of its data (data.local: budget_monitoring, "
        "placement_costs)",
        "HCP": "the config supplies none of its data (data.local: placement_costs)",
        "Bal": "the config has no scorecard 'b' (under scorecards:)",
        "LADO": "the config has no area 'lado'",
        "Targets": None,  # business stands whatever the council supplies
    }
    # Supplying placement costs brings both finance reports (either dataset will do for Fin).
    c = _config(local={"placement_costs": ["costs.csv"]})
    weeks = agenda(_demo(), "2026-12", "internal", c)
    due = [r["title"] for w in weeks for m in w["meetings"] for r in m["reports"]]
    assert due == ["Dash", "Fin", "HCP"]


def test_the_calendar_has_every_entry_for_the_audience_with_its_months():
    rows = {r["title"]: r for r in calendar_rows(_demo(), "members")}
    assert list(rows) == ["Dash", "Fin", "Bal", "LADO", "Targets"]  # no HCP for members
    assert rows["Bal"]["months"] == (3, 6, 9, 12) and rows["Bal"]["meeting"] == "Cabinet"
    assert rows["Bal"]["week"] == 2 and rows["Targets"]["week"] == 4  # own week; meeting's
    assert rows["Dash"]["meeting"] is None and rows["Dash"]["week"] == 1
    assert rows["Targets"]["type"] == "item" and rows["Targets"]["when"] == "March, September"
