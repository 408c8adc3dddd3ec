"""Direction of travel: thresholds, polarity labels, missing values, the comparison months."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from pmf_lib.assess.travel import (
    Thresholds,
    direction,
    headline_window,
    previous_month_end,
    travel_table,
    year_earlier_month_end,
)
from pmf_lib.compute.registry import KpiMeta


def meta(kid, unit="percent", polarity="higher_is_better", windows=("month", "rolling_12m")):
    return KpiMeta(
        id=kid,
        title=kid.title(),
        area="a",
        unit=unit,
        polarity=polarity,
        windows=windows,
        source="test",
        definition="d",
        numerator="n",
        denominator=None if unit == "count" else "d",
    )


# ---- thresholds --------------------------------------------------------------
@pytest.mark.parametrize(
    ("latest", "earlier", "changed"),
    [
        (51.0, 50.0, True),  # exactly 1 percentage point: a change
        (50.9, 50.0, False),  # 0.9 pp: none
        (49.0, 50.0, True),  # -1 pp
        (70.2, 71.2, True),  # 1 pp with float noise (71.2 - 70.2 = 0.99999...)
    ],
)
def test_percent_threshold_is_in_percentage_points(latest, earlier, changed):
    assert Thresholds().is_change("percent", latest, earlier) is changed


@pytest.mark.parametrize(
    ("latest", "earlier", "changed"),
    [
        (102, 100, True),  # +2 % of 100: a change
        (101.9, 100, False),  # +1.9 %
        (980, 1000, True),  # -2 %
        (981, 1000, False),  # -1.9 %
        (0, 0, False),  # nothing to nothing
        (3, 0, True),  # from nothing: any rise is a change
    ],
)
def test_other_units_use_a_relative_threshold(latest, earlier, changed):
    assert Thresholds().is_change("count", latest, earlier) is changed
    assert Thresholds().is_change("rate_10k", latest, earlier) is changed


def test_thresholds_are_configurable():
    # 50.5 against 50.0 is 0.5 pp: none by default, a change with a 0.5 pp threshold.
    assert not Thresholds().is_change("percent", 50.5, 50.0)
    assert Thresholds(percent_points=0.5).is_change("percent", 50.5, 50.0)
    # 105 against 100 is +5 %: none with a 10 % threshold.
    assert not Thresholds(relative=0.10).is_change("count", 105, 100)


@pytest.mark.parametrize("bad", [-1, float("nan"), "1"])
def test_thresholds_reject_nonsense(bad):
    with pytest.raises(ValueError, match="percent_points"):
        Thresholds(percent_points=bad)


# ---- labels ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("polarity", "latest", "earlier", "label", "symbol"),
    [
        ("higher_is_better", 80.0, 70.0, "Improving", "↑"),
        ("higher_is_better", 60.0, 70.0, "Worsening", "↓"),
        ("lower_is_better", 60.0, 70.0, "Improving", "↓"),
        ("lower_is_better", 80.0, 70.0, "Worsening", "↑"),
        ("neutral", 80.0, 70.0, "Up", "↑"),
        ("neutral", 60.0, 70.0, "Down", "↓"),
        ("higher_is_better", 70.5, 70.0, "No change", "→"),
        ("neutral", 70.5, 70.0, "No change", "→"),
    ],
)
def test_labels_follow_polarity(polarity, latest, earlier, label, symbol):
    t = direction(latest, earlier, unit="percent", polarity=polarity)
    assert (t.label, t.symbol) == (label, symbol)
    assert t.text == f"{symbol} {label}"
    assert t.change == pytest.approx(latest - earlier)


@pytest.mark.parametrize(("latest", "earlier"), [(float("nan"), 5.0), (5.0, None), (None, None)])
def test_missing_values_are_not_available(latest, earlier):
    t = direction(latest, earlier, unit="count", polarity="neutral")
    assert (t.label, t.symbol) == ("Not available", "–")
    assert math.isnan(t.change)


def test_unknown_polarity_is_an_error():
    with pytest.raises(ValueError, match="polarity"):
        direction(1.0, 2.0, unit="count", polarity="up_is_good")


# ---- comparison months and windows -------------------------------------------------
def test_comparison_month_ends():
    assert previous_month_end("2026-01-31") == pd.Timestamp("2025-12-31")
    assert previous_month_end("2024-03-31") == pd.Timestamp("2024-02-29")  # leap year
    assert year_earlier_month_end("2024-02-29") == pd.Timestamp("2023-02-28")
    assert year_earlier_month_end("2025-02-28") == pd.Timestamp("2024-02-29")


def test_headline_window_prefers_snapshot_then_month_then_the_first():
    # One headline window for travel, SPC, flags and reports: a stock's snapshot, else the
    # single month (SPC's points), else the first window (a quarterly or rolling KPI's).
    assert headline_window(meta("a", windows=("snapshot",))) == "snapshot"
    assert headline_window(meta("b", windows=("month", "rolling_12m"))) == "month"
    assert headline_window(meta("c", windows=("quarter", "rolling_12m"))) == "quarter"
    assert headline_window(meta("d", windows=("rolling_12m",))) == "rolling_12m"


def test_assess_and_travel_share_one_headline_window():
    from pmf_lib.assess import assessed

    assert assessed.headline_window is headline_window


def test_travel_table_compares_previous_month_and_year_earlier():
    m_pct = meta("pct", unit="percent", polarity="higher_is_better", windows=("snapshot",))
    m_cnt = meta("cnt", unit="count", polarity="neutral", windows=("rolling_12m", "month"))
    rows = [
        # pct: Oct 2026 71.2 vs Sep 2026 71.5 (-0.3 pp: no change) vs Oct 2025 84.0
        # (-12.8 pp: worsening)
        ("pct", "2025-10-31", "snapshot", 84.0),
        ("pct", "2026-09-30", "snapshot", 71.5),
        ("pct", "2026-10-31", "snapshot", 71.2),
        ("pct", "2026-08-31", "snapshot", 10.0),  # not a comparison month: ignored
        # cnt, rolling_12m (chosen by the windows override below): 1,100 vs 1,000
        # (+10 %: up); no row a year earlier. The month window's values must not be used.
        ("cnt", "2026-09-30", "rolling_12m", 1000.0),
        ("cnt", "2026-10-31", "rolling_12m", 1100.0),
        ("cnt", "2026-09-30", "month", 1.0),
        ("cnt", "2026-10-31", "month", 500.0),
    ]
    t = pd.DataFrame(rows, columns=["kpi_id", "period_end", "window", "value"])
    t["period_end"] = pd.to_datetime(t["period_end"])
    out = travel_table(t, [m_pct, m_cnt], "2026-10-31", windows={"cnt": "rolling_12m"})
    out = out.set_index("kpi_id")
    assert list(out.index) == ["pct", "cnt"]  # in the order given
    pct, cnt = out.loc["pct"], out.loc["cnt"]
    assert (pct["window"], pct["value"], pct["previous_value"], pct["year_earlier_value"]) == (
        "snapshot",
        71.2,
        71.5,
        84.0,
    )
    assert (pct["previous_label"], pct["year_earlier_label"]) == ("No change", "Worsening")
    assert pct["year_earlier_change"] == pytest.approx(-12.8)
    assert pct["previous_end"] == pd.Timestamp("2026-09-30")
    assert pct["year_earlier_end"] == pd.Timestamp("2025-10-31")
    assert (cnt["window"], cnt["value"], cnt["previous_label"]) == ("rolling_12m", 1100.0, "Up")
    assert math.isnan(cnt["year_earlier_value"])
    assert cnt["year_earlier_label"] == "Not available"


def test_travel_table_value_missing_at_period_end():
    m = meta("p", windows=("snapshot",))
    t = pd.DataFrame(
        {
            "kpi_id": ["p"],
            "window": ["snapshot"],
            "period_end": pd.to_datetime(["2026-09-30"]),
            "value": [50.0],
        }
    )
    r = travel_table(t, {"p": m}, "2026-10-31").iloc[0]
    assert math.isnan(r["value"]) and r["previous_value"] == 50.0
    assert r["previous_label"] == "Not available"


def test_travel_table_window_override_and_thresholds():
    m = meta("c", unit="count", polarity="lower_is_better", windows=("month", "rolling_12m"))
    t = pd.DataFrame(
        {
            "kpi_id": "c",
            "window": "month",
            "period_end": pd.to_datetime(["2026-09-30", "2026-10-31"]),
            "value": [100.0, 95.0],
        }
    )
    # 95 against 100 is -5 %: improving (lower is better) at the default 2 %...
    r = travel_table(t, [m], "2026-10-31", windows={"c": "month"}).iloc[0]
    assert r["previous_label"] == "Improving"
    # ...but no change when only a 10 % move counts.
    r = travel_table(
        t, [m], "2026-10-31", windows={"c": "month"}, thresholds=Thresholds(relative=0.1)
    ).iloc[0]
    assert r["previous_label"] == "No change"


def test_travel_compares_values_as_shown():
    # 23.70 % a year earlier and 22.74 % now are shown as 23.7 % and 22.7 %: a fall of
    # 1.0 point as printed, so the label must not be "No change" (unrounded: 0.96).
    m = meta("p", unit="percent", polarity="lower_is_better", windows=("snapshot",))
    t = pd.DataFrame(
        {
            "kpi_id": "p",
            "window": "snapshot",
            "period_end": pd.to_datetime(["2025-10-31", "2026-10-31"]),
            "value": [23.70, 22.74],
        }
    )
    r = travel_table(t, [m], "2026-10-31").iloc[0]
    assert r["year_earlier_label"] == "Improving"
    assert r["year_earlier_change"] == pytest.approx(-1.0)
    assert r["value"] == 22.74  # the value itself is not rounded
    r = travel_table(t, [m], "2026-10-31", rounded=False).iloc[0]
    assert r["year_earlier_label"] == "No change"
    # Counts round to whole numbers: 101.6 against 100 is shown as 102 against 100 (+2 %).
    assert direction(101.6, 100, unit="count", polarity="neutral", decimals=0).label == "Up"
    assert direction(101.6, 100, unit="count", polarity="neutral").label == "No change"
