"""Front door: contacts, referrals and re-referrals (CIN census)."""

from __future__ import annotations

from pmf_lib.compute.registry import Figure, KpiInputs, kpi
from pmf_lib.dates import Window


@kpi(
    id="referrals_count",
    title="Referrals",
    area="front_door",
    unit="count",
    polarity="neutral",
    windows=("month", "rolling_12m"),
    source="CIN census",
    definition="Referrals (CIN census CINdetails/CINreferralDate) dated in the window.",
    numerator="Referrals with CINreferralDate in the window",
    comparator="LAIT: number of referrals (CIN census table C1, referral_count)",
    breakdowns=("age_band", "sex", "ethnicity"),
)
def referrals_count(inputs: KpiInputs, window: Window) -> Figure:
    referrals = inputs.cin.referrals
    return Figure(int(window.contains(referrals["CINreferralDate"]).sum()))
