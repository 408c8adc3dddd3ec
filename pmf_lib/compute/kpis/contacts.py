"""Front door contacts (local dataset ``contacts``): volumes, decision timeliness, conversion.

Every KPI here returns a missing value (numerator NaN) when the council does
not supply the ``contacts`` dataset.
"""

from __future__ import annotations

import pandas as pd

from pmf_lib.compute.kpis._common import memo_on_frame
from pmf_lib.compute.kpis._inputs import CONTACTS_DECIDED, CONTACTS_RECEIVED, Feed
from pmf_lib.compute.kpis._local import (
    MISSING_COUNT,
    MISSING_RATIO,
    coded,
    count,
    dataset,
    in_window,
    local_frame,  # noqa: F401 (docstring examples)
    local_inputs,  # noqa: F401 (docstring examples)
    previous_date_by,
    ratio,
    within_working_days,
)
from pmf_lib.compute.registry import Figure, KpiInputs, kpi
from pmf_lib.dates import Window

_SOURCE = "Local dataset: contacts"
_ABSENT = " Missing (not 0) when the council does not supply the contacts dataset."


def _decided_1wd(df: pd.DataFrame) -> pd.Series:
    """Per contact: decided within 1 working day of receipt (window-independent)."""
    return within_working_days(df["contact_date"], df["decision_date"], 1)


def _repeat_12m(df: pd.DataFrame) -> pd.Series:
    """Per contact: the same child had a contact in the year before (window-independent)."""
    date = df["contact_date"]
    prev = previous_date_by(df["child_id"], date)
    return (prev >= date - pd.DateOffset(years=1)).fillna(False).astype(bool)


def _decided_in(df: pd.DataFrame, window: Window) -> pd.Series:
    return in_window(df["decision_date"], window)


@kpi(
    id="contacts_count",
    title="Contacts received",
    area="front_door",
    unit="count",
    polarity="neutral",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source=_SOURCE,
    definition="Contacts with contact_date in the window." + _ABSENT,
    numerator="Contacts with contact_date in the window",
    breakdowns=("team", "contact_source"),
    inputs=(CONTACTS_RECEIVED,),
)
def contacts_count(inputs: KpiInputs, window: Window) -> Figure:
    """Contacts received in the window.

    Examples
    --------
    >>> c = local_frame("contacts", contact_date=["2025-03-01", "2025-03-31", "2025-04-01"])
    >>> contacts_count(local_inputs(contacts=c), Window.of("month", "2025-03-31"))
    Figure(numerator=2, denominator=None)
    """
    df = dataset(inputs, "contacts")
    if df is None:
        return MISSING_COUNT
    return Figure(count(in_window(df["contact_date"], window)))


@kpi(
    id="contacts_decided_1wd_pct",
    title="Contact decisions within 1 working day",
    area="front_door",
    unit="percent",
    polarity="higher_is_better",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source=_SOURCE,
    definition=(
        "Of the contacts with a decision_date in the window, the % decided within 1 working "
        "day: the working days d with contact_date <= d < decision_date number at most 1 (a "
        "contact received on a Friday and decided on the Monday is within; a decision dated "
        "before the contact is not)." + _ABSENT
    ),
    numerator="Contacts decided in the window within 1 working day of receipt",
    denominator="Contacts with decision_date in the window",
    breakdowns=("team",),
    inputs=(CONTACTS_DECIDED.reading("contact_date"),),
)
def contacts_decided_1wd_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Contacts decided within 1 working day, of those decided in the window.

    Examples
    --------
    >>> c = local_frame("contacts", contact_date=["2025-03-07", "2025-03-07"],
    ...                 decision_date=["2025-03-10", "2025-03-11"])  # Fri -> Mon, Fri -> Tue
    >>> contacts_decided_1wd_pct(local_inputs(contacts=c), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    df = dataset(inputs, "contacts")
    if df is None:
        return MISSING_RATIO
    on_time = memo_on_frame("contacts.decided_1wd", df, _decided_1wd)
    return ratio(on_time, _decided_in(df, window))


def _decision_pct(inputs: KpiInputs, window: Window, *codes: str) -> Figure:
    df = dataset(inputs, "contacts")
    if df is None:
        return MISSING_RATIO
    return ratio(coded(df["decision"], *codes), _decided_in(df, window))


@kpi(
    id="contacts_to_referral_pct",
    title="Contacts progressing to referral",
    area="front_door",
    unit="percent",
    polarity="neutral",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source=_SOURCE,
    definition=(
        "Of the contacts with a decision_date in the window, the % whose decision is "
        "'referral' (referral to children's social care). Contacts still awaiting a decision "
        "are not in the denominator; a decided contact without a recognised decision code "
        "is, and is not a referral." + _ABSENT
    ),
    numerator="Contacts decided in the window with decision 'referral'",
    denominator="Contacts with decision_date in the window",
    breakdowns=("team", "contact_source"),
    inputs=(CONTACTS_DECIDED.reading("decision"),),
)
def contacts_to_referral_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Contacts decided in the window that became referrals, %.

    Examples
    --------
    >>> c = local_frame("contacts", decision=["referral", "nfa", "early_help"],
    ...                 decision_date=["2025-03-03", "2025-03-04", "2025-03-05"])
    >>> contacts_to_referral_pct(local_inputs(contacts=c), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=3)
    """
    return _decision_pct(inputs, window, "referral")


@kpi(
    id="contacts_to_early_help_pct",
    title="Contacts stepped across to early help",
    area="front_door",
    unit="percent",
    polarity="neutral",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source=_SOURCE,
    definition=(
        "Of the contacts with a decision_date in the window, the % whose decision is "
        "'early_help'." + _ABSENT
    ),
    numerator="Contacts decided in the window with decision 'early_help'",
    denominator="Contacts with decision_date in the window",
    breakdowns=("team", "contact_source"),
    inputs=(CONTACTS_DECIDED.reading("decision"),),
)
def contacts_to_early_help_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Contacts decided in the window that went to early help, %.

    Examples
    --------
    >>> c = local_frame("contacts", decision=["early_help", "nfa"],
    ...                 decision_date=["2025-03-03", "2025-03-04"])
    >>> contacts_to_early_help_pct(local_inputs(contacts=c), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    return _decision_pct(inputs, window, "early_help")


@kpi(
    id="contacts_nfa_pct",
    title="Contacts closed with no further action or advice only",
    area="front_door",
    unit="percent",
    polarity="neutral",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source=_SOURCE,
    definition=(
        "Of the contacts with a decision_date in the window, the % whose decision is 'nfa' "
        "(no further action) or 'info_advice' (information and advice)." + _ABSENT
    ),
    numerator="Contacts decided in the window with decision 'nfa' or 'info_advice'",
    denominator="Contacts with decision_date in the window",
    breakdowns=("team", "contact_source"),
    inputs=(CONTACTS_DECIDED.reading("decision"),),
)
def contacts_nfa_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Contacts decided in the window with no further action or advice only, %.

    Examples
    --------
    >>> c = local_frame("contacts", decision=["info_advice", "nfa", "referral", "referral"],
    ...                 decision_date=["2025-03-03"] * 4)
    >>> contacts_nfa_pct(local_inputs(contacts=c), Window.of("month", "2025-03-31"))
    Figure(numerator=2, denominator=4)
    """
    return _decision_pct(inputs, window, "nfa", "info_advice")


@kpi(
    id="contacts_awaiting_decision_count",
    title="Contacts awaiting a decision",
    area="front_door",
    unit="count",
    polarity="lower_is_better",
    windows=("snapshot",),
    cadence="monthly",
    source=_SOURCE,
    definition=(
        "Contacts received on or before period_end with no decision by the end of "
        "period_end: contact_date <= period_end and (decision_date empty or > period_end)."
        + _ABSENT
    ),
    numerator="Contacts received by period_end and not decided by period_end",
    breakdowns=("team",),
    inputs=(Feed("local", "contacts", "contact_date", "stock", "decision_date"),),
)
def contacts_awaiting_decision_count(inputs: KpiInputs, window: Window) -> Figure:
    """Contacts open (undecided) at the end of period_end.

    Examples
    --------
    >>> c = local_frame("contacts", contact_date=["2025-03-31", "2025-03-30", "2025-03-30"],
    ...                 decision_date=[None, "2025-03-31", "2025-04-01"])
    >>> contacts_awaiting_decision_count(local_inputs(contacts=c),
    ...                                  Window.of("snapshot", "2025-03-31"))
    Figure(numerator=2, denominator=None)
    """
    df = dataset(inputs, "contacts")
    if df is None:
        return MISSING_COUNT
    end = window.end
    received = (df["contact_date"] <= end).fillna(False)
    undecided = (df["decision_date"].isna() | (df["decision_date"] > end)).fillna(False)
    return Figure(count(received & undecided))


@kpi(
    id="contacts_repeat_12m_pct",
    title="Repeat contacts within 12 months",
    area="front_door",
    unit="percent",
    polarity="lower_is_better",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source=_SOURCE,
    definition=(
        "Of the contacts with contact_date in the window, the % where the same child had an "
        "earlier contact dated within the 12 months before it: the earlier contact_date is on "
        "or after this contact's date minus one calendar year and strictly before it (as "
        "rereferrals_12m_pct). Earlier contacts are looked for anywhere in the data; "
        "contacts without a child_id are in the denominator and are not repeats." + _ABSENT
    ),
    numerator="Contacts in the window with an earlier contact of the same child in the year before",
    denominator="Contacts with contact_date in the window",
    inputs=(CONTACTS_RECEIVED.reading("child_id"),),
)
def contacts_repeat_12m_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Contacts in the window about a child contacted in the year before, %.

    Examples
    --------
    >>> c = local_frame("contacts", child_id=["a", "a", "b"],
    ...                 contact_date=["2024-03-31", "2025-03-31", "2025-03-01"])
    >>> contacts_repeat_12m_pct(local_inputs(contacts=c), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    df = dataset(inputs, "contacts")
    if df is None:
        return MISSING_RATIO
    repeat = memo_on_frame("contacts.repeat_12m", df, _repeat_12m)
    return ratio(repeat, in_window(df["contact_date"], window))
