"""Children-looked-after KPIs on tiny hand-built SSDA903 tables."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from pmf_lib.compute.kpis import children_looked_after as cl
from pmf_lib.compute.registry import Figure
from pmf_lib.dates import Window

PE = Window.of("snapshot", "2025-03-31")


def ep(child, decom, dec=None, rne="P", ls="C2"):
    return {"CHILD": child, "DECOM": decom, "DEC": dec, "RNE": rne, "LS": ls}


def hd(child, dob):
    return {"CHILD": child, "DOB": dob}


def test_cla_count_half_open_episodes_and_short_breaks(build):
    inputs = build.cla(
        population={2025: 50_000},
        episodes=[
            ep("1", "2024-01-01", rne="S"),  # open: counts
            ep("2", "2024-01-01", rne="S", ls="V3"),  # only a short break open: not looked after
            ep("3", "2024-01-01", "2025-03-31", rne="S"),  # ceased on period_end: not counted
            ep("4", "2024-01-01", "2025-04-01", rne="S"),  # ceases the day after: counts
            ep("5", "2025-03-31", rne="S"),  # starts on period_end: counts
            ep("6", "2025-04-01", rne="S"),  # starts the day after: not counted
            ep("7", "2023-01-01", "2024-01-01", rne="S"),
            ep("7", "2025-01-01", rne="S", ls="V4"),
            # 7: the C2 episode ended; only a V4 short break open -> not looked after
            ep("8", "2024-01-01", rne="S"),
            ep("8", "2024-06-01", rne="P"),  # two open rows: once
            ep("9", "2024-01-01", rne="S", ls="V3"),
            ep("9", "2024-02-01", rne="S", ls="C2"),
            # 9: a care order episode open beside a short break -> counts
        ],
    )
    # children 1, 4, 5, 8, 9
    assert cl.cla_count(inputs, PE) == Figure(5)
    fig = cl.cla_rate_10k(inputs, PE)
    assert fig == Figure(5, 50_000.0)
    assert cl.cla_rate_10k.meta.value(fig) == 1.0  # 5 / 50,000 * 10,000


def test_three_plus_placements(build):
    # 12 months ending 2025-03-31 start on 2024-04-01; an episode overlaps when
    # DECOM <= 2025-03-31 and (DEC empty or DEC > 2024-04-01).
    inputs = build.cla(
        episodes=[
            # child 1: the S episode ends on 2024-04-01 (the first day) so it does not overlap;
            # then three P episodes overlap -> 3 placements -> counts
            ep("1", "2023-01-01", "2024-04-01", "S"),
            ep("1", "2024-04-01", "2024-08-01", "P"),
            ep("1", "2024-08-01", "2024-12-01", "P"),
            ep("1", "2024-12-01", None, "P"),
            # child 2: the S episode ends 2024-04-02 so it overlaps (first); the L episode is a
            # legal-status change only; then one P -> 2 placements -> does not count
            ep("2", "2023-01-01", "2024-04-02", "S"),
            ep("2", "2024-04-02", "2024-10-01", "L"),
            ep("2", "2024-10-01", None, "P"),
            # child 3: the first overlapping episode has RNE L but always counts; then two P -> 3
            ep("3", "2024-01-01", "2024-06-01", "L"),
            ep("3", "2024-06-01", "2024-09-01", "P"),
            ep("3", "2024-09-01", None, "P"),
            # child 4: a V3 short-break episode never counts -> S + P = 2
            ep("4", "2024-05-01", "2024-06-01", "P", ls="V3"),
            ep("4", "2024-06-01", "2024-09-01", "S"),
            ep("4", "2024-09-01", None, "P"),
            # child 5: 3 placements but ceased on period_end -> not in the denominator
            ep("5", "2024-05-01", "2024-06-01", "S"),
            ep("5", "2024-06-01", "2024-07-01", "P"),
            ep("5", "2024-07-01", "2025-03-31", "P"),
        ]
    )
    # denominator 1, 2, 3, 4; numerator 1, 3
    assert cl.cla_3plus_placements_pct(inputs, PE) == Figure(2, 4)


def test_three_plus_placements_leap_day_window_start(build):
    # period_end 2025-02-28: minus 12 calendar months plus one day is 2024-02-29, so an episode
    # ending on 2024-03-01 (DEC > 2024-02-29) overlaps: S + P + P = 3 placements.
    inputs = build.cla(
        episodes=[
            ep("1", "2023-06-01", "2024-03-01", "S"),
            ep("1", "2024-03-01", "2024-06-01", "P"),
            ep("1", "2024-06-01", None, "P"),
            # child 2: the S episode ends on 2024-02-29, the first day: no overlap -> 2 placements
            ep("2", "2023-06-01", "2024-02-29", "S"),
            ep("2", "2024-02-29", "2024-06-01", "P"),
            ep("2", "2024-06-01", None, "P"),
        ]
    )
    assert cl.cla_3plus_placements_pct(inputs, Window.of("snapshot", "2025-02-28")) == Figure(1, 2)


def test_long_term_stability(build):
    # period_end 2025-03-31: 30 months before is 2022-09-30, 24 months before is 2023-03-31;
    # aged under 16 means the 16th birthday is after 2025-03-31 (DOB after 2009-03-31).
    inputs = build.cla(
        header=[
            hd("1", "2009-04-01"),
            hd("2", "2009-03-31"),
            hd("3", "2012-01-01"),
            hd("4", "2012-01-01"),
            hd("5", "2012-01-01"),
            hd("6", "2012-01-01"),
            hd("8", "2012-01-01"),
            hd("9", "2012-01-01"),
        ],
        episodes=[
            # 1: 16th birthday 2025-04-01 (under 16); in care since exactly 30 months;
            # same placement since then (>= 2 years) -> numerator and denominator
            ep("1", "2022-09-30", None, "S"),
            # 2: 16 on period_end -> not under 16 -> left out
            ep("2", "2020-01-01", None, "S"),
            # 3: in care one day short of 2.5 years -> left out
            ep("3", "2022-10-01", None, "S"),
            # 4: long term; placement began 2023-04-01, a day short of 2 years -> denominator only
            ep("4", "2020-01-01", "2023-04-01", "S"),
            ep("4", "2023-04-01", None, "P"),
            # 5: placement from exactly 2 years; a later L episode keeps the same placement
            ep("5", "2020-01-01", "2023-03-31", "S"),
            ep("5", "2023-03-31", "2024-06-01", "P"),
            ep("5", "2024-06-01", None, "L"),
            # 6: an old period of care, then a new one from 2023 (latest S) -> left out
            ep("6", "2015-01-01", "2016-01-01", "S"),
            ep("6", "2023-01-01", None, "S"),
            # 7: no date of birth in the header -> left out
            ep("7", "2015-01-01", None, "S"),
            # 8: a V3 short-break episode with RNE P does not change placement -> stable
            ep("8", "2020-01-01", None, "S"),
            ep("8", "2024-06-01", "2024-06-03", "P", ls="V3"),
            # 9: the records hold no S episode (care began before them): from the earliest
            # episode, 2019-06-01 -> long term and stable
            ep("9", "2019-06-01", None, "P"),
        ],
    )
    # denominator 1, 4, 5, 8, 9; numerator 1, 5, 8, 9
    assert cl.cla_long_term_stability_pct(inputs, PE) == Figure(4, 5)


def test_cla_percentages_empty_denominator_is_missing(build):
    inputs = build.cla(episodes=[ep("1", "2020-01-01", "2021-01-01", "S")])
    for k in (cl.cla_3plus_placements_pct, cl.cla_long_term_stability_pct):
        fig = k(inputs, PE)
        assert fig == Figure(0, 0) and math.isnan(k.meta.value(fig))


BASE = pd.Timestamp("2021-01-01")


@st.composite
def episode_rows(draw):
    """Per child, a chain of contiguous episodes (the last maybe open)."""
    rows, headers = [], []
    for child in draw(st.lists(st.sampled_from("123456"), unique=True, max_size=6)):
        start = BASE + pd.Timedelta(days=draw(st.integers(0, 800)))
        headers.append(hd(child, start - pd.Timedelta(days=draw(st.integers(0, 6000)))))
        n = draw(st.integers(1, 5))
        for i in range(n):
            length = (
                draw(st.one_of(st.none(), st.integers(1, 400)))
                if i == n - 1
                else draw(st.integers(1, 400))
            )
            end = None if length is None else start + pd.Timedelta(days=length)
            rows.append(
                ep(
                    child,
                    start,
                    end,
                    draw(st.sampled_from(["S", "P", "L", "B"])),
                    draw(st.sampled_from(["C2", "C2", "V3", "E1"])),
                )
            )
            if end is None:
                break
            start = end
    return rows, headers


CLA_KPIS = (cl.cla_count, cl.cla_3plus_placements_pct, cl.cla_long_term_stability_pct)


@settings(max_examples=20, deadline=None)
@given(
    data=episode_rows(),
    end=st.sampled_from(["2023-02-28", "2024-02-29", "2024-03-31"]),
    seed=st.integers(0, 2**16),
)
def test_cla_properties(build, data, end, seed):
    rows, headers = data
    window = Window.of("snapshot", end)
    inputs = build.cla(episodes=rows, header=headers)
    figs = [k(inputs, window) for k in CLA_KPIS]
    for k, fig in zip(CLA_KPIS[1:], figs[1:], strict=True):
        assert 0 <= fig.numerator <= fig.denominator <= figs[0].numerator
        value = k.meta.value(fig)
        assert math.isnan(value) if fig.denominator == 0 else 0 <= value <= 100
    shuffled = build.cla(episodes=rows, header=headers)
    shuffled.cla.tables["episodes"] = shuffled.cla.episodes.sample(frac=1, random_state=seed)
    assert [k(shuffled, window) for k in CLA_KPIS] == figs
    # an episode starting after period_end changes nothing
    later = build.cla(
        episodes=[*rows, ep("1", window.end + pd.Timedelta(days=1), rne="S")], header=headers
    )
    assert [k(later, window) for k in CLA_KPIS] == figs


# ---- wider catalogue ---------------------------------------------------------------
MARCH = Window.of("month", "2025-03-31")
YEAR = Window.of("rolling_12m", "2025-03-31")


def test_started_and_ceased(build):
    inputs = build.cla(
        population={2024: 20_000},
        episodes=[
            ep("1", "2025-03-01", rne="S"),  # started on the month's first day
            ep("2", "2025-03-10", rne="S", ls="V3"),  # short break: not a start
            ep("3", "2024-04-01", "2025-03-31", rne="S") | {"REC": "E13"},  # start + cease
            ep("4", "2024-01-01", "2025-03-05", rne="S") | {"REC": "X1"},  # moves on
            ep("4", "2025-03-05", None, rne="P"),
            ep("5", "2024-03-31", "2024-05-01", rne="S") | {"REC": "E4A"},  # started before
            ep("5", "2024-06-01", None, rne="S"),  # ... and a new period of care
        ],
    )
    # March starts: 1 -> 1; 12-month starts: 1, 3, 5 (2024-06-01) -> 3
    assert cl.cla_started_count(inputs, MARCH) == Figure(1)
    assert cl.cla_started_rate_10k(inputs, YEAR) == Figure(3, 20_000.0)
    # March ceased: 3 (X1 is not ceasing) -> 1; 12 months: 3, 5 -> 2
    assert cl.cla_ceased_count(inputs, MARCH) == Figure(1)
    assert cl.cla_ceased_rate_10k(inputs, YEAR) == Figure(2, 20_000.0)


def test_uasc_and_foster(build):
    inputs = build.cla(
        episodes=[
            ep("1", "2024-01-01", rne="S") | {"PLACE": "U1"},
            ep("2", "2024-01-01", "2024-06-01", rne="S") | {"PLACE": "K2"},
            ep("2", "2024-06-01", rne="P") | {"PLACE": "U4"},  # current placement: foster
            ep("3", "2024-01-01", rne="S") | {"PLACE": "R1"},
            ep("4", "2024-01-01", rne="S") | {"PLACE": "H5"},
        ],
        uasc=[
            {"CHILD": "1", "DUC": "2026-01-01"},  # UASC until 2026
            {"CHILD": "3", "DUC": "2025-03-31"},  # ceased to be UASC on period_end
            {"CHILD": "9", "DUC": None},  # not looked after
        ],
    )
    # 4 children looked after; UASC: 1 -> 1/4; foster (U1-U6): 1, 2 -> 2/4
    assert cl.cla_uasc_count(inputs, PE) == Figure(1)
    assert cl.cla_uasc_pct(inputs, PE) == Figure(1, 4)
    assert cl.cla_foster_pct(inputs, PE) == Figure(2, 4)


def test_missing_and_away(build):
    inputs = build.cla(
        episodes=[
            ep("1", "2024-01-01", rne="S"),
            ep("2", "2023-01-01", "2024-04-02", rne="S") | {"REC": "E4A"},  # in care 1 Apr
            ep("3", "2023-01-01", "2024-04-01", rne="S") | {"REC": "E4A"},  # left before
            ep("4", "2024-05-01", "2024-06-01", rne="S", ls="V4") | {"REC": "E4A"},  # short break
        ],
        missing=[
            {"CHILD": "1", "MISSING": "M", "MIS_START": "2024-04-01"},  # missing: counts
            {"CHILD": "1", "MISSING": "M", "MIS_START": "2024-09-01"},  # child 1 once
            {"CHILD": "2", "MISSING": "a", "MIS_START": "2024-04-01"},  # away (any case)
            {"CHILD": "3", "MISSING": "M", "MIS_START": "2024-04-01"},  # not in the cohort
            {"CHILD": "4", "MISSING": "M", "MIS_START": "2024-05-10"},  # not in the cohort
            {"CHILD": "2", "MISSING": "M", "MIS_START": "2024-03-31"},  # before the window
        ],
    )
    # looked after in the 12 months: 1, 2 -> missing: 1 -> 1/2; away: 2 -> 1/2
    assert cl.cla_missing_pct(inputs, YEAR) == Figure(1, 2)
    assert cl.cla_away_pct(inputs, YEAR) == Figure(1, 2)


def test_oc2_health(build):
    def row(child, ha, teeth, imm, year=2025):
        return {
            "CHILD": child,
            "HEALTH_ASSESSMENT": ha,
            "TEETH_CHECK": teeth,
            "IMMUNISATIONS": imm,
            "collection_year": year,
        }

    inputs = build.cla(
        oc2=[
            row("1", "1", "1", "0"),
            row("2", "0", "1", "1"),
            row("3", None, None, None),  # not in the 12-month cohort (blank): left out
            row("4", "1", "0", "1"),
            row("5", "0", "0", "0", year=2024),  # the previous return
        ]
    )
    pe = Window.of("snapshot", "2025-03-31")
    # 2025 cohort 1, 2, 4: health assessment 1, 4 -> 2/3; dental 1, 2 -> 2/3; imms 2, 4 -> 2/3
    assert cl.cla_health_assessment_pct(inputs, pe) == Figure(2, 3)
    assert cl.cla_dental_check_pct(inputs, pe) == Figure(2, 3)
    assert cl.cla_immunisations_pct(inputs, pe) == Figure(2, 3)
    # in February 2025 the 2024 return applies: child 5 -> 0/1
    assert cl.cla_health_assessment_pct(inputs, Window.of("snapshot", "2025-02-28")) == Figure(0, 1)


# ---- OC2 cohorts read from several years of returns ----------------------------
OC2_HEAD = "CHILD,DOB,HEALTH_ASSESSMENT,TEETH_CHECK,IMMUNISATIONS\n"
OC2_YEARS = {
    # C1 and C2 are in the 2024 and 2025 cohorts; C1 again in 2026.
    2024: "C1,01/01/2015,1,1,1\nC2,01/01/2012,0,1,0\nC3,01/01/2010,1,0,1\n",
    2025: "C1,01/01/2015,0,1,1\nC2,01/01/2012,1,1,1\n",
    2026: "C1,01/01/2015,1,1,1\nC4,01/01/2016,1,0,1\n",
}


def _oc2_returns(tmp_path, years):
    from pmf_lib.compute.registry import KpiInputs
    from pmf_lib.read.ssda903 import read_ssda903

    files = []
    for y in years:
        f = tmp_path / str(y) / "oc2.csv"
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(OC2_HEAD + OC2_YEARS[y])
        files.append(f)
    return KpiInputs(cla=read_ssda903(files))


def _oc2_kpis():
    from pmf_lib.compute.registry import all_kpis

    return {k: v for k, v in all_kpis().items() if "OC2" in v.meta.source}


def test_oc2_each_year_keeps_its_cohort(tmp_path):
    inputs = _oc2_returns(tmp_path, [2024, 2025])
    # 31/03/2024 - 28/02/2025: the 2024 cohort C1, C2, C3 (C1 and C2 also in 2025 stay
    # in 2024): health assessment C1, C3 -> 2/3. Merged on CHILD alone it was C3 -> 1/1.
    assert cl.cla_health_assessment_pct(inputs, Window.of("snapshot", "2024-03-31")) == Figure(2, 3)
    assert cl.cla_health_assessment_pct(inputs, Window.of("snapshot", "2025-02-28")) == Figure(2, 3)
    # 31/03/2025 on: the 2025 cohort C1, C2: health assessment C2 -> 1/2; dental 2/2
    mar25 = Window.of("snapshot", "2025-03-31")
    assert cl.cla_health_assessment_pct(inputs, mar25) == Figure(1, 2)
    assert cl.cla_dental_check_pct(inputs, mar25) == Figure(2, 2)
    # before the first return's year ended: no cohort, an empty denominator
    assert cl.cla_immunisations_pct(inputs, Window.of("snapshot", "2024-02-29")) == Figure(0, 0)


def test_oc2_a_later_return_leaves_every_earlier_figure_unchanged(tmp_path):
    # Every OC2 KPI at every month end from April 2023 to February 2026, on the 2024 and
    # 2025 returns, then again once the 2026 return (C1 again, and C4) is added: the same
    # figures. From 31/03/2026 the 2026 cohort applies: health assessment C1, C4 -> 2/2.
    before = _oc2_returns(tmp_path / "a", [2024, 2025])
    after = _oc2_returns(tmp_path / "b", [2024, 2025, 2026])
    ends = pd.date_range("2023-04-30", "2026-02-28", freq=pd.offsets.MonthEnd())
    kpis = _oc2_kpis()
    assert {"cla_health_assessment_pct", "cla_dental_check_pct"} <= set(kpis)
    for kid, k in kpis.items():
        for end in ends:
            for w in k.meta.windows:
                window = Window.of(w, end)
                assert k(after, window) == k(before, window), (kid, end.date(), w)
    mar26 = Window.of("snapshot", "2026-03-31")
    assert cl.cla_health_assessment_pct(after, mar26) == Figure(2, 2)
    assert cl.cla_health_assessment_pct(before, mar26) == Figure(1, 2)  # still 2025
