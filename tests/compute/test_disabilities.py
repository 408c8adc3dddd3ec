"""Children-with-disabilities KPIs on tiny hand-built CIN census tables."""

from __future__ import annotations

from pmf_lib.compute.kpis import disabilities as dis
from pmf_lib.compute.registry import Figure, KpiInputs
from pmf_lib.dates import Window

PE = Window.of("snapshot", "2025-03-31")
MONTH = Window.of("month", "2025-03-31")
R12 = Window.of("rolling_12m", "2025-03-31")


def ref(cid, start, end=None):
    return {"LAchildID": cid, "CINreferralDate": start, "CINclosureDate": end}


def dis_row(cid, code):
    return {"LAchildID": cid, "Disability": code}


def inputs_(build):
    return build.cin(
        disabilities=[
            dis_row("a", "MOB"),  # disabled
            dis_row("a", "LD"),  # a second code: a still counted once
            dis_row("b", "NONE"),  # no disability
            dis_row("c", " aut "),  # disabled (code normalised)
            dis_row("d", None),  # empty code: no disability
            dis_row("e", "HEAR"),  # disabled, but not in need at period end
            dis_row("f", "NONE"),
            dis_row("f", "VIS"),  # NONE and a code (inconsistent): the code counts
        ],
        referrals=[
            ref("a", "2024-01-01"),  # in need at period end
            ref("a", "2025-03-05"),  # a's second open episode: a still once; referral in March
            ref("b", "2025-03-31"),  # in need (referred on period end); referral in March
            ref("c", "2024-06-01", "2025-04-01"),  # in need (closes after period end)
            ref("d", "2025-03-01"),  # in need; referral in March
            ref("e", "2024-01-01", "2025-03-31"),  # closed on period end: not in need
            ref("f", "2025-02-10"),  # in need; referral in February
            ref("g", "2025-03-15"),  # in need, no disabilities row; referral in March
        ],
    )


def test_children_in_need_with_a_disability(build):
    inputs = inputs_(build)
    # in need: a, b, c, d, f, g = 6; disabled of those: a, c, f = 3 (e has closed)
    assert dis.cin_disabled_count(inputs, PE) == Figure(3)
    fig = dis.cin_disabled_pct(inputs, PE)
    assert fig == Figure(3, 6) and dis.cin_disabled_pct.meta.value(fig) == 50.0


def test_referrals_of_disabled_children(build):
    inputs = inputs_(build)
    # March referrals: a (2025-03-05), b, d, g = 4; disabled: a = 1
    assert dis.referrals_disabled_count(inputs, MONTH) == Figure(1)
    assert dis.referrals_disabled_pct(inputs, MONTH) == Figure(1, 4)
    # rolling 12 months (from 2024-04-01): the March four, c (2024-06-01), f (2025-02-10) = 6;
    # disabled: a, c, f = 3 (a's 2024-01-01 and e's referrals are before the window)
    assert dis.referrals_disabled_count(inputs, R12) == Figure(3)
    assert dis.referrals_disabled_pct(inputs, R12) == Figure(3, 6)


def test_only_none_means_no_disabled_children(build):
    inputs = build.cin(
        disabilities=[dis_row("a", "NONE")],
        referrals=[ref("a", "2025-03-01")],
    )
    assert dis.cin_disabled_pct(inputs, PE) == Figure(0, 1)
    assert dis.referrals_disabled_pct(inputs, MONTH) == Figure(0, 1)


def test_empty_inputs_give_empty_figures():
    inputs = KpiInputs()
    assert dis.cin_disabled_count(inputs, PE) == Figure(0)
    assert dis.cin_disabled_pct(inputs, PE) == Figure(0, 0)
    assert dis.referrals_disabled_pct(inputs, MONTH) == Figure(0, 0)
