"""The one formatter: half-up rounding on the figure as written, by unit, for every output."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmf_lib import formatting as F


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (71.25, "percent", "71.3%"),  # the example: half up (f"{71.25:.1f}" gives 71.2)
        (71.24, "percent", "71.2%"),
        (100 * 57 / 80, "percent", "71.3%"),  # 57 of 80 is 71.25 exactly, float noise aside
        (0.15, "percent", "0.2%"),  # stored as 0.1499999...; written 0.15, so 0.2
        (2.5, "count", "3"),  # half up, not half to even (2)
        (3.5, "count", "4"),
        (1234567.0, "count", "1,234,567"),
        (412.25, "rate_10k", "412.3 per 10k"),
        (12.04, "days", "12.0 days"),
        (12.25, "fte", "12.3 FTE"),
        (16.55, "mean", "16.6"),
        (0.125, "ratio", "0.13"),
        (-0.04, "percent", "0.0%"),  # never "-0.0%"
    ],
)
def test_format_value_rounds_half_up_as_written(value, unit, text):
    assert F.format_value(value, unit) == text


def test_render_and_assess_use_the_same_function():
    # One function: render.format re-exports it and the sentences call it; no second copy.
    from pmf_lib.assess import exceptions, travel
    from pmf_lib.render import format as render_format

    assert render_format.format_value is F.format_value
    assert exceptions.format_value is F.format_value
    assert travel.DISPLAY_DECIMALS is F.DISPLAY_DECIMALS


def test_missing_and_bad_values():
    assert F.format_value(None, "percent") == F.format_value(float("nan"), "count") == "–"
    assert math.isnan(F.display_value(None, "percent"))
    with pytest.raises(ValueError, match="unknown unit"):
        F.format_value(1.0, "furlongs")
    with pytest.raises(ValueError, match="infinite"):
        F.format_value(float("inf"), "count")


def test_changes_and_targets():
    # 1.05 pp rounds half up to +1.1 pp; a change that rounds to zero carries no sign.
    assert F.format_change(1.05, "percent") == "+1.1 pp"
    assert F.format_change(-0.04, "percent") == "0.0 pp"
    assert F.format_change(-3, "count") == "-3"
    # Targets as analysts write them: 85 not 85.0, 22.5 kept.
    assert F.format_target(85.0, "percent") == "85%"
    assert F.format_target(22.5, "percent") == "22.5%"
    assert F.format_target(300, "count") == "300"


@given(st.decimals(min_value=-10_000, max_value=10_000, places=2, allow_nan=False))
def test_display_value_is_the_number_printed(d):
    # Whatever the figure, display_value is exactly the number format_value prints, so
    # travel (which compares display values) agrees with the table and the sentence.
    v = float(d)
    printed = F.format_value(v, "percent").removesuffix("%").replace(",", "")
    assert float(printed) == F.display_value(v, "percent")
    # Half up on the decimal as written: x.x5 always rounds away from zero.
    assert abs(F.display_value(v, "percent")) >= abs(float(round(d, 1))) - 1e-9
