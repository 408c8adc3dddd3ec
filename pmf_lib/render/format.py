"""Format KPI values for people: by unit, the same way in every table, chart and alt text.

* ``percent``: one decimal place and ``%`` (``71.2%``);
* ``rate_10k``: one decimal place and ``per 10k`` (``412.3 per 10k``);
* ``count``: a whole number with thousands separators (``1,204``);
* ``days``, ``fte``, ``mean``: one decimal place (``days`` adds `` days``);
* ``ratio``: two decimal places;
* a missing value (NaN/None) is an en dash, explained by :data:`MISSING_NOTE`.

Examples
--------
>>> format_value(71.234, "percent"), format_value(1204, "count"), format_value(None, "rate_10k")
('71.2%', '1,204', '–')
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from pmf_lib.assess.travel import DISPLAY_DECIMALS

MISSING = "–"
MISSING_NOTE = (
    "– means there is no figure: the measure's denominator was zero in that period "
    "(for example no assessments were completed), or the data do not cover it."
)

UNIT_NAMES = {
    "count": "number",
    "percent": "percentage",
    "rate_10k": "rate per 10,000 children",
    "days": "days",
    "ratio": "ratio",
    "fte": "full-time equivalent",
    "mean": "average",
}

_DECIMALS = DISPLAY_DECIMALS


def is_missing(value) -> bool:
    """True for None, NaN and pandas' missing values."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _round(value: float, places: int) -> Decimal:
    # Half away from zero, as people round (Python's round() is half-to-even
    # on binary floats: round(0.125, 2) == 0.12).
    q = Decimal(1).scaleb(-places)
    return Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP)


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
    return f"{_round(value, places):,.{places}f}"


def format_value(value, unit: str) -> str:
    """A KPI value formatted for its unit.

    Parameters
    ----------
    value : float or None
        The value (NaN or None when there is no figure).
    unit : str
        One of the registry's units.

    Examples
    --------
    >>> format_value(412.26, "rate_10k"), format_value(3.0, "days"), format_value(0.5, "ratio")
    ('412.3 per 10k', '3.0 days', '0.50')
    """
    if unit not in _DECIMALS:
        raise ValueError(f"unknown unit {unit!r}")
    text = format_number(value, _DECIMALS[unit])
    if text == MISSING:
        return text
    if unit == "percent":
        return f"{text}%"
    if unit == "rate_10k":
        return f"{text} per 10k"
    if unit == "days":
        return f"{text} days"
    return text


def format_change(change, unit: str) -> str:
    """A change between two values with its sign: percentage points for percents.

    Examples
    --------
    >>> format_change(-12.8, "percent"), format_change(25, "count"), format_change(0, "count")
    ('-12.8 pp', '+25', '0')
    """
    if unit not in _DECIMALS:
        raise ValueError(f"unknown unit {unit!r}")
    text = format_number(change, _DECIMALS[unit])
    if text == MISSING:
        return text
    if not text.startswith("-") and _round(change, _DECIMALS[unit]) != 0:
        text = "+" + text
    if unit == "percent":
        return f"{text} pp"
    if unit == "rate_10k":
        return f"{text} per 10k"
    if unit == "days":
        return f"{text} days"
    return text


def format_month(period_end) -> str:
    """``Oct 2026`` for a period end.

    Examples
    --------
    >>> format_month("2026-10-31")
    'Oct 2026'
    """
    return pd.Timestamp(period_end).strftime("%b %Y")


def format_month_long(period_end) -> str:
    """``October 2026`` for a period end.

    Examples
    --------
    >>> format_month_long("2026-10-31")
    'October 2026'
    """
    return pd.Timestamp(period_end).strftime("%B %Y")


def format_date(day) -> str:
    """``31 October 2026`` (no leading zero).

    Examples
    --------
    >>> format_date("2026-03-01")
    '1 March 2026'
    """
    ts = pd.Timestamp(day)
    return f"{ts.day} {ts.strftime('%B %Y')}"


def window_label(kind: str, period_end) -> str:
    """What a window covers, in words.

    Examples
    --------
    >>> window_label("rolling_12m", "2026-10-31"), window_label("snapshot", "2026-10-31")
    ('12 months to Oct 2026', 'at 31 October 2026')
    """
    end = pd.Timestamp(period_end)
    if kind == "month":
        return f"in {format_month_long(end)}"
    if kind == "rolling_12m":
        return f"12 months to {format_month(end)}"
    if kind == "quarter":
        return f"3 months to {format_month(end)}"
    if kind == "fytd":
        fy = end.year if end.month >= 4 else end.year - 1
        return f"April {fy} to {format_month(end)}"
    if kind == "snapshot":
        return f"at {format_date(end)}"
    raise ValueError(f"unknown window kind {kind!r}")


POLARITY_TEXT = {
    "higher_is_better": "Higher is better",
    "lower_is_better": "Lower is better",
    "neutral": "Neither higher nor lower is better: a measure of demand or context",
}
