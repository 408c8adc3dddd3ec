"""Small-number suppression for reports to elected members or the public.

The rule (``audience: members`` or ``public`` in the config):

* a count of 1 to 4 children is shown as ``<5`` (zero identifies nobody and is shown);
* a percentage, rate or average is withheld when its numerator or its denominator
  counts 1 to 4 children;
* secondary suppression: a percentage is also withheld when its denominator minus
  its numerator (the children *not* counted) is 1 to 4, and in a breakdown whose
  total is shown, a second group is withheld when only one is, so that the total
  minus the shown groups cannot reveal it.

Numerators of averages (``days``, ``mean``) are sums, not children, and ``fte`` is
staff: only their denominators are checked.

Examples
--------
>>> is_small(3), is_small(0), is_small(5), is_small(float("nan"))
(True, False, False, False)
>>> suppress_breakdown({"Male": 20, "Female": 3, "Unknown": 0})
{'Male': '<5', 'Female': '<5', 'Unknown': '0'}
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

#: The largest count withheld.
SMALL_NUMBER_MAX = 4
#: What a withheld figure shows.
SUPPRESSED = "<5"
SUPPRESSED_NOTE = (
    "<5 means the figure is withheld: it counts, or is worked out from, between 1 and "
    f"{SMALL_NUMBER_MAX} children, who could otherwise be identified (figures that would let "
    "a withheld one be worked out are withheld too)."
)
#: Audiences whose reports suppress small numbers.
SUPPRESSING_AUDIENCES = ("members", "public")

_NUMERATOR_NOT_CHILDREN = ("days", "mean", "fte", "ratio")


def is_small(value) -> bool:
    """True for a count from 1 to :data:`SMALL_NUMBER_MAX` (not for 0 or a missing value)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return False
    return 1 <= v <= SMALL_NUMBER_MAX


def suppresses(audience: str) -> bool:
    """Whether reports for ``audience`` withhold small numbers.

    Examples
    --------
    >>> suppresses("internal"), suppresses("members"), suppresses("public")
    (False, True, True)
    """
    return audience in SUPPRESSING_AUDIENCES


def row_is_suppressed(numerator, denominator, unit: str) -> bool:
    """Whether a KPI figure with this numerator, denominator and unit is withheld.

    Examples
    --------
    >>> row_is_suppressed(3, None, "count"), row_is_suppressed(40, 42, "percent")
    (True, True)
    >>> row_is_suppressed(40, 50, "percent"), row_is_suppressed(300, 4, "days")
    (False, True)
    """
    den_small = is_small(denominator)
    if unit in _NUMERATOR_NOT_CHILDREN:
        return den_small
    if is_small(numerator) or den_small:
        return True
    if unit == "percent":
        try:
            rest = float(denominator) - float(numerator)
        except (TypeError, ValueError):
            return False
        return is_small(rest)
    return False


def suppress_kpi_table(table: pd.DataFrame, units: Mapping[str, str]) -> pd.DataFrame:
    """A tidy KPI table with small-number figures withheld.

    A withheld row's ``value``, ``numerator`` and ``denominator`` become NaN and
    its ``suppressed`` column True. ``units`` maps KPI id to unit (a KPI not in it
    is checked as a count).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"kpi_id": ["n", "n", "p", "p"], "value": [3.0, 40.0, 75.0, 96.0],
    ...                   "numerator": [3.0, 40.0, 3.0, 96.0],
    ...                   "denominator": [float("nan"), float("nan"), 4.0, 100.0]})
    >>> s = suppress_kpi_table(t, {"n": "count", "p": "percent"})
    >>> s["value"].tolist(), s["suppressed"].tolist()
    ([nan, 40.0, nan, nan], [True, False, True, True])
    """
    t = table.copy()
    hit = [
        row_is_suppressed(n, d, units.get(k, "count"))
        for k, n, d in zip(t["kpi_id"], t["numerator"], t["denominator"], strict=True)
    ]
    mask = pd.Series(hit, index=t.index, dtype=bool)
    t.loc[mask, ["value", "numerator", "denominator"]] = float("nan")
    t["suppressed"] = mask.to_numpy()
    return t


def suppress_breakdown(counts: Mapping[str, float]) -> dict[str, str]:
    """Counts of children by group, as shown: 1 to 4 as ``<5``, with secondary suppression.

    When exactly one group is withheld, the smallest other non-zero group is
    withheld too, so that a shown total minus the shown groups reveals nothing.

    Examples
    --------
    >>> suppress_breakdown({"a": 10, "b": 12, "c": 0})
    {'a': '10', 'b': '12', 'c': '0'}
    >>> suppress_breakdown({"a": 10, "b": 12, "c": 2, "d": 1})
    {'a': '10', 'b': '12', 'c': '<5', 'd': '<5'}
    """
    shown = {k: SUPPRESSED if is_small(v) else f"{int(v):,}" for k, v in counts.items()}
    hidden = [k for k, s in shown.items() if s == SUPPRESSED]
    if len(hidden) == 1:
        others = [(v, k) for k, v in counts.items() if k not in hidden and v and v > 0]
        if others:
            shown[min(others)[1]] = SUPPRESSED
    return shown
