"""The assessed KPI table for a month: value, target and RAG, SPC, flags and a sentence.

:func:`assess_month` turns the tidy KPI table (``kpi_id, period_end, window,
value, numerator, denominator``; see :mod:`pmf_lib.compute.engine`) into one row
per KPI for the month, which publishing saves as ``outputs/YYYY-MM/kpis.parquet``
and ``kpis.csv`` for the notebooks.

Each KPI is assessed in its **headline window**: ``snapshot`` for a stock KPI,
otherwise ``month``, otherwise its first window (``quarter``, ``rolling_12m``),
with the ``rolling_12m`` value alongside. Its SPC columns are the ``latest`` row
of its chart in the month's SPC table (:mod:`pmf_lib.assess.spc_table`), which
charts each KPI at its cadence: monthly points, quarter ends for a quarterly
KPI (so in a month that is not a quarter end, ``spc_period_end`` is the last
quarter end), one point a year for an annual one, and no SPC at all for a
rolling window (``spc_chart`` is ``trend``). A KPI with no SPC verdict (a
rolling window, fewer than 7 points, no variation) has missing ``spc_rule``,
limits and ``variation``, and ``spc_note`` says why.

The target columns are the period in force at the month end: ``target``,
``amber_tolerance``, ``target_from``, ``target_baseline``, ``target_set_on``,
``target_review_by`` and ``target_review_overdue`` (its six-monthly review date
has passed; :func:`pmf_lib.assess.targets.review_overdue`).

Travel (direction of travel) and comparator figures are computed elsewhere and
passed in as DataFrames keyed by ``kpi_id``; their columns are added as they
are, prefixed ``travel_`` or ``comparator_`` where a name is already taken. A
comparators frame's ``quartile`` (A best … D worst) and, when given,
``previous_quartile`` columns feed the quartile flags.

Examples
--------
>>> import pandas as pd
>>> from pmf_lib.compute.registry import KpiMeta
>>> meta = KpiMeta(id="p", title="Visits on time", area="a", unit="percent",
...                polarity="higher_is_better", windows=("month",), source="s",
...                definition="d", numerator="n", denominator="d")
>>> ends = pd.date_range("2024-01-31", periods=8, freq="ME")
>>> t = pd.DataFrame({"kpi_id": "p", "period_end": ends, "window": "month",
...                   "value": [80.0, 90.0, 80.0, 90.0, 80.0, 90.0, 80.0, 70.0],
...                   "numerator": 1.0, "denominator": 10.0})
>>> row = assess_month(t, {"p": meta}, "2024-08").iloc[0]
>>> float(row["value"]), row["rag"], row["spc_rule"], bool(row["spc_trial"])
(70.0, 'No target', 'common_cause', True)
>>> row["spc_chart"], int(row["spc_points"]), round(float(row["spc_lower"]), 1)
('spc', 8, 55.9)

With fewer than 7 months there is no SPC verdict at all:

>>> short = assess_month(t[t["period_end"] <= "2024-06-30"], {"p": meta}, "2024-06").iloc[0]
>>> pd.isna(short["spc_rule"]), pd.isna(short["variation"]), short["spc_note"]
(True, True, 'fewer than 7 points')
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from pmf_lib.assess import exceptions as exc
from pmf_lib.assess.spc import SpcOptions, assurance_icon
from pmf_lib.assess.spc_table import kpi_spc
from pmf_lib.assess.targets import NO_TARGET, Targets, rag, review_overdue
from pmf_lib.assess.travel import headline_window  # the one definition, re-exported
from pmf_lib.compute.registry import KpiMeta
from pmf_lib.dates import month_end as _month_end
from pmf_lib.errors import PmfError

KPI_TABLE_REQUIRED = ["kpi_id", "period_end", "window", "value", "numerator", "denominator"]
QUARTILE_COLUMN = "quartile"
PREVIOUS_QUARTILE_COLUMN = "previous_quartile"

ASSESSED_COLUMNS = [
    "kpi_id",
    "title",
    "area",
    "unit",
    "polarity",
    "period_end",
    "window",
    "value",
    "numerator",
    "denominator",
    "previous_value",
    "rolling_12m_value",
    "target",
    "amber_tolerance",
    "target_from",
    "target_baseline",
    "target_set_on",
    "target_review_by",
    "target_review_overdue",
    "rag",
    "months_off_target",
    "months_worse",
    "cadence",
    "spc_chart",
    "spc_period_end",
    "spc_points",
    "spc_mean",
    "spc_upper",
    "spc_lower",
    "spc_close_upper",
    "spc_close_lower",
    "spc_trial",
    "spc_rule",
    "spc_direction",
    "spc_special_cause",
    "spc_note",
    "variation",
    "assurance",
    "exception",
    "exception_flags",
    "good_practice",
    "good_practice_flags",
    "sentence",
]
"""The assessed table's own columns, in order (travel and comparator columns follow)."""


def _check_table(kpi_table: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in KPI_TABLE_REQUIRED if c not in kpi_table.columns]
    if missing:
        raise PmfError(f"the KPI table lacks column(s) {', '.join(missing)}", field=missing[0])
    t = kpi_table.copy()
    t["period_end"] = pd.to_datetime(t["period_end"]).dt.normalize()
    dup = t.duplicated(["kpi_id", "window", "period_end"], keep=False)
    if dup.any():
        r = t[dup].iloc[0]
        raise PmfError(
            f"more than one row for {r['kpi_id']} {r['window']} {r['period_end']:%Y-%m-%d}",
            location=f"row {int(np.flatnonzero(dup.to_numpy())[0])}",
            field="kpi_id",
        )
    return t


def _series(t: pd.DataFrame, kpi_id: str, window: str, end: pd.Timestamp, col="value"):
    rows = t[(t["kpi_id"] == kpi_id) & (t["window"] == window) & (t["period_end"] <= end)]
    return pd.Series(
        rows[col].to_numpy(dtype="float64"), index=pd.DatetimeIndex(rows["period_end"])
    ).sort_index()


def _monthly(series: pd.Series, end: pd.Timestamp) -> pd.Series:
    """The series on every month end up to ``end`` (absent months are NaN)."""
    if series.empty:
        return series
    months = pd.date_range(_month_end(series.index.min()), end, freq="ME")
    return series.reindex(months)


def _target(targets: Targets | None, meta: KpiMeta, when: pd.Timestamp):
    if targets is None:
        return None
    p = targets.target_in_force(meta.id, when)
    if p is None or p.target is None:
        return None
    if meta.polarity == "neutral":
        raise PmfError(
            "a neutral KPI (neither higher nor lower is better) cannot have a target",
            file=targets.source,
            field=meta.id,
        )
    return p


def _rag_at(targets, meta, when, value) -> str:
    p = _target(targets, meta, when)
    if p is None:
        return NO_TARGET
    return rag(value, p.target, p.amber_tolerance, meta.polarity)


def _keyed(frame: pd.DataFrame | None, name: str) -> pd.DataFrame | None:
    if frame is None:
        return None
    if "kpi_id" not in frame.columns:
        raise PmfError(f"the {name} table has no kpi_id column", field="kpi_id")
    dup = frame["kpi_id"].duplicated()
    if dup.any():
        raise PmfError(
            f"the {name} table has more than one row for {frame.loc[dup, 'kpi_id'].iloc[0]}",
            field="kpi_id",
        )
    return frame.set_index("kpi_id")


def _get(frame: pd.DataFrame | None, kpi_id: str, col: str):
    if frame is None or col not in frame.columns or kpi_id not in frame.index:
        return None
    v = frame.at[kpi_id, col]
    return None if pd.isna(v) else v


def _nan_if_none(v) -> float:
    return float("nan") if v is None else float(v)


def assess_kpi(
    t: pd.DataFrame,
    meta: KpiMeta,
    end: pd.Timestamp,
    targets: Targets | None,
    comparators: pd.DataFrame | None,
    options: SpcOptions,
) -> dict:
    """The assessed row of one KPI (``t`` already checked; see :func:`assess_month`)."""
    window = headline_window(meta)
    series = _series(t, meta.id, window, end)
    here = t[(t["kpi_id"] == meta.id) & (t["window"] == window) & (t["period_end"] == end)]
    value = float(here["value"].iloc[0]) if len(here) else float("nan")
    numerator = float(here["numerator"].iloc[0]) if len(here) else float("nan")
    denominator = float(here["denominator"].iloc[0]) if len(here) else float("nan")
    r12 = t[(t["kpi_id"] == meta.id) & (t["window"] == "rolling_12m") & (t["period_end"] == end)]
    rolling = float(r12["value"].iloc[0]) if len(r12) else float("nan")

    # Month-on-month steps (quarter-on-quarter for a quarterly KPI), ending at ``end``.
    steps = _monthly(series, end) if meta.cadence != "quarterly" else series
    if steps.empty:
        steps = pd.Series([value], index=pd.DatetimeIndex([end]))
    elif steps.index[-1] != end:
        steps = pd.concat([steps, pd.Series([value], index=pd.DatetimeIndex([end]))])
    previous = float(steps.iloc[-2]) if len(steps) >= 2 else float("nan")
    months_worse = exc.months_worsening(steps.to_numpy(), meta.polarity)

    period = _target(targets, meta, end)
    target = None if period is None else period.target
    state = _rag_at(targets, meta, end, value)
    history = [_rag_at(targets, meta, pe, v) for pe, v in steps.items()]
    off = exc.months_off_target(history)

    row = {
        "kpi_id": meta.id,
        "title": meta.title,
        "area": meta.area,
        "unit": meta.unit,
        "polarity": meta.polarity,
        "period_end": end,
        "window": window,
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "previous_value": previous,
        "rolling_12m_value": rolling,
        "target": _nan_if_none(target),
        "amber_tolerance": _nan_if_none(None if period is None else period.amber_tolerance),
        "target_from": pd.Timestamp(period.from_) if period is not None else pd.NaT,
        "target_baseline": _nan_if_none(None if period is None else period.baseline),
        "target_set_on": pd.Timestamp(period.set_on) if period is not None else pd.NaT,
        "target_review_by": pd.Timestamp(period.review_by) if period is not None else pd.NaT,
        "target_review_overdue": review_overdue(period, end),
        "rag": state,
        "months_off_target": off,
        "months_worse": months_worse,
    }
    # The SPC verdict is the latest point of the KPI's chart in the SPC table (one
    # judgement, published once): see pmf_lib.assess.spc_table.
    chart = kpi_spc(t, meta, end, options, targets)
    at = chart[chart["latest"]]
    latest = at.iloc[-1] if len(at) else None
    row.update(
        cadence=meta.cadence,
        spc_chart=chart["chart"].iloc[0] if len(chart) else None,
        spc_period_end=latest["period_end"] if latest is not None else pd.NaT,
        spc_note=None if latest is None or pd.isna(latest["note"]) else str(latest["note"]),
    )
    if latest is not None and not pd.isna(latest["rule"]):
        row.update(
            spc_points=int(latest["points"]),
            spc_mean=float(latest["mean"]),
            spc_upper=float(latest["upper"]),
            spc_lower=float(latest["lower"]),
            spc_close_upper=float(latest["close_upper"]),
            spc_close_lower=float(latest["close_lower"]),
            spc_trial=bool(latest["trial"]),
            spc_rule=None if pd.isna(latest["rule"]) else str(latest["rule"]),
            spc_direction=None if pd.isna(latest["direction"]) else str(latest["direction"]),
            spc_special_cause=bool(latest["special_cause"]),
            variation=str(latest["verdict"]),
            assurance=assurance_icon(target, latest, meta.polarity),
        )
        run = exc.spc_run_length(chart)
    else:
        row.update(
            spc_points=0 if latest is None else int(latest["points"]),
            spc_mean=np.nan,
            spc_upper=np.nan,
            spc_lower=np.nan,
            spc_close_upper=np.nan,
            spc_close_lower=np.nan,
            spc_trial=False,
            spc_rule=None,
            spc_direction=None,
            spc_special_cause=False,
            variation=None,
            assurance=None,
        )
        run = 0

    # Direction of travel, judged once (pmf_lib.assess.travel, on the figures as shown,
    # against the previous period at the KPI's cadence and the year before): the flags and
    # the sentence read the verdicts the table's travel columns show.
    moved = exc.travel_fields(series, meta, end)
    km = exc.KpiMonth(
        kpi_id=meta.id,
        title=meta.title,
        unit=meta.unit,
        polarity=meta.polarity,
        period_end=end,
        value=value,
        rag=state,
        target=target,
        amber_tolerance=None if period is None else period.amber_tolerance,
        months_off_target=off,
        spc_rule=row["spc_rule"],
        spc_direction=row["spc_direction"],
        spc_special_cause=row["spc_special_cause"],
        spc_mean=row["spc_mean"],
        spc_lower=row["spc_lower"],
        spc_upper=row["spc_upper"],
        spc_run=run,
        spc_trial=row["spc_trial"],
        spc_period_end=row.get("spc_period_end"),
        quartile_band=_get(comparators, meta.id, QUARTILE_COLUMN),
        previous_quartile_band=_get(comparators, meta.id, PREVIOUS_QUARTILE_COLUMN),
        window=window,
        denominator=denominator,
        **moved,
    )
    bad, good = exc.flags(km)
    row.update(
        previous_value=km.previous_value,
        months_worse=km.months_worse,
        exception=bool(bad),
        exception_flags="; ".join(bad),
        good_practice=bool(good),
        good_practice_flags="; ".join(good),
        sentence=exc.sentence(km),
    )
    return row


def _add_columns(out: pd.DataFrame, extra: pd.DataFrame | None, prefix: str) -> pd.DataFrame:
    """Join ``extra`` (indexed by kpi_id) on kpi_id, prefixing column names already taken."""
    if extra is None:
        return out
    renamed = extra.rename(columns={c: f"{prefix}{c}" for c in extra.columns if c in out.columns})
    return out.join(renamed, on="kpi_id")


def assess_month(
    kpi_table: pd.DataFrame,
    meta: Mapping[str, KpiMeta],
    month_end,
    targets: Targets | None = None,
    comparators: pd.DataFrame | None = None,
    travel: pd.DataFrame | None = None,
    spc_options: SpcOptions | None = None,
) -> pd.DataFrame:
    """One assessed row per KPI for a month.

    Parameters
    ----------
    kpi_table : pandas.DataFrame
        The tidy KPI table, every month up to (and usually including) ``month_end``.
    meta : mapping of KPI id to KpiMeta
        The KPIs to assess, in the order wanted; a KPI with no rows in the table
        gets a row with no figure.
    month_end : date-like or ``YYYY-MM``
        The month assessed (its last day is used).
    targets : Targets, optional
        From :func:`~pmf_lib.assess.targets.load_targets`; each month is judged
        against the target in force then.
    comparators : pandas.DataFrame, optional
        One row per ``kpi_id`` (e.g. ``comparators.comparators_table``).
    travel : pandas.DataFrame, optional
        One row per ``kpi_id`` (e.g. ``travel.travel_table``).
    spc_options : SpcOptions, optional
        Baseline length, screening and rebase dates.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ASSESSED_COLUMNS` then the travel and comparator columns.
        ``exception_flags`` and ``good_practice_flags`` are ``"; "``-joined
        codes from :mod:`pmf_lib.assess.exceptions`; ``sentence`` describes every
        KPI (for a flagged one it says why).

    Raises
    ------
    PmfError
        For a KPI table lacking columns or with duplicate rows, a target set for
        a neutral KPI, or travel/comparator tables with duplicate KPI rows.
    """
    end = _month_end(month_end)
    t = _check_table(kpi_table)
    options = spc_options or SpcOptions()
    comp = _keyed(comparators, "comparators")
    trav = _keyed(travel, "travel")
    rows = [assess_kpi(t, m, end, targets, comp, options) for m in meta.values()]
    out = pd.DataFrame(rows, columns=ASSESSED_COLUMNS)
    for col in ("spc_rule", "spc_direction", "spc_note", "spc_chart", "variation", "assurance"):
        out[col] = out[col].astype("str").where(out[col].notna())
    out["spc_period_end"] = pd.to_datetime(out["spc_period_end"])
    out = _add_columns(out, trav, "travel_")
    out = _add_columns(out, comp, "comparator_")
    return out


def exceptions_list(assessed: pd.DataFrame) -> pd.DataFrame:
    """The flagged KPIs of an assessed table, with their flags and sentences.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"kpi_id": ["a", "b"], "title": ["A", "B"], "exception": [True, False],
    ...                   "exception_flags": ["red", ""], "sentence": ["A fell.", "B rose."]})
    >>> exceptions_list(a)["kpi_id"].tolist()
    ['a']
    """
    cols = ["kpi_id", "title", "exception_flags", "sentence"]
    return assessed.loc[assessed["exception"].astype(bool), cols].reset_index(drop=True)


def good_practice_list(assessed: pd.DataFrame) -> pd.DataFrame:
    """The KPIs showing good practice, with their flags and sentences."""
    cols = ["kpi_id", "title", "good_practice_flags", "sentence"]
    return assessed.loc[assessed["good_practice"].astype(bool), cols].reset_index(drop=True)
