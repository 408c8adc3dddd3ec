"""Comparators: LAIT's quartile bands and ranks, neighbour mean and median, on a tiny store."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pmf_lib.assess.comparators import (
    comparators,
    comparators_table,
    quartile_band,
    quartile_points,
    rank_min,
)
from pmf_lib.errors import PmfError
from pmf_lib.read.benchmarks import BenchmarkStore, load_benchmarks
from tests.conftest import need_shared

# Eight councils 801..808 with figures 10..80 in 2025 (808 missing in 2025),
# England 970 and South East 989 / London 986-988 rows, and an older year 2024.
LAS = {
    801: 10.0,
    802: 20.0,
    803: 30.0,
    804: 30.0,
    805: 40.0,
    806: 50.0,
    807: 60.0,
    808: float("nan"),
    809: 80.0,
}


def _store(polarity="Low", no_quartile=False, inner_london=float("nan")):
    rows = []

    def add(code, level, value, year="2025", region="South East"):
        rows.append(
            {
                "measure": "M",
                "year": year,
                "year_end": pd.Timestamp(f"{year}-03-31"),
                "level": level,
                "la_code": code,
                "name": f"LA {code}",
                "region": region,
                "value": value,
                "suppression": "x" if np.isnan(value) else None,
                "source": "test",
            }
        )

    for code, value in LAS.items():
        add(code, "LA", value, region="Inner London" if code == 809 else "South East")
        add(code, "LA", value + 1 if not np.isnan(value) else 5.0, year="2024")
    add(970, "England", 45.0)
    add(989, "Region", 35.0)
    add(986, "Region", 55.0)
    add(987, "Region", inner_london)
    values = pd.DataFrame(rows)
    values["year_end"] = values["year_end"].astype("datetime64[s]")
    measures = pd.DataFrame(
        [
            {
                "code": "M",
                "title": "Measure M",
                "measure": "M",
                "topic": "t",
                "polarity": polarity,
                "unit": "%",
                "source_table": "t",
                "year_type": "Financial Year",
                "no_quartile": no_quartile,
                "dps": 1.0,
                "source": "test",
            }
        ]
    )
    # 803's neighbours: 801, 802, 808 (missing in 2025), 809
    nb = pd.DataFrame(
        {
            "model": "2025",
            "la_code": 803,
            "la_name": "LA 803",
            "region": "South East",
            "sn_rank": [1, 2, 3, 4],
            "neighbour": [801, 802, 808, 809],
            "neighbour_name": None,
            "closeness": "Close",
            "inherited_from": pd.NA,
        }
    )
    nb_2021 = nb.assign(model="2021", neighbour=[805, 806, 807, 801])
    return BenchmarkStore(
        measures, values, pd.concat([nb, nb_2021], ignore_index=True), pd.DataFrame()
    )


def test_quartile_points_are_r_type_7():
    # R: quantile(c(10,20,30,30,40,50,60,80)) -> 10, 27.5, 35, 52.5, 80
    # (25%: position 1 + 0.25*7 = 2.75 -> 20 + 0.75*(30-20) = 27.5;
    #  50%: position 4.5 -> (30+40)/2 = 35; 75%: position 6.25 -> 50 + 0.25*10 = 52.5)
    assert quartile_points([10, 20, 30, 30, 40, 50, 60, float("nan"), 80]) == (
        10.0,
        27.5,
        35.0,
        52.5,
        80.0,
    )


def test_band_edges_follow_lait():
    pts = (10.0, 27.5, 35.0, 52.5, 80.0)
    # Low polarity: [10, 27.5] A, (27.5, 35] B, (35, 52.5] C, (52.5, 80] D
    assert [quartile_band(v, pts, "Low") for v in (10, 27.5, 30, 35, 40, 52.5, 60, 80)] == [
        "A",
        "A",
        "B",
        "B",
        "C",
        "C",
        "D",
        "D",
    ]
    # High polarity is the mirror: the top quarter is A
    assert [quartile_band(v, pts, "High") for v in (10, 27.5, 30, 35, 40, 52.5, 60, 80)] == [
        "D",
        "D",
        "C",
        "C",
        "B",
        "B",
        "A",
        "A",
    ]
    assert quartile_band(float("nan"), pts, "Low") is None


def test_ranks_ties_take_lowest():
    # Low: 10 -> 1, 20 -> 2, 30, 30 -> 3, 3; 40 -> 5
    assert rank_min([30, 10, 30, 40, 20], "Low").tolist() == [3, 1, 3, 5, 2]
    # High: 40 -> 1, 30, 30 -> 2, 2; 20 -> 4; 10 -> 5
    assert rank_min([30, 10, 30, 40, 20], "High").tolist() == [2, 5, 2, 1, 4]


def test_comparators_low_polarity():
    c = comparators(_store("Low"), 803, "M")
    assert c.year == "2025"  # latest year with LA rows
    assert c.la_value == 30.0 and c.england == 45.0
    assert c.region_name == "South East" and c.region == 35.0
    # neighbours 801, 802, 809 have figures (808 missing): mean (10+20+80)/3, median 20
    assert c.sn_mean == pytest.approx(110 / 3) and c.sn_median == 20.0 and c.sn_count == 3
    # 8 councils with a figure; 30 is in (27.5, 35] -> B; rank: 10, 20 ahead -> 3 (tie)
    assert (c.quartile, c.rank, c.rank_of) == ("B", 3, 8)
    assert (c.q25, c.q50, c.q75) == (27.5, 35.0, 52.5)


def test_comparators_high_polarity_and_other_year():
    c = comparators(_store("High"), 803, "M")
    # 30 in (27.5, 35] -> C when high is good; ahead of it 80, 60, 50, 40 -> rank 5
    assert (c.quartile, c.rank) == ("C", 5)
    c24 = comparators(_store("High"), 803, "M", year="2024")
    # 2024: every figure one higher, 808 has 5 -> nine councils
    assert c24.la_value == 31.0 and c24.rank_of == 9


def test_no_quartile_and_no_polarity():
    c = comparators(_store("Low", no_quartile=True), 803, "M")
    assert c.quartile is None and c.rank == 3
    c = comparators(_store("-"), 803, "M")
    assert c.quartile is None and c.rank is None
    assert c.sn_mean == pytest.approx(110 / 3)  # the figures are still compared


def test_missing_own_figure_has_no_band_or_rank():
    s = _store("Low")
    mine = (s.values["la_code"] == 803) & (s.values["year"] == "2025")
    s.values.loc[mine, ["value", "suppression"]] = [float("nan"), "c"]
    c = comparators(s, 803, "M")
    assert math.isnan(c.la_value) and c.la_suppression == "c"
    assert c.quartile is None and c.rank is None and c.rank_of == 7


def test_council_without_neighbours_is_an_error():
    with pytest.raises(PmfError, match="LA 808 has no statistical neighbours in the 2025"):
        comparators(_store("Low"), 808, "M")


def test_london_falls_back_when_inner_london_has_no_figures():
    s = _store("Low")
    s.neighbours.loc[:, "la_code"] = 809
    c = comparators(s, 809, "M")
    assert c.region_name == "London" and c.region == 55.0
    s = _store("Low", inner_london=58.0)
    s.neighbours.loc[:, "la_code"] = 809
    c = comparators(s, 809, "M")
    assert c.region_name == "London (Inner)" and c.region == 58.0


def test_sn_model_choice():
    c = comparators(_store("Low"), 803, "M", sn_model="2021")
    # 2021 neighbours 805, 806, 807, 801: 40, 50, 60, 10 -> mean 40, median 45
    assert (c.sn_mean, c.sn_median, c.sn_count) == (40.0, 45.0, 4)


def test_table_rows_own_figures_and_errors():
    t = comparators_table(
        _store("Low"),
        803,
        {"kpi_a": "M"},
        sn_stat="median",
        own={"kpi_a": 28.0},
        own_period="12 months to Mar 2025",
    )
    row = t.iloc[0]
    assert row["kpi_id"] == "kpi_a" and row["own_rolling_12m"] == 28.0
    assert row["sn"] == row["sn_median"] == 20.0
    assert row["own_period"] == "12 months to Mar 2025"
    with pytest.raises(PmfError, match="kpi_b: comparator 'NOPE'"):
        comparators_table(_store("Low"), 803, {"kpi_b": "NOPE"})
    with pytest.raises(PmfError, match="sn_stat"):
        comparators_table(_store("Low"), 803, {"kpi_a": "M"}, sn_stat="mode")
    with pytest.raises(PmfError, match="year '2019'"):
        comparators(_store("Low"), 803, "M", year="2019")


# ------------------------------------------------------------------ the real files


@pytest.fixture(scope="module")
def real():
    """The published files and the shipped snapshot (which tests/read proves is a fresh
    import of them)."""
    src = need_shared("data", "benchmarks_dfe")
    raw = pd.read_parquet(src / "lait_bds_long_0.parquet")
    return src, load_benchmarks(), raw


@pytest.mark.parametrize(
    "measure", ["ReReferral", "CareLeaverAcc", "Work_Force_Vac_Rate", "PrevRegCPR"]
)
def test_real_band_and_rank_recomputed_from_raw_lait(real, measure):
    """West Sussex (938): recompute LAIT's rule straight from the published files."""
    src, store, raw = real
    raw = raw[raw["Short Desc"] == measure]
    las = raw[raw["LA Number"] < 970]
    latest = las["Years"].max()  # LAIT: slice_max(Years)
    at = las[las["Years"] == latest]
    vals = pd.to_numeric(at["Values"].replace("-", np.nan))
    pol = pd.read_csv(src / "lait_data_dictionary.csv").set_index("Measure_short")
    polarity = pol.loc[measure, "Polarity"]
    if isinstance(polarity, pd.Series):
        polarity = polarity.iloc[0]
    q = vals.quantile([0.25, 0.5, 0.75])  # pandas' linear = R type 7
    mine = float(vals[at["LA Number"] == 938].iloc[0])
    quarter = sum(int(mine > q.iloc[k]) for k in range(3))  # quarters passed
    band = "ABCD"[quarter] if polarity == "Low" else "DCBA"[quarter]
    better = (vals < mine) if polarity == "Low" else (vals > mine)
    rank = int(better.sum()) + 1
    # neighbours (2025 model) straight from the xlsx
    sn = pd.read_excel(src / "lait_sn_may_2025.xlsx", header=2)
    sn = sn[sn["LA num"] == 938].filter(regex=r"^SN\d+$").iloc[0].astype(int).tolist()
    sn_vals = vals[at["LA Number"].isin(sn).to_numpy()].dropna()

    c = comparators(store, 938, measure, sn_model="2025")
    assert c.year == latest and c.la_value == mine
    assert (c.quartile, c.rank, c.rank_of) == (band, rank, int(vals.notna().sum()))
    assert c.sn_mean == pytest.approx(sn_vals.mean())
    assert c.sn_median == pytest.approx(sn_vals.median())
    eng = raw[(raw["LA Number"] == 970) & (raw["Years"] == latest)]["Values"].iloc[0]
    reg = raw[(raw["LA Number"] == 989) & (raw["Years"] == latest)]["Values"].iloc[0]
    assert c.england == float(eng) and c.region == float(reg)
    assert not math.isnan(c.england)


def test_real_assessed_table_for_the_demo_council(real):
    _, store, _ = real
    codes = {
        "rereferrals_12m_pct": "ReReferral",
        "cp_second_subsequent_pct": "PrevRegCPR",
        "cla_rate_10k": "LAC",
        "cla_3plus_placements_pct": "LACStable_2016on",
        "cla_long_term_stability_pct": "LAC_LongStable%",
    }
    t = comparators_table(store, 938, codes)
    assert t["year"].tolist() == ["2025"] * 5
    assert t[["england", "region", "sn_mean", "sn_median"]].notna().all().all()
    ranked = t[t["polarity"].isin(["High", "Low"])]
    assert ranked["quartile"].isin(list("ABCD")).all()
    assert (ranked["rank"] >= 1).all() and (ranked["rank"] <= ranked["rank_of"]).all()


def test_own_position_places_a_figure_among_published_ones():
    # 2025 published (lower is better): 10, 20, 30, 30, 40, 50, 60, 80 (808 missing).
    # R's quantile points: min 10, 25% 27.5, 50% 35, 75% 52.5, max 80.
    # Council 803 published 30 but now runs at 28: 27.5 < 28 <= 35 -> band B. Its rank is
    # among the OTHER councils' figures (10, 20, 30, 40, 50, 60, 80) plus 28: two are
    # better (10, 20) -> 3rd of 8.
    from pmf_lib.assess.comparators import own_position

    store = _store(polarity="Low")
    assert own_position(store, 803, "M", 28.0) == ("B", 3, 8)
    # Beyond the published range takes the end band: 5 -> A, 1st; 99 -> D, 8th.
    assert own_position(store, 803, "M", 5.0) == ("A", 1, 8)
    assert own_position(store, 803, "M", 99.0) == ("D", 8, 8)
    # A tie with 802's 20 shares the lower rank (2nd); 20 <= 27.5 -> A.
    assert own_position(store, 803, "M", 20.0) == ("A", 2, 8)
    # Higher is better mirrors the bands and the ranking: 28 -> C, 6th (80, 60, 50, 40, 30 ahead).
    assert own_position(_store(polarity="High"), 803, "M", 28.0) == ("C", 6, 8)
    # A missing figure, or a measure without polarity, has no band or rank.
    assert own_position(store, 803, "M", float("nan"))[:2] == (None, None)
    assert own_position(_store(polarity="-"), 803, "M", 28.0)[:2] == (None, None)
