"""Voice judgements (issue 16): themes adding up to a total, and the quotes a council publishes."""

from __future__ import annotations

import pandas as pd

from pmf_lib.assess.disclosure import Disclosure, published_tables
from pmf_lib.assess.voice import quotes_table, suppress_partitions, suppress_quotes
from pmf_lib.compute.kpis.voice import THEME_PARTITIONS
from pmf_lib.compute.registry import all_kpis

END = pd.Timestamp("2026-09-30")


def _history(values: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kpi_id": list(values),
            "window": "quarter",
            "period_end": END,
            "value": list(values.values()),
            "numerator": list(values.values()),
            "denominator": float("nan"),
        }
    )


def test_members_never_see_a_theme_worked_out_from_the_total():
    themes = THEME_PARTITIONS["complaints_received_count"]
    # 30 complaints: communication 12, delay 9, decision 6, staff conduct 3, the rest 0.
    # Primary: staff conduct (3) withheld; 30 - 12 - 9 - 6 = 3 would state it, so the smallest
    # shown non-zero theme, decision (6), is withheld too (withheld sum 9: safe).
    values = {"complaints_received_count": 30.0, **dict.fromkeys(themes, 0.0)}
    values.update(dict(zip(themes[:4], (12.0, 9.0, 6.0, 3.0), strict=True)))
    metas = {k: all_kpis()[k].meta for k in values}
    h = _history(values)
    a = h.assign(title=h["kpi_id"], area="voice", unit="count", polarity="neutral")
    view = published_tables(h, a, None, metas, Disclosure()).history.set_index("kpi_id")
    withheld = set(view.index[view["suppressed"]])
    assert withheld == {themes[2], themes[3]}
    shown = view.loc[~view["suppressed"], "value"]
    # no arithmetic on what is shown gives a count of 1 to 4
    assert shown["complaints_received_count"] - shown.drop("complaints_received_count").sum() == 9


def test_partition_rule_on_its_own_and_with_a_part_missing_from_the_table():
    # total 10: a 6 shown, b missing (not configured) -> b is 10 - 6 = 4, which a's showing
    # states: a is withheld too
    h = _history({"t": 10.0, "a": 6.0}).assign(suppressed=False)
    assert suppress_partitions(h, {"t": ("a", "b")})["suppressed"].tolist() == [False, True]
    # a withheld total withholds nothing more (its parts are checked on their own)
    h = _history({"t": float("nan"), "a": 0.0}).assign(suppressed=[True, False])
    assert suppress_partitions(h, {"t": ("a", "b")})["suppressed"].tolist() == [True, False]


def _survey(rows):
    cols = ["comment", "publish", "child_id", "team", "respondent_group", "survey", "question"]
    df = pd.DataFrame(rows, columns=[*cols, "response_date"])
    df["response_date"] = pd.to_datetime(df["response_date"])
    return df


def test_quotes_are_the_published_comments_by_quarter_naming_no_one():
    s = _survey(
        [
            (
                "I feel safe <b>here</b>",
                "yes",
                "C1",
                "Permanence",
                "child_in_care",
                "bright_spots",
                "Safe?",
                "2026-09-30",
            ),  # last day of Jul-Sep
            (
                "Not for publishing",
                "no",
                "C2",
                "Permanence",
                "child_in_care",
                "bright_spots",
                "Safe?",
                "2026-09-01",
            ),
            (
                "My worker listens",
                "yes",
                None,
                None,
                "parent",
                "other",
                "Listened?",
                "2026-06-30",
            ),  # Apr-Jun
            (
                "Too old",
                "yes",
                None,
                None,
                "parent",
                "other",
                "Listened?",
                "2025-06-30",
            ),  # before the five quarters (from 1 Jul 2025)
            ("", "yes", None, None, "parent", "other", "Listened?", "2026-09-02"),  # no words
            (
                "Too new",
                "yes",
                None,
                None,
                "parent",
                "other",
                "Listened?",
                "2026-10-02",
            ),  # October: Oct-Dec is not yet complete
        ]
    )
    q = quotes_table(s, "2026-10")
    assert q["quote"].tolist() == ["I feel safe <b>here</b>", "My worker listens"]
    assert [str(d.date()) for d in q["quarter_end"]] == ["2026-09-30", "2026-06-30"]
    assert q["respondent_group"].tolist() == ["A child in care", "A parent or carer"]
    # nothing that could point at a child or family
    assert set(q.columns) == {"quarter_end", "respondent_group", "survey", "question", "quote"}
    assert quotes_table(None, "2026-10") is None


def test_members_quotes_shown_only_for_a_quarter_with_more_than_four():
    q = pd.DataFrame(
        {
            "quarter_end": pd.to_datetime(["2026-09-30"] * 5 + ["2026-06-30"] * 4),
            "quote": [f"q{i}" for i in range(9)],
        }
    )
    # Jul-Sep has 5 (shown); Apr-Jun 4 (a small count of respondents: none shown)
    assert suppress_quotes(q)["quote"].tolist() == ["q0", "q1", "q2", "q3", "q4"]
    assert len(suppress_quotes(q, max_count=5)) == 0
