"""The KPI registry: every KPI declares its cadence."""

import pytest

from pmf_lib.compute.registry import CADENCES, Figure, all_kpis, kpi

META = dict(
    id="t_count",
    title="T",
    area="front_door",
    unit="count",
    polarity="neutral",
    source="test",
    definition="d",
    numerator="n",
)


def test_every_registered_kpi_declares_a_known_cadence():
    for k in all_kpis().values():
        assert k.meta.cadence in CADENCES, k.meta.id


def test_a_registered_kpi_without_a_cadence_is_refused():
    with pytest.raises(ValueError, match="cadence"):
        kpi(**META)(lambda inputs, window: Figure(1))


def test_an_unknown_cadence_is_refused():
    with pytest.raises(ValueError, match="cadence"):
        kpi(register=False, cadence="weekly", **META)(lambda inputs, window: Figure(1))


def test_annual_returns_are_annual_and_rolling_only_windows_are_rolling():
    # OC2 (health) and OC3 (care leavers) are annual returns; a KPI published only as a
    # rolling 12-month window has overlapping points (rolling); local quarterly datasets
    # are quarterly.
    k = all_kpis()
    for kid in ("cla_health_assessment_pct", "care_leavers_suitable_accommodation_pct"):
        assert k[kid].meta.cadence == "annual"
    assert k["referrals_rate_10k"].meta.cadence == "rolling"
    assert k["complaints_received_count"].meta.cadence == "quarterly"
    for m in (x.meta for x in k.values()):
        if m.windows == ("rolling_12m",):
            assert m.cadence == "rolling", m.id
