"""Quarterly scorecards (``scorecards:`` in the config): each KPI at the last quarter ends.

A scorecard (West Sussex's Practice Improvement Scorecard for its DLT, Kent's
quarterly balanced scorecard for the Corporate Management Team and Cabinet) shows
the KPIs a council chooses with **quarters as columns**. :func:`scorecard_table`
makes its one tidy table, one row per KPI and column, which the month build
publishes as ``outputs/YYYY-MM/scorecard.parquet`` (and ``.csv``) for every
scorecard of the config; the report (:mod:`pmf_lib.render.scorecard_report`)
draws it and judges nothing.

The columns (:func:`quarter_columns`):

* the last ``quarters`` (default 5) **quarter ends** on or before the month: the
  month ends of March, June, September and December;
* when the month is not a quarter end, a last column for the **current quarter
  to date**, at the month (``to_date`` True). The month itself is therefore always
  the last column.

Each cell:

* **value**: the KPI's headline figure (:func:`~pmf_lib.assess.travel.headline_window`:
  its snapshot, month, quarter or rolling 12 months, as the assessed table shows
  it) at that month end, from the KPI history. At the to-date column this is the
  month's figure exactly as ``kpis.parquet`` has it (for a quarterly KPI, the
  quarter window ending with the month; for a monthly one, the month);
* **target**: the target in force at that date (``targets.yaml``'s periods with
  their ``from`` dates, :meth:`~pmf_lib.assess.targets.Targets.target_in_force`);
* **RAG**: rated by the assessed table's own rule for a month
  (``pmf_lib.assess.assessed._rag_at``, called, not copied), so the last column's
  RAG is ``kpis.parquet``'s;
* **direction**: against the column before (for the first column, the quarter
  end three months before it; for the to-date column, the last quarter end), by
  the one rule of :func:`pmf_lib.assess.travel.direction` on the figures as shown
  (rounded as reports print them).

Every row also carries the KPI's latest England, region and statistical
neighbours' figures (with their years), as the month's assessed table has them
from :func:`pmf_lib.assess.pipeline.comparators_for` (:mod:`pmf_lib.assess.comparators`).

For members and the public, :func:`suppress_scorecard` withholds each cell whose
figure the suppressed history withholds (value, RAG and direction), and the
direction of a shown cell whose earlier figure is withheld (the change would state
it): the same decision as every other table (:mod:`pmf_lib.assess.disclosure`).

Examples
--------
>>> [(str(d.date()), t) for d, t in quarter_columns("2026-10", 2)]
[('2026-06-30', False), ('2026-09-30', False), ('2026-10-31', True)]
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from pmf_lib.assess.assessed import _rag_at, _target  # the assessed table's one RAG rule
from pmf_lib.assess.targets import Targets
from pmf_lib.assess.travel import direction, headline_window, months_earlier
from pmf_lib.compute.registry import KpiMeta
from pmf_lib.config import Config, Scorecard
from pmf_lib.dates import month_end
from pmf_lib.errors import PmfError
from pmf_lib.formatting import DISPLAY_DECIMALS

#: Months of the quarter ends (March, June, September, December).
QUARTER_END_MONTHS = (3, 6, 9, 12)

#: Comparator columns carried from the assessed table (latest published figures).
COMPARATOR_COLUMNS = (
    "england",
    "england_year",
    "region",
    "region_name",
    "region_year",
    "sn",
    "sn_stat",
    "sn_year",
)

SCORECARD_COLUMNS = [
    "scorecard",
    "position",
    "heading",
    "kpi_id",
    "title",
    "unit",
    "polarity",
    "window",
    "column",
    "period_end",
    "to_date",
    "value",
    "target",
    "amber_tolerance",
    "rag",
    "previous_end",
    "travel_label",
    "travel_symbol",
    "travel_change",
    *COMPARATOR_COLUMNS,
]
"""The scorecard table's columns: one row per scorecard, KPI and column.

``position`` orders the KPIs within the scorecard (0, 1, ...), ``heading`` is the
group's (missing without groups) and ``column`` orders the columns (0 oldest);
``previous_end`` is the month end the direction compares with."""

#: Travel columns blanked when the earlier figure is withheld.
_TRAVEL = ("travel_label", "travel_symbol", "travel_change")


def is_quarter_end(when) -> bool:
    """Whether a date's month ends a quarter (March, June, September or December).

    Examples
    --------
    >>> is_quarter_end("2026-09-30"), is_quarter_end("2026-10-31")
    (True, False)
    """
    return pd.Timestamp(when).month in QUARTER_END_MONTHS


def quarter_columns(month, quarters: int = 5) -> list[tuple[pd.Timestamp, bool]]:
    """The scorecard's columns for a month: ``(month end, to date)``, oldest first.

    The last ``quarters`` quarter ends on or before the month, then the month
    itself as the current quarter to date when it is not a quarter end.

    Examples
    --------
    >>> [str(d.date()) for d, _ in quarter_columns("2026-09", 3)]  # a quarter end: 3 columns
    ['2026-03-31', '2026-06-30', '2026-09-30']
    >>> [(str(d.date()), t) for d, t in quarter_columns("2026-11", 2)]  # Sep, Jun + to date
    [('2026-06-30', False), ('2026-09-30', False), ('2026-11-30', True)]
    """
    if quarters < 1:
        raise ValueError(f"quarters must be 1 or more, got {quarters}")
    end = month_end(month)
    last = end if is_quarter_end(end) else months_earlier(end, end.month % 3)
    cols = [(months_earlier(last, 3 * i), False) for i in range(quarters - 1, -1, -1)]
    if last != end:
        cols.append((end, True))
    return cols


def _headline_series(kpi_table: pd.DataFrame, ids, metas) -> dict[str, pd.Series]:
    """Each KPI's headline-window values by month end (missing rows are absent)."""
    rows = kpi_table.loc[
        kpi_table["kpi_id"].isin(list(ids)), ["kpi_id", "window", "period_end", "value"]
    ]
    groups = {k: g for k, g in rows.groupby(["kpi_id", "window"], sort=False)}
    out = {}
    for kpi_id in ids:
        g = groups.get((kpi_id, headline_window(metas[kpi_id])))
        if g is None:
            out[kpi_id] = pd.Series(dtype="float64", index=pd.DatetimeIndex([]))
            continue
        ends = pd.to_datetime(g["period_end"]).dt.normalize()
        values = pd.to_numeric(g["value"], errors="coerce").astype("float64")
        out[kpi_id] = pd.Series(values.to_numpy(), index=pd.DatetimeIndex(ends)).sort_index()
    return out


def _at(series: pd.Series, when: pd.Timestamp) -> float:
    v = series.get(when, np.nan)
    return float("nan") if pd.isna(v) else float(v)


def _comparators(assessed: pd.DataFrame | None, ids) -> dict[str, dict]:
    """Each KPI's comparator figures from the assessed table (None where it has none)."""
    out = {k: dict.fromkeys(COMPARATOR_COLUMNS) for k in ids}
    if assessed is None:
        return out
    cols = [c for c in COMPARATOR_COLUMNS if c in assessed.columns]
    rows = assessed.loc[assessed["kpi_id"].isin(list(ids)), ["kpi_id", *cols]]
    for r in rows.drop_duplicates("kpi_id").to_dict("records"):
        for col in cols:
            v = r[col]
            out[r["kpi_id"]][col] = (
                None if v is None or (not isinstance(v, str) and pd.isna(v)) else v
            )
    return out


def scorecard_table(
    scorecard_id: str,
    scorecard: Scorecard,
    kpi_table: pd.DataFrame,
    metas: Mapping[str, KpiMeta],
    month,
    targets: Targets | None = None,
    assessed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One scorecard's table: each KPI at each column (see the module docstring).

    Parameters
    ----------
    scorecard_id : str
        The scorecard's id in the config.
    scorecard : Scorecard
        Its settings (KPIs or groups, quarters).
    kpi_table : pandas.DataFrame
        The tidy KPI history (``kpi_id, period_end, window, value, ...``).
    metas : mapping of KPI id to KpiMeta
        At least the scorecard's KPIs (the configured KPIs:
        :func:`pmf_lib.assess.pipeline.configured_kpis`).
    month : str or date-like
        The month (its end is the last column).
    targets : Targets, optional
        The targets with their dates (None: every cell "No target").
    assessed : pandas.DataFrame, optional
        The month's assessed table, for the comparators (None: no comparators).

    Returns
    -------
    pandas.DataFrame
        :data:`SCORECARD_COLUMNS`.

    Raises
    ------
    PmfError
        For a KPI the metadata does not define.

    Examples
    --------
    >>> m = KpiMeta(id="p", title="Visits on time", area="a", unit="percent",
    ...             polarity="higher_is_better", windows=("month",), source="s",
    ...             definition="d", numerator="n", denominator="d")
    >>> ends = pd.date_range("2026-03-31", "2026-10-31", freq="ME")
    >>> t = pd.DataFrame({"kpi_id": "p", "window": "month", "period_end": ends,
    ...                   "value": [70.0, 0, 0, 75.0, 0, 0, 80.0, 81.0]})
    >>> card = Scorecard(title="T", meeting="DLT", kpis=["p"], quarters=2)
    >>> s = scorecard_table("dlt", card, t, {"p": m}, "2026-10")
    >>> s[["period_end", "to_date", "value", "rag", "travel_label"]].astype(str).values.tolist()
    [['2026-06-30', 'False', '75.0', 'No target', 'Improving'], \
['2026-09-30', 'False', '80.0', 'No target', 'Improving'], \
['2026-10-31', 'True', '81.0', 'No target', 'Improving']]
    """
    columns = quarter_columns(month, scorecard.quarters)
    ids = scorecard.kpi_ids()
    unknown = [k for k in ids if k not in metas]
    if unknown:
        raise PmfError(
            f"KPI {unknown[0]!r} is not a configured KPI (see docs/kpis.md)",
            field=f"scorecards.{scorecard_id}",
        )
    all_series = _headline_series(kpi_table, ids, metas)
    all_comps = _comparators(assessed, ids)
    rows = []
    position = 0
    for heading, kpi_ids in scorecard.sections():
        for kpi_id in kpi_ids:
            meta = metas[kpi_id]
            series = all_series[kpi_id]
            comps = all_comps[kpi_id]
            decimals = DISPLAY_DECIMALS.get(meta.unit)
            previous_end = months_earlier(columns[0][0], 3)
            for i, (when, to_date) in enumerate(columns):
                value = _at(series, when)
                period = _target(targets, meta, when)
                moved = direction(
                    value,
                    _at(series, previous_end),
                    unit=meta.unit,
                    polarity=meta.polarity,
                    decimals=decimals,
                )
                rows.append(
                    {
                        "scorecard": scorecard_id,
                        "position": position,
                        "heading": heading,
                        "kpi_id": kpi_id,
                        "title": meta.title,
                        "unit": meta.unit,
                        "polarity": meta.polarity,
                        "window": headline_window(meta),
                        "column": i,
                        "period_end": when,
                        "to_date": to_date,
                        "value": value,
                        "target": np.nan if period is None else float(period.target),
                        "amber_tolerance": np.nan
                        if period is None
                        else float(period.amber_tolerance),
                        "rag": _rag_at(targets, meta, when, value),
                        "previous_end": previous_end,
                        "travel_label": moved.label,
                        "travel_symbol": moved.symbol,
                        "travel_change": moved.change,
                        **comps,
                    }
                )
                previous_end = when
            position += 1
    out = pd.DataFrame(rows, columns=SCORECARD_COLUMNS)
    for col in ("period_end", "previous_end"):
        out[col] = pd.to_datetime(out[col])
    out["to_date"] = out["to_date"].astype(bool)
    return out


def scorecards_for_config(
    config: Config, kpi_table: pd.DataFrame, assessed: pd.DataFrame | None, month
) -> pd.DataFrame | None:
    """Every scorecard of the config, stacked in the config's order (None: it names none).

    The targets are the config's targets file; the KPIs' metadata the configured
    KPIs' (:func:`~pmf_lib.assess.pipeline.configured_kpis`: a scorecard KPI is in
    a configured area, which the config checks).
    """
    if not config.scorecards:
        return None
    from pmf_lib.assess.pipeline import configured_kpis
    from pmf_lib.assess.targets import load_targets

    metas = configured_kpis(config)
    targets = load_targets(config.targets_file, metas) if config.targets_file else None
    parts = [
        scorecard_table(sid, card, kpi_table, metas, month, targets, assessed)
        for sid, card in config.scorecards.items()
    ]
    return pd.concat(parts, ignore_index=True)


def suppress_scorecard(table: pd.DataFrame | None, history: pd.DataFrame) -> pd.DataFrame | None:
    """The scorecard table as a members' or public output may show it.

    ``history`` is the suppressed KPI history (its ``suppressed`` flags, from
    :func:`pmf_lib.assess.disclosure.published_tables`). A cell whose figure is
    withheld there loses its value, RAG and direction (``suppressed`` True; the
    target and comparators stay); a shown cell whose earlier figure is withheld
    loses its direction and change. A table already suppressed gives itself back.

    Examples
    --------
    >>> ends = pd.to_datetime(["2026-06-30", "2026-09-30"])
    >>> h = pd.DataFrame({"kpi_id": "k", "window": "month", "period_end": ends,
    ...                   "suppressed": [True, False]})
    >>> s = pd.DataFrame({"kpi_id": "k", "window": "month", "period_end": ends,
    ...                   "previous_end": pd.to_datetime(["2026-03-31", "2026-06-30"]),
    ...                   "value": [3.0, 9.0], "rag": ["Red", "Green"],
    ...                   "travel_label": ["Up", "Up"], "travel_symbol": ["↑", "↑"],
    ...                   "travel_change": [1.0, 6.0]})
    >>> out = suppress_scorecard(s, h)
    >>> out[["value", "rag", "travel_label", "suppressed"]].values.tolist()
    [[nan, None, None, True], [9.0, 'Green', None, False]]
    """
    if table is None:
        return None
    t = table.copy()
    h = history[history["suppressed"].fillna(False).astype(bool)]
    hidden = set(
        zip(h["kpi_id"], h["window"], pd.to_datetime(h["period_end"]).dt.normalize(), strict=True)
    )

    def was(kids, windows, ends) -> pd.Series:
        ends = pd.to_datetime(ends).dt.normalize()
        keys = zip(kids, windows, ends, strict=True)
        return pd.Series([k in hidden for k in keys], index=t.index, dtype=bool)

    mask = was(t["kpi_id"], t["window"], t["period_end"])
    if "suppressed" in t.columns:
        mask |= t["suppressed"].fillna(False).astype(bool)
    before = was(t["kpi_id"], t["window"], t["previous_end"])
    t.loc[mask, "value"] = np.nan
    for col in ("rag", *_TRAVEL):
        if t[col].dtype != object and col != "travel_change":
            t[col] = t[col].astype(object)
    t.loc[mask, "rag"] = None
    gone = mask | before
    t.loc[gone, ["travel_label", "travel_symbol"]] = None
    t.loc[gone, "travel_change"] = np.nan
    t["suppressed"] = mask.to_numpy()
    return t
