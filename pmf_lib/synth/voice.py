"""The demo council's voice of children and families (issue 16): surveys, MOMO, participation.

Three files written into ``local/`` in the layout of their schemas
(``pmf_lib/read/schemas/{survey_responses,momo_statements,participation_events}.yml``),
and the ``theme`` of each row of ``complaints.csv``. Everything is drawn from
this module's own random stream (``np.random.default_rng([seed, RNG_STREAM])``,
one sub-stream per file), so no other column of any demo file changes.

* ``survey_responses.csv``: the council runs its wellbeing survey all year round
  (Bright Spots "Your Life, Your Care" for children in care, "Your Life Beyond
  Care" for care leavers, its own survey of parents). About 8 children in care
  per 100 looked after answer each quarter, each answering every question of
  their survey; the chance of a positive answer differs by question and rises
  slowly over the years. About one answer in eight has a comment, and about a
  third of those are marked to publish. The survey is anonymous (no child id).
* ``momo_statements.csv``: about 36 Mind of My Own statements a month by topic,
  about 80% answered within 5 working days, a few late, a few never answered.
* ``participation_events.csv``: a Children in Care Council every month, a care
  leavers' forum every other month, a parents' group and a young inspectors'
  visit each quarter, and the odd consultation.
* complaint and compliment themes: complaints mostly about communication and
  decisions, compliments mostly about staff; a few rows have no theme.

The comments are invented for the demo and name no one.

Examples
--------
>>> [q for q, *_ in QUESTIONS["child_in_care"]][:3]
['BS01', 'BS02', 'BS03']
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pmf_lib.synth.days import busday_add
from pmf_lib.synth.local import Span, arrivals, write_table, zpad
from pmf_lib.synth.teams import TEAMS
from pmf_lib.synth.write import iso

#: This module's random stream: ``np.random.default_rng([seed, RNG_STREAM, k])``.
RNG_STREAM = 1700

_SCALE3 = ("All or most of the time", "Sometimes", "Hardly ever or never")
_YESNO = ("Yes", "No", "Not sure")
#: group -> (survey, [(question id, question, answers (the first positive), p positive)]).
QUESTIONS = {
    "child_in_care": [
        ("BS01", "Do you trust the adults you live with?", _SCALE3, 0.82),
        ("BS02", "Do you feel settled where you live?", _SCALE3, 0.74),
        ("BS03", "Do you like your bedroom?", _SCALE3, 0.86),
        ("BS04", "Do you feel safe where you live?", _SCALE3, 0.88),
        ("BS05", "Do you have an adult you trust to talk to?", _YESNO, 0.80),
        ("BS06", "Do you see your family as much as you want to?", _YESNO, 0.55),
    ],
    "care_leaver": [
        ("YB01", "Do you feel safe where you live?", _SCALE3, 0.78),
        ("YB02", "Do you have someone to turn to for advice?", _YESNO, 0.70),
        ("YB03", "Is your personal adviser easy to get hold of?", _SCALE3, 0.62),
    ],
    "parent": [
        ("PA01", "Did your social worker listen to you?", _SCALE3, 0.64),
        ("PA02", "Were you told what would happen next?", _YESNO, 0.58),
    ],
}
SURVEYS = {"child_in_care": "bright_spots", "care_leaver": "your_life_beyond_care"}
SURVEYS["parent"] = "other"
#: Questionnaires per quarter by group.
PER_QUARTER = {"child_in_care": 58.0, "care_leaver": 20.0, "parent": 14.0}
#: Invented comments by group, (positive, not): the publishable quotes are among them.
COMMENTS = {
    "child_in_care": (
        (
            "My carer helps me with my homework and we laugh a lot.",
            "I like my new school & I have made friends.",
            "My social worker always comes when she says she will.",
            "I feel safe here. It's the first time I have had my own room.",
            "They listened to what I wanted for contact with my brother.",
        ),
        (
            "I have had three social workers this year and I have to tell my story again.",
            "I don't get to see my mum enough.",
            "Nobody told me my review was moved.",
            'I was told "we will see" about my bike for months.',
        ),
    ),
    "care_leaver": (
        (
            "The leaving care team helped me get my flat <3",
            "My PA texts back the same day.",
        ),
        ("I didn't know what money I could get until I was 19.",),
    ),
    "parent": (
        ("The social worker explained everything & didn't judge me.",),
        ("I found out about the meeting the day before.",),
    ),
}
MOMO_TOPICS = (
    ["meeting", "worker_visit", "problem", "good_news", "wellbeing", "placement", "other"],
    [0.32, 0.2, 0.14, 0.1, 0.12, 0.08, 0.04],
)
#: Complaint and compliment themes (the last weight: no theme recorded).
COMPLAINT_THEMES = (
    ["communication", "delay", "decision", "staff_conduct", "placement", "contact", "other", ""],
    [0.3, 0.14, 0.2, 0.12, 0.08, 0.08, 0.05, 0.03],
)
COMPLIMENT_THEMES = (
    ["communication", "staff_conduct", "placement", "contact", "other", ""],
    [0.28, 0.46, 0.1, 0.05, 0.08, 0.03],
)


def _rng(seed: int, k: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), RNG_STREAM, k])


def _pick(rng, codes_p, n) -> np.ndarray:
    codes, p = codes_p
    p = np.asarray(p, float)
    return np.asarray(codes, dtype=object)[rng.choice(len(codes), size=n, p=p / p.sum())]


def complaint_themes(seed: int, kind: np.ndarray) -> np.ndarray:
    """A theme for each complaints row (by its kind), from this module's own stream.

    Examples
    --------
    >>> t = complaint_themes(1, np.array(["complaint"] * 50 + ["compliment"] * 50))
    >>> len(t), "delay" in set(t[:50]), "delay" in set(t[50:])
    (100, True, False)
    """
    rng = _rng(seed, 4)
    kind = np.asarray(kind, dtype=object)
    out = np.full(len(kind), "", dtype=object)
    for k, spec in (("complaint", COMPLAINT_THEMES), ("compliment", COMPLIMENT_THEMES)):
        rows = np.flatnonzero(kind == k)
        out[rows] = _pick(rng, spec, len(rows))
    return out


def survey_responses(rng, span: Span) -> dict:
    """One row per answer; about :data:`PER_QUARTER` questionnaires a quarter per group."""
    cols: dict[str, list] = {k: [] for k in ("response_id", "survey", "question_id", "question")}
    cols.update({k: [] for k in ("answer", "positive", "respondent_group", "response_date")})
    cols.update({k: [] for k in ("team", "comment", "publish")})
    span_days = span.end - span.first + 1
    n_resp = 0
    for group, questions in QUESTIONS.items():
        days = arrivals(rng, span.first, span.end + 1, PER_QUARTER[group] * 4, np.ones(12), 0.3)
        team = rng.integers(0, len(TEAMS), len(days))
        for d, t in zip(days, team, strict=True):
            n_resp += 1
            rid = f"SR{n_resp:06d}"
            lift = 0.08 * (d - span.first) / span_days  # slowly better over the years
            for qid, text, answers, p in questions:
                good = rng.random() < min(p + lift, 0.97)
                answer = answers[0] if good else answers[1 + int(rng.random() < 0.35)]
                comment = ""
                if rng.random() < 0.12:
                    pool = COMMENTS[group][0 if good else 1]
                    comment = pool[int(rng.integers(0, len(pool)))]
                cols["response_id"].append(rid)
                cols["survey"].append(SURVEYS[group])
                cols["question_id"].append(qid)
                cols["question"].append(text)
                cols["answer"].append(answer)
                cols["positive"].append("yes" if good else "no")
                cols["respondent_group"].append(group)
                cols["response_date"].append(int(d))
                cols["team"].append(TEAMS[int(t)])
                cols["comment"].append(comment)
                cols["publish"].append(("yes" if rng.random() < 0.35 else "no") if comment else "")
    out = {k: np.asarray(v, dtype=object) for k, v in cols.items()}
    out["response_date"] = iso(np.asarray(cols["response_date"], dtype=np.int64))
    return out


def momo_statements(rng, span: Span) -> dict:
    """About 36 statements a month; most answered within 5 working days."""
    d = arrivals(rng, span.first, span.end + 1, 36.0 * 12, np.ones(12), 0.4)
    n = len(d)
    wd = np.where(rng.random(n) < 0.8, rng.integers(0, 6, n), rng.integers(6, 16, n))
    resp = busday_add(d, wd)
    answered = (rng.random(n) >= 0.03) & (resp <= span.end)
    return {
        "statement_id": zpad("MM", np.arange(1, n + 1), 6),
        "topic": _pick(rng, MOMO_TOPICS, n),
        "received_date": iso(d),
        "response_date": iso(resp, answered),
        "team": np.asarray(TEAMS, dtype=object)[rng.integers(0, len(TEAMS), n)],
    }


def participation_events(rng, span: Span) -> dict:
    """Regular groups on a cycle of month ends, plus the odd consultation."""
    rows = []
    cycles = (
        ("Children in Care Council", "child_in_care", 1, (6, 16)),
        ("Care leavers' forum", "care_leaver", 2, (4, 13)),
        ("Parents' group", "parent", 3, (2, 9)),
        ("Young inspectors' visit", "child_in_care", 3, (2, 7)),
    )
    for i, month_end in enumerate(span.month_ends):
        for name, group, every, (lo, hi) in cycles:
            if i % every == 0:
                rows.append((name, group, int(month_end) - int(rng.integers(3, 20)), lo, hi))
        if rng.random() < 0.25:
            rows.append(("Consultation", "mixed", int(month_end) - int(rng.integers(3, 25)), 5, 30))
    rows = [r for r in rows if span.first <= r[2] <= span.end]
    rows.sort(key=lambda r: (r[2], r[0]))
    n = len(rows)
    return {
        "event_id": zpad("PE", np.arange(1, n + 1), 4),
        "event": np.asarray([r[0] for r in rows], dtype=object),
        "event_date": iso(np.asarray([r[2] for r in rows], dtype=np.int64)),
        "group": np.asarray([r[1] for r in rows], dtype=object),
        "attendees": np.asarray([int(rng.integers(r[3], r[4])) for r in rows], dtype=object),
    }


def write_voice(folder: Path, span: Span, seed: int) -> dict[str, int]:
    """Write the three voice files into ``folder``; returns rows written per file."""
    files = {
        "survey_responses": survey_responses(_rng(seed, 1), span),
        "momo_statements": momo_statements(_rng(seed, 2), span),
        "participation_events": participation_events(_rng(seed, 3), span),
    }
    return {
        f"local/{name}": write_table(Path(folder) / f"{name}.csv", name, frame)
        for name, frame in files.items()
    }
