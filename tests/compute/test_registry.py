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


def test_every_registered_kpi_declares_its_inputs_as_feeds():
    from pmf_lib.compute.registry import kpi_feeds
    from pmf_lib.feeds import Feed

    feeds = kpi_feeds()
    assert set(feeds) == set(all_kpis())
    for kpi_id, k in all_kpis().items():
        assert k.meta.inputs and feeds[kpi_id] == k.meta.inputs, kpi_id
        assert all(isinstance(f, Feed) for f in k.meta.inputs), kpi_id


def test_inputs_that_are_not_feeds_are_refused_naming_the_kpi():
    with pytest.raises(ValueError, match="t_count: inputs must be Feeds"):
        kpi(cadence="monthly", inputs=("referrals",), **META)(lambda inputs, window: Figure(1))


def _local_kpi(unit="count", denominator=None):
    from pmf_lib.feeds import Feed

    calls = []

    def f(inputs, window):
        calls.append(window)
        return Figure(7, 9 if denominator else None)

    meta = {**META, "unit": unit, "denominator": denominator}
    k = kpi(
        register=False,
        cadence="monthly",
        inputs=(
            Feed("local", "lado", "received_date"),
            Feed("ssda903", "episodes", "DECOM", "stock", "DEC"),
        ),
        **meta,
    )(f)
    return k, calls


def test_a_kpi_over_a_dataset_not_configured_is_missing_without_being_called():
    import math

    import pandas as pd

    from pmf_lib.compute.registry import KpiInputs, unsupplied
    from pmf_lib.dates import Window

    w = Window.of("month", "2025-03-31")
    k, calls = _local_kpi()
    assert k.meta.datasets == ("lado",)
    # lado not configured (absent): missing, and the function is never run
    fig = k(KpiInputs(), w)
    assert math.isnan(fig.numerator) and fig.denominator is None and calls == []
    assert unsupplied(k.meta, KpiInputs()) == ["lado"]
    # lado read without a required column (run anyway): missing too
    lacking = pd.DataFrame({"received_date": []})
    lacking.attrs["missing_columns"] = ["outcome"]
    assert math.isnan(k(KpiInputs(local={"lado": lacking}), w).numerator) and calls == []
    # lado supplied: the function runs (7)
    assert k(KpiInputs(local={"lado": pd.DataFrame()}), w) == Figure(7) and len(calls) == 1
    # a ratio is missing in numerator and denominator
    r, _ = _local_kpi("percent", "d")
    fig = r(KpiInputs(), w)
    assert math.isnan(fig.numerator) and math.isnan(fig.denominator)


def test_every_declared_field_is_a_column_of_its_table():
    # A misspelt field or dataset would otherwise document a column the KPI cannot read.
    from pmf_lib.read.local import load_schema
    from pmf_lib.read.tables import CIN_COLUMNS, S903_COLUMNS

    for kpi_id, k in all_kpis().items():
        for f in k.meta.inputs:
            if f.source == "local":
                columns = set(load_schema(f.table).column_names)
            else:
                columns = set((CIN_COLUMNS if f.source == "cin_census" else S903_COLUMNS)[f.table])
            assert set(f.fields) <= columns, (kpi_id, f.table, set(f.fields) - columns)
