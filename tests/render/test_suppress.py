"""Small-number suppression: 1-4 children shown as <5, with the figures that would reveal them."""

from __future__ import annotations

import math

import pandas as pd

from pmf_lib.render.suppress import (
    SUPPRESSED,
    row_is_suppressed,
    suppress_breakdown,
    suppress_kpi_table,
)


def test_counts_one_to_four_are_withheld_zero_and_five_are_not():
    assert [row_is_suppressed(n, None, "count") for n in (0, 1, 4, 5)] == [
        False,
        True,
        True,
        False,
    ]


def test_percentages_withheld_on_small_numerator_denominator_or_complement():
    # 3 of 50: numerator small. 30 of 4 cannot happen; 2 of 3: denominator small.
    # 47 of 50 = 94%: the 3 children not counted would be revealed (50 - 47 = 3).
    # 45 of 50: complement 5, shown.
    assert row_is_suppressed(3, 50, "percent")
    assert row_is_suppressed(2, 3, "percent")
    assert row_is_suppressed(47, 50, "percent")
    assert not row_is_suppressed(45, 50, "percent")
    assert not row_is_suppressed(0, 50, "percent")


def test_averages_check_only_their_denominator():
    # 3 closures averaging 40 days (sum 120): the 3 children could be identified.
    assert row_is_suppressed(120, 3, "days")
    # 2 days in total over 30 closures: 2 is days, not children.
    assert not row_is_suppressed(2, 30, "days")


def test_rate_on_three_children_is_withheld():
    # 3 children per 20,000 = 1.5 per 10k.
    t = pd.DataFrame(
        {
            "kpi_id": ["r", "r"],
            "value": [1.5, 10.0],
            "numerator": [3.0, 20.0],
            "denominator": [20_000.0, 20_000.0],
        }
    )
    s = suppress_kpi_table(t, {"r": "rate_10k"})
    assert math.isnan(s["value"].iloc[0]) and math.isnan(s["numerator"].iloc[0])
    assert s["value"].iloc[1] == 10.0
    assert s["suppressed"].tolist() == [True, False]


def test_breakdown_secondary_suppression():
    # Girls 3 is withheld; with the total of 40 shown, boys 37 would reveal it, so the
    # smallest other non-zero group (unknown, 6) is withheld too... here boys=31, unknown=6.
    shown = suppress_breakdown({"Boys": 31, "Girls": 3, "Unknown": 6})
    assert shown == {"Boys": "31", "Girls": SUPPRESSED, "Unknown": SUPPRESSED}
    # Two groups withheld already: nothing more to hide.
    assert suppress_breakdown({"a": 2, "b": 1, "c": 30}) == {"a": "<5", "b": "<5", "c": "30"}
    # No group withheld: nothing changes.
    assert suppress_breakdown({"a": 0, "b": 12}) == {"a": "0", "b": "12"}
