"""Children-in-need KPIs on tiny hand-built CIN census tables."""

from __future__ import annotations

from pmf_lib.compute.kpis import children_in_need as cn
from pmf_lib.compute.registry import Figure
from pmf_lib.dates import Window

PE = Window.of("snapshot", "2025-03-31")


def ref(child, start, end=None):
    return {"LAchildID": child, "CINreferralDate": start, "CINclosureDate": end}


def test_children_in_need_open_at_period_end(build):
    inputs = build.cin(
        population={2024: 4_000},
        referrals=[
            ref("a", "2024-01-01"),  # open: counts
            ref("a", "2025-02-01"),  # a second open episode of a: a counted once
            ref("b", "2024-01-01", "2025-03-31"),  # closed on period_end: not open
            ref("c", "2025-03-31"),  # referred on period_end: open
            ref("d", "2025-04-01"),  # referred the day after: not yet
            ref("e", "2024-01-01", "2025-04-01"),  # closes the day after: open
        ],
    )
    # a, c, e = 3 children; rate 3 / 4,000 * 10,000 = 7.5 (2024 is the latest estimate)
    assert cn.cin_count(inputs, PE) == Figure(3)
    fig = cn.cin_rate_10k(inputs, PE)
    assert fig == Figure(3, 4_000.0) and cn.cin_rate_10k.meta.value(fig) == 7.5
