"""Front door contact KPIs on tiny hand-built ``contacts`` frames."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from pmf_lib.compute.kpis import contacts as ck
from pmf_lib.compute.registry import Figure
from pmf_lib.dates import Window
from tests.compute.local_kpi_props import check_absent, check_properties, day, inputs_for

MAR = Window.of("month", "2025-03-31")
APR = Window.of("month", "2025-04-30")


def contacts(**columns):
    return inputs_for("contacts", columns)


def test_count_first_and_last_day_of_month_in():
    inputs = contacts(contact_date=["2025-02-28", "2025-03-01", "2025-03-31", "2025-04-01", None])
    # 1 and 31 March are in; 28 Feb, 1 Apr and the missing date are not: 2
    assert ck.contacts_count(inputs, MAR) == Figure(2)
    # rolling 12 months to 31 Mar 2025 = 1 Apr 2024 - 31 Mar 2025: 28 Feb as well, 3
    assert ck.contacts_count(inputs, Window.of("rolling_12m", "2025-03-31")) == Figure(3)


def test_absent_dataset_is_missing_not_zero():
    check_absent(ck)


def test_empty_dataset_counts_zero_and_ratio_is_missing():
    inputs = contacts(contact_date=[])
    assert ck.contacts_count(inputs, MAR) == Figure(0)
    fig = ck.contacts_decided_1wd_pct(inputs, MAR)
    assert fig == Figure(0, 0) and math.isnan(ck.contacts_decided_1wd_pct.meta.value(fig))


def test_decided_within_one_working_day_over_easter():
    # Easter 2025: Good Friday 18 Apr and Easter Monday 21 Apr are bank holidays.
    inputs = contacts(
        contact_date=[
            "2025-04-17",  # Thu -> Tue 22: working days {17 Apr} = 1 -> within
            "2025-04-17",  # Thu -> Wed 23: {17, 22} = 2 -> late
            "2025-04-25",  # Fri -> Mon 28: {25} = 1 -> within (the weekend does not count)
            "2025-04-24",  # Thu -> Mon 28: {24, 25} = 2 -> late
            "2025-04-10",  # same-day decision: 0 -> within
            "2025-04-10",  # decided the day before the contact: not within
            "2025-04-29",  # Tue -> Thu 1 May: decided outside April, not in April's count
            "2025-04-30",  # undecided: not in the denominator
        ],
        decision_date=[
            "2025-04-22",
            "2025-04-23",
            "2025-04-28",
            "2025-04-28",
            "2025-04-10",
            "2025-04-09",
            "2025-05-01",
            None,
        ],
    )
    # decided in April: rows 1-6 (6); within 1 working day: rows 1, 3, 5 (3)
    assert ck.contacts_decided_1wd_pct(inputs, APR) == Figure(3, 6)
    assert ck.contacts_decided_1wd_pct.meta.value(Figure(3, 6)) == 50.0


def test_decision_percentages_use_contacts_decided_in_the_window():
    inputs = contacts(
        decision=["referral", "referral", "early_help", "nfa", "info_advice", None, "referral"],
        decision_date=[
            "2025-03-03",
            "2025-03-31",  # decided on the last day of the month: in March
            "2025-03-10",
            "2025-03-11",
            "2025-03-12",
            "2025-03-13",  # decided but no recognised decision: denominator only
            None,  # a referral decision not yet dated: not decided in March
        ],
    )
    # decided in March: 6 rows; referrals 2, early help 1, nfa/advice 2
    assert ck.contacts_to_referral_pct(inputs, MAR) == Figure(2, 6)
    assert ck.contacts_to_early_help_pct(inputs, MAR) == Figure(1, 6)
    assert ck.contacts_nfa_pct(inputs, MAR) == Figure(2, 6)


def test_awaiting_decision_at_period_end():
    end = Window.of("snapshot", "2025-03-31")
    inputs = contacts(
        contact_date=["2025-03-31", "2025-03-31", "2025-03-01", "2025-04-01", "2025-03-20"],
        decision_date=["2025-04-01", "2025-03-31", None, None, "2025-03-21"],
    )
    # row 1: decided the day after period_end -> awaiting; row 2: decided on period_end -> not;
    # row 3: never decided -> awaiting; row 4: received after -> not; row 5: decided -> not
    assert ck.contacts_awaiting_decision_count(inputs, end) == Figure(2)


def test_repeat_contacts_one_calendar_year_boundary_and_leap_day():
    inputs = contacts(
        child_id=["a", "a", "b", "b", "c", "c", "d", "d", None],
        contact_date=[
            "2024-03-31",
            "2025-03-31",  # a: earlier contact exactly a year before -> repeat
            "2024-03-30",
            "2025-03-31",  # b: a year and a day before -> not a repeat
            "2025-03-05",
            "2025-03-05",  # c: two contacts the same day -> neither is a repeat
            "2024-02-29",
            "2025-02-28",  # d: 28 Feb 2025 minus a year = 28 Feb 2024 <= 29 Feb 2024 -> repeat
            "2025-03-10",  # no child id: in the denominator, not a repeat
        ],
    )
    # March 2025: a(2nd), b(2nd), c, c, no-id = 5 contacts, 1 repeat
    assert ck.contacts_repeat_12m_pct(inputs, MAR) == Figure(1, 5)
    assert ck.contacts_repeat_12m_pct(inputs, Window.of("month", "2025-02-28")) == Figure(1, 1)


@st.composite
def contact_columns(draw):
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["a", "b", "c", None]),
                st.integers(0, 500),
                st.one_of(st.none(), st.integers(-1, 8)),
                st.sampled_from(["referral", "early_help", "nfa", "info_advice", None]),
            ),
            max_size=25,
        )
    )
    return {
        "child_id": [r[0] for r in rows],
        "contact_date": [day(r[1]) for r in rows],
        "decision_date": [None if r[2] is None else day(r[1] + r[2]) for r in rows],
        "decision": [r[3] for r in rows],
    }


@settings(max_examples=15, deadline=None)
@given(columns=contact_columns(), seed=st.integers(0, 2**16))
def test_contact_kpi_properties(columns, seed):
    future = {
        "child_id": "a",
        "contact_date": "2026-01-05",
        "decision_date": "2026-01-06",
        "decision": "referral",
    }
    check_properties(ck, "contacts", columns, future, seed)
