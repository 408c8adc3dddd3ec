"""Finance KPIs (issue 16) on tiny hand-built datasets, each figure worked in a comment.

Also: the money units (a sum of pounds shown as pounds; withheld when it sums 1-4
placements), the S251 comparators of the weekly cost KPIs, and every KPI missing (not 0)
without its dataset.
"""

from __future__ import annotations

import math

import pytest

from pmf_lib.assess.disclosure import row_is_suppressed
from pmf_lib.compute.kpis._local import local_frame, local_inputs
from pmf_lib.compute.kpis.finance import above_threshold
from pmf_lib.compute.registry import KpiInputs, all_kpis
from pmf_lib.config import FinanceSettings
from pmf_lib.dates import Window
from pmf_lib.formatting import format_change, format_value

KPIS = all_kpis()
OCT = Window.of("month", "2026-10-31")
OCT_END = Window.of("snapshot", "2026-10-31")
FINANCE = sorted(k for k, v in KPIS.items() if v.meta.area == "finance")


def run(kpi_id, inputs, window):
    k = KPIS[kpi_id]
    f = k(inputs, window)
    return f, k.meta.value(f)


def budget(**cols):
    return local_inputs(budget_monitoring=local_frame("budget_monitoring", **cols))


def placements(threshold=None, **cols):
    i = local_inputs(placement_costs=local_frame("placement_costs", **cols))
    if threshold is not None:
        i.settings["finance"] = FinanceSettings(high_cost_weekly_threshold=threshold)
    return i


def test_forecast_variance_sums_the_months_lines():
    i = budget(
        month=["2026-10-31", "2026-10-15", "2026-09-30"],
        service_line=["Placements", "Staffing", "Placements"],
        budget=[200_000.0, 100_000.0, 1_000.0],
        forecast_outturn=[230_000.0, 94_000.0, 9_000.0],
    )
    # October: (230,000 + 94,000) - (200,000 + 100,000) = 24,000 over; 24,000 / 300,000 = 8%
    # (a date anywhere in October is October; September's line is another month)
    f, v = run("fin_forecast_variance_gbp", i, OCT)
    assert (f.numerator, f.denominator, v) == (24_000.0, None, 24_000.0)
    f, v = run("fin_forecast_variance_pct", i, OCT)
    assert (f.numerator, f.denominator, v) == (24_000.0, 300_000.0, 8.0)


def test_an_underspend_is_negative_and_a_line_without_a_forecast_is_left_out():
    i = budget(
        month=["2026-10-31"] * 3,
        service_line=["a", "b", "c"],
        budget=[100_000.0, 50_000.0, 70_000.0],
        forecast_outturn=[90_000.0, 49_000.0, None],
    )
    # line c has no forecast: out of both sums -> (90,000 + 49,000) - 150,000 = -11,000
    f, v = run("fin_forecast_variance_pct", i, OCT)
    assert (f.numerator, f.denominator) == (-11_000.0, 150_000.0)
    assert v == pytest.approx(-11_000 / 150_000 * 100)


def test_a_month_without_budget_lines_is_missing_not_zero():
    i = budget(month=["2026-09-30"], service_line=["a"], budget=[1.0], forecast_outturn=[2.0])
    assert math.isnan(run("fin_forecast_variance_gbp", i, OCT)[1])
    assert math.isnan(run("fin_forecast_variance_pct", i, OCT)[1])


def test_placement_spend_counts_each_day_from_the_start_to_the_day_before_the_end():
    i = placements(
        start_date=["2026-09-20", "2026-10-10", "2026-10-31", "2026-11-01", "2026-01-01"],
        end_date=["2026-10-05", None, None, None, "2026-10-01"],
        weekly_cost=[700.0, 1400.0, 7000.0, 9000.0, 350.0],
    )
    # 1-4 Oct at 100/day = 400; 10-31 Oct (22 days) at 200/day = 4,400; 31 Oct at 1,000 = 1,000;
    # one starting 1 Nov costs nothing; one ending 1 Oct has no cost on its end day -> 0
    f, v = run("fin_placement_spend_gbp", i, OCT)
    assert (f.numerator, f.denominator, v) == (5_800.0, 3, 5_800.0)


def test_placement_spend_in_the_financial_year_to_date():
    i = placements(start_date=["2026-03-25"], weekly_cost=[700.0])
    # from 1 April to 31 October 2026: 214 days at 100 = 21,400 (March's days are last year's)
    f, _ = run("fin_placement_spend_gbp", i, Window.of("fytd", "2026-10-31"))
    assert f.numerator == pytest.approx(21_400.0)


def test_spend_per_child_divides_by_the_children_costing_in_the_window():
    i = placements(
        child_id=["A", "A", "B", "C"],
        start_date=["2026-10-01", "2026-10-11", "2026-10-01", "2026-11-01"],
        end_date=["2026-10-11", None, None, None],
        weekly_cost=[700.0, 1400.0, 350.0, 700.0],
    )
    # A: 10 days at 100 + 21 days at 200 = 5,200; B: 31 days at 50 = 1,550; C starts in
    # November -> 6,750 over 2 children = 3,375
    f, v = run("fin_spend_per_cla_gbp", i, OCT)
    assert (f.numerator, f.denominator, v) == (6_750.0, 2, 3_375.0)


def test_average_weekly_cost_by_type_group_at_the_period_end():
    i = placements(
        placement_type=["U1", "U6", "K2", "K1", "H5", "P1", "K2"],
        start_date=["2026-01-01"] * 6 + ["2026-11-01"],
        weekly_cost=[300.0, 900.0, 6_000.0, 9_000.0, 1_500.0, 0.0, 5_000.0],
    )
    # open on 31 Oct: all but the last K2 (starts 1 Nov)
    # all: (300 + 900 + 6,000 + 9,000 + 1,500 + 0) / 6 = 2,950
    # fostering U1, U6: 1,200 / 2 = 600; children's homes K1, K2: 15,000 / 2 = 7,500;
    # supported H5: 1,500 / 1
    expected = {
        "fin_weekly_cost_all_gbp": (17_700.0, 6, 2_950.0),
        "fin_weekly_cost_fostering_gbp": (1_200.0, 2, 600.0),
        "fin_weekly_cost_residential_gbp": (15_000.0, 2, 7_500.0),
        "fin_weekly_cost_supported_gbp": (1_500.0, 1, 1_500.0),
    }
    for kpi_id, want in expected.items():
        f, v = run(kpi_id, i, OCT_END)
        assert (f.numerator, f.denominator, v) == want, kpi_id


def test_a_placement_without_a_weekly_cost_is_left_out_not_costed_at_zero():
    i = placements(
        placement_type=["U4", "U4"], start_date=["2026-01-01"] * 2, weekly_cost=[800.0, None]
    )
    # the second has no readable cost: out of numerator and denominator -> 800 / 1
    assert run("fin_weekly_cost_fostering_gbp", i, OCT_END)[1] == 800.0


def test_share_above_the_threshold_is_strictly_above():
    i = placements(
        threshold=5_000,
        start_date=["2026-01-01"] * 5,
        end_date=[None, None, None, None, "2026-10-31"],
        weekly_cost=[5_000.0, 5_000.01, 12_000.0, 400.0, 20_000.0],
    )
    # open on 31 Oct: four (the fifth ended that day); above 5,000: 5,000.01 and 12,000 -> 2/4
    f, v = run("fin_high_cost_pct", i, OCT_END)
    assert (f.numerator, f.denominator, v) == (2, 4, 50.0)
    assert above_threshold(i.local["placement_costs"]["weekly_cost"], 5_000).tolist() == [
        False,
        True,
        True,
        False,
        True,
    ]


def test_without_a_threshold_the_share_is_missing():
    i = placements(start_date=["2026-01-01"], weekly_cost=[9_000.0])
    assert math.isnan(run("fin_high_cost_pct", i, OCT_END)[1])


@pytest.mark.parametrize("kpi_id", FINANCE)
def test_every_finance_kpi_is_missing_without_its_dataset(kpi_id):
    k = KPIS[kpi_id]
    window = Window.of(k.meta.windows[0], "2026-10-31")
    assert math.isnan(k.meta.value(k(KpiInputs(), window)))


def test_the_finance_kpis():
    assert FINANCE == sorted(
        [
            "fin_forecast_variance_gbp",
            "fin_forecast_variance_pct",
            "fin_placement_spend_gbp",
            "fin_spend_per_cla_gbp",
            "fin_weekly_cost_all_gbp",
            "fin_weekly_cost_fostering_gbp",
            "fin_weekly_cost_residential_gbp",
            "fin_weekly_cost_supported_gbp",
            "fin_high_cost_pct",
        ]
    )


def test_weekly_costs_have_their_s251_comparators():
    comparators = {k: KPIS[k].meta.comparator for k in FINANCE if KPIS[k].meta.comparator}
    assert comparators == {
        "fin_weekly_cost_all_gbp": "LACFinance",
        "fin_weekly_cost_fostering_gbp": "FosteringFinance",
        "fin_weekly_cost_residential_gbp": "RescareFinance",
    }


def test_money_is_shown_in_pounds():
    assert format_value(5_171_381.4, "gbp") == "£5,171,381"
    assert format_value(-9_492.0, "gbp") == "-£9,492"
    assert format_value(1_603.49, "gbp_mean") == "£1,603"
    assert format_change(92_292.0, "gbp") == "+£92,292"
    assert format_change(-15_255.0, "gbp") == "-£15,255"


def test_a_sum_over_one_to_four_placements_is_withheld():
    # spend summed over 3 placements would let them be identified: withheld; over 5 it is shown;
    # the forecast variance sums no placements (no denominator) and is shown; an average weekly
    # cost over 4 placements is withheld; a large sum of pounds is never "a count of 1-4"
    assert row_is_suppressed(25_000.0, 3, "gbp") is True
    assert row_is_suppressed(25_000.0, 5, "gbp") is False
    assert row_is_suppressed(3.0, None, "gbp") is False
    assert row_is_suppressed(24_000.0, 4, "gbp_mean") is True
    assert KPIS["fin_placement_spend_gbp"].meta.value(
        KPIS["fin_placement_spend_gbp"](
            placements(start_date=["2026-10-01"], weekly_cost=[700.0]), OCT
        )
    ) == pytest.approx(3_100.0)  # a total: its value is the pounds, not pounds per placement
