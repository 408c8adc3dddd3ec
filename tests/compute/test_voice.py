"""Voice of children and families KPIs on tiny hand-built frames (issue 16, strand 1)."""

from __future__ import annotations

import pandas as pd

from pmf_lib.compute.breakdowns import compute_breakdowns
from pmf_lib.compute.kpis import voice as vo
from pmf_lib.compute.kpis._local import local_frame
from pmf_lib.compute.registry import Figure, KpiInputs, all_kpis
from pmf_lib.config import VoiceSettings
from pmf_lib.dates import Window
from pmf_lib.read.tables import S903_COLUMNS, Ssda903, conform
from tests.compute.local_kpi_props import check_absent, inputs_for

Q1 = Window.of("quarter", "2025-03-31")  # 1 Jan - 31 Mar 2025
MAR = Window.of("month", "2025-03-31")
TRUST, SCHOOL = "Do you trust your carer?", "Do you like school?"


def test_absent_datasets_are_missing_not_zero():
    check_absent(vo)


def test_cadences_quarterly_for_surveys_and_events_monthly_for_momo():
    k = all_kpis()
    for kid in ("voice_cic_positive_pct", "voice_participation_events_count"):
        assert k[kid].meta.cadence == "quarterly" and "quarter" in k[kid].meta.windows
    assert k["momo_responded_timely_pct"].meta.cadence == "monthly"
    assert k[vo.theme_kpi_id("complaint", "delay")].meta.cadence == "quarterly"


def test_positive_share_counts_children_in_care_with_an_answer_in_the_quarter():
    inputs = inputs_for(
        "survey_responses",
        dict(
            respondent_group=["child_in_care"] * 5 + ["care_leaver", "parent"],
            positive=["yes", "yes", "no", None, "yes", "yes", "yes"],
            response_date=[
                "2025-01-01",  # first day of Q1: in
                "2025-03-31",  # last day: in
                "2025-02-14",  # in, not positive
                "2025-02-14",  # positive not recorded: in neither count
                "2024-12-31",  # the day before the quarter: out
                "2025-02-01",  # care leaver: not a child in care
                "2025-02-01",  # parent
            ],
        ),
    )
    # children in care in Q1 with positive recorded: rows 1-3; positive: rows 1, 2 -> 2 of 3
    assert vo.voice_cic_positive_pct(inputs, Q1) == Figure(2, 3)


def test_positive_share_broken_down_by_question():
    s = local_frame(
        "survey_responses",
        response_id=["r1", "r1", "r2", "r2", "r3"],
        question_id=["q1", "q2", "q1", "q2", "q1"],
        question=["Do you trust your carer?", "Do you like school?"] * 2
        + ["Do you trust your carer?"],
        respondent_group=["child_in_care"] * 5,
        positive=["yes", "no", "yes", "yes", "no"],
        response_date=["2025-02-01"] * 5,
    )
    b = compute_breakdowns(
        KpiInputs(local={"survey_responses": s}), "2025-03-31", ["voice_cic_positive_pct"]
    )
    b = b[(b["dimension"] == "question") & (b["window"] == "quarter")].set_index("group")
    # trust: r1 yes, r2 yes, r3 no -> 2 of 3; school: r1 no, r2 yes -> 1 of 2
    assert b.loc[TRUST, ["numerator", "denominator"]].tolist() == [2, 3]
    assert b.loc[SCHOOL, ["numerator", "denominator"]].tolist() == [1, 2]


def test_responses_per_100_children_looked_after():
    # 4 children looked after at 31 Mar 2025 (a fifth left on 31 Mar: DEC on the day is not
    # open after it; a sixth is a short break, V3); questionnaires r1 (two answers) and r2
    # from children in care in Q1, r3 from a parent, r4 in December -> 2 per 4 = 50 per 100
    ep = conform(
        pd.DataFrame(
            {
                "CHILD": ["1", "2", "3", "4", "5", "6"],
                "LS": ["C2"] * 5 + ["V3"],
                "DECOM": pd.to_datetime(["2024-01-01"] * 6),
                "DEC": pd.to_datetime([None] * 4 + ["2025-03-31", None]),
            }
        ),
        S903_COLUMNS["episodes"],
    )
    cla = Ssda903()
    cla.tables["episodes"] = ep
    s = local_frame(
        "survey_responses",
        response_id=["r1", "r1", "r2", "r3", "r4"],
        respondent_group=["child_in_care"] * 3 + ["parent", "child_in_care"],
        response_date=["2025-03-01"] * 4 + ["2024-12-01"],
    )
    inputs = KpiInputs(cla=cla, local={"survey_responses": s})
    fig = vo.voice_survey_responses_per_100_cla(inputs, Q1)
    assert fig == Figure(2, 4)
    assert vo.voice_survey_responses_per_100_cla.meta.value(fig) == 50.0


def test_momo_received_in_the_month():
    inputs = inputs_for(
        "momo_statements", dict(received_date=["2025-03-01", "2025-03-31", "2025-04-01", None])
    )
    assert vo.momo_received_count(inputs, MAR) == Figure(2)


def _momo(**settings):
    # Easter 2025: Good Friday 18 Apr and Easter Monday 21 Apr are bank holidays.
    # Received Wed 16 Apr: working days 16, 17, 22, 23, 24 (5) -> a response on Thu 24 Apr is
    # 4 working days, Fri 25 Apr is 5, Mon 28 Apr is 6.
    inputs = inputs_for(
        "momo_statements",
        dict(
            received_date=["2025-04-16"] * 4 + ["2025-04-28", "2025-04-01"],
            response_date=["2025-04-24", "2025-04-25", "2025-04-28", None, None, "2025-05-02"],
        ),
    )
    inputs.settings = settings
    return inputs


def test_momo_responded_within_5_working_days_over_easter():
    apr = Window.of("month", "2025-04-30")
    # rows: 24 Apr (4 wd) on time; 25 Apr (5) on time; 28 Apr (6) late; no response since
    # 16 Apr: 9 working days (16, 17, 22-25, 28-30 Apr) to 30 Apr, late; received Mon 28 Apr,
    # no response: 28, 29, 30 are 3 working days to the end, not yet due (left out); received
    # 1 Apr, answered 2 May: not answered by 30 Apr and 20 working days gone, late.
    # -> 2 on time of 5 due
    assert vo.momo_responded_timely_pct(_momo(), apr) == Figure(2, 5)


def test_momo_timescale_is_the_councils_setting():
    apr = Window.of("month", "2025-04-30")
    # 3 working days: the responses after 4, 5 and 6 working days are all late; 16 Apr
    # unanswered (9 working days) is late; 28 Apr unanswered has had 3 working days (not more
    # than 3): not yet due; 1 Apr is late -> 0 of 5. With 10: the 4, 5 and 6 day responses
    # are on time; 16 Apr unanswered has had 9 (not more than 10): not yet due; 28 Apr not
    # due; 1 Apr (20 working days) late -> 3 of 4.
    three = _momo(voice=VoiceSettings(response_working_days=3))
    ten = _momo(voice=VoiceSettings(response_working_days=10))
    assert vo.momo_responded_timely_pct(three, apr) == Figure(0, 5)
    assert vo.momo_responded_timely_pct(ten, apr) == Figure(3, 4)


def test_participation_events_and_attendances():
    inputs = inputs_for(
        "participation_events",
        dict(
            event_date=["2025-01-10", "2025-02-10", "2025-03-31", "2025-04-01"],
            attendees=[8, 12, None, 30],
        ),
    )
    # three events in Q1; attendances 8 + 12 (+ none recorded) = 20; April is out
    assert vo.voice_participation_events_count(inputs, Q1) == Figure(3)
    assert vo.voice_participation_attendees_count(inputs, Q1) == Figure(20)


def test_theme_counts_add_up_to_the_kind_totals():
    inputs = inputs_for(
        "complaints",
        dict(
            kind=["complaint", "complaint", "complaint", "compliment", "compliment", "complaint"],
            theme=["delay", "delay", None, "staff_conduct", "communication", "delay"],
            received_date=["2025-01-05"] * 5 + ["2025-04-01"],
        ),
    )
    k = all_kpis()

    def n(kind, theme):
        return k[vo.theme_kpi_id(kind, theme)](inputs, Q1).numerator

    # Q1 complaints: delay 2, no theme 1 (the April delay is out); compliments: 1 and 1
    assert (n("complaint", "delay"), n("complaint", "not_recorded")) == (2, 1)
    assert (n("compliment", "staff_conduct"), n("compliment", "communication")) == (1, 1)
    for total, ids in vo.THEME_PARTITIONS.items():
        assert sum(k[i](inputs, Q1).numerator for i in ids) == k[total](inputs, Q1).numerator
        assert all(k[i].meta.subset_of == total for i in ids)


def test_theme_column_not_supplied_is_missing_not_zero():
    c = local_frame("complaints", kind=["complaint"], received_date=["2025-01-05"])
    c.attrs["absent_columns"] = ["theme"]
    fig = all_kpis()[vo.theme_kpi_id("complaint", "delay")](KpiInputs(local={"complaints": c}), Q1)
    assert pd.isna(fig.numerator)
