"""The feeds several KPIs share, named once (each KPI declares its own on ``@kpi``).

A KPI's ``inputs`` are :class:`~pmf_lib.feeds.Feed` s (see :mod:`pmf_lib.feeds`).
The ones below are read by more than one KPI; a KPI reading something else writes
its own ``Feed(...)`` in its decorator.

Examples
--------
>>> REFERRALS.table, CLA_OPEN.kind, OC2.kind
('referrals', 'stock', 'latest_return')
"""

from __future__ import annotations

from pmf_lib.feeds import MONTH_12M, QUARTER_12M, R12, Feed

__all__ = [
    "MONTH_12M",
    "QUARTER_12M",
    "R12",
    "Feed",
    "flow",
    "local",
]


def flow(source: str, table: str, date: str, windows=MONTH_12M) -> Feed:
    """A ``flow`` feed: records of ``table`` dated by ``date`` in the windows.

    Examples
    --------
    >>> flow("cin_census", "section47", "S47ActualStartDate", R12).windows
    ('rolling_12m',)
    """
    return Feed(source, table, date, "flow", windows=windows)


def local(table: str, date: str, windows=MONTH_12M) -> Feed:
    """A ``flow`` feed over local dataset ``table``.

    Examples
    --------
    >>> local("lado", "received_date", QUARTER_12M).source
    'local'
    """
    return Feed("local", table, date, "flow", windows=windows)


# CIN census
REFERRALS = Feed("cin_census", "referrals", "CINreferralDate")
REFERRALS_OPEN = Feed("cin_census", "referrals", "CINreferralDate", "stock", "CINclosureDate")
ASSESSMENTS = Feed("cin_census", "assessments", "AssessmentAuthorisationDate")
CP_PLANS_OPEN = Feed("cin_census", "cp_plans", "CPPstartDate", "stock", "CPPendDate")
DISABILITIES = Feed("cin_census", "disabilities", kind="all")
# SSDA903
CLA_OPEN = Feed("ssda903", "episodes", "DECOM", "stock", "DEC")
EPISODES_OVERLAP = Feed("ssda903", "episodes", "DECOM", "overlap", "DEC")
EPISODES_STARTED = flow("ssda903", "episodes", "DECOM")
EPISODES_ENDED = flow("ssda903", "episodes", "DEC")
MISSING_12M = flow("ssda903", "missing", "MIS_START", R12)
UASC = Feed("ssda903", "uasc", kind="all")
OC2 = Feed("ssda903", "oc2", kind="latest_return")
OC3 = Feed("ssda903", "oc3", kind="latest_return")
# local datasets
COMPLAINTS_RECEIVED = local("complaints", "received_date", QUARTER_12M)
COMPLAINTS_RESPONDED = local("complaints", "responded_date", QUARTER_12M)
MEETINGS = local("conferencing", "meeting_date", QUARTER_12M)
CONTACTS_RECEIVED = local("contacts", "contact_date")
CONTACTS_DECIDED = local("contacts", "decision_date")
EH_ENDED = local("early_help", "end_date")
ACTIONS = Feed("local", "improvement_actions", kind="all")
LADO_CLOSED = local("lado", "closed_date", QUARTER_12M)
LADO_OPEN = Feed("local", "lado", "received_date", "stock", "closed_date")
AUDITS = local("qa_audits", "audit_date", QUARTER_12M)
WORKFORCE_MONTH = local("workforce_monthly", "month", ("month",))
