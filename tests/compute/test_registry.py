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


def test_every_subset_of_names_a_registered_count_kpi_with_the_same_windows():
    # A child and its parent must both be counts (a difference of counts states a count)
    # over the same windows (the rule compares them window by window, period by period).
    k = all_kpis()
    declared = {i: x.meta.subset_of for i, x in k.items() if x.meta.subset_of}
    assert declared, "no KPI declares subset_of"
    for child, parent in declared.items():
        assert parent in k, f"{child}: subset_of {parent!r} is not a registered KPI"
        assert parent != child
        assert k[child].meta.unit == "count" and k[parent].meta.unit == "count", child
        assert set(k[child].meta.windows) <= set(k[parent].meta.windows), child


def test_a_kpi_can_declare_subset_of():
    m = kpi(register=False, cadence="monthly", subset_of="parent_count", **META)(
        lambda inputs, window: Figure(1)
    ).meta
    assert m.subset_of == "parent_count"
    assert (
        kpi(register=False, cadence="monthly", **META)(lambda i, w: Figure(1)).meta.subset_of
        is None
    )


def test_on_the_demo_history_no_declared_child_exceeds_its_parent():
    # The declared nesting is true of the data: on the demo council's published (internal)
    # KPI history, every child's figure is at most its parent's for the same window and
    # period, and each pair has figures to compare.
    from pathlib import Path

    import pandas as pd

    path = Path(__file__).resolve().parents[2] / "outputs" / "2026-10" / "kpi_history.parquet"
    if not path.is_file():
        pytest.skip("the demo month is not published: run `pmf run --month 2026-10`")
    h = pd.read_parquet(path)
    v = h.set_index(["kpi_id", "window", "period_end"])["value"]
    for child, x in all_kpis().items():
        parent = x.meta.subset_of
        if not parent:
            continue
        pair = pd.concat(
            [v.xs(child, level=0), v.xs(parent, level=0)], axis=1, keys=["c", "p"], join="inner"
        ).dropna()
        assert len(pair), f"{child}: no figures to compare with {parent}"
        over = pair[pair["c"] > pair["p"]]
        assert over.empty, f"{child} exceeds {parent}:\n{over}"
