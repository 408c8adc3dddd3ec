"""One way to round and print every KPI figure: tables, charts, alt text and sentences.

A stage-neutral helper (like :mod:`pmf_lib.dates`): assess uses it to judge
direction of travel on the figures as shown and to write its sentences; render
uses it for every table cell, chart label and alt text. So a figure reads the
same everywhere, and "No change" always means the two figures a reader sees are
the same (or within the travel threshold).

Rounding is **half away from zero on the figure as written** (``Decimal``), as
people round: 71.25 is 71.3, 0.15 is 0.2 and 2.5 is 3. Python's ``round`` and
``f"{x:.1f}"`` round the binary float half to even, which gives 71.2 and 0.1.
A value within 1e-9 of a half (float noise from ``100 * n / d``) counts as the
half.

Decimals shown by unit (:data:`DISPLAY_DECIMALS`):

* ``percent``: 1 and ``%`` (``71.3%``);
* ``rate_10k``: 1 and `` per 10k`` (``412.3 per 10k``);
* ``count``: 0 with thousands separators (``1,204``);
* ``days``: 1 and `` days``; ``fte``: 1 and `` FTE``; ``mean``: 1;
* ``ratio``: 2;
* a missing value (NaN/None) is an en dash, :data:`MISSING`.

Examples
--------
>>> format_value(71.25, "percent"), format_value(1204, "count"), format_value(None, "rate_10k")
('71.3%', '1,204', '–')
>>> display_value(71.25, "percent")
71.3
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pandas as pd

DISPLAY_DECIMALS = {
    "count": 0,
    "percent": 1,
    "rate_10k": 1,
    "days": 1,
    "fte": 1,
    "mean": 1,
    "ratio": 2,
    "gbp": 0,
    "gbp_mean": 0,
}
"""Decimal places every table, chart and sentence shows, by unit."""

UNIT_SUFFIX = {
    "count": "",
    "percent": "%",
    "rate_10k": " per 10k",
    "days": " days",
    "fte": " FTE",
    "mean": "",
    "ratio": "",
    "gbp": "",
    "gbp_mean": "",
}
"""What follows a figure of each unit."""

#: Units in pounds: shown with a leading £ (``£1,204``, ``-£25``, ``+£25``).
MONEY_UNITS = ("gbp", "gbp_mean")

MISSING = "–"
"""Shown for a missing figure (an en dash)."""

# Float noise allowance: 100 * 57 / 80 may be stored as 71.24999999999999.
_NOISE_PLACES = 9


def is_missing(value) -> bool:
    """True for None, NaN and pandas' missing values.

    Examples
    --------
    >>> is_missing(None), is_missing(float("nan")), is_missing(pd.NA), is_missing(0.0)
    (True, True, True, False)
    """
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _decimals(unit: str) -> int:
    if unit not in DISPLAY_DECIMALS:
        raise ValueError(f"unknown unit {unit!r}")
    return DISPLAY_DECIMALS[unit]


def round_decimal(value, places: int) -> Decimal:
    """``value`` rounded to ``places`` decimals, halves away from zero, as a Decimal.

    Examples
    --------
    >>> round_decimal(71.25, 1), round_decimal(0.125, 2), round_decimal(-2.5, 0)
    (Decimal('71.3'), Decimal('0.13'), Decimal('-3'))
    >>> round_decimal(100 * 57 / 80, 1)  # float noise around 71.25 still rounds up
    Decimal('71.3')
    """
    v = float(value)
    if math.isnan(v) or math.isinf(v):
        raise ValueError(f"cannot round {value!r}")
    d = Decimal(repr(v)).quantize(Decimal(1).scaleb(-_NOISE_PLACES), rounding=ROUND_HALF_EVEN)
    return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def round_half_up(value, places: int) -> float:
    """``value`` rounded to ``places`` decimals, halves away from zero, as a float.

    Examples
    --------
    >>> round_half_up(0.15, 1), round_half_up(2.5, 0), round_half_up(-2.5, 0)
    (0.2, 3.0, -3.0)
    """
    return float(round_decimal(value, places))


def display_value(value, unit: str) -> float:
    """The figure as a reader sees it (rounded for its unit); NaN when missing.

    Direction of travel compares these, so two figures that print the same are
    the same.

    Examples
    --------
    >>> display_value(18.547, "percent"), display_value(2.5, "count")
    (18.5, 3.0)
    >>> import math; math.isnan(display_value(None, "count"))
    True
    """
    places = _decimals(unit)
    if is_missing(value):
        return float("nan")
    return round_half_up(value, places)


def format_number(value, places: int) -> str:
    """A number with thousands separators and ``places`` decimals; missing is ``–``.

    Examples
    --------
    >>> format_number(12345.25, 1), format_number(-0.05, 1), format_number(float("nan"), 0)
    ('12,345.3', '-0.1', '–')
    """
    if is_missing(value):
        return MISSING
    if math.isinf(float(value)):
        raise ValueError(f"cannot format an infinite value ({value})")
    d = round_decimal(value, places)
    if d == 0:
        d = abs(d)  # never "-0.0"
    return f"{d:,.{places}f}"


def format_value(value, unit: str) -> str:
    """A KPI figure as every table, chart and sentence shows it.

    Parameters
    ----------
    value : float or None
        The figure (NaN or None when there is none: then ``–``).
    unit : str
        One of the registry's units.

    Examples
    --------
    >>> format_value(412.26, "rate_10k"), format_value(3.0, "days"), format_value(0.5, "ratio")
    ('412.3 per 10k', '3.0 days', '0.50')
    >>> format_value(12.25, "fte"), format_value(16.55, "mean")
    ('12.3 FTE', '16.6')
    >>> format_value(1204.5, "gbp"), format_value(-25, "gbp_mean")
    ('£1,205', '-£25')
    """
    text = format_number(value, _decimals(unit))
    if text == MISSING:
        return text
    return _pounds(text, unit) + UNIT_SUFFIX[unit]


def _pounds(text: str, unit: str) -> str:
    """A formatted number with its £ after any sign, for a money unit."""
    if unit not in MONEY_UNITS:
        return text
    sign = text[0] if text[:1] in "+-" else ""
    return f"{sign}£{text[len(sign) :]}"


def format_change(change, unit: str) -> str:
    """A change between two figures with its sign: percentage points for percents.

    Examples
    --------
    >>> format_change(-12.8, "percent"), format_change(25, "count"), format_change(0, "count")
    ('-12.8 pp', '+25', '0')
    >>> format_change(-0.04, "percent")  # rounds to nothing: no sign
    '0.0 pp'
    """
    places = _decimals(unit)
    text = format_number(change, places)
    if text == MISSING:
        return text
    if not text.startswith("-") and round_decimal(change, places) != 0:
        text = "+" + text
    if unit == "percent":
        return f"{text} pp"
    return _pounds(text, unit) + UNIT_SUFFIX[unit]


def format_target(value, unit: str) -> str:
    """A target as analysts write it: up to two decimals, no trailing zeros.

    Examples
    --------
    >>> format_target(85.0, "percent"), format_target(22.5, "percent"), format_target(300, "count")
    ('85%', '22.5%', '300')
    >>> format_target(10.255, "percent")
    '10.26%'
    """
    if is_missing(value):
        return MISSING
    text = f"{round_decimal(value, 2):,.2f}".rstrip("0").rstrip(".")
    return text + UNIT_SUFFIX[unit] if unit in UNIT_SUFFIX else text
