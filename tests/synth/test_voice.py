"""The demo's voice files (issue 16): read clean against their schemas, drawn on their own."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmf_lib.read.local import read_table
from pmf_lib.synth.local import Span
from pmf_lib.synth.model import day
from pmf_lib.synth.voice import QUESTIONS, complaint_themes, write_voice

ENDS = pd.date_range("2025-01-31", "2025-06-30", freq="ME")
SPAN = Span(
    day("2025-01-01"), day("2025-06-30"), day("2025-01-01"), np.array([day(e) for e in ENDS])
)


def test_voice_files_read_clean_within_the_span(tmp_path):
    counts = write_voice(tmp_path, SPAN, 7)
    assert set(counts) == {
        f"local/{n}" for n in ("survey_responses", "momo_statements", "participation_events")
    }
    first, last = pd.Timestamp("2025-01-01"), pd.Timestamp("2025-06-30")
    s = read_table(tmp_path / "survey_responses.csv", "survey_responses").data
    # every required value parsed (an unknown code or bad date would read as missing)
    assert not s.drop(columns=["team", "child_id", "comment", "publish"]).isna().any().any()
    assert s["response_date"].between(first, last).all()
    assert not s.duplicated(["response_id", "question_id"]).any()
    # an answer is positive exactly when it is the first (best) point of its question's scale
    best = {q: a[0] for qs in QUESTIONS.values() for q, _t, a, _p in qs}
    assert ((s["answer"] == s["question_id"].map(best)) == (s["positive"] == "yes")).all()
    # a comment is published only when there is one; the survey is anonymous
    assert s.loc[s["publish"].notna(), "comment"].notna().all()
    assert s["child_id"].isna().all()
    m = read_table(tmp_path / "momo_statements.csv", "momo_statements").data
    assert m["received_date"].between(first, last).all()
    done = m["response_date"].notna()
    assert (m.loc[done, "response_date"] >= m.loc[done, "received_date"]).all()
    assert (m.loc[done, "response_date"] <= last).all()
    e = read_table(tmp_path / "participation_events.csv", "participation_events").data
    assert e["event_date"].between(first, last).all() and (e["attendees"] > 0).all()
    # the Children in Care Council meets every month: 6 in six months
    assert (e["event"] == "Children in Care Council").sum() == 6


def test_complaint_themes_follow_the_kind_and_only_the_seed():
    kind = np.array(["complaint"] * 300 + ["compliment"] * 300, dtype=object)
    a = complaint_themes(938, kind)
    assert (a == complaint_themes(938, kind)).all()  # its own stream: nothing else draws on it
    assert not (a == complaint_themes(939, kind)).all()
    # compliments are never about delay or a decision; a few rows of each have no theme
    assert not set(a[300:]) & {"delay", "decision"}
    assert "" in set(a[:300]) and "" in set(a[300:])
