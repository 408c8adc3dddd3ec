"""Child protection KPIs on tiny hand-built CIN census tables."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from pmf_lib.compute.kpis import protection as pr
from pmf_lib.compute.registry import Figure
from pmf_lib.dates import Window

JAN = Window.of("month", "2025-01-31")
MARCH = Window.of("month", "2025-03-31")


def s47(child, start, icpc=None):
    return {"LAchildID": child, "S47ActualStartDate": start, "DateOfInitialCPC": icpc}


def plan(child, start, end=None, previous=None):
    return {
        "LAchildID": child,
        "CPPstartDate": start,
        "CPPendDate": end,
        "NumberOfPreviousCPP": previous,
    }


def test_s47_count(build):
    inputs = build.cin(
        section47=[
            s47("a", "2025-01-01"),
            s47("b", "2025-01-31"),
            s47("c", "2024-12-31"),
            s47("d", "2025-02-01"),
        ]
    )
    assert pr.s47_count(inputs, JAN) == Figure(2)  # a and b (first and last day)


def test_icpc_15_working_days_over_christmas(build):
    # From Mon 16 Dec 2024: 16-20 Dec (5), 23-24 Dec (7), 25-26 Dec bank holidays,
    # 27 Dec (8), 30-31 Dec (10), 1 Jan bank holiday, 2-3 Jan (12), 6-8 Jan (15).
    inputs = build.cin(
        section47=[
            s47("a", "2024-12-16", "2025-01-09"),  # 15 working days -> on time
            s47("b", "2024-12-16", "2025-01-10"),  # 16 -> late
            s47("c", None, "2025-01-15"),  # conference with no S47 start: late, in denominator
            s47("d", "2024-12-02", "2024-12-31"),  # conference in December: not in January
            s47("e", "2025-01-06", None),  # no conference: not in the denominator
        ]
    )
    assert pr.icpc_15wd_pct(inputs, JAN) == Figure(1, 3)


def test_icpc_empty_denominator_is_missing(build):
    fig = pr.icpc_15wd_pct(build.cin(section47=[s47("a", "2025-01-06")]), JAN)
    assert fig == Figure(0, 0) and math.isnan(pr.icpc_15wd_pct.meta.value(fig))


def test_cp_plans_rate_counts_distinct_children_open_at_period_end(build):
    inputs = build.cin(
        population={2025: 10_000},
        cp_plans=[
            plan("a", "2024-01-01"),  # open
            plan("a", "2025-02-01"),  # a second open plan of child a: a is counted once
            plan("b", "2024-06-01", "2025-03-31"),  # ended on period_end: not open
            plan("c", "2025-03-31"),  # started on period_end: open
            plan("d", "2025-04-01"),  # starts the day after: not open
            plan("e", "2024-06-01", "2025-04-01"),  # ends the day after: open
        ],
    )
    fig = pr.cp_plans_rate_10k(inputs, Window.of("snapshot", "2025-03-31"))
    # a, c, e = 3 children; 3 / 10,000 * 10,000 = 3.0
    assert fig == Figure(3, 10_000.0)
    assert pr.cp_plans_rate_10k.meta.value(fig) == 3.0


def test_cp_second_subsequent(build):
    inputs = build.cin(
        cp_plans=[
            plan("a", "2019-05-01", "2020-01-01"),
            plan("a", "2025-03-03"),  # earlier plan: yes
            plan("b", "2025-03-04", previous=2),  # first in the data, return says 2 before: yes
            plan("c", "2025-03-05"),  # first plan, NumberOfPreviousCPP not carried: no
            plan("d", "2025-03-05", "2025-03-19"),
            plan("d", "2025-03-20"),  # first no, second yes
            plan("e", "2025-03-10", previous=0),
            plan("e", "2025-06-01"),  # a later plan: no
        ]
    )
    # March starts: a, b, c, d, d, e = 6; second or subsequent: a, b, d(20th) = 3
    assert pr.cp_second_subsequent_pct(inputs, MARCH) == Figure(3, 6)


def test_cp_second_subsequent_empty_is_missing(build):
    fig = pr.cp_second_subsequent_pct(build.cin(cp_plans=[plan("a", "2024-01-01")]), MARCH)
    assert fig == Figure(0, 0) and math.isnan(pr.cp_second_subsequent_pct.meta.value(fig))


BASE = pd.Timestamp("2023-01-01")


@st.composite
def plan_rows(draw):
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from("abcd"),
                st.integers(0, 800),
                st.one_of(st.none(), st.integers(0, 400)),
                st.one_of(st.none(), st.integers(0, 3)),
            ),
            max_size=20,
        )
    )
    return [
        plan(
            c,
            BASE + pd.Timedelta(days=s),
            None if n is None else BASE + pd.Timedelta(days=s + n),
            p,
        )
        for c, s, n, p in rows
    ]


@settings(max_examples=15, deadline=None)
@given(
    rows=plan_rows(),
    end=st.sampled_from(["2024-02-29", "2024-09-30", "2025-01-31"]),
    kind=st.sampled_from(["month", "rolling_12m"]),
    seed=st.integers(0, 2**16),
)
def test_cp_properties(build, rows, end, kind, seed):
    window = Window.of(kind, end)
    inputs = build.cin(cp_plans=rows, population={2020: 1000})
    fig = pr.cp_second_subsequent_pct(inputs, window)
    assert 0 <= fig.numerator <= fig.denominator
    value = pr.cp_second_subsequent_pct.meta.value(fig)
    assert math.isnan(value) if fig.denominator == 0 else 0 <= value <= 100
    snap = Window.of("snapshot", end)
    rate = pr.cp_plans_rate_10k(inputs, snap)
    shuffled = build.cin(cp_plans=rows, population={2020: 1000})
    shuffled.cin.tables["cp_plans"] = shuffled.cin.cp_plans.sample(frac=1, random_state=seed)
    assert pr.cp_second_subsequent_pct(shuffled, window) == fig
    assert pr.cp_plans_rate_10k(shuffled, snap) == rate
    # a plan starting after the window changes nothing
    later = build.cin(
        cp_plans=[*rows, plan("a", window.end + pd.Timedelta(days=1))], population={2020: 1000}
    )
    assert pr.cp_second_subsequent_pct(later, window) == fig
    assert pr.cp_plans_rate_10k(later, snap) == rate


@settings(max_examples=12, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from("abc"), st.integers(0, 700), st.one_of(st.none(), st.integers(0, 40))
        ),
        max_size=20,
    ),
    kind=st.sampled_from(["month", "rolling_12m"]),
    seed=st.integers(0, 2**16),
)
def test_icpc_properties(build, rows, kind, seed):
    window = Window.of(kind, "2024-06-30")
    recs = [
        s47(c, BASE + pd.Timedelta(days=s), None if n is None else BASE + pd.Timedelta(days=s + n))
        for c, s, n in rows
    ]
    inputs = build.cin(section47=recs)
    fig = pr.icpc_15wd_pct(inputs, window)
    assert 0 <= fig.numerator <= fig.denominator
    shuffled = build.cin(section47=recs)
    shuffled.cin.tables["section47"] = shuffled.cin.section47.sample(frac=1, random_state=seed)
    assert pr.icpc_15wd_pct(shuffled, window) == fig
    outside = [
        s47("a", "2020-01-01", window.start - pd.Timedelta(days=1)),
        s47("b", window.end, window.end + pd.Timedelta(days=1)),
    ]
    assert pr.icpc_15wd_pct(build.cin(section47=recs + outside), window) == fig
    # an enquiry starting the day after the window does not change the count
    after = [s47("c", window.end + pd.Timedelta(days=1))]
    assert pr.s47_count(build.cin(section47=recs + after), window) == pr.s47_count(inputs, window)


# ---- wider catalogue ---------------------------------------------------------------
YEAR = Window.of("rolling_12m", "2025-03-31")


def test_s47_and_icpc_rates(build):
    inputs = build.cin(
        population={2024: 20_000},
        section47=[
            s47("a", "2024-04-01", "2024-04-20"),  # first day of the 12 months: counts
            s47("b", "2025-03-31"),  # last day, no conference yet
            s47("c", "2024-03-31", "2024-04-02"),  # started before; conference inside
            s47("d", "2025-04-01"),  # after the window
        ],
    )
    # enquiries a, b = 2 -> 2 / 20,000 * 10,000 = 1.0; conferences a, c = 2 -> 1.0
    assert pr.s47_rate_10k(inputs, YEAR) == Figure(2, 20_000.0)
    assert pr.icpc_rate_10k(inputs, YEAR) == Figure(2, 20_000.0)
    assert pr.s47_rate_10k.meta.value(Figure(2, 20_000.0)) == 1.0


def test_cp_plan_counts_and_rates(build):
    inputs = build.cin(
        population={2025: 5_000},
        cp_plans=[
            plan("a", "2024-04-01", "2025-03-31"),  # started and ended in the 12 months
            plan("a", "2025-03-31"),  # a's second plan, open at period_end
            plan("b", "2023-01-01", "2024-03-31"),  # ended the day before the 12 months
            plan("c", "2025-03-15"),  # started in March, open
        ],
    )
    # open at 2025-03-31: a (second plan), c -> 2 children
    assert pr.cp_plans_count(inputs, Window.of("snapshot", "2025-03-31")) == Figure(2)
    # started in March: a (31st), c -> 2; in the 12 months: a, a, c -> 3
    assert pr.cp_plans_started_count(inputs, MARCH) == Figure(2)
    assert pr.cp_plans_started_rate_10k(inputs, YEAR) == Figure(3, 5_000.0)
    # ended in the 12 months: a's first plan only (b ended 2024-03-31) -> 1
    assert pr.cp_plans_ceased_rate_10k(inputs, YEAR) == Figure(1, 5_000.0)


def test_cp_plans_ceased_2y(build):
    inputs = build.cin(
        cp_plans=[
            plan("a", "2023-03-01", "2025-03-01"),  # exactly 2 years -> counts
            plan("b", "2023-03-02", "2025-03-01"),  # a day short -> does not
            plan("c", "2022-02-28", "2025-03-10"),  # just over 3 years -> counts
            plan("d", "2023-01-01", "2025-04-01"),  # ended in April: not in March
        ]
    )
    # ended in March: a, b, c -> 3; lasted 2 years or more: a, c -> 2
    assert pr.cp_plans_ceased_2y_pct(inputs, MARCH) == Figure(2, 3)


def test_cp_plans_open_2y(build):
    # 24 months before 2025-03-31 is 2023-03-31
    inputs = build.cin(
        cp_plans=[
            plan("a", "2023-03-31"),  # exactly 2 years -> counts
            plan("b", "2023-04-01"),  # a day short -> does not
            plan("c", "2022-01-01", "2025-03-31"),  # ended on period_end: not open at all
            plan("d", "2022-01-01"),
            plan("d", "2025-01-01"),  # d: two open plans, the earliest is over 2 years
        ]
    )
    # open children a, b, d -> 3; two years or more: a, d -> 2
    assert pr.cp_plans_open_2y_pct(inputs, Window.of("snapshot", "2025-03-31")) == Figure(2, 3)
    empty = pr.cp_plans_open_2y_pct(build.cin(cp_plans=[]), Window.of("snapshot", "2025-03-31"))
    assert math.isnan(pr.cp_plans_open_2y_pct.meta.value(empty))


def test_cp_reviews_on_time(build):
    # period_end 2025-03-31; the cohort is plans open then that started on or before
    # 2024-12-31 (3 months before). First review due within 3 months of the start, then
    # within 6 months of the previous review; the next review must not be overdue.
    def rv(child, start, review):
        return {"LAchildID": child, "CPPstartDate": start, "CPPreviewDate": review}

    inputs = build.cin(
        cp_plans=[
            plan("a", "2024-12-31"),  # exactly 3 months, no review yet, due 2025-03-31: on time
            plan("b", "2025-01-01"),  # under 3 months: not in the cohort
            plan("c", "2024-06-15"),  # reviews on the last allowed days: on time
            plan("d", "2024-06-15"),  # first review a day late
            plan("e", "2024-01-10"),  # next review was due 2025-03-30: overdue
            plan("f", "2024-01-10", "2025-03-31"),  # ended on period_end: not open
            plan("g", "2023-11-30"),  # leap year: first review due 2024-02-29
            plan("h", "2023-01-01", "2023-12-01"),  # h's earlier plan ...
            plan("h", "2024-10-01"),  # ... its reviews do not count for this one: overdue
            plan("i", "2024-10-01"),  # its only review is after period_end: overdue
        ],
        cp_reviews=[
            rv("c", "2024-06-15", "2024-09-15"),
            rv("c", "2024-06-15", "2025-03-15"),
            rv("d", "2024-06-15", "2024-09-16"),
            rv("d", "2024-06-15", "2025-03-01"),
            rv("e", "2024-01-10", "2024-04-10"),
            rv("e", "2024-01-10", "2024-09-30"),
            rv("g", "2023-11-30", "2024-02-29"),
            rv("g", "2023-11-30", "2024-08-29"),
            rv("g", "2023-11-30", "2025-02-28"),
            rv("h", "2023-01-01", "2023-03-01"),
            rv("i", "2024-10-01", "2025-04-01"),
        ],
    )
    # cohort a, c, d, e, g, h, i = 7; on time a, c, g = 3
    pe = Window.of("snapshot", "2025-03-31")
    assert pr.cp_reviews_on_time_pct(inputs, pe) == Figure(3, 7)
