"""The annual evidence pack's figures and verdicts, on hand-built histories and a tiny store."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmf_lib.assess.annual import (
    ILACS_HEADINGS,
    actions_impact,
    annual_comparators,
    annual_points,
    area_headings,
    benchmark_year,
    heading_summary,
    quartile_movement,
    year_ends,
)
from pmf_lib.compute.registry import KpiMeta
from pmf_lib.errors import PmfError
from pmf_lib.read.benchmarks import BenchmarkStore


def _meta(
    kid,
    unit="percent",
    polarity="higher_is_better",
    windows=("month", "rolling_12m"),
    comparator=None,
    area="test_area",
):
    return KpiMeta(
        id=kid,
        title=kid.replace("_", " ").capitalize(),
        area=area,
        unit=unit,
        polarity=polarity,
        windows=windows,
        source="test",
        definition="d",
        numerator="n",
        denominator=None if unit == "count" else "d",
        comparator=comparator,
    )


def _history(kpi_id, window, figures: dict[str, float], suppressed=()):
    ends = pd.to_datetime(list(figures))
    return pd.DataFrame(
        {
            "kpi_id": kpi_id,
            "period_end": ends,
            "window": window,
            "value": list(figures.values()),
            "numerator": list(figures.values()),
            "denominator": 100.0,
            "suppressed": [d in suppressed for d in figures],
        }
    )


# ---- years ------------------------------------------------------------------------------
def test_years_end_on_the_last_31_march_by_the_month():
    # June 2026: the year to 31 March 2026 is in -> 2023-24, 2024-25, 2025-26
    assert [d.strftime("%Y-%m-%d") for d in year_ends("2026-06")] == [
        "2024-03-31",
        "2025-03-31",
        "2026-03-31",
    ]
    # March 2026 itself ends the year; February 2026 does not (last year: to March 2025)
    assert year_ends("2026-03")[-1] == pd.Timestamp("2026-03-31")
    assert year_ends("2026-02")[-1] == pd.Timestamp("2025-03-31")


# ---- annual points ----------------------------------------------------------------------
def test_annual_point_is_the_12_months_to_31_march_not_the_month():
    m = {"k": _meta("k")}
    h = pd.concat(
        [
            # rolling 12 months at each 31 March: 60.0, 62.0, 62.5
            _history(
                "k",
                "rolling_12m",
                {"2024-03-31": 60.0, "2025-03-31": 62.0, "2025-09-30": 99.0, "2026-03-31": 62.5},
            ),
            # the single month of March is not the year's figure
            _history("k", "month", {"2024-03-31": 10.0, "2025-03-31": 10.0, "2026-03-31": 10.0}),
        ]
    )
    p = annual_points(h, m, "2026-06")
    assert p["window"].unique().tolist() == ["rolling_12m"]
    assert p["value"].tolist() == [60.0, 62.0, 62.5]
    # 60.0 -> 62.0: +2.0 pp (>= the 1 pp threshold), higher is better: Improving;
    # 62.0 -> 62.5: +0.5 pp, under 1 pp: No change
    assert p["travel"].tolist() == ["Not available", "Improving", "No change"]
    assert p["change"].tolist()[1:] == pytest.approx([2.0, 0.5])


def test_stock_measure_takes_its_figure_at_31_march():
    m = {"s": _meta("s", unit="count", polarity="lower_is_better", windows=("snapshot",))}
    h = _history("s", "snapshot", {"2024-03-31": 500.0, "2025-03-31": 450.0, "2026-03-31": 470.0})
    p = annual_points(h, m, "2026-06")
    # 500 -> 450: -10 % (>= 2 %), lower is better: Improving; 450 -> 470: +4.4 %: Worsening
    assert p["travel"].tolist() == ["Not available", "Improving", "Worsening"]


def test_missing_year_and_withheld_year_get_no_verdict():
    m = {"k": _meta("k", unit="count", polarity="neutral")}
    # no figure at 31 March 2024; 2025 withheld (members' view); 2026 shown
    h = _history(
        "k", "rolling_12m", {"2025-03-31": 3.0, "2026-03-31": 40.0}, suppressed=("2025-03-31",)
    )
    p = annual_points(h, m, "2026-06")
    assert p["value"].isna().tolist() == [True, True, False]
    assert p["suppressed"].tolist() == [False, True, False]
    # the withheld 3 is blanked, so neither its own row nor the next compares with it
    assert p["numerator"].isna().tolist()[:2] == [True, True]
    assert p["travel"].tolist() == ["Not available"] * 3


# ---- quartile movement ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("band", "before", "expected"),
    [
        ("B", "C", "Moved up a quartile"),  # nearer A, the best
        ("A", "C", "Moved up two quartiles"),
        ("D", "C", "Moved down a quartile"),
        ("D", "A", "Moved down three quartiles"),
        ("C", "C", "Stayed in quartile C"),
        (None, "C", "Not available"),
        ("B", float("nan"), "Not available"),
    ],
)
def test_quartile_movement(band, before, expected):
    assert quartile_movement(band, before) == expected


def test_quartile_movement_refuses_a_band_outside_a_to_d():
    with pytest.raises(ValueError):
        quartile_movement("E", "A")


# ---- comparators on a tiny store --------------------------------------------------------
def _store() -> BenchmarkStore:
    """Measure M (higher is better), councils 801-805, published 2024 and 2025.

    LA figures each year: 10, 20, 30, 40, 50, so R's type-7 quartile points are
    min 10, 25 % 20, 50 % 30, 75 % 40, max 50; higher is better, so 10-20 is band D,
    over 20 to 30 C, over 30 to 40 B, over 40 A. England 28 (2024) and 29 (2025),
    South East (989) 33 and 34. 801's neighbours: 802 and 803.
    """
    rows = []
    for year, england, region in (("2024", 28.0, 33.0), ("2025", 29.0, 34.0)):
        for code, level, value in [
            (801, "LA", 10.0),
            (802, "LA", 20.0),
            (803, "LA", 30.0),
            (804, "LA", 40.0),
            (805, "LA", 50.0),
            (970, "England", england),
            (989, "Region", region),
        ]:
            rows.append(
                {
                    "measure": "M",
                    "year": year,
                    "year_end": pd.Timestamp(f"{year}-03-31"),
                    "level": level,
                    "la_code": code,
                    "name": f"LA {code}",
                    "region": "South East",
                    "value": value,
                    "suppression": None,
                    "source": "test",
                }
            )
    values = pd.DataFrame(rows)
    measures = pd.DataFrame(
        [
            {
                "code": "M",
                "title": "Measure M",
                "measure": "M",
                "topic": "t",
                "polarity": "High",
                "unit": "%",
                "source_table": "t",
                "year_type": "Financial Year",
                "no_quartile": False,
                "dps": 1.0,
                "source": "test",
            }
        ]
    )
    nb = pd.DataFrame(
        {
            "model": "2025",
            "la_code": 801,
            "la_name": "LA 801",
            "region": "South East",
            "sn_rank": [1, 2],
            "neighbour": [802, 803],
            "neighbour_name": None,
            "closeness": "Close",
            "inherited_from": pd.NA,
        }
    )
    return BenchmarkStore(measures, values, nb, pd.DataFrame())


def test_benchmark_year_is_the_latest_published_by_the_year_end():
    rows = _store().values
    assert benchmark_year(rows, "2026-03-31") == "2025"  # 2025-26 not yet published
    assert benchmark_year(rows, "2024-03-31") == "2024"
    assert benchmark_year(rows, "2023-03-31") is None


def test_quartile_band_each_year_and_its_movement():
    m = {"k": _meta("k", comparator="M")}
    # The council's own years: 25 (2023-24), 45 (2024-25), 15 (2025-26)
    h = _history("k", "rolling_12m", {"2024-03-31": 25.0, "2025-03-31": 45.0, "2026-03-31": 15.0})
    t = annual_comparators(annual_points(h, m, "2026-06"), m, _store(), 801)
    # 25 is over 20 to 30: C; 45 over 40: A (up two); 2025-26 against 2025's figures
    # (2026 not published): 15 is 10-20, D (down three)
    assert t["benchmark_year"].tolist() == ["2024", "2025", "2025"]
    assert t["quartile"].tolist() == ["C", "A", "D"]
    assert t["quartile_movement"].tolist() == [
        "Not available",
        "Moved up two quartiles",
        "Moved down three quartiles",
    ]
    # England and region as published for that year; neighbours' mean (20 + 30) / 2 = 25
    assert t["england"].tolist() == [28.0, 29.0, 29.0]
    assert t["region"].tolist() == [33.0, 34.0, 34.0]
    assert t["sn"].tolist() == [25.0, 25.0, 25.0]
    # rank among the other councils' figures plus the council's own: 45 beats all but 50
    assert int(t["rank"].iloc[1]) == 2


def test_counts_and_measures_without_a_comparator_are_not_compared():
    m = {"c": _meta("c", unit="count", polarity="neutral", comparator="M"), "x": _meta("x")}
    h = pd.concat(
        [
            _history("c", "rolling_12m", {"2025-03-31": 25.0, "2026-03-31": 45.0}),
            _history("x", "rolling_12m", {"2025-03-31": 25.0, "2026-03-31": 45.0}),
        ]
    )
    t = annual_comparators(annual_points(h, m, "2026-06"), m, _store(), 801)
    assert t["measure"].isna().all()
    assert set(t["quartile_movement"]) == {"Not available"}


def test_withheld_figure_has_no_band():
    m = {"k": _meta("k", comparator="M")}
    h = _history(
        "k", "rolling_12m", {"2025-03-31": 45.0, "2026-03-31": 3.0}, suppressed=("2026-03-31",)
    )
    t = annual_comparators(annual_points(h, m, "2026-06"), m, _store(), 801)
    assert pd.isna(t["quartile"].iloc[-1])
    assert t["quartile_movement"].iloc[-1] == "Not available"


# ---- improvement actions ----------------------------------------------------------------
def _actions():
    return pd.DataFrame(
        {
            "action_id": ["A1", "A2", "A3", "A4", "A5"],
            "action": ["a1", "a2", "a3", "a4", "a5"],
            "owner": "o",
            "kpi_id": ["k", "k", "k", "other", "k"],
            "area": ["front_door", "front_door", "front_door", "protection", "protection"],
            "state": ["complete", "complete", "cancelled", "complete", "complete"],
            "due_date": pd.to_datetime(["2025-06-30"] * 5),
            "completed_date": pd.to_datetime(
                ["2025-04-01", "2026-04-01", "2025-05-01", "2025-05-01", "2026-03-31"]
            ),
        }
    )


def test_actions_completed_in_the_year_with_the_linked_measure_movement():
    m = {"k": _meta("k", polarity="lower_is_better")}
    # k's years: 30.0 (2024-25) then 27.0 (2025-26): -3 pp, lower is better: Improving
    p = annual_points(
        _history("k", "rolling_12m", {"2025-03-31": 30.0, "2026-03-31": 27.0}), m, "2026-06"
    )
    t = actions_impact(_actions(), p, m, "2026-03-31", "front_door", ["k"])
    # A1 completed 1 April 2025 (in the year); A2 1 April 2026 (after it); A3 cancelled;
    # A4 another area's action on another measure; A5 another area's but on front door's k
    assert t["action_id"].tolist() == ["A1", "A5"]
    assert t["before"].tolist() == [30.0, 30.0] and t["after"].tolist() == [27.0, 27.0]
    assert t["impact"].tolist() == ["Improving", "Improving"]
    # A1 done 1 April, due 30 June: on time; A5 done 31 March 2026: late
    assert t["on_time"].tolist() == [True, False]


def test_action_on_an_unknown_measure_has_no_impact_and_no_log_gives_no_rows():
    p = annual_points(
        pd.DataFrame(columns=["kpi_id", "period_end", "window", "value"]), {}, "2026-06"
    )
    t = actions_impact(_actions(), p, {}, "2026-03-31", "protection", [])
    assert t["action_id"].tolist() == ["A4", "A5"]
    assert set(t["impact"]) == {"Not available"}
    assert actions_impact(None, p, {}, "2026-03-31").empty


# ---- ILACS headings and the council's summary ---------------------------------------------
def test_area_headings_table_override_and_refusal():
    assert area_headings("care_leavers") == ["care_leavers"]
    assert area_headings("unmapped") == ["leaders"]
    assert area_headings("front_door", {"front_door": ["children_in_care"]}) == ["children_in_care"]
    with pytest.raises(PmfError, match="unknown ILACS heading"):
        area_headings("front_door", {"front_door": ["nowhere"]})
    assert len(ILACS_HEADINGS) == 4


def test_heading_summary_counts_latest_year_per_heading():
    metas = {
        "a": _meta("a"),
        "b": _meta("b", polarity="neutral"),
        "c": _meta("c"),
    }
    end = pd.to_datetime(["2025-03-31", "2026-03-31"])
    t = pd.DataFrame(
        {
            "kpi_id": ["a", "a", "b", "b", "c", "c"],
            "year_end": list(end) * 3,
            "travel": ["Improving", "Worsening", "Up", "No change", "Improving", "No change"],
            "quartile_movement": [
                "Not available",
                "Moved up a quartile",
                "Not available",
                "Not available",
                "Not available",
                "Moved down two quartiles",
            ],
        }
    )
    # front door (help and protection): a, b; adolescents (help and protection + in care): b, c
    s = heading_summary(t, metas, {"front_door": ["a", "b"], "adolescents": ["b", "c"]})
    got = s.set_index("heading")
    # help and protection holds a, b, c once each: latest year a Worsening, b (neutral,
    # not counted as no change), c No change; a up a quartile, c down
    assert got.loc[
        "help_and_protection",
        ["measures", "improving", "worsening", "no_change", "quartile_up", "quartile_down"],
    ].tolist() == [3, 0, 1, 1, 1, 1]
    # children in care: b and c
    assert got.loc["children_in_care", ["measures", "no_change", "quartile_down"]].tolist() == [
        2,
        1,
        1,
    ]
    assert "leaders" not in got.index
    assert np.issubdtype(s["measures"].dtype, np.integer)


# ---- members and the public -------------------------------------------------------------
def test_suppress_annual_withholds_small_years_and_years_holding_a_withheld_month():
    from pmf_lib.assess.annual import suppress_annual

    m = {"k": _meta("k", unit="count", polarity="neutral")}
    full = _history(
        "k", "rolling_12m", {"2024-03-31": 480.0, "2025-03-31": 500.0, "2026-03-31": 4.0}
    )
    points = annual_points(full, m, "2026-06")
    # The members' published monthly series: August 2023 withheld (in 2023-24, which ran
    # from 1 April 2023 to 31 March 2024); every 2024-25 month shown
    shown = pd.DataFrame(
        {
            "kpi_id": "k",
            "window": "month",
            "period_end": pd.to_datetime(["2023-08-31", "2024-08-31", "2025-03-31"]),
            "suppressed": [True, False, False],
        }
    )
    p = suppress_annual(points, shown, m, max_count=4)
    # 2023-24 withheld (480 less the shown months would give August away); 2024-25's 500
    # shown; 2025-26's 4 is 1-4: withheld. No change is given next to a withheld year.
    assert p["suppressed"].tolist() == [True, False, True]
    assert p["value"].isna().tolist() == [True, False, True]
    assert p["numerator"].isna().tolist() == [True, False, True]
    assert p["travel"].tolist() == ["Not available"] * 3
    # with a threshold of 3, 4 would be shown (and 500 -> 4 is Down)
    p3 = suppress_annual(points, shown.assign(suppressed=False), m, max_count=3)
    assert p3["suppressed"].tolist() == [False, False, False]
    assert p3["travel"].tolist()[-1] == "Down"


def test_suppress_annual_applies_the_nesting_rule_to_the_years():
    from pmf_lib.assess.annual import suppress_annual

    m = {
        "parent": _meta("parent", unit="count", polarity="neutral"),
        "child": KpiMeta(
            **{**_meta("child", unit="count", polarity="neutral").__dict__, "subset_of": "parent"}
        ),
    }
    full = pd.concat(
        [
            _history("parent", "rolling_12m", {"2025-03-31": 100.0, "2026-03-31": 100.0}),
            _history("child", "rolling_12m", {"2025-03-31": 60.0, "2026-03-31": 97.0}),
        ]
    )
    p = suppress_annual(annual_points(full, m, "2026-06"), full.iloc[0:0], m, max_count=4)
    got = p.set_index(["kpi_id", "year"])["suppressed"]
    # 2025-26: 100 - 97 = 3 counted by the parent and not the child: the child is withheld;
    # 2024-25: 100 - 60 = 40 states nothing small
    assert bool(got[("child", "2025-26")]) and not bool(got[("child", "2024-25")])
    assert not got["parent"].any()
