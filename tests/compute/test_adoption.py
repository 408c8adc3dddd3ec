"""Adoption / leaving-care KPIs on tiny hand-built SSDA903 tables."""

from __future__ import annotations

import math

from pmf_lib.compute.kpis import adoption as ad
from pmf_lib.compute.kpis import children_looked_after as cl
from pmf_lib.compute.registry import Figure
from pmf_lib.dates import Window

MARCH = Window.of("month", "2025-03-31")


def ep(child, decom, dec=None, rec=None, rne="S", ls="C2"):
    return {"CHILD": child, "DECOM": decom, "DEC": dec, "REC": rec, "RNE": rne, "LS": ls}


def test_adopted_and_sgo_among_children_ceasing(build):
    inputs = build.cla(
        episodes=[
            ep("1", "2023-01-01", "2025-03-01", "E11"),  # adopted (unopposed)
            ep("2", "2023-01-01", "2025-03-31", "E12"),  # adopted (consent dispensed), last day
            ep("3", "2023-01-01", "2025-03-10", "E45"),  # special guardianship order
            ep("4", "2023-01-01", "2025-03-10", "X1"),  # a new episode follows: not ceasing
            ep("4", "2025-03-10", None, None, rne="P"),
            ep("5", "2023-01-01", "2025-03-12", "E4A", ls="V3"),  # short break: never counts
            ep("6", "2023-01-01", "2025-04-01", "E11"),  # adopted in April: out
            ep("7", "2023-01-01", "2025-03-15", None),  # no REC recorded: not counted
            ep("8", "2023-01-01", "2025-03-05", "E4A"),  # returned home
        ]
    )
    # ceasing in March: 1, 2, 3, 8 = 4 children; adopted 1, 2; SGO 3
    assert cl.cla_ceased_count(inputs, MARCH) == Figure(4)
    assert ad.cla_adopted_count(inputs, MARCH) == Figure(2)
    assert ad.cla_adopted_pct(inputs, MARCH) == Figure(2, 4)
    assert ad.cla_ceased_sgo_pct(inputs, MARCH) == Figure(1, 4)


def test_child_ceasing_twice_counts_once_by_latest_reason(build):
    inputs = build.cla(
        episodes=[
            ep("1", "2024-01-01", "2025-03-03", "E4A"),  # went home ...
            ep("1", "2025-03-10", "2025-03-20", "E11"),  # ... came back, then adopted
        ]
    )
    # one child ceasing; the latest reason in the month is adoption
    assert ad.cla_adopted_pct(inputs, MARCH) == Figure(1, 1)


def test_no_one_ceasing_is_missing(build):
    fig = ad.cla_adopted_pct(build.cla(episodes=[ep("1", "2024-01-01")]), MARCH)
    assert fig == Figure(0, 0) and math.isnan(ad.cla_adopted_pct.meta.value(fig))
