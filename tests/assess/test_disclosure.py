"""The one suppression decision (pmf_lib.assess.disclosure), on tiny hand-built tables.

Each test names a way a members' report could let a count of 1 to 4 be worked
out, builds the smallest tables that show it, and checks the published view
closes it. The expected visible/hidden cells are worked out in the comments.
"""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from pmf_lib.assess.disclosure import (
    KEPT_WHEN_WITHHELD,
    Disclosure,
    published_tables,
    row_is_suppressed,
    suppress_breakdowns,
    suppress_counts,
)
from pmf_lib.compute.registry import KpiMeta

NAN = float("nan")
SEP, OCT = pd.Timestamp("2026-09-30"), pd.Timestamp("2026-10-31")


def meta(kid: str, unit: str, area: str = "front_door", windows=("month",)) -> KpiMeta:
    return KpiMeta(
        id=kid,
        title=kid.replace("_", " ").capitalize(),
        area=area,
        unit=unit,
        polarity="lower_is_better",
        windows=windows,
        source="test",
        definition="d",
        numerator="n",
        denominator=None if unit == "count" else "d",
    )


def hist(kid: str, rows, window: str = "month") -> pd.DataFrame:
    """rows: (period_end, value, numerator, denominator)."""
    return pd.DataFrame(
        [(kid, e, window, v, n, d) for e, v, n, d in rows],
        columns=["kpi_id", "period_end", "window", "value", "numerator", "denominator"],
    )


def assessed_row(m: KpiMeta, value, numerator, denominator, **extra) -> dict:
    """An assessed row for October as assess writes it (every column a report reads)."""
    row = {
        "kpi_id": m.id,
        "title": m.title,
        "area": m.area,
        "unit": m.unit,
        "polarity": m.polarity,
        "period_end": OCT,
        "window": "month",
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "previous_value": NAN,
        "rolling_12m_value": NAN,
        "target": NAN,
        "amber_tolerance": NAN,
        "rag": "No target",
        "months_off_target": 0,
        "months_worse": 0,
        "spc_mean": NAN,
        "spc_upper": NAN,
        "spc_lower": NAN,
        "variation": "common cause",
        "assurance": None,
        "exception": False,
        "exception_flags": "",
        "good_practice": False,
        "good_practice_flags": "",
        "sentence": f"{m.title} was {value} in October 2026.",
        "travel_window": "month",
        "travel_period_end": OCT,
        "travel_value": value,
        "previous_end": SEP,
        "travel_previous_value": NAN,
        "previous_label": None,
        "previous_symbol": None,
        "previous_change": NAN,
        "year_earlier_end": pd.Timestamp("2025-10-31"),
        "year_earlier_value": NAN,
        "year_earlier_label": None,
        "year_earlier_symbol": None,
        "year_earlier_change": NAN,
        "england": 21.0,
        "quartile": None,
        "rank": NAN,
        "rank_of": NAN,
        "dq_confidence": "High",
    }
    row.update(extra)
    return row


def test_issue_case_withheld_percentage_hides_rag_direction_quartile_and_denominator():
    # The probe's case: re-referrals 3 of 13 = 23.1% against a 22.0% target (tolerance
    # 2 points: Amber), worsening from 20.0% (4 of 20 in September: also withheld), quartile
    # C. Shown, "Amber" says 22 < x <= 24, and with 13 referrals only 3/13 = 23.1% fits.
    # Published: value, numerator, denominator, RAG, direction, change, quartile, rank,
    # SPC and sentence are all blank; the target and England's figure (not worked out
    # from ours) stay.
    m = meta("rereferrals_pct", "percent")
    h = hist("rereferrals_pct", [(SEP, 20.0, 4.0, 20.0), (OCT, 100 * 3 / 13, 3.0, 13.0)])
    a = pd.DataFrame(
        [
            assessed_row(
                m,
                100 * 3 / 13,
                3.0,
                13.0,
                target=22.0,
                amber_tolerance=2.0,
                rag="Amber",
                previous_value=20.0,
                previous_label="Worsening",
                previous_symbol="↑",
                previous_change=3.1,
                quartile="C",
                rank=101,
                rank_of=152,
                variation="special cause concern",
                assurance="hit and miss",
                spc_mean=21.0,
                spc_upper=30.0,
                spc_lower=12.0,
                exception=True,
                exception_flags="special_cause_concern",
                sentence="Re-referrals rose to 23.1% in October 2026, just above the 22% target.",
            )
        ]
    )
    p = published_tables(h, a, None, {m.id: m})
    r = p.assessed.iloc[0]
    assert bool(r["suppressed"])
    for col in ("value", "numerator", "denominator", "previous_value", "previous_change", "rank"):
        assert math.isnan(r[col]), col
    for col in ("rag", "previous_label", "previous_symbol", "quartile", "variation", "assurance"):
        assert r[col] is None, col
    assert not r["exception"] and not r["exception_flags"]
    assert r["target"] == 22.0 and r["england"] == 21.0
    assert "23.1" not in r["sentence"] and "withheld" in r["sentence"]
    # Every column not on the kept list is blank.
    for col in (
        set(a.columns) - set(KEPT_WHEN_WITHHELD) - {"exception", "good_practice", "sentence"}
    ):
        v = r[col]
        assert v is None or (isinstance(v, float) and math.isnan(v)) or v == "", col
    # The history keeps neither October's figure nor its denominator of 13.
    oct_row = p.history[p.history["period_end"] == OCT].iloc[0]
    assert bool(oct_row["suppressed"]) and math.isnan(oct_row["denominator"])


def test_complement_of_one_to_four_withholds_a_percentage():
    # 47 of 50 = 94%: the 3 not counted would be known. 45 of 50: 5 not counted, shown.
    assert row_is_suppressed(47, 50, "percent")
    assert not row_is_suppressed(45, 50, "percent")


def test_shown_figure_loses_change_and_direction_against_a_withheld_month():
    # Referrals: 3 in September (withheld), 12 in October (shown). "Up 9" beside 12
    # would state September's 3, so the change, direction, previous value and the
    # "rose" in the sentence go; October's 12 stays.
    m = meta("referrals_count", "count")
    h = hist("referrals_count", [(SEP, 3.0, 3.0, NAN), (OCT, 12.0, 12.0, NAN)])
    a = pd.DataFrame(
        [
            assessed_row(
                m,
                12.0,
                12.0,
                NAN,
                previous_value=3.0,
                travel_previous_value=3.0,
                previous_label="Up",
                previous_symbol="↑",
                previous_change=9.0,
                months_worse=1,
                sentence="Referrals count rose to 12 in October 2026.",
            )
        ]
    )
    r = published_tables(h, a, None, {m.id: m}).assessed.iloc[0]
    assert not r["suppressed"] and r["value"] == 12.0
    assert math.isnan(r["previous_value"]) and math.isnan(r["previous_change"])
    assert r["previous_label"] is None and r["previous_symbol"] is None
    assert r["sentence"] == "Referrals count was 12 in October 2026."


def test_run_flags_spc_figures_and_rolling_figure_that_reach_back_to_a_withheld_month():
    # Percent KPI shown in October (40 of 50 = 80%), but August was 2 of 40 (withheld).
    # "Worse three months running" states August's direction; the SPC mean of the
    # series times its points minus the shown points would state August's figure;
    # the rolling 12 months minus the shown months likewise. All three go: the
    # exception (its only flag) goes with its flag; the sentence loses its SPC clause.
    aug = pd.Timestamp("2026-08-31")
    m = meta("p_pct", "percent", windows=("month", "rolling_12m"))
    h = pd.concat(
        [
            hist(
                "p_pct", [(aug, 5.0, 2.0, 40.0), (SEP, 70.0, 35.0, 50.0), (OCT, 80.0, 40.0, 50.0)]
            ),
            hist("p_pct", [(OCT, 60.0, 300.0, 500.0)], window="rolling_12m"),
        ]
    )
    a = pd.DataFrame(
        [
            assessed_row(
                m,
                80.0,
                40.0,
                50.0,
                previous_value=70.0,
                previous_change=10.0,
                previous_label="Worsening",
                months_worse=3,
                exception=True,
                exception_flags="worsened_3_months",
                spc_mean=51.7,
                spc_upper=90.0,
                spc_lower=10.0,
                rolling_12m_value=60.0,
                sentence="P pct rose for the third month running, to 80.0% in October 2026; "
                "it is within the expected range of 10.0% to 90.0%, common cause variation.",
            )
        ]
    )
    p = published_tables(h, a, None, {m.id: m})
    r = p.assessed.iloc[0]
    assert not r["suppressed"] and r["value"] == 80.0
    assert r["previous_change"] == 10.0  # September (35 of 50) is shown: its change stays
    assert not r["exception"] and r["exception_flags"] == ""
    assert all(math.isnan(r[c]) for c in ("spc_mean", "spc_upper", "spc_lower", "months_worse"))
    assert math.isnan(r["rolling_12m_value"])
    # September is shown, so "rose" may stay; the run and the SPC range may not.
    assert "rose" in r["sentence"] and "third month" not in r["sentence"]
    assert "expected range" not in r["sentence"] and "90.0" not in r["sentence"]
    # Only the charted (month) series is published: no rolling 12 months to subtract from.
    assert set(p.history["window"]) == {"month"}
    assert p.history["suppressed"].tolist() == [True, False, False]


def test_breakdown_cells_shares_and_sums_of_withheld_groups():
    # Children by sex, total 40: Boys 31, Girls 3, Unknown 6. Girls is withheld; 40 - 31 - 6
    # would state it, so the smallest other group (Unknown 6) goes too: hidden sum 9.
    # By team: A 1, B 2, C 6, D 31: 1 + 2 = 3 hidden would still be 40 - 37, so C goes.
    # Shares of hidden cells go; group numerators/denominators are never published.
    m = meta("cla_count", "count", windows=("snapshot",))
    rows = [("sex", g, v) for g, v in (("Boys", 31), ("Girls", 3), ("Unknown", 6))]
    rows += [("team", g, v) for g, v in (("A", 1), ("B", 2), ("C", 6), ("D", 31))]
    b = pd.DataFrame(
        [("cla_count", OCT, "snapshot", d, g, float(v), float(v), NAN) for d, g, v in rows],
        columns=[
            "kpi_id",
            "period_end",
            "window",
            "dimension",
            "group",
            "value",
            "numerator",
            "denominator",
        ],
    )
    s = suppress_breakdowns(b, {m.id: m})
    assert s["suppressed"].tolist() == [False, True, True, True, True, True, False]
    assert s.loc[0, "value"] == 31.0 and round(s.loc[0, "share"], 1) == 77.5
    assert s.loc[s["suppressed"], ["value", "share"]].isna().all().all()
    assert s[["numerator", "denominator"]].isna().all().all()


def test_a_percentage_by_team_withholds_a_second_team_when_the_rest_would_state_one():
    # Caseloads over the threshold by team (W's case): A 2 of 10, B 12 of 40, C 30 of 80,
    # all teams' figures 44 of 130 shown as the KPI's own. A is withheld (2 is small), but
    # B's and C's percentages times their case holders (published as a count by team)
    # give 12 and 30, and 44 - 12 - 30 = 2 would state A's: so B (smallest denominator of
    # the shown) is withheld too: 14 of 50 hidden, nothing small left to work out.
    m = meta("over_threshold_pct", "percent", windows=("snapshot",))
    b = pd.DataFrame(
        {
            "kpi_id": m.id,
            "period_end": OCT,
            "window": "snapshot",
            "dimension": "team",
            "group": ["A", "B", "C"],
            "value": [20.0, 30.0, 37.5],
            "numerator": [2.0, 12.0, 30.0],
            "denominator": [10.0, 40.0, 80.0],
        }
    )
    s = suppress_breakdowns(b, {m.id: m})
    assert s["suppressed"].tolist() == [True, True, False]
    # With A at 5 of 10 (5 counted, 5 not: neither small) no team is withheld, and
    # nothing more is.
    shown = b.assign(numerator=[5.0, 12.0, 30.0], value=[50.0, 30.0, 37.5])
    assert suppress_breakdowns(shown, {m.id: m})["suppressed"].tolist() == [False] * 3


def test_breakdown_of_a_withheld_figure_is_withheld_whole():
    # The KPI's own October figure is 3 (withheld): its breakdown (Boys 3, Girls 0) would
    # show 3 in "Boys" or, with zeros shown, sum to it. Every cell goes.
    m = meta("adopted_count", "count")
    h = hist("adopted_count", [(OCT, 3.0, 3.0, NAN)])
    b = pd.DataFrame(
        {
            "kpi_id": "adopted_count",
            "period_end": OCT,
            "window": "month",
            "dimension": "sex",
            "group": ["Boys", "Girls"],
            "value": [3.0, 0.0],
            "numerator": [3.0, 0.0],
            "denominator": NAN,
        }
    )
    a = pd.DataFrame([assessed_row(m, 3.0, 3.0, NAN)])
    # A rolling 12 months breakdown (not the charted window) would give another way in.
    b = pd.concat([b, b.assign(window="rolling_12m", value=[30.0, 8.0])])
    p = published_tables(h, a, b, {m.id: m})
    assert set(p.breakdowns["window"]) == {"month"}
    assert p.breakdowns["suppressed"].all() and p.breakdowns["value"].isna().all()


def test_threshold_and_wording_come_from_the_rule():
    # A council suppressing 1-5: a count of 5 is withheld, 6 is shown; the wording follows.
    rules = Disclosure(max_count=5)
    assert rules.text == "suppressed (fewer than 6)"
    m = meta("n_count", "count")
    h = hist("n_count", [(SEP, 6.0, 6.0, NAN), (OCT, 5.0, 5.0, NAN)])
    a = pd.DataFrame([assessed_row(m, 5.0, 5.0, NAN)])
    p = published_tables(h, a, None, {m.id: m}, rules)
    assert p.history["suppressed"].tolist() == [False, True]
    assert "fewer than 6 children" in p.assessed["sentence"].iloc[0]
    assert Disclosure(wording="c").text == "c"


def test_withheld_sentence_names_what_lado_counts():
    # LADO referrals concern adults who work with children: the sentence says "referrals".
    m = meta("lado_open_over_3m_count", "count", area="lado")
    h = hist(m.id, [(OCT, 2.0, 2.0, NAN)])
    a = pd.DataFrame([assessed_row(m, 2.0, 2.0, NAN)])
    s = published_tables(h, a, None, {m.id: m}).assessed["sentence"].iloc[0]
    assert s.endswith("fewer than 5 referrals.") and "children" not in s


def test_published_tables_read_back_give_themselves():
    # The reports read the tables the batch published: the decision must not change them.
    m = meta("rereferrals_pct", "percent")
    h = hist("rereferrals_pct", [(SEP, 30.0, 6.0, 20.0), (OCT, 100 * 3 / 13, 3.0, 13.0)])
    a = pd.DataFrame([assessed_row(m, 100 * 3 / 13, 3.0, 13.0, rag="Red")])
    p = published_tables(h, a, None, {m.id: m})
    q = published_tables(p.history, p.assessed, None, {m.id: m})
    pd.testing.assert_frame_equal(p.history, q.history)
    pd.testing.assert_frame_equal(p.assessed, q.assessed)


# ---- property: nothing published lets a count of 1 to 4 be worked out ---------------
counts = st.integers(min_value=0, max_value=40)


@st.composite
def percent_months(draw):
    """Numerator and denominator for three months of a percentage."""
    out = []
    for _ in range(3):
        d = draw(st.integers(min_value=0, max_value=40))
        out.append((draw(st.integers(min_value=0, max_value=d)), d))
    return out


def _small(x) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x)) and 1 <= x <= 4


@settings(max_examples=60, deadline=None)
@given(percent_months(), st.lists(counts, min_size=2, max_size=5))
def test_no_published_cell_reveals_a_small_count(months, groups):
    m = meta("p_pct", "percent")
    c = meta("c_count", "count", windows=("snapshot",))
    ends = [pd.Timestamp("2026-08-31"), SEP, OCT]
    h = hist(
        "p_pct",
        [
            (e, 100 * n / d if d else NAN, float(n), float(d))
            for e, (n, d) in zip(ends, months, strict=True)
        ],
    )
    total = float(sum(groups))
    h = pd.concat([h, hist("c_count", [(OCT, total, total, NAN)], window="snapshot")])
    (pn, pd_), (n, d) = months[1], months[2]
    prev = 100 * pn / pd_ if pd_ else NAN
    value = 100 * n / d if d else NAN
    a = pd.DataFrame(
        [
            assessed_row(
                m,
                value,
                float(n),
                float(d),
                previous_value=prev,
                travel_previous_value=prev,
                previous_change=value - prev,
                previous_label="Up",
            ),
            assessed_row(c, total, total, NAN, window="snapshot", travel_window="snapshot"),
        ]
    )
    b = pd.DataFrame(
        {
            "kpi_id": "c_count",
            "period_end": OCT,
            "window": "snapshot",
            "dimension": "team",
            "group": [f"g{i}" for i in range(len(groups))],
            "value": [float(g) for g in groups],
            "numerator": [float(g) for g in groups],
            "denominator": NAN,
        }
    )
    p = published_tables(h, a, b, {m.id: m, c.id: c})
    # Every figure a reader can see or subtract: numerators, denominators and the
    # complements of shown percentages in the history ...
    for r in p.history.itertuples():
        if r.suppressed:
            assert math.isnan(r.value) and math.isnan(r.numerator) and math.isnan(r.denominator)
            continue
        assert not _small(r.numerator) and not _small(r.denominator)
        if r.kpi_id == "p_pct" and not math.isnan(r.denominator):
            assert not _small(r.denominator - r.numerator)
            # value times denominator gives the numerator back: shown only when not small
            if not math.isnan(r.value):
                assert not _small(round(r.value * r.denominator / 100))
    # ... a change shown beside a shown figure never stands for a withheld previous month ...
    cols = (p.history["kpi_id"], p.history["period_end"], p.history["suppressed"])
    hidden = set(zip(*cols, strict=True))
    pr = p.assessed.set_index("kpi_id").loc["p_pct"]
    if not math.isnan(pr["previous_change"]):
        assert ("p_pct", SEP, False) in hidden and ("p_pct", OCT, False) in hidden
    # ... and a breakdown: shown cells, shares times the total, and the total minus the
    # shown cells.
    sb = p.breakdowns
    shown = sb.loc[~sb["suppressed"], "value"]
    assert not any(_small(v) for v in shown)
    c_row = p.history[p.history["kpi_id"] == "c_count"].iloc[0]
    if not c_row["suppressed"]:
        assert not _small(c_row["value"] - shown.sum())
        for share in sb.loc[~sb["suppressed"], "share"].dropna():
            assert not _small(round(share * c_row["value"] / 100))
    else:
        assert sb["suppressed"].all()


def test_suppress_counts_never_leaves_a_small_remainder():
    # 2, 2 and 30: the two 2s are withheld (sum 4, still small), so the 30 goes too.
    assert suppress_counts({"a": 2, "b": 2, "c": 30}) == {"a": True, "b": True, "c": True}


def test_a_small_count_baseline_is_withheld_but_a_percentage_baseline_is_kept():
    # issue 12: baselines are shown beside targets. A count KPI's baseline of 2 (its own figure
    # at 31 March) would reveal a count of 1-4: blanked. A count baseline of 12 and a
    # percentage baseline of 3.0 (a share, not a count) are kept.
    from pmf_lib.assess.disclosure import suppress_assessed

    h = pd.DataFrame(
        {
            "kpi_id": ["a"],
            "window": ["month"],
            "suppressed": [False],
            "period_end": pd.to_datetime(["2026-10-31"]),
        }
    )
    a = pd.DataFrame(
        {
            "kpi_id": ["a", "b", "c"],
            "window": "snapshot",
            "unit": ["count", "count", "percent"],
            "period_end": pd.to_datetime("2026-10-31"),
            "value": [10.0, 10.0, 50.0],
            "target_baseline": [2.0, 12.0, 3.0],
        }
    )
    out = suppress_assessed(a, h)
    assert out["target_baseline"].isna().tolist() == [True, False, False]


# ---- nesting: a count KPI that is a subset of another (KpiMeta.subset_of) -------------


def nested(child_area: str = "front_door"):
    """A parent count (all referrals) and a child declared subset_of it (adolescents)."""
    from dataclasses import replace

    parent = meta("refs_count", "count")
    child = replace(meta("teen_refs_count", "count", area=child_area), subset_of="refs_count")
    return parent, child


def test_a_nested_count_within_four_of_its_parent_is_withheld_with_all_it_gives():
    # 13 referrals in October, 10 of them adolescents: both >= 5, so the primary rule shows
    # both, but 13 - 10 = 3 states "3 referrals of under-10s". The child (10) is withheld,
    # with its RAG and sentence; the parent (13) stays. September: 13 and 5, 13 - 5 = 8
    # (not 1-4): both shown.
    parent, child = nested()
    h = pd.concat(
        [
            hist(parent.id, [(SEP, 13.0, 13.0, NAN), (OCT, 13.0, 13.0, NAN)]),
            hist(child.id, [(SEP, 5.0, 5.0, NAN), (OCT, 10.0, 10.0, NAN)]),
        ]
    )
    a = pd.DataFrame(
        [
            assessed_row(parent, 13.0, 13.0, NAN, rag="Green"),
            assessed_row(child, 10.0, 10.0, NAN, rag="Red", previous_value=5.0),
        ]
    )
    p = published_tables(h, a, None, {parent.id: parent, child.id: child})
    shown = p.history.set_index(["kpi_id", "period_end"])
    assert not shown.loc[(parent.id, SEP), "suppressed"]
    assert not shown.loc[(parent.id, OCT), "suppressed"]
    assert not shown.loc[(child.id, SEP), "suppressed"]
    assert shown.loc[(child.id, SEP), "value"] == 5.0
    assert shown.loc[(child.id, OCT), "suppressed"]
    assert shown.loc[(child.id, OCT), ["value", "numerator"]].isna().all()
    r = p.assessed.set_index("kpi_id")
    assert r.loc[parent.id, "value"] == 13.0 and not r.loc[parent.id, "suppressed"]
    assert r.loc[child.id, "suppressed"] and math.isnan(r.loc[child.id, "value"])
    assert r.loc[child.id, "rag"] is None and "withheld" in r.loc[child.id, "sentence"]
    # Read back, the published tables give themselves (the child stays withheld).
    q = published_tables(p.history, p.assessed, None, {parent.id: parent, child.id: child})
    pd.testing.assert_frame_equal(p.history, q.history)


def test_a_nested_count_five_or_more_below_its_parent_is_shown():
    # 13 and 5: 13 - 5 = 8 states nothing small; 13 and 13: the difference is 0 (no
    # child left out): both shown in both months.
    parent, child = nested()
    h = pd.concat(
        [
            hist(parent.id, [(SEP, 13.0, 13.0, NAN), (OCT, 13.0, 13.0, NAN)]),
            hist(child.id, [(SEP, 13.0, 13.0, NAN), (OCT, 5.0, 5.0, NAN)]),
        ]
    )
    a = pd.DataFrame([assessed_row(parent, 13.0, 13.0, NAN), assessed_row(child, 5.0, 5.0, NAN)])
    p = published_tables(h, a, None, {parent.id: parent, child.id: child})
    assert not p.history["suppressed"].any()
    assert not p.assessed["suppressed"].any()


def test_a_nested_count_is_not_withheld_when_its_parent_is_not_shown():
    # Parent 4 (withheld by the primary rule), child 0 shown: 4 - 0 cannot be subtracted
    # because 4 is not published. And a parent not in the table is not shown either.
    parent, child = nested()
    h = pd.concat(
        [
            hist(parent.id, [(OCT, 4.0, 4.0, NAN)]),
            hist(child.id, [(SEP, 9.0, 9.0, NAN), (OCT, 0.0, 0.0, NAN)]),
        ]
    )
    a = pd.DataFrame([assessed_row(child, 0.0, 0.0, NAN)])
    p = published_tables(h, a, None, {parent.id: parent, child.id: child})
    shown = p.history.set_index(["kpi_id", "period_end"])["suppressed"]
    assert shown[(parent.id, OCT)] and not shown[(child.id, OCT)] and not shown[(child.id, SEP)]


def test_a_nested_count_withheld_in_history_takes_its_spc_points_and_percentage():
    # The child's series: August 20 of 22 referrals (22 - 20 = 2: withheld), September 9
    # of 30, October 10 of 40 (shown). Its SPC point for August goes, and with a withheld
    # point in the series the October mean and limits go (mean x points - shown points
    # would state August). A percentage of the child's area with the child's count as
    # numerator (August: 20 of 25 under-16s) would state it: withheld; the same numerator
    # in another area's percentage is unrelated and stays.
    from pmf_lib.assess.spc_table import suppress_spc_table

    aug = pd.Timestamp("2026-08-31")
    parent, child = nested()
    pct = meta("teen_share_pct", "percent")
    other = meta("other_pct", "percent", area="lado")
    months = [(aug, 22.0), (SEP, 30.0), (OCT, 40.0)]
    h = pd.concat(
        [
            hist(parent.id, [(e, v, v, NAN) for e, v in months]),
            hist(child.id, [(aug, 20.0, 20.0, NAN), (SEP, 9.0, 9.0, NAN), (OCT, 10.0, 10.0, NAN)]),
            hist(pct.id, [(aug, 80.0, 20.0, 25.0)]),
            hist(other.id, [(aug, 50.0, 20.0, 40.0)]),
        ]
    )
    a = pd.DataFrame(
        [
            assessed_row(parent, 40.0, 40.0, NAN),
            assessed_row(child, 10.0, 10.0, NAN, spc_mean=13.0, spc_upper=30.0, spc_lower=0.0),
        ]
    )
    metas = {m.id: m for m in (parent, child, pct, other)}
    p = published_tables(h, a, None, metas)
    shown = p.history.set_index(["kpi_id", "period_end"])["suppressed"]
    assert shown[(child.id, aug)] and not shown[(child.id, SEP)] and not shown[(child.id, OCT)]
    assert shown[(pct.id, aug)] and not shown[(other.id, aug)]
    assert not shown[(parent.id, aug)]
    r = p.assessed.set_index("kpi_id").loc[child.id]
    assert r["value"] == 10.0 and math.isnan(r["spc_mean"]) and math.isnan(r["spc_upper"])
    spc = pd.DataFrame(
        {
            "kpi_id": child.id,
            "window": "month",
            "chart": "spc",
            "period_end": [aug, SEP, OCT],
            "value": [20.0, 9.0, 10.0],
            "mean": 13.0,
            "upper": 30.0,
            "lower": 0.0,
            "close_upper": 20.0,
            "close_lower": 5.0,
            "rule": "common_cause",
            "verdict": "common cause",
            "direction": None,
            "special_cause": False,
            "note": None,
        }
    )
    s = suppress_spc_table(spc, p.history)
    assert math.isnan(s["value"].iloc[0]) and s["value"].iloc[1:].tolist() == [9.0, 10.0]
    assert s["mean"].isna().all()


def test_a_nested_breakdown_group_within_four_of_its_parent_group_withholds_the_table():
    # By sex in October: all referrals Boys 30, Girls 12; adolescents Boys 28, Girls 5.
    # 30 - 28 = 2 would state "2 boys under 10". Withholding only Boys 28 is not enough
    # (the child's total 33 minus Girls 5 gives it back), so the child's whole sex table
    # goes. Girls 12 - 5 = 7 alone would not. The parent's table is shown.
    parent, child = nested()
    rows = [(parent.id, "Boys", 30), (parent.id, "Girls", 12)]
    rows += [(child.id, "Boys", 28), (child.id, "Girls", 5)]
    b = pd.DataFrame(
        [(k, OCT, "month", "sex", g, float(v), float(v), NAN) for k, g, v in rows],
        columns=[
            "kpi_id",
            "period_end",
            "window",
            "dimension",
            "group",
            "value",
            "numerator",
            "denominator",
        ],
    )
    metas = {parent.id: parent, child.id: child}
    s = suppress_breakdowns(b, metas)
    assert s["suppressed"].tolist() == [False, False, True, True]
    assert s.loc[:1, "value"].tolist() == [30.0, 12.0]
    # Boys 24 instead: 30 - 24 = 6, 12 - 5 = 7: nothing small, every cell shown.
    b2 = b.copy()
    b2.loc[2, ["value", "numerator"]] = 24.0
    assert not suppress_breakdowns(b2, metas)["suppressed"].any()
