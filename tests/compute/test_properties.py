"""Properties every national-return KPI keeps, on random small CIN census and 903 data.

For every KPI in the CIN/903 service-area modules and every one of its windows:
percentages lie in 0-100 (missing only on an empty denominator), numerators never
exceed denominators, the figure does not depend on row order, and records dated
after the period end change nothing.
"""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from pmf_lib.compute.registry import all_kpis
from pmf_lib.dates import Window

MODULES = {
    f"pmf_lib.compute.kpis.{m}"
    for m in (
        "front_door",
        "assessment",
        "children_in_need",
        "protection",
        "children_looked_after",
        "care_leavers",
        "adoption",
    )
}
KPIS = sorted(
    (k for k in all_kpis().values() if k.func.__module__ in MODULES), key=lambda k: k.meta.id
)
BASE = pd.Timestamp("2022-01-01")
PERIOD_ENDS = ("2023-02-28", "2024-02-29", "2024-03-31")

day = st.integers(0, 900)
maybe_len = st.one_of(st.none(), st.integers(0, 500))
child = st.sampled_from(["1", "2", "3", "4"])


def _d(n):
    return None if n is None else BASE + pd.Timedelta(days=n)


@st.composite
def datasets(draw):
    refs, asmts, s47s, plans, reviews, eps, miss, oc2, oc3, uasc = ([] for _ in range(10))
    for c, s, n, src, nfa in draw(
        st.lists(
            st.tuples(
                child,
                day,
                maybe_len,
                st.sampled_from(["2A", "3A", "6", "1A"]),
                st.sampled_from(["0", "1"]),
            ),
            max_size=10,
        )
    ):
        end = None if n is None else s + n
        refs.append(
            {
                "LAchildID": c,
                "CINreferralDate": _d(s),
                "CINclosureDate": _d(end),
                "ReferralSource": src,
                "ReferralNFA": nfa,
            }
        )
    for c, s, n in draw(st.lists(st.tuples(child, day, maybe_len), max_size=8)):
        asmts.append(
            {
                "LAchildID": c,
                "AssessmentActualStartDate": _d(s),
                "AssessmentAuthorisationDate": _d(None if n is None else s + n),
            }
        )
        s47s.append(
            {
                "LAchildID": c,
                "S47ActualStartDate": _d(s),
                "DateOfInitialCPC": _d(None if n is None else s + n // 10),
            }
        )
    for c, s, n, prev in draw(
        st.lists(
            st.tuples(
                child,
                day,
                st.one_of(st.none(), st.integers(1, 900)),
                st.one_of(st.none(), st.integers(0, 2)),
            ),
            max_size=8,
        )
    ):
        plans.append(
            {
                "LAchildID": c,
                "CPPstartDate": _d(s),
                "CPPendDate": _d(None if n is None else s + n),
                "NumberOfPreviousCPP": prev,
            }
        )
        for gap in draw(st.lists(st.integers(0, 250), max_size=3)):
            reviews.append({"LAchildID": c, "CPPstartDate": _d(s), "CPPreviewDate": _d(s + gap)})
    for c in draw(st.lists(child, unique=True, max_size=4)):
        start = draw(day)
        for i in range(draw(st.integers(1, 4))):
            n = draw(st.one_of(st.none(), st.integers(1, 300)))
            end = None if n is None else start + n
            eps.append(
                {
                    "CHILD": c,
                    "DECOM": _d(start),
                    "DEC": _d(end),
                    "RNE": "S" if i == 0 else draw(st.sampled_from(["P", "L", "T", "S"])),
                    "LS": draw(st.sampled_from(["C2", "C2", "V3", "E1"])),
                    "PLACE": draw(st.sampled_from(["U1", "K2", "R1"])),
                    "REC": None if end is None else draw(st.sampled_from(["X1", "E11", "E4A"])),
                }
            )
            if end is None:
                break
            start = end
        miss.append(
            {"CHILD": c, "MISSING": draw(st.sampled_from(["M", "A"])), "MIS_START": _d(draw(day))}
        )
        oc2.append(
            {
                "CHILD": c,
                "HEALTH_ASSESSMENT": draw(st.sampled_from(["0", "1", None])),
                "TEETH_CHECK": "1",
                "IMMUNISATIONS": "0",
                "collection_year": draw(st.sampled_from([2023, 2024])),
            }
        )
        oc3.append(
            {
                "CHILD": c,
                "DOB": _d(draw(day)) - pd.DateOffset(years=20),
                "IN_TOUCH": draw(st.sampled_from(["YES", "NO"])),
                "ACTIV": draw(st.sampled_from(["F1", "G4", "0"])),
                "ACCOM": draw(st.sampled_from(["B1", "B2", "0"])),
                "collection_year": draw(st.sampled_from([2023, 2024])),
            }
        )
        uasc.append({"CHILD": c, "DUC": _d(draw(maybe_len))})
    header = [{"CHILD": c, "DOB": BASE - pd.Timedelta(days=3000)} for c in "1234"]
    cin = {
        "referrals": refs,
        "assessments": asmts,
        "section47": s47s,
        "cp_plans": plans,
        "cp_reviews": reviews,
    }
    cla = {"episodes": eps, "missing": miss, "oc2": oc2, "oc3": oc3, "uasc": uasc, "header": header}
    return cin, cla


def _inputs(build, cin, cla):
    inputs = build.cin(population={2020: 1000}, **cin)
    inputs.cla = build.cla(**cla).cla
    return inputs


def _figures(inputs, end):
    return {(k.meta.id, w): k(inputs, Window.of(w, end)) for k in KPIS for w in k.meta.windows}


@settings(max_examples=15, deadline=None)
@given(data=datasets(), end=st.sampled_from(PERIOD_ENDS), seed=st.integers(0, 2**16))
def test_every_kpi_keeps_its_properties(build, data, end, seed):
    cin, cla = data
    inputs = _inputs(build, cin, cla)
    figs = _figures(inputs, end)
    for (kpi_id, _), fig in figs.items():
        meta = all_kpis()[kpi_id].meta
        assert fig.numerator >= 0
        if meta.unit == "percent":
            assert fig.numerator <= fig.denominator
            value = meta.value(fig)
            assert math.isnan(value) if fig.denominator == 0 else 0 <= value <= 100
    # row order does not matter
    shuffled = _inputs(build, cin, cla)
    for tables in (shuffled.cin.tables, shuffled.cla.tables):
        for name, df in tables.items():
            tables[name] = df.sample(frac=1, random_state=seed)
    assert _figures(shuffled, end) == figs
    # records dated after the period end change nothing
    after = pd.Timestamp(end) + pd.Timedelta(days=1)
    more_cin = {k: list(v) for k, v in cin.items()}
    more_cin["referrals"].append(
        {"LAchildID": "1", "CINreferralDate": after, "ReferralSource": "6", "ReferralNFA": "1"}
    )
    more_cin["assessments"].append(
        {"LAchildID": "1", "AssessmentActualStartDate": after, "AssessmentAuthorisationDate": after}
    )
    more_cin["section47"].append(
        {"LAchildID": "1", "S47ActualStartDate": after, "DateOfInitialCPC": after}
    )
    more_cin["cp_plans"].append({"LAchildID": "1", "CPPstartDate": after})
    for p in cin["cp_plans"][:1]:  # a review after the period end of an existing plan
        more_cin["cp_reviews"].append(
            {"LAchildID": p["LAchildID"], "CPPstartDate": p["CPPstartDate"], "CPPreviewDate": after}
        )
    more_cla = {k: list(v) for k, v in cla.items()}
    more_cla["episodes"].append({"CHILD": "9", "DECOM": after, "RNE": "S", "LS": "C2"})
    more_cla["missing"].append({"CHILD": "1", "MISSING": "M", "MIS_START": after})
    later_year = after.year + 1
    more_cla["oc2"].append({"CHILD": "9", "HEALTH_ASSESSMENT": "1", "collection_year": later_year})
    more_cla["oc3"].append(
        {
            "CHILD": "9",
            "DOB": after - pd.DateOffset(years=20),
            "ACTIV": "F1",
            "collection_year": later_year,
        }
    )
    assert _figures(_inputs(build, more_cin, more_cla), end) == figs
