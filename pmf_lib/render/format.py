"""Format KPI values for people: the render-side home of the shared formatter.

Every figure is rounded and printed by :mod:`pmf_lib.formatting` (one function
for tables, charts, alt text and assess's sentences alike), re-exported here
with the render-only helpers: months, dates, window labels and unit names.

* ``percent``: one decimal place and ``%`` (``71.3%`` for 71.25: halves round up);
* ``rate_10k``: one decimal place and ``per 10k`` (``412.3 per 10k``);
* ``count``: a whole number with thousands separators (``1,204``);
* ``days``, ``fte``, ``mean``: one decimal place (``days`` adds `` days``, ``fte`` `` FTE``);
* ``ratio``: two decimal places;
* a missing value (NaN/None) is an en dash, explained by :data:`MISSING_NOTE`.

Examples
--------
>>> format_value(71.25, "percent"), format_value(1204, "count"), format_value(None, "rate_10k")
('71.3%', '1,204', '–')
"""

from __future__ import annotations

import pandas as pd

from pmf_lib.formatting import (
    DISPLAY_DECIMALS,
    MISSING,
    format_change,
    format_number,
    format_target,
    format_value,
    is_missing,
)

__all__ = [
    "DISPLAY_DECIMALS",
    "MISSING",
    "MISSING_NOTE",
    "POLARITY_TEXT",
    "UNIT_NAMES",
    "format_change",
    "format_date",
    "format_month",
    "format_month_long",
    "format_number",
    "format_target",
    "format_value",
    "is_missing",
    "window_label",
]

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
    "gbp": "pounds",
    "gbp_mean": "pounds (average)",
}


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
