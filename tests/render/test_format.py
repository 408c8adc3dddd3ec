"""Values formatted by unit, missing values, rounding and window labels."""

from __future__ import annotations

import pytest

from pmf_lib.render.format import (
    MISSING,
    format_change,
    format_date,
    format_month,
    format_value,
    window_label,
)


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (71.234, "percent", "71.2%"),
        (0.25, "percent", "0.3%"),  # halves round up, as people round
        (0.15, "percent", "0.2%"),  # stored as 0.14999...: f"{0.15:.1f}" would give 0.1
        (100.0, "percent", "100.0%"),
        (412.26, "rate_10k", "412.3 per 10k"),
        (1204, "count", "1,204"),
        (1234567.0, "count", "1,234,567"),
        (2.5, "count", "3"),  # half up, not Python's half-to-even (which gives 2)
        (0, "count", "0"),
        (12.04, "days", "12.0 days"),
        (0.456, "ratio", "0.46"),
    ],
)
def test_format_value_by_unit(value, unit, text):
    assert format_value(value, unit) == text


@pytest.mark.parametrize("missing", [None, float("nan")])
@pytest.mark.parametrize("unit", ["percent", "rate_10k", "count"])
def test_missing_is_an_en_dash(missing, unit):
    assert format_value(missing, unit) == MISSING == "–"


def test_unknown_unit_and_infinity_are_errors():
    with pytest.raises(ValueError, match="unknown unit"):
        format_value(1.0, "furlongs")
    with pytest.raises(ValueError, match="infinite"):
        format_value(float("inf"), "count")


@pytest.mark.parametrize(
    ("change", "unit", "text"),
    [
        (-12.8, "percent", "-12.8 pp"),
        (1.04, "percent", "+1.0 pp"),
        (120, "count", "+120"),
        (-3, "count", "-3"),
        (0.0, "count", "0"),
        (5.55, "rate_10k", "+5.6 per 10k"),
        (float("nan"), "percent", "–"),
    ],
)
def test_format_change(change, unit, text):
    assert format_change(change, unit) == text


def test_dates_and_windows():
    assert format_month("2026-10-31") == "Oct 2026"
    assert format_date("2026-10-01") == "1 October 2026"
    assert window_label("month", "2026-10-31") == "in October 2026"
    assert window_label("rolling_12m", "2026-10-31") == "12 months to Oct 2026"
    assert window_label("snapshot", "2026-10-31") == "at 31 October 2026"
    assert window_label("fytd", "2026-02-28") == "April 2025 to Feb 2026"
    with pytest.raises(ValueError):
        window_label("fortnight", "2026-10-31")
