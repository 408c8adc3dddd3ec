"""Suggest a target and baseline for every KPI with a polarity, reproducibly.

The demo council's ``parameters/targets.yaml`` is this module's output::

    python -m pmf_lib.assess.target_setting --config parameters/config.yaml \\
        --history outputs/2026-10/kpi_history.parquet --baseline 2026-03 \\
        --out parameters/targets.yaml

Rules (each target's comment in the file says which one made it):

* **Baseline**: the council's own figure for the 12 months to the baseline month
  (March 2026), in the KPI's headline window so it reads against the target: the
  figure at 31 March for a snapshot (stock) KPI or a rolling-12-month headline;
  the ``rolling_12m`` figure for a monthly or quarterly percentage, mean or rate;
  the average month (or quarter) of those 12 months for a count.
* **Target, when the KPI has a comparator** (the statistical neighbours' figure
  as the config shows it, else England; :func:`pmf_lib.assess.pipeline.comparators_for`):
  a baseline worse than the comparator aims for the comparator; a baseline at or
  better than it holds the baseline (rounded to the worse side, so holding the
  baseline meets it).
* **Target, with no comparator**: a modest improvement on the baseline, 2
  percentage points for a percentage (never past 0 or 100) and 5% for any other
  unit; a count is rounded to a whole number.
* **A target the council already agreed** (in force the day before the start date)
  is kept: the new period repeats its target and tolerance with the new
  baseline, as the six-monthly review that kept it. A period from the start date
  itself is the one this writes: re-running gives the same file.
* **Amber tolerance**: 5% of the target for a percentage (at least 1 percentage
  point), 10% for any other unit (at least 1 for a count), rounded to 0.5.
* ``set_on`` is the start date and ``review_by`` six months later
  (:func:`pmf_lib.assess.targets.default_review_date`). Neutral KPIs get none.

Percentages are rounded to whole numbers, other units to one decimal place.

Examples
--------
>>> derive_target("higher_is_better", "percent", baseline=71.26, comparator=82.46)
(82.0, 4.0, 'baseline worse than the comparator: target = the comparator')
>>> derive_target("lower_is_better", "percent", baseline=8.9, comparator=12.6)
(9.0, 1.0, 'baseline at or better than the comparator: target = hold the baseline')
>>> derive_target("higher_is_better", "percent", baseline=89.3, comparator=None)
(91.0, 4.5, 'no comparator: target = 2 percentage points better than the baseline')
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from collections.abc import Mapping

import pandas as pd

from pmf_lib.assess.travel import headline_window
from pmf_lib.atomic import write_text_atomic
from pmf_lib.compute.registry import KpiMeta
from pmf_lib.dates import month_end
from pmf_lib.errors import PmfError

HEADER = """\
# pmf KPI targets: what each KPI is judged against, and from when.
#
# Each KPI id lists its target periods, oldest first. A period applies to every month whose
# month end is on or after its `from` date, until the next period starts, so a past month is
# always judged against the target that was in force at the time. When a target changes, ADD a
# period; do not edit the old one (the past reports would then change).
#
#   from:            first day the target applies (YYYY-MM-DD; use the 1st of a month)
#   target:          the value to meet (percentages as 0-100); `null` withdraws the target
#   amber_tolerance: how far on the wrong side of the target is Amber rather than Red
#                    (same units as the KPI: percentage points for percentages)
#   baseline:        the value when the target was set (shown beside the target in reports)
#   note:            optional - why the target was set, who agreed it
#   set_on:          when the target was agreed (default: its `from` date)
#   review_by:       when it is next reviewed (default: six months after set_on; the data
#                    quality report lists targets in force past their review date)
#
# RAG: where higher is better, Green = value >= target; Amber = target - tolerance <= value <
# target; Red = below that. Mirrored where lower is better. A KPI with no target (an empty list)
# shows "No target", never Red. Neutral KPIs (counts and rates where neither direction is
# better) cannot have a target. Every KPI id must be one pmf knows (see `pmf kpis`); a misspelt id
# or key is an error that names it.
#
# The demo council's targets from {start} were derived by pmf_lib/assess/target_setting.py
# (its docstring gives the rules) from the demo's own figures for the 12 months to {base}
# and the DfE comparators shipped with pmf; the comment above each says how. Earlier periods
# are illustrative planning targets set near the England averages DfE publishes (LAIT).
# Regenerate with:
#   python -m pmf_lib.assess.target_setting --config parameters/config.yaml \\
#       --history outputs/2026-10/kpi_history.parquet --baseline {base_ym} \\
#       --out parameters/targets.yaml
# Replace them with your council's agreed targets.
"""


def _round(value: float, unit: str, worse_side: str | None = None) -> float:
    """Round to a whole number (percent, count) or 1 dp; ``worse_side`` floors/ceils.

    ``worse_side`` is ``"down"`` or ``"up"``: the direction that is worse, so a
    held baseline rounds to a figure it meets.

    Examples
    --------
    >>> _round(70.68, "percent", "down"), _round(70.68, "percent"), _round(2.34, "mean")
    (70.0, 71.0, 2.3)
    """
    scale = 1 if unit in ("percent", "count") else 10
    x = value * scale
    if worse_side == "down":
        x = math.floor(x + 1e-9)
    elif worse_side == "up":
        x = math.ceil(x - 1e-9)
    else:
        x = math.floor(x + 0.5)
    return float(x) / scale


def amber_tolerance(target: float, unit: str) -> float:
    """5% of the target for a percentage (at least 1), 10% otherwise, to the nearest 0.5.

    Examples
    --------
    >>> amber_tolerance(82, "percent"), amber_tolerance(10, "percent"), amber_tolerance(24, "count")
    (4.0, 1.0, 2.5)
    """
    share = 0.05 if unit == "percent" else 0.10
    tol = math.floor(abs(target) * share * 2 + 0.5) / 2
    floor = 1.0 if unit in ("percent", "count") else 0.5
    return max(floor, tol)


def derive_target(
    polarity: str, unit: str, *, baseline: float, comparator: float | None
) -> tuple[float, float, str]:
    """The target, amber tolerance and the rule used (see the module docstring)."""
    if polarity not in ("higher_is_better", "lower_is_better"):
        raise ValueError(f"a {polarity} KPI cannot have a target")
    higher = polarity == "higher_is_better"
    worse = "down" if higher else "up"
    if comparator is not None and not math.isnan(comparator):
        if (baseline < comparator) if higher else (baseline > comparator):
            target = _round(comparator, unit)
            how = "baseline worse than the comparator: target = the comparator"
        else:
            target = _round(baseline, unit, worse)
            how = "baseline at or better than the comparator: target = hold the baseline"
    else:
        sign = 1 if higher else -1
        if unit == "percent":
            target = min(100.0, max(0.0, baseline + 2 * sign))
            how = "no comparator: target = 2 percentage points better than the baseline"
        else:
            target = max(0.0, baseline * (1 + 0.05 * sign))
            how = "no comparator: target = 5% better than the baseline"
        target = _round(target, unit)
    return target, amber_tolerance(target, unit), how


def baseline_figure(history: pd.DataFrame, meta: KpiMeta, baseline_end) -> tuple[float, str]:
    """The KPI's own baseline for the 12 months to ``baseline_end``, and how it was taken.

    Examples
    --------
    >>> from pmf_lib.compute.registry import KpiMeta
    >>> m = KpiMeta(id="c", title="C", area="a", unit="count", polarity="higher_is_better",
    ...             windows=("quarter", "rolling_12m"), source="s", definition="d",
    ...             numerator="n", cadence="quarterly")
    >>> h = pd.DataFrame({"kpi_id": "c", "window": "quarter", "value": [20.0, 22.0, 24.0, 26.0],
    ...     "period_end": pd.to_datetime(["2025-06-30", "2025-09-30", "2025-12-31", "2026-03-31"])})
    >>> baseline_figure(h, m, "2026-03-31")
    (23.0, 'average quarter of the 12 months to Mar 2026')
    """
    end = month_end(baseline_end)
    start = month_end(end - pd.DateOffset(months=11))
    window = headline_window(meta)
    rows = history[history["kpi_id"] == meta.id]
    ends = pd.to_datetime(rows["period_end"]).dt.normalize()
    label = f"{end:%b %Y}"

    def at(w: str) -> float:
        v = rows.loc[(rows["window"] == w) & (ends == end), "value"]
        return float(v.iloc[0]) if len(v) and not pd.isna(v.iloc[0]) else float("nan")

    if window in ("snapshot", "rolling_12m"):
        what = "at" if window == "snapshot" else "12 months to"
        return at(window), f"{what} {end:%-d %b %Y}" if window == "snapshot" else f"{what} {label}"
    if meta.unit != "count" and "rolling_12m" in meta.windows:
        return at("rolling_12m"), f"12 months to {label}"
    part = rows.loc[(rows["window"] == window) & (ends >= start) & (ends <= end), "value"]
    part = part.dropna()
    noun = "quarter" if window == "quarter" else "month"
    value = float(part.mean()) if len(part) else float("nan")
    return value, f"average {noun} of the 12 months to {label}"


def suggest_targets(
    metas: Mapping[str, KpiMeta],
    history: pd.DataFrame,
    comparators: pd.DataFrame | None,
    existing,
    *,
    baseline_end,
    start: dt.date,
    comparator_label: str = "statistical neighbours' mean",
) -> dict[str, dict | None]:
    """One new target period (a dict, plus ``how``) per KPI; None for a neutral one.

    ``existing`` is the current :class:`~pmf_lib.assess.targets.Targets`; a target
    in force the day before ``start`` is kept (its target and tolerance, a new baseline).
    A KPI with no figure for the baseline year gets no target (``how`` says so).
    """
    from pmf_lib.assess.targets import default_review_date

    comp = comparators.set_index("kpi_id") if comparators is not None and len(comparators) else None
    out: dict[str, dict | None] = {}
    for kid, m in metas.items():
        if m.polarity == "neutral":
            out[kid] = None
            continue
        baseline, base_how = baseline_figure(history, m, baseline_end)
        if math.isnan(baseline):
            out[kid] = {"how": f"no figure for the {base_how}: no baseline, so no target"}
            continue
        baseline = round(baseline, 1)
        c_val, c_how = None, ""
        if comp is not None and kid in comp.index:
            r = comp.loc[kid]
            for col, name in (("sn", comparator_label), ("england", "England")):
                if col in r.index and not pd.isna(r[col]):
                    year = r.get(f"{col}_year") if f"{col}_year" in r.index else r.get("year")
                    c_val, c_how = float(r[col]), f"{name} {year}: {float(r[col]):.1f}"
                    break
        # the target agreed before the start (a period from the start itself is replaced)
        before = start - dt.timedelta(days=1)
        kept = existing.target_in_force(kid, before) if existing is not None else None
        if kept is not None and kept.target is not None:
            target, tol = kept.target, kept.amber_tolerance
            how = f"agreed target kept at the review (set from {kept.from_})"
            note = f"Reviewed {start:%B %Y}: target kept. {kept.note}".strip()
        else:
            target, tol, how = derive_target(
                m.polarity, m.unit, baseline=baseline, comparator=c_val
            )
            note = f"Set for {start:%Y}-{(start.year + 1) % 100:02d}; baseline {base_how}"
        out[kid] = {
            "from": start,
            "target": target,
            "amber_tolerance": tol,
            "baseline": baseline,
            "note": note,
            "set_on": start,
            "review_by": default_review_date(start),
            "how": f"baseline {baseline:g} ({base_how})"
            + (f"; {c_how}" if c_how else "; no DfE comparator")
            + f"; {how}",
        }
    return out


def _scalar(v) -> str:
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


_ORDER = ("from", "target", "amber_tolerance", "baseline", "note", "set_on", "review_by")


def _period_lines(p: Mapping) -> list[str]:
    lines = []
    for i, key in enumerate(k for k in _ORDER if p.get(k) is not None and p.get(k) != ""):
        lines.append(f"{'  - ' if i == 0 else '    '}{key}: {_scalar(p[key])}")
    return lines


def targets_yaml(
    metas: Mapping[str, KpiMeta],
    areas: Mapping[str, tuple[str, list[str]]],
    existing,
    suggested: Mapping[str, dict | None],
    *,
    baseline_end,
    start: dt.date,
) -> str:
    """The targets file's text: header, then each area's KPIs, old periods then the new one.

    ``areas`` maps an area id to its title and KPI ids (the config's order).
    """
    end = month_end(baseline_end)
    text = [HEADER.format(start=start, base=f"{end:%B %Y}", base_ym=f"{end:%Y-%m}")]
    done = set()
    for title, kpi_ids in areas.values():
        text.append(f"\n# --- {title} " + "-" * max(3, 90 - len(title) - 7))
        for kid in kpi_ids:
            if kid in done or kid not in metas:
                continue
            done.add(kid)
            new = suggested.get(kid)
            old = [] if existing is None else list(existing.periods.get(kid, ()))
            old = [p for p in old if p.from_ < start]
            if new is None and not old:
                text.append(f"{kid}: []  # {metas[kid].polarity}: cannot have a target")
                continue
            if new is not None and "from" not in new and not old:
                text.append(f"{kid}: []  # {new['how']}")
                continue
            text.append(f"{kid}:  # {metas[kid].polarity.replace('_', ' ')}")
            for p in old:
                text.extend(
                    _period_lines(
                        {
                            "from": p.from_,
                            "target": p.target,
                            "amber_tolerance": p.amber_tolerance,
                            "baseline": p.baseline,
                            "note": p.note,
                            "set_on": p.set_on,
                            "review_by": p.review_by,
                        }
                    )
                )
            if new is not None and "from" in new:
                text.append(f"    # {new['how']}")
                text.extend(_period_lines(new))
    return "\n".join(text) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the suggested targets file (see the module docstring); exit 2 on bad input."""
    ap = argparse.ArgumentParser(prog="python -m pmf_lib.assess.target_setting")
    ap.add_argument("--config", default="parameters/config.yaml")
    ap.add_argument("--history", required=True, help="a month's kpi_history.parquet (internal)")
    ap.add_argument("--baseline", default="2026-03", help="last month of the baseline year")
    ap.add_argument("--out", required=True, help="the targets file to write")
    args = ap.parse_args(argv)
    from pmf_lib.assess.pipeline import comparators_for, configured_kpis
    from pmf_lib.assess.targets import load_targets
    from pmf_lib.config import load_config

    try:
        config = load_config(args.config)
        history = pd.read_parquet(args.history)
        if "suppressed" in history.columns:
            raise PmfError("a members' or public history has withheld figures", file=args.history)
        metas = configured_kpis(config)
        existing = load_targets(config.targets_file, metas) if config.targets_file else None
        end = month_end(args.baseline)
        start = (end + pd.Timedelta(days=1)).date()
        comps = comparators_for(config, history, metas, end)
        suggested = suggest_targets(
            metas,
            history,
            comps,
            existing,
            baseline_end=end,
            start=start,
            comparator_label=f"statistical neighbours' {config.benchmarks.sn_stat}",
        )
        areas = {a: (v.title, list(v.kpis)) for a, v in config.areas.items()}
        text = targets_yaml(metas, areas, existing, suggested, baseline_end=end, start=start)
        write_text_atomic(text, args.out)
    except PmfError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
