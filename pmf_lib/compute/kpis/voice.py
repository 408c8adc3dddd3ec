"""The voice of children and families (issue 16): surveys, Mind of My Own, participation, themes.

Local datasets ``survey_responses``, ``momo_statements`` and
``participation_events`` (schemas in ``pmf_lib/read/schemas/``), and the
optional ``theme`` column of ``complaints``. Every KPI here is missing (never 0)
when the council does not supply the dataset it declares.

**Positive answers: one KPI broken down by question, not one KPI per
question.** Each council asks its own questions (Bright Spots' wellbeing items,
its own Promise survey), and the KPI registry is fixed when pmf is imported, so
a KPI per question would fit only the demo's survey. ``voice_cic_positive_pct``
is the share over every answer children in care gave in the window, and its
breakdown by ``question`` (the question's text, as the council supplies it)
gives the share on each question, with the breakdowns' small-number rules.

**Mind of My Own timeliness.** The council's timescale is
``voice.response_working_days`` in the config (default 5), which the KPI reads
from ``KpiInputs.settings["voice"]`` (the config's settings, kept by the
breakdowns); inputs without it (a docstring example) use the default. "Within N
working days" counts the working days d with
received <= d < responded (England and Wales bank holidays excluded, as in
``kpi-core-definitions.md``).

**Themes.** One count KPI per theme code of ``complaints.yml`` and per kind
(complaint, compliment), plus one for rows without a theme, so the themes of a
kind add up to its total (``complaints_received_count`` or
``compliments_count``, their ``subset_of``). :data:`THEME_PARTITIONS` names
those sets; the disclosure stage withholds enough of them that no withheld
theme count can be worked out from the total
(:func:`pmf_lib.assess.voice.suppress_partitions`).
"""

from __future__ import annotations

import pandas as pd

from pmf_lib.compute.kpis._inputs import CLA_OPEN, COMPLAINTS_RECEIVED, MONTH_12M, QUARTER_12M
from pmf_lib.compute.kpis._inputs import local as local_feed
from pmf_lib.compute.kpis._local import (
    MISSING_COUNT,
    MISSING_RATIO,
    coded,
    count,
    dataset,
    in_window,
    local_frame,  # noqa: F401 (docstring examples)
    local_inputs,  # noqa: F401 (docstring examples)
    ratio,
    within_working_days,
    working_days,
)
from pmf_lib.compute.kpis.children_looked_after import looked_after_children
from pmf_lib.compute.registry import Figure, KpiInputs, kpi
from pmf_lib.config import VoiceSettings
from pmf_lib.dates import Window
from pmf_lib.read.local import load_schema

AREA = "voice"
_ABSENT = " Missing (not 0) when the council does not supply the {} dataset."

#: The timescale when the config does not set ``voice.response_working_days``.
DEFAULT_RESPONSE_WORKING_DAYS = VoiceSettings.model_fields["response_working_days"].default

SURVEY = local_feed("survey_responses", "response_date", QUARTER_12M)
MOMO_RECEIVED = local_feed("momo_statements", "received_date", MONTH_12M)
EVENTS = local_feed("participation_events", "event_date", QUARTER_12M)


def response_working_days(inputs: KpiInputs) -> int:
    """The council's Mind of My Own timescale (``voice.response_working_days``), in working days.

    Examples
    --------
    >>> response_working_days(KpiInputs())
    5
    >>> ten = VoiceSettings(response_working_days=10)
    >>> response_working_days(KpiInputs(settings={"voice": ten}))
    10
    """
    voice = inputs.settings.get("voice")
    return DEFAULT_RESPONSE_WORKING_DAYS if voice is None else int(voice.response_working_days)


# ---- surveys -----------------------------------------------------------------


@kpi(
    id="voice_cic_positive_pct",
    title="Children in care answering survey questions positively",
    area=AREA,
    unit="percent",
    polarity="higher_is_better",
    windows=QUARTER_12M,
    cadence="quarterly",
    source="Local dataset: survey_responses",
    definition=(
        "Of the answers given by children in care (respondent_group 'child_in_care') with "
        "response_date in the window and positive recorded ('yes' or 'no'), the % that count "
        "as positive on the survey's scale. Broken down by question, it is the share of "
        "children in care answering each question positively (the council's survey decides "
        "the questions)." + _ABSENT.format("survey_responses")
    ),
    numerator="Answers by children in care in the window that count as positive",
    denominator="Answers by children in care in the window with positive recorded",
    breakdowns=("question", "survey"),
    inputs=(SURVEY.reading("respondent_group", "positive"),),
)
def voice_cic_positive_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Share of children in care's answers in the window that are positive.

    Examples
    --------
    >>> s = local_frame("survey_responses", respondent_group=["child_in_care"] * 3 + ["parent"],
    ...                 positive=["yes", "no", None, "yes"],
    ...                 response_date=["2025-02-01"] * 4)
    >>> voice_cic_positive_pct(local_inputs(survey_responses=s),
    ...                        Window.of("quarter", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    df = dataset(inputs, "survey_responses")
    if df is None:
        return MISSING_RATIO
    den = coded(df["respondent_group"], "child_in_care") & in_window(df["response_date"], window)
    den &= coded(df["positive"], "yes", "no")
    return ratio(coded(df["positive"], "yes"), den)


@kpi(
    id="voice_survey_responses_per_100_cla",
    title="Survey responses from children in care per 100 children looked after",
    area=AREA,
    unit="percent",
    polarity="higher_is_better",
    windows=QUARTER_12M,
    cadence="quarterly",
    source="Local dataset: survey_responses; SSDA903",
    definition=(
        "Distinct questionnaires (response_id) completed by children in care with "
        "response_date in the window, per 100 children looked after at the window's end (the "
        "cla_count definition: an SSDA903 episode open at period_end, not V3/V4), shown as a "
        "percentage." + _ABSENT.format("survey_responses")
    ),
    numerator="Distinct response ids from children in care in the window",
    denominator="Children looked after at period_end",
    inputs=(
        SURVEY.reading("response_id", "respondent_group"),
        CLA_OPEN.reading("CHILD", "RNE", "LS", "PLACE", "REC"),
    ),
)
def voice_survey_responses_per_100_cla(inputs: KpiInputs, window: Window) -> Figure:
    """Questionnaires from children in care in the window per 100 children looked after.

    Examples
    --------
    >>> from pmf_lib.read.tables import S903_COLUMNS, Ssda903, conform
    >>> ep = conform(pd.DataFrame({"CHILD": ["1", "2", "3", "4"], "LS": ["C2"] * 4,
    ...     "DECOM": pd.to_datetime(["2024-01-01"] * 4), "DEC": pd.NaT}), S903_COLUMNS["episodes"])
    >>> cla = Ssda903(); cla.tables["episodes"] = ep
    >>> s = local_frame("survey_responses", response_id=["r1", "r1", "r2"],
    ...                 respondent_group=["child_in_care"] * 3, response_date=["2025-03-01"] * 3)
    >>> inputs = KpiInputs(cla=cla, local={"survey_responses": s})
    >>> voice_survey_responses_per_100_cla(inputs, Window.of("quarter", "2025-03-31"))
    Figure(numerator=2, denominator=4)
    """
    df = dataset(inputs, "survey_responses")
    if df is None:
        return MISSING_RATIO
    mask = coded(df["respondent_group"], "child_in_care") & in_window(df["response_date"], window)
    responses = df.loc[mask, "response_id"].dropna().nunique()
    return Figure(int(responses), len(looked_after_children(inputs, window.end)))


# ---- Mind of My Own ----------------------------------------------------------


@kpi(
    id="momo_received_count",
    title="Mind of My Own statements received",
    area=AREA,
    unit="count",
    polarity="higher_is_better",
    windows=MONTH_12M,
    cadence="monthly",
    source="Local dataset: momo_statements",
    definition="Mind of My Own statements with received_date in the window."
    + _ABSENT.format("momo_statements"),
    numerator="Statements with received_date in the window",
    breakdowns=("topic", "team"),
    inputs=(MOMO_RECEIVED,),
)
def momo_received_count(inputs: KpiInputs, window: Window) -> Figure:
    """Statements received in the window.

    Examples
    --------
    >>> m = local_frame("momo_statements", received_date=["2025-03-01", "2025-02-28", None])
    >>> momo_received_count(local_inputs(momo_statements=m), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    df = dataset(inputs, "momo_statements")
    if df is None:
        return MISSING_COUNT
    return Figure(count(in_window(df["received_date"], window)))


@kpi(
    id="momo_responded_timely_pct",
    title="Mind of My Own statements responded to within the council's timescale",
    area=AREA,
    unit="percent",
    polarity="higher_is_better",
    windows=MONTH_12M,
    cadence="monthly",
    source="Local dataset: momo_statements",
    definition=(
        "Of the statements received in the window whose response was due by period_end, the % "
        "responded to within the council's timescale (voice.response_working_days, default 5): "
        "a response_date on or before period_end with at most that many working days d, "
        "received_date <= d < response_date. A statement not responded to by period_end is "
        "late once its timescale has run out (more than that many working days from "
        "received_date to period_end inclusive) and is not yet counted before then."
        + _ABSENT.format("momo_statements")
    ),
    numerator="Statements received in the window responded to within the timescale",
    denominator="Statements received in the window, less those not answered and not yet due",
    breakdowns=("topic", "team"),
    inputs=(MOMO_RECEIVED.reading("response_date"),),
)
def momo_responded_timely_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Statements answered within the timescale, of those received in the window and due.

    Examples
    --------
    >>> # 5 working days: Mon 3 Mar to Mon 10 Mar is 5 (on time), to Tue 11 Mar 6 (late);
    >>> # one not answered, received Mon 3 Mar (late by 31 Mar); one not answered, received
    >>> # Mon 31 Mar (1 working day to the end: not yet due, left out).
    >>> m = local_frame("momo_statements",
    ...                 received_date=["2025-03-03", "2025-03-03", "2025-03-03", "2025-03-31"],
    ...                 response_date=["2025-03-10", "2025-03-11", None, None])
    >>> momo_responded_timely_pct(local_inputs(momo_statements=m), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=3)
    """
    df = dataset(inputs, "momo_statements")
    if df is None:
        return MISSING_RATIO
    limit = response_working_days(inputs)
    end = window.end
    received = in_window(df["received_date"], window)
    answered = (df["response_date"] <= end).fillna(False).astype(bool)
    on_time = answered & within_working_days(df["received_date"], df["response_date"], limit)
    day_after = pd.Series(end + pd.Timedelta(days=1), index=df.index)
    elapsed = working_days(df["received_date"], day_after)
    not_yet_due = ~answered & (elapsed <= limit).fillna(False).astype(bool)
    return ratio(on_time, received & ~not_yet_due)


# ---- participation -----------------------------------------------------------


@kpi(
    id="voice_participation_events_count",
    title="Participation events held",
    area=AREA,
    unit="count",
    polarity="higher_is_better",
    windows=QUARTER_12M,
    cadence="quarterly",
    source="Local dataset: participation_events",
    definition="Participation events with event_date in the window."
    + _ABSENT.format("participation_events"),
    numerator="Events with event_date in the window",
    breakdowns=("group",),
    inputs=(EVENTS,),
)
def voice_participation_events_count(inputs: KpiInputs, window: Window) -> Figure:
    """Participation events held in the window.

    Examples
    --------
    >>> e = local_frame("participation_events", event_date=["2025-01-15", "2025-03-20",
    ...                                                    "2024-12-10"])
    >>> voice_participation_events_count(local_inputs(participation_events=e),
    ...                                  Window.of("quarter", "2025-03-31"))
    Figure(numerator=2, denominator=None)
    """
    df = dataset(inputs, "participation_events")
    if df is None:
        return MISSING_COUNT
    return Figure(count(in_window(df["event_date"], window)))


@kpi(
    id="voice_participation_attendees_count",
    title="Attendances at participation events",
    area=AREA,
    unit="count",
    polarity="higher_is_better",
    windows=QUARTER_12M,
    cadence="quarterly",
    source="Local dataset: participation_events",
    definition=(
        "The attendees of the participation events with event_date in the window, summed (an "
        "attendance, not a distinct child: one young person at two events counts twice)."
        + _ABSENT.format("participation_events")
    ),
    numerator="Sum of attendees over events with event_date in the window",
    breakdowns=("group",),
    inputs=(EVENTS.reading("attendees"),),
)
def voice_participation_attendees_count(inputs: KpiInputs, window: Window) -> Figure:
    """Attendances at the window's participation events.

    Examples
    --------
    >>> e = local_frame("participation_events", event_date=["2025-01-15", "2025-03-20"],
    ...                 attendees=[12, None])
    >>> voice_participation_attendees_count(local_inputs(participation_events=e),
    ...                                     Window.of("quarter", "2025-03-31"))
    Figure(numerator=12, denominator=None)
    """
    df = dataset(inputs, "participation_events")
    if df is None:
        return MISSING_COUNT
    mask = in_window(df["event_date"], window)
    return Figure(int(df.loc[mask, "attendees"].fillna(0).sum()))


# ---- complaint and compliment themes -----------------------------------------

#: The theme codes of ``complaints.yml`` with their labels, then rows without one.
NOT_RECORDED = "not_recorded"
THEMES: tuple[tuple[str, str], ...] = tuple(
    (c.code, c.label) for c in load_schema("complaints").column("theme").codes
) + ((NOT_RECORDED, "Theme not recorded"),)
#: kind -> (the total KPI, its noun, the theme KPIs' ids in theme order).
_KINDS = {
    "complaint": ("complaints_received_count", "complaints"),
    "compliment": ("compliments_count", "compliments"),
}


def theme_kpi_id(kind: str, theme: str) -> str:
    """The id of the count KPI of one kind's theme.

    Examples
    --------
    >>> theme_kpi_id("complaint", "delay"), theme_kpi_id("compliment", "not_recorded")
    ('voice_complaint_theme_delay_count', 'voice_compliment_theme_not_recorded_count')
    """
    return f"voice_{kind}_theme_{theme}_count"


#: The theme KPIs of each kind with the total they add up to: ``{total: (theme ids)}``.
THEME_PARTITIONS: dict[str, tuple[str, ...]] = {
    total: tuple(theme_kpi_id(kind, code) for code, _ in THEMES)
    for kind, (total, _noun) in _KINDS.items()
}


def theme_count(inputs: KpiInputs, window: Window, kind: str, theme: str) -> Figure:
    """Rows of ``kind`` received in the window with ``theme`` (or none, ``not_recorded``).

    Examples
    --------
    >>> c = local_frame("complaints", kind=["complaint", "complaint", "compliment"],
    ...                 theme=["delay", None, "delay"], received_date=["2025-03-03"] * 3)
    >>> w = Window.of("quarter", "2025-03-31")
    >>> theme_count(local_inputs(complaints=c), w, "complaint", "delay")
    Figure(numerator=1, denominator=None)
    >>> theme_count(local_inputs(complaints=c), w, "complaint", "not_recorded")
    Figure(numerator=1, denominator=None)
    >>> c.attrs["absent_columns"] = ["theme"]  # the council's file has no theme column
    >>> theme_count(local_inputs(complaints=c), w, "complaint", "delay")
    Figure(numerator=nan, denominator=None)
    """
    df = dataset(inputs, "complaints")
    if df is None or "theme" in df.attrs.get("absent_columns", ()):
        return MISSING_COUNT  # no theme column supplied: not known, never 0
    if theme == NOT_RECORDED:
        has = df["theme"].isna().to_numpy()
    else:
        has = coded(df["theme"], theme).to_numpy()
    mask = coded(df["kind"], kind) & in_window(df["received_date"], window) & has
    return Figure(count(mask))


_THEME_DOC = """{title}: {noun} received in the window with theme '{theme}'.

    Examples
    --------
    >>> c = local_frame("complaints", kind=["{kind}", "{kind}", "{other}"],
    ...                 theme=[{value}, {second}, {value}],
    ...                 received_date=["2025-03-03"] * 3)
    >>> {func}(local_inputs(complaints=c), Window.of("quarter", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """


def _theme_kpi(kind: str, code: str, label: str):
    total, noun = _KINDS[kind]
    kid = theme_kpi_id(kind, code)
    what = "without a theme recorded" if code == NOT_RECORDED else f"with theme '{code}'"

    def func(inputs: KpiInputs, window: Window) -> Figure:
        return theme_count(inputs, window, kind, code)

    func.__name__ = func.__qualname__ = kid
    func.__doc__ = _THEME_DOC.format(
        title=f"{noun.capitalize()}: {label}",
        noun=noun.capitalize(),
        theme=code,
        kind=kind,
        other="compliment" if kind == "complaint" else "complaint",
        value="None" if code == NOT_RECORDED else f'"{code}"',
        second='"other"' if code == NOT_RECORDED else "None",
        func=kid,
    )
    return kpi(
        id=kid,
        title=f"{noun.capitalize()} received: {label.lower() if code != NOT_RECORDED else label}",
        area=AREA,
        unit="count",
        polarity="neutral",
        windows=QUARTER_12M,
        cadence="quarterly",
        source="Local dataset: complaints (theme column)",
        definition=(
            f"Rows of kind '{kind}' with received_date in the window {what} (a complaint "
            "escalated to a further stage is a further row, as in complaints_received_count). "
            f"The themes of {noun} add up to {total}." + _ABSENT.format("complaints")
        ),
        numerator=f"{noun.capitalize()} received in the window {what}",
        subset_of=total,
        inputs=(COMPLAINTS_RECEIVED.reading("kind", "theme"),),
    )(func)


for _kind in _KINDS:
    for _code, _label in THEMES:
        globals()[theme_kpi_id(_kind, _code)] = _theme_kpi(_kind, _code, _label)
