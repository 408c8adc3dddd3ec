"""How a withheld figure is shown in reports for elected members or the public.

Which figures are withheld is decided once, before render, by
:mod:`pmf_lib.assess.disclosure` (its module docstring has the rules):
:func:`~pmf_lib.assess.disclosure.published_tables` gives the suppressed view of a
month's tables, with a ``suppressed`` flag on every withheld row. Render reads the
flags and shows the configured wording (``suppression.wording`` in the config;
default ``suppressed (fewer than 5)``) -- never a bare ``<5`` that could read as
"under 5%" beside a percentage.

The rule functions are re-exported here so render code and notebooks need import
only this module; none of them is a second decision.

Examples
--------
>>> SUPPRESSED
'suppressed (fewer than 5)'
>>> shown_text(True, "12.5%"), shown_text(False, "12.5%")
('suppressed (fewer than 5)', '12.5%')
>>> suppress_breakdown({"Male": 20, "Female": 3, "Unknown": 0})
{'Male': 'suppressed (fewer than 5)', 'Female': 'suppressed (fewer than 5)', 'Unknown': '0'}
"""

from __future__ import annotations

from collections.abc import Mapping

from pmf_lib.assess.disclosure import (
    DEFAULT_MAX_COUNT,
    SUPPRESSING_AUDIENCES,
    WITHHELD,
    Disclosure,
    is_small,
    row_is_suppressed,
    subject_noun,
    suppress_counts,
    suppress_kpi_table,
    suppresses,
)

__all__ = [
    "SMALL_NUMBER_MAX",
    "SUPPRESSED",
    "SUPPRESSED_NOTE",
    "SUPPRESSING_AUDIENCES",
    "WITHHELD",
    "Disclosure",
    "is_small",
    "row_is_suppressed",
    "shown_text",
    "subject_noun",
    "suppress_breakdown",
    "suppress_kpi_table",
    "suppresses",
]

#: The largest count withheld by default (the config may raise it).
SMALL_NUMBER_MAX = DEFAULT_MAX_COUNT
#: What a withheld figure shows by default.
SUPPRESSED = Disclosure().text
#: The default explanation of :data:`SUPPRESSED`.
SUPPRESSED_NOTE = Disclosure().note()


def shown_text(suppressed: bool, text: str, rules: Disclosure | None = None) -> str:
    """``text``, or the rule's wording when the figure is withheld."""
    return (rules or Disclosure()).text if suppressed else text


def suppress_breakdown(
    counts: Mapping[str, float], rules: Disclosure | None = None
) -> dict[str, str]:
    """Counts by group as shown: withheld ones (primary and secondary) as the wording.

    Examples
    --------
    >>> suppress_breakdown({"a": 10, "b": 12, "c": 0})
    {'a': '10', 'b': '12', 'c': '0'}
    >>> suppress_breakdown({"a": 10, "b": 12, "c": 5}, Disclosure(max_count=5, wording="c"))
    {'a': 'c', 'b': '12', 'c': 'c'}
    """
    rules = rules or Disclosure()
    hidden = suppress_counts(counts, rules.max_count)
    return {k: rules.text if hidden[k] else f"{int(v):,}" for k, v in counts.items()}
