"""The published demo month: every flag rule and the travel rules hold on every row.

Reads ``outputs/2026-10/kpis.parquet`` (and ``kpi_history.parquet`` for the figures the
comparisons were made against) as ``pmf run --month 2026-10`` published them, and checks
each rule of ``pmf_lib.assess.exceptions`` and ``pmf_lib.assess.travel`` on each row
independently of the code that applied them: the rules are restated here from
``docs/deviations.md`` ("Exceptions and good practice").
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pmf_lib.formatting import format_value

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = ROOT / "outputs" / "2026-10"
MONTHS_BACK = {"monthly": 1, "rolling": 1, "quarterly": 3, "annual": 12}


def _month_end(ts, months_back: int) -> pd.Timestamp:
    first = pd.Timestamp(ts).normalize().replace(day=1) - pd.DateOffset(months=months_back)
    return (first + pd.offsets.MonthEnd(0)).normalize()


@pytest.fixture(scope="module")
def published():
    kpis, history = PUBLISHED / "kpis.parquet", PUBLISHED / "kpi_history.parquet"
    if not kpis.is_file() or not history.is_file():
        pytest.skip("the demo month is not published: run `pmf run --month 2026-10`")
    rows = pd.read_parquet(kpis)
    if "previous_basis" not in rows.columns:
        pytest.skip("the published month predates cadence-aware travel: republish it")
    h = pd.read_parquet(history)
    h["period_end"] = pd.to_datetime(h["period_end"]).dt.normalize()
    values = h.set_index(["kpi_id", "window", "period_end"])["value"]
    return rows, values


def _flags(cell) -> list[str]:
    return [f for f in str(cell or "").split("; ") if f and f != "nan"]


def _rows(published):
    rows, values = published
    for r in rows.to_dict("records"):
        yield r, values


def _cadence(r) -> str:
    return r.get("cadence") or r["travel_cadence"]


def _at(values, r, when) -> float:
    return float(values.get((r["kpi_id"], r["window"], pd.Timestamp(when)), float("nan")))


def test_the_demo_month_has_flags_to_check(published):
    rows, _ = published
    # Not vacuous: the demo's built-in deterioration is flagged, and some good practice is.
    assert rows["exception"].any() and rows["good_practice"].any()
    assert set(rows["travel_cadence"]) >= {"monthly", "quarterly", "annual", "rolling"}


def test_no_row_breaks_a_flag_rule(published):
    breaches = []
    for r, values in _rows(published):
        bad, good = _flags(r["exception_flags"]), _flags(r["good_practice_flags"])
        k, prev, year = r["kpi_id"], r["previous_label"], r["year_earlier_label"]

        def breach(rule, k=k):
            breaches.append(f"{k}: {rule}")

        if bool(r["exception"]) != bool(bad) or bool(r["good_practice"]) != bool(good):
            breach("flag columns disagree")
        if bad and good:
            breach("both an exception and good practice")
        if r["polarity"] == "neutral" and (bad or good):
            breach("a flag on a neutral KPI")
        if pd.notna(r["denominator"]) and r["denominator"] < 5 and (bad or good):
            breach("a flag from a denominator below 5")
        if _cadence(r) == "annual" and (bad or good):
            last = _at(values, r, _month_end(r["period_end"], 1))
            if format_value(r["value"], r["unit"]) == format_value(last, r["unit"]):
                breach("a flag on an annual figure unchanged since last month")
        if good and prev == "Worsening" and year == "Worsening":
            breach("good practice while worsening on both")
        if prev == "Improving" and year == "Improving" and set(bad) - {"red"}:
            breach("an exception other than red while improving on both")
        if "special_cause_improvement" in good and (
            r["variation"] != "special cause improvement" or prev == "Worsening"
        ):
            breach("special cause improvement against the SPC verdict or the travel")
        if "special_cause_concern" in bad and (
            r["variation"] != "special cause concern" or prev == "Improving"
        ):
            breach("special cause concern against the SPC verdict or the travel")
        if "red" in bad and r["rag"] != "Red":
            breach("red flag without a Red rating")
        if "worsened_3_months" in bad and (prev != "Worsening" or r["months_worse"] < 3):
            breach("worse three periods running without three worsenings")
    assert breaches == []


REASONS = {
    "red": "target",
    "special_cause_concern": "noise",
    "special_cause_improvement": "noise",
    "quartile_d": "bottom quartile (D)",
    "moved_up_quartile": "moved up from quartile",
    "worsened_3_months": "running",
}


def test_every_sentence_gives_its_flags_reasons_and_the_tables_figures(published):
    breaches = []
    for r, _ in _rows(published):
        text, unit = r["sentence"], r["unit"]
        for f in _flags(r["exception_flags"]) + _flags(r["good_practice_flags"]):
            if REASONS[f] not in text:
                breaches.append(f"{r['kpi_id']}: {f} without its reason")
        # The sentence prints the figure exactly as the table does (one formatter).
        if pd.notna(r["value"]) and format_value(r["value"], unit) not in text:
            breaches.append(f"{r['kpi_id']}: value not printed as the table prints it")
        if pd.notna(r["target"]) and r["rag"] in ("Green", "Amber", "Red"):
            if "target" not in text:
                breaches.append(f"{r['kpi_id']}: target not mentioned")
    assert breaches == []


def test_every_sentence_moves_as_the_table_says(published):
    breaches = []
    for r, _ in _rows(published):
        text, label, change = r["sentence"], r["previous_label"], r["previous_change"]
        says_up = " rose " in text or ", up " in text
        says_down = " fell " in text or ", down " in text
        if label == "No change" and (says_up or says_down):
            breaches.append(f"{r['kpi_id']}: 'No change' in the table, a move in the sentence")
        if label in ("Improving", "Worsening", "Up", "Down"):
            if (change > 0 and not says_up) or (change < 0 and not says_down):
                breaches.append(f"{r['kpi_id']}: the sentence moves against the table")
    assert breaches == []


def test_travel_is_judged_on_displayed_figures_against_the_right_periods(published):
    breaches = []
    for r, values in _rows(published):
        cadence, unit, end = _cadence(r), r["unit"], pd.Timestamp(r["period_end"])
        # Previous period at the KPI's cadence: the quarter ending three months earlier for a
        # quarterly KPI (not the overlapping window a month earlier); the year for an annual.
        if pd.Timestamp(r["previous_end"]) != _month_end(end, MONTHS_BACK[cadence]):
            breaches.append(f"{r['kpi_id']}: compared with the wrong previous period")
        if pd.Timestamp(r["year_earlier_end"]) != _month_end(end, 12):
            breaches.append(f"{r['kpi_id']}: compared with the wrong year")
        for prefix, when in (
            ("previous", r["previous_end"]),
            ("year_earlier", r["year_earlier_end"]),
        ):
            earlier = _at(values, r, when)
            given = r["travel_previous_value" if prefix == "previous" else "year_earlier_value"]
            if not (pd.isna(earlier) and pd.isna(given)) and earlier != pytest.approx(given):
                breaches.append(f"{r['kpi_id']}: {prefix} figure is not the published history's")
            shown_now, shown_then = format_value(r["value"], unit), format_value(earlier, unit)
            label = r[f"{prefix}_label"]
            if pd.notna(r["value"]) and pd.notna(earlier) and shown_now == shown_then:
                if label != "No change":
                    breaches.append(f"{r['kpi_id']}: {shown_now} twice is '{label}'")
        # The assessed row's previous figure is travel's.
        if not (pd.isna(r["previous_value"]) and pd.isna(r["travel_previous_value"])):
            if r["previous_value"] != pytest.approx(r["travel_previous_value"]):
                breaches.append(f"{r['kpi_id']}: two previous figures")
    assert breaches == []
