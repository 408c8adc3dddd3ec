"""Front door: contacts, referrals and re-referrals (CIN census)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmf_lib.compute.kpis._common import flag, memo_on_frame, rolling_12m
from pmf_lib.compute.kpis._inputs import REFERRALS
from pmf_lib.compute.registry import Figure, KpiInputs, kpi
from pmf_lib.dates import Window


@kpi(
    id="referrals_count",
    title="Referrals",
    area="front_door",
    unit="count",
    polarity="neutral",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source="CIN census",
    definition="Referrals (CIN census CINdetails/CINreferralDate) dated in the window.",
    numerator="Referrals with CINreferralDate in the window",
    comparator="CPP_Total_NumRef",
    breakdowns=("age_band", "sex", "ethnicity"),
    inputs=(REFERRALS,),
)
def referrals_count(inputs: KpiInputs, window: Window) -> Figure:
    """Referrals dated in the window.

    Examples
    --------
    >>> from pmf_lib.read.tables import CIN_COLUMNS, CinCensus, conform
    >>> refs = conform(pd.DataFrame({"LAchildID": ["a", "b"],
    ...     "CINreferralDate": pd.to_datetime(["2025-03-01", "2025-02-28"])}),
    ...     CIN_COLUMNS["referrals"])
    >>> cin = CinCensus(); cin.tables["referrals"] = refs
    >>> referrals_count(KpiInputs(cin=cin), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    referrals = inputs.cin.referrals
    return Figure(int(window.contains(referrals["CINreferralDate"]).sum()))


@kpi(
    id="referrals_rate_10k",
    title="Referrals per 10,000 children",
    area="front_door",
    unit="rate_10k",
    polarity="neutral",
    windows=("rolling_12m",),
    cadence="rolling",
    source="CIN census; ONS mid-year estimates",
    definition=(
        "referrals_count in the rolling 12 months ending period_end divided by the ONS "
        "mid-year estimate of children aged 0-17 for the calendar year of period_end "
        "(or the latest earlier year), times 10,000."
    ),
    numerator="Referrals with CINreferralDate in the rolling 12 months",
    denominator="Population aged 0-17",
    comparator="CPP_Total_Rateper10,000",
    inputs=(REFERRALS,),
)
def referrals_rate_10k(inputs: KpiInputs, window: Window) -> Figure:
    """Referrals in the rolling 12 months per 10,000 children.

    Examples
    --------
    >>> from pmf_lib.read.tables import Population
    >>> inp = KpiInputs(population=Population(pd.Series({2025: 20_000})))
    >>> referrals_rate_10k(inp, Window.of("rolling_12m", "2025-03-31"))
    Figure(numerator=0, denominator=20000.0)
    """
    n = referrals_count(inputs, rolling_12m(window)).numerator
    return Figure(n, inputs.population.for_date(window.end))


def _rereferral_flags(referrals: pd.DataFrame) -> np.ndarray:
    """Per referral row: did the same child have a referral in the year before it?

    The earlier referral must be dated on or after this date minus one calendar year
    and strictly before this date. Window-independent, so memoised per frame.
    """
    keys = referrals[["LAchildID", "CINreferralDate"]]
    u = keys.dropna().drop_duplicates().sort_values(["LAchildID", "CINreferralDate"])
    prev = u.groupby("LAchildID", sort=False)["CINreferralDate"].shift(1)
    lookup = pd.Series(prev.to_numpy(), index=pd.MultiIndex.from_frame(u))
    lookup = lookup[~lookup.index.duplicated()]
    prev_for_row = lookup.reindex(pd.MultiIndex.from_frame(keys)).to_numpy()
    prev_for_row = pd.Series(pd.to_datetime(prev_for_row), index=keys.index)
    date = keys["CINreferralDate"]
    ok = prev_for_row.notna() & date.notna()
    earliest = date - pd.DateOffset(years=1)
    return (ok & (prev_for_row >= earliest)).fillna(False).to_numpy(dtype=bool)


@kpi(
    id="rereferrals_12m_pct",
    title="Re-referrals within 12 months",
    area="front_door",
    unit="percent",
    polarity="lower_is_better",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source="CIN census",
    definition=(
        "Of the referrals dated in the window, the % where the same child had an earlier "
        "referral dated within the 12 months before it: the earlier date is on or after this "
        "referral's date minus one calendar year and strictly before it. Earlier referrals are "
        "looked for anywhere in the data, inside or outside the window."
    ),
    numerator="Referrals in the window with an earlier referral of the same child in the year "
    "before",
    denominator="Referrals with CINreferralDate in the window",
    comparator="ReReferral",
    inputs=(REFERRALS.reading("LAchildID"),),
)
def rereferrals_12m_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Re-referrals within 12 months as a % of referrals in the window.

    Examples
    --------
    >>> from pmf_lib.read.tables import CIN_COLUMNS, CinCensus, conform
    >>> refs = conform(pd.DataFrame({"LAchildID": ["a", "a"],
    ...     "CINreferralDate": pd.to_datetime(["2024-03-31", "2025-03-31"])}),
    ...     CIN_COLUMNS["referrals"])
    >>> cin = CinCensus(); cin.tables["referrals"] = refs
    >>> rereferrals_12m_pct(KpiInputs(cin=cin), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=1)
    """
    referrals = inputs.cin.referrals
    flags = memo_on_frame("rereferral_flags", referrals, _rereferral_flags)
    in_window = window.contains(referrals["CINreferralDate"]).fillna(False).to_numpy(dtype=bool)
    return Figure(int((in_window & flags).sum()), int(in_window.sum()))


# ---- wider catalogue --------------------------------------------------------------
def _example() -> KpiInputs:
    from pmf_lib.read.tables import CIN_COLUMNS, CinCensus, conform

    cin = CinCensus()
    cin.tables["referrals"] = conform(
        pd.DataFrame(
            {
                "LAchildID": ["a", "b", "c", "d"],
                "CINreferralDate": pd.to_datetime(["2025-03-03"] * 4),
                "ReferralSource": ["2A", "3E", "6", "1A"],
                "ReferralNFA": ["1", "0", "0", None],
            }
        ),
        CIN_COLUMNS["referrals"],
    )
    return KpiInputs(cin=cin)


def _share(inputs: KpiInputs, window: Window, field: str, codes: tuple[str, ...]) -> Figure:
    r = inputs.cin.referrals
    in_window = window.contains(r["CINreferralDate"]).fillna(False).astype(bool)
    hit = flag(r.loc[in_window, field], *codes)
    return Figure(int(hit.sum()), int(in_window.sum()))


@kpi(
    id="referrals_nfa_pct",
    title="Referrals closed with no further action",
    area="front_door",
    unit="percent",
    polarity="neutral",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source="CIN census",
    definition="Of the referrals dated in the window, the % with ReferralNFA true (the referral "
    "was closed with no further action).",
    numerator="Referrals in the window with ReferralNFA = 1",
    denominator="Referrals with CINreferralDate in the window",
    comparator="CIN_Refferals_NFA",
    inputs=(REFERRALS.reading("ReferralNFA"),),
)
def referrals_nfa_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of referrals in the window closed with no further action.

    Examples
    --------
    >>> referrals_nfa_pct(_example(), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=4)
    """
    return _share(inputs, window, "ReferralNFA", ("1",))


_SOURCES = {
    "school": (("2A",), "schools (ReferralSource 2A)", "RefBySource_Schl_%"),
    "health": (
        ("3A", "3B", "3C", "3D", "3E", "3F"),
        "health services (ReferralSource 3A-3F)",
        "RefBySource_HealthServ_%",
    ),
    "police": (("6",), "the police (ReferralSource 6)", "RefBySource_Police_%"),
}


def _source_kpi(key: str):
    codes, text, lait = _SOURCES[key]
    name = f"referrals_source_{key}_pct"

    def share(inputs: KpiInputs, window: Window) -> Figure:
        return _share(inputs, window, "ReferralSource", codes)

    share.__qualname__ = share.__name__ = name
    share.__doc__ = f"""% of referrals in the window from {text}.

    Examples
    --------
    >>> {name}(_example(), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=4)
    """
    return kpi(
        id=name,
        title=f"Referrals from {text.split(' (')[0]}",
        area="front_door",
        unit="percent",
        polarity="neutral",
        windows=("month", "rolling_12m"),
        cadence="monthly",
        source="CIN census",
        definition=f"Of the referrals dated in the window, the % whose source was {text}.",
        numerator=f"Referrals in the window from {text}",
        denominator="Referrals with CINreferralDate in the window",
        comparator=lait,
        inputs=(REFERRALS.reading("ReferralSource"),),
    )(share)


referrals_source_school_pct = _source_kpi("school")
referrals_source_health_pct = _source_kpi("health")
referrals_source_police_pct = _source_kpi("police")
