"""Stage 4 — assess: targets and RAG, SPC (Making Data Count), flags and sentences.

:func:`assess_month` turns the tidy KPI table into the month's assessed table
(published as ``outputs/YYYY-MM/kpis.parquet``). The
pieces are usable on their own: :mod:`~pmf_lib.assess.spc` (XmR limits, rules,
icons), :mod:`~pmf_lib.assess.targets` (``parameters/targets.yaml``, RAG),
:mod:`~pmf_lib.assess.exceptions` (flags and sentences),
:mod:`~pmf_lib.assess.travel` and :mod:`~pmf_lib.assess.comparators`.
"""

from pmf_lib.assess.assessed import (
    ASSESSED_COLUMNS,
    assess_month,
    exceptions_list,
    good_practice_list,
)

# (the ``spc`` function is not re-exported: it would hide the ``spc`` module.)
from pmf_lib.assess.spc import SpcOptions, assurance_icon, variation_icon, xmr_limits
from pmf_lib.assess.targets import Targets, load_targets, rag

__all__ = [
    "ASSESSED_COLUMNS",
    "SpcOptions",
    "Targets",
    "assess_month",
    "assurance_icon",
    "exceptions_list",
    "good_practice_list",
    "load_targets",
    "rag",
    "variation_icon",
    "xmr_limits",
]
