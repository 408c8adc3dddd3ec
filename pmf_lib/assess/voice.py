"""The voice of children and families (issue 16): theme suppression and the published quotes.

Two judgements, each made once here and read by the report
(:mod:`pmf_lib.render.voice`):

* **Themes add up to their total** (:func:`suppress_partitions`). The theme
  counts of complaints (or compliments) partition ``complaints_received_count``
  (``compliments_count``; :data:`pmf_lib.compute.kpis.voice.THEME_PARTITIONS`).
  Beyond the primary rule (a count of 1 to ``max_count`` is withheld) and the
  nesting rule (a theme within 1 to ``max_count`` of the total), the shown total
  minus the shown themes states the sum of the withheld ones; so, for each window
  and period, while that sum is 1 to ``max_count`` the smallest shown non-zero
  theme is withheld too (the breakdowns' rule,
  :func:`pmf_lib.assess.disclosure.suppress_counts`). The disclosure stage applies
  it to every members' and public table (:func:`pmf_lib.assess.disclosure.published_tables`).
* **Quotes** (:func:`quotes_table`): the free-text comments of
  ``survey_responses`` whose ``publish`` column says ``yes``, for the latest
  complete quarter at the report month's end and the four before it (the
  financial year's quarters, :func:`quarter_ends`). A quote keeps only its words, the quarter,
  the survey, the question and who answered (child in care, care leaver,
  parent): never a child id, team, response id or date, so it points at no one.
  The same words from several respondents in a quarter are shown once. For
  members and the public a quarter with 1 to ``max_count`` quotes shows none
  (:func:`suppress_quotes`): the number shown would be a small count of
  respondents. The report escapes each quote and marks it as their own words.

Examples
--------
>>> suppress_partitions_values(20, {"a": 10, "b": 7, "c": 3})  # 20 - 10 - 7 = 3: hide b too
{'a': False, 'b': True, 'c': True}
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from pmf_lib.assess.disclosure import DEFAULT_MAX_COUNT, is_small
from pmf_lib.compute.kpis.voice import THEME_PARTITIONS
from pmf_lib.dates import month_end

#: Quarters of quotes published: the latest complete quarter and the four before it.
QUOTE_QUARTERS = 5
QUOTE_COLUMNS = ["quarter_end", "respondent_group", "survey", "question", "quote"]
GROUPS = {
    "child_in_care": "A child in care",
    "care_leaver": "A care leaver",
    "parent": "A parent or carer",
}
SURVEYS = {
    "bright_spots": "Bright Spots",
    "your_life_beyond_care": "Your Life Beyond Care",
    "the_promise": "The Promise",
    "other": "The council's own survey",
}


def suppress_partitions_values(
    total: float, parts: Mapping[str, float], max_count: int = DEFAULT_MAX_COUNT
) -> dict[str, bool]:
    """Which parts of a shown ``total`` are withheld (primary, then while the hidden sum is small).

    ``parts`` holds each part's count, or NaN for a part already withheld (its
    count is then the total less the parts given). A part with a count of 1 to
    ``max_count`` is withheld; then, while the withheld parts add up to 1 to
    ``max_count`` (the total minus the shown parts), the smallest shown non-zero
    part is withheld too.

    Examples
    --------
    >>> suppress_partitions_values(30, {"a": 10, "b": 12, "c": 8})
    {'a': False, 'b': False, 'c': False}
    >>> suppress_partitions_values(30, {"a": 10, "b": float("nan"), "c": 18})  # b is 2
    {'a': True, 'b': True, 'c': False}
    """
    hidden = {k: bool(pd.isna(v)) or is_small(v, max_count) for k, v in parts.items()}

    def hidden_sum() -> float:
        return float(total) - sum(float(v) for k, v in parts.items() if not hidden[k])

    while is_small(hidden_sum(), max_count):
        shown = [(float(v), k) for k, v in parts.items() if not hidden[k] and v > 0]
        if not shown:
            break
        hidden[min(shown)[1]] = True
    return hidden


def suppress_partitions(
    table: pd.DataFrame,
    partitions: Mapping[str, tuple[str, ...]] | None = None,
    max_count: int = DEFAULT_MAX_COUNT,
) -> pd.DataFrame:
    """A tidy KPI table with no withheld part of a total stated by the total minus the rest.

    ``partitions`` maps a total KPI to the count KPIs that add up to it (default
    :data:`~pmf_lib.compute.kpis.voice.THEME_PARTITIONS`). For each window and
    period where the total is shown, :func:`suppress_partitions_values` decides;
    a part not in the table counts as withheld. Apply after the primary and nesting
    rules (:func:`pmf_lib.assess.disclosure.suppress_subsets`).

    Examples
    --------
    >>> t = pd.DataFrame({"kpi_id": ["t", "a", "b", "c"], "window": "quarter",
    ...                   "period_end": pd.Timestamp("2026-09-30"),
    ...                   "value": [20.0, 10.0, 7.0, float("nan")],
    ...                   "numerator": [20.0, 10.0, 7.0, float("nan")],
    ...                   "denominator": float("nan"), "suppressed": [False] * 3 + [True]})
    >>> # c (3) is withheld, but 20 - 10 - 7 states it: b, the smallest shown, goes too
    >>> suppress_partitions(t, {"t": ("a", "b", "c")})["suppressed"].tolist()
    [False, False, True, True]
    """
    partitions = THEME_PARTITIONS if partitions is None else partitions
    t = table.copy()
    if "suppressed" not in t.columns:
        t["suppressed"] = False
    t["suppressed"] = t["suppressed"].fillna(False).astype(bool)
    if t.empty:
        return t
    index = t.index
    t = t.reset_index(drop=True)
    ends = pd.to_datetime(t["period_end"]).dt.normalize()
    at = dict(zip(zip(t["kpi_id"], t["window"], ends, strict=True), t.index, strict=True))
    value = pd.to_numeric(t["value"], errors="coerce")
    withhold: list[int] = []
    for (kid, window, end), j in at.items():
        parts = partitions.get(kid)
        if not parts or t.at[j, "suppressed"] or pd.isna(value[j]):
            continue
        rows = {p: at.get((p, window, end)) for p in parts}
        counts = {
            p: (np.nan if i is None or t.at[i, "suppressed"] else float(value[i]))
            for p, i in rows.items()
        }
        hidden = suppress_partitions_values(float(value[j]), counts, max_count)
        withhold += [rows[p] for p, h in hidden.items() if h and rows[p] is not None]
    t.loc[withhold, ["value", "numerator", "denominator"]] = float("nan")
    t.loc[withhold, "suppressed"] = True
    t.index = index
    return t


# ---- quotes ----------------------------------------------------------------------


def quarter_ends(month: str, quarters: int = QUOTE_QUARTERS) -> list[pd.Timestamp]:
    """The quarters reported: the latest complete one at the month's end and those before.

    Quarters are the financial year's (ending June, September, December and
    March): in October the latest complete one is July to September.

    Examples
    --------
    >>> [str(e.date()) for e in quarter_ends("2026-10", 3)]
    ['2026-03-31', '2026-06-30', '2026-09-30']
    >>> [str(e.date()) for e in quarter_ends("2026-12", 1)]
    ['2026-12-31']
    """
    end = month_end(month)
    last = (end - pd.DateOffset(months=end.month % 3)) + pd.offsets.MonthEnd(0)
    ends = [(last - pd.DateOffset(months=3 * k)) + pd.offsets.MonthEnd(0) for k in range(quarters)]
    return ends[::-1]


def quotes_table(
    survey: pd.DataFrame | None, month: str, quarters: int = QUOTE_QUARTERS
) -> pd.DataFrame | None:
    """The comments the council marked to publish, by quarter, with nothing that names anyone.

    Parameters
    ----------
    survey : DataFrame or None
        The ``survey_responses`` frame as read (None: not supplied, no table).
    month : str
        The report month (``YYYY-MM``): the last quarter is the latest complete one.

    Returns
    -------
    DataFrame or None
        :data:`QUOTE_COLUMNS`, newest quarter first, each quarter's distinct words once.

    Examples
    --------
    >>> s = pd.DataFrame({"comment": ["I feel safe <here>", "x", "I feel safe <here>", " "],
    ...     "publish": ["yes", "no", "yes", "yes"], "child_id": ["C1", "C2", "C3", "C4"],
    ...     "respondent_group": ["child_in_care"] * 4, "survey": ["bright_spots"] * 4,
    ...     "question": ["Do you feel safe?"] * 4,
    ...     "response_date": pd.to_datetime(["2026-09-02", "2026-09-03", "2026-08-01",
    ...                                      "2026-09-04"])})
    >>> q = quotes_table(s, "2026-10")
    >>> q["quote"].tolist(), q["respondent_group"].tolist(), "child_id" in q.columns
    (['I feel safe <here>'], ['A child in care'], False)
    """
    if survey is None:
        return None
    ends = quarter_ends(month, quarters)
    first = ends[0] - pd.DateOffset(months=3) + pd.offsets.MonthEnd(0)
    text = survey["comment"].astype("string").str.strip()
    keep = (
        survey["publish"].astype("string").eq("yes").fillna(False)
        & text.fillna("").ne("")
        & survey["response_date"].gt(first).fillna(False)
        & survey["response_date"].le(ends[-1]).fillna(False)
    )
    s = survey.loc[keep]
    # each answer's quarter: the first quarter end on or after its date
    pos = np.searchsorted(np.array(ends, dtype="datetime64[ns]"), s["response_date"].to_numpy())
    out = pd.DataFrame(
        {
            "quarter_end": pd.to_datetime(np.array(ends, dtype="datetime64[ns]")[pos]),
            "respondent_group": s["respondent_group"].astype("string").map(GROUPS).astype(object),
            "survey": s["survey"].astype("string").map(SURVEYS).astype(object),
            "question": s["question"].astype(object),
            "quote": text[keep].astype(object),
        }
    )
    out = out.drop_duplicates(["quarter_end", "quote"])
    return out.sort_values(["quarter_end", "quote"], ascending=[False, True]).reset_index(
        drop=True
    )[QUOTE_COLUMNS]


def suppress_quotes(
    quotes: pd.DataFrame | None, max_count: int = DEFAULT_MAX_COUNT
) -> pd.DataFrame | None:
    """Members' and public quotes: a quarter with 1 to ``max_count`` quotes shows none.

    Examples
    --------
    >>> q = pd.DataFrame({"quarter_end": pd.to_datetime(["2026-10-31"] * 2 + ["2026-07-31"] * 5),
    ...                   "quote": list("abcdefg")})
    >>> suppress_quotes(q)["quote"].tolist()
    ['c', 'd', 'e', 'f', 'g']
    """
    if quotes is None:
        return None
    n = quotes.groupby("quarter_end")["quote"].transform("size")
    return quotes[~n.map(lambda x: is_small(x, max_count))].reset_index(drop=True)


# ---- answers by question, quarter by quarter -------------------------------------

#: The KPI broken down by question (``pmf_lib.compute.kpis.voice``).
QUESTION_KPI = "voice_cic_positive_pct"


def question_quarters(inputs, month: str, quarters: int = QUOTE_QUARTERS) -> pd.DataFrame | None:
    """Children in care answering each question positively, at each reported quarter's end.

    The month's breakdowns are made at its end only; the report shows each
    question over the quarters, so the compute stage's breakdown of
    :data:`QUESTION_KPI` by ``question`` (:func:`pmf_lib.compute.breakdowns.compute_breakdowns`,
    quarter window) is taken at each of :func:`quarter_ends`. For members and the
    public the month build withholds its cells as any breakdown's
    (:func:`pmf_lib.assess.disclosure.suppress_breakdowns`). None when the council
    supplies no survey responses. A question no child in care answered in a quarter
    (one of another group's, or "Not known") has no row for it.

    Examples
    --------
    >>> from pmf_lib.compute.kpis._local import local_frame, local_inputs
    >>> s = local_frame("survey_responses", question=["Safe?", "Safe?", "Safe?"],
    ...                 respondent_group=["child_in_care"] * 3, positive=["yes", "yes", "no"],
    ...                 response_date=["2026-08-01", "2026-09-01", "2026-05-01"])
    >>> q = question_quarters(local_inputs(survey_responses=s), "2026-10", 2)
    >>> q[["period_end", "group", "numerator", "denominator"]].astype(str).values.tolist()
    [['2026-06-30', 'Safe?', '0.0', '1.0'], ['2026-09-30', 'Safe?', '2.0', '2.0']]
    """
    from pmf_lib.compute.breakdowns import compute_breakdowns

    if "survey_responses" not in inputs.local:
        return None
    parts = [
        compute_breakdowns(inputs, end, [QUESTION_KPI]) for end in quarter_ends(month, quarters)
    ]
    b = pd.concat(parts, ignore_index=True)
    # a question no child in care answered that quarter (another group's) has no figure
    b = b[(b["dimension"] == "question") & (b["window"] == "quarter") & (b["denominator"] > 0)]
    return b.reset_index(drop=True)
