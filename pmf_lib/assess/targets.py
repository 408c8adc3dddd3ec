"""KPI targets with the dates they apply from, and RAG ratings.

``parameters/targets.yaml`` maps each KPI id to a list of target periods::

    assessments_45wd_pct:
      - from: 2023-04-01
        target: 80
        amber_tolerance: 5
        baseline: 76.4
        note: Improvement plan 2023-24
      - from: 2024-04-01
        target: 85
        amber_tolerance: 5

A period applies to every month whose ``period_end`` is on or after its ``from``
date, until the next period's ``from``; so a past month is judged against the
target in force then. ``target: null`` withdraws the target from that date, and
an empty list says the KPI has no target.

Each period records when the target was agreed (``set_on``, default its ``from``
date) and when it is next reviewed (``review_by``, default six months after
``set_on``: targets are reviewed every six months). A review date on or before
the date set is an error. :func:`reviews_overdue` lists the targets in force at a
month end whose review date has passed. Unknown keys and unknown KPI ids are
errors naming them. A target for a KPI the library defines but the caller does
not ask about (one no configured area shows) is checked and then left out, so
one targets file serves every config.

RAG, for a KPI where higher is better, with target T and amber tolerance A:

* **Green** – value ≥ T (meeting the target exactly is green);
* **Amber** – T − A ≤ value < T (within the tolerance on the wrong side;
  exactly at the edge of the tolerance is amber);
* **Red** – value < T − A.

Mirrored where lower is better (green ≤ T; amber T < value ≤ T + A; red above).
Values within 1e-9 (relative) of a boundary count as on it, so a percentage
computed as 100 × n ÷ d is not pushed over a boundary by floating-point
rounding. With no target the state is **No target** (never red); with no value
(an empty denominator) it is **No data**. A neutral KPI cannot be RAG rated.

Examples
--------
>>> rag(80.0, target=85, amber_tolerance=5, polarity="higher_is_better")
'Amber'
>>> rag(79.9, target=85, amber_tolerance=5, polarity="higher_is_better")
'Red'
>>> rag(12.0, target=None, amber_tolerance=None, polarity="lower_is_better")
'No target'
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pmf_lib.errors import PmfError
from pmf_lib.textio import load_yaml, short_repr
from pmf_lib.yamlio import plain_message, validation_error

GREEN, AMBER, RED = "Green", "Amber", "Red"
NO_TARGET, NO_DATA = "No target", "No data"
RAG_STATES = (GREEN, AMBER, RED, NO_TARGET, NO_DATA)
_REL_EPS = 1e-9


REVIEW_MONTHS = 6
"""Months from setting a target to its review (the Kent framework: every six months)."""


def default_review_date(set_on: dt.date) -> dt.date:
    """Six months after ``set_on`` (the same day of the month, or the month's last day).

    Examples
    --------
    >>> default_review_date(dt.date(2026, 4, 1)), default_review_date(dt.date(2026, 8, 31))
    (datetime.date(2026, 10, 1), datetime.date(2027, 2, 28))
    """
    return (pd.Timestamp(set_on) + pd.DateOffset(months=REVIEW_MONTHS)).date()


class TargetPeriod(BaseModel):
    """One target, the date from which it applies, when it was set and when it is reviewed.

    Examples
    --------
    >>> p = TargetPeriod.model_validate({"from": "2024-04-01", "target": 85, "amber_tolerance": 5})
    >>> p.from_, p.target, p.baseline
    (datetime.date(2024, 4, 1), 85.0, None)
    >>> p.set_on, p.review_by
    (datetime.date(2024, 4, 1), datetime.date(2024, 10, 1))
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_: dt.date = Field(alias="from", description="first day the target applies (YYYY-MM-DD)")
    target: float | None = Field(description="the target value; null withdraws the target")
    amber_tolerance: float = Field(
        0.0, ge=0, description="how far on the wrong side of the target is still Amber"
    )
    baseline: float | None = Field(None, description="the value the target was set against")
    note: str = Field("", description="why the target was set (shown to analysts)")
    set_on: dt.date | None = Field(None, description="when the target was agreed (default: from)")
    review_by: dt.date | None = Field(
        None, description="when the target is next reviewed (default: six months after set_on)"
    )

    @model_validator(mode="after")
    def _finite(self):
        for name in ("target", "amber_tolerance", "baseline"):
            v = getattr(self, name)
            if v is not None and not math.isfinite(v):
                raise ValueError(f"{name} must be a finite number")
        set_on = self.set_on or self.from_
        review_by = self.review_by or default_review_date(set_on)
        if review_by <= set_on:
            raise ValueError(f"review_by ({review_by}) must be after set_on ({set_on})")
        # frozen model: fill the defaults in once, at validation
        self.__dict__["set_on"] = set_on
        self.__dict__["review_by"] = review_by
        return self


@dataclass(frozen=True)
class Targets:
    """Validated targets: each KPI's target periods, sorted by ``from`` date.

    Examples
    --------
    >>> t = Targets({"k": [TargetPeriod.model_validate(
    ...     {"from": "2024-04-01", "target": 85, "amber_tolerance": 5})]})
    >>> t.target_in_force("k", "2024-03-31") is None, t.target_in_force("k", "2024-04-30").target
    (True, 85.0)
    """

    periods: Mapping[str, list[TargetPeriod]] = field(default_factory=dict)
    source: Path | None = None

    def target_in_force(self, kpi_id: str, period_end) -> TargetPeriod | None:
        """The period in force at ``period_end`` (latest ``from`` ≤ it), or None.

        A period whose ``target`` is null is returned as is (the target was
        withdrawn); callers treat it as no target.
        """
        end = pd.Timestamp(period_end).date()
        found = None
        for p in self.periods.get(kpi_id, ()):
            if p.from_ <= end:
                found = p
            else:
                break
        return found

    def kpi_ids(self) -> list[str]:
        """KPI ids listed in the file (including those with an empty list)."""
        return list(self.periods)


def _known(known_kpis) -> tuple[set[str], Mapping[str, str]]:
    if isinstance(known_kpis, Mapping):
        ids = set(known_kpis)
        pol = {k: getattr(v, "polarity", v) for k, v in known_kpis.items()}
        return ids, pol
    return set(known_kpis), {}


def _library_polarities() -> dict[str, str]:
    """Every KPI the library defines, with its polarity."""
    from pmf_lib.compute.registry import all_kpis

    return {k: v.meta.polarity for k, v in all_kpis().items()}


def parse_targets(raw, known_kpis: Iterable[str] | Mapping, source=None) -> Targets:
    """Validate an already-loaded targets mapping (see :func:`load_targets`).

    Examples
    --------
    >>> raw = {"k": [{"from": "2024-04-01", "target": 85, "amber_tolerance": 5, "colour": 1}]}
    >>> try:
    ...     parse_targets(raw, ["k"], source="targets.yaml")
    ... except PmfError as e:
    ...     print(e)
    targets.yaml, field k[0].colour: unknown key (expected from, target, amber_tolerance, \
baseline, note, set_on, review_by)
    >>> raw = {"k": [{"from": "2026-04-01", "target": 85, "set_on": "2026-04-01",
    ...               "review_by": "2026-03-01"}]}
    >>> try:
    ...     parse_targets(raw, ["k"], source="targets.yaml")
    ... except PmfError as e:
    ...     print(e)
    targets.yaml, field k[0]: review_by (2026-03-01) must be after set_on (2026-04-01)
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise PmfError("expected a mapping of KPI id to a list of target periods", file=source)
    ids, polarity = _known(known_kpis)
    library = _library_polarities()
    unknown = sorted(short_repr(str(k))[1:-1] for k in raw if k not in ids and k not in library)
    if unknown:
        raise PmfError(
            f"unknown KPI id(s): {', '.join(unknown[:5])}"
            f"{f' and {len(unknown) - 5} more' if len(unknown) > 5 else ''} "
            "(not a pmf KPI; check the spelling)",
            file=source,
            field=unknown[0],
        )
    out: dict[str, list[TargetPeriod]] = {}
    allowed = "from, target, amber_tolerance, baseline, note, set_on, review_by"
    wording = functools.partial(plain_message, unknown=f"unknown key (expected {allowed})")
    for kpi_id, periods in raw.items():
        if periods is None:
            periods = []
        if not isinstance(periods, list):
            raise PmfError(
                "expected a list of target periods (each starting '- from: YYYY-MM-DD')",
                file=source,
                field=kpi_id,
            )
        parsed = []
        for i, item in enumerate(periods):
            where = f"{kpi_id}[{i}]"
            if not isinstance(item, Mapping):
                raise PmfError(
                    "expected a mapping with from, target, ...", file=source, field=where
                )
            try:
                parsed.append(TargetPeriod.model_validate(dict(item)))
            except ValidationError as e:
                raise validation_error(e, source, prefix=where, message=wording) from None
        dates = [p.from_ for p in parsed]
        for j in range(1, len(dates)):
            if dates[j] <= dates[j - 1]:
                raise PmfError(
                    f"'from' dates must increase; {dates[j]} is not after {dates[j - 1]}",
                    file=source,
                    field=f"{kpi_id}[{j}].from",
                )
        pol = polarity.get(kpi_id) if kpi_id in ids else library.get(kpi_id)
        if pol == "neutral" and any(p.target is not None for p in parsed):
            raise PmfError(
                "a neutral KPI (neither higher nor lower is better) cannot have a target",
                file=source,
                field=kpi_id,
            )
        if kpi_id in ids:  # a library KPI that no configured area shows: checked, not kept
            out[kpi_id] = parsed
    return Targets(out, Path(source) if source is not None else None)


def load_targets(path: str | Path, known_kpis: Iterable[str] | Mapping) -> Targets:
    """Read and validate a targets file.

    Parameters
    ----------
    path : str or Path
        The YAML file (``parameters/targets.yaml``).
    known_kpis : iterable of str, or mapping of KPI id to polarity or KpiMeta
        The KPI ids that exist; with polarities, a target for a neutral KPI is
        also an error.

    Returns
    -------
    Targets

    Raises
    ------
    PmfError
        Naming the file and the key for the first problem found.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "targets.yaml"
    >>> _ = f.write_text("assessments_45wd_pct:\\n  - {from: 2024-04-01, target: 85,"
    ...                  " amber_tolerance: 5}\\n")
    >>> t = load_targets(f, ["assessments_45wd_pct"])
    >>> t.target_in_force("assessments_45wd_pct", "2025-01-31").target
    85.0
    >>> load_targets(f, ["referrals_count"]).kpi_ids()  # a library KPI not asked about
    []
    >>> _ = f.write_text("assessments_45wd_pc:\\n  - {from: 2024-04-01, target: 85}\\n")
    >>> try:
    ...     load_targets(f, ["assessments_45wd_pct"])
    ... except PmfError as e:
    ...     print(e.field)
    assessments_45wd_pc
    """
    path = Path(path)
    if not path.is_file():
        raise PmfError("targets file not found", file=path)
    raw = load_yaml(path)
    return parse_targets(raw, known_kpis, source=path)


REVIEW_COLUMNS = ["kpi_id", "from", "target", "baseline", "set_on", "review_by", "days_past"]
"""Columns of :func:`reviews_overdue`."""


def review_overdue(period: TargetPeriod | None, period_end) -> bool:
    """Whether a target in force at ``period_end`` is past its review date.

    Past means the review date is before the month end: a target due for review
    on the month's last day is due, not yet past. A withdrawn target (``target:
    null``) or no target has no review.

    Examples
    --------
    >>> p = TargetPeriod.model_validate({"from": "2026-04-01", "target": 85})  # review 1 Oct
    >>> review_overdue(p, "2026-09-30"), review_overdue(p, "2026-10-31")
    (False, True)
    >>> review_overdue(None, "2026-10-31")
    False
    """
    if period is None or period.target is None:
        return False
    return period.review_by < pd.Timestamp(period_end).date()


def reviews_overdue(targets: Targets, period_end) -> pd.DataFrame:
    """The targets in force at ``period_end`` whose six-monthly review date has passed.

    One row per KPI (its period in force), in the file's order, with
    :data:`REVIEW_COLUMNS`; ``days_past`` counts the days from ``review_by`` to
    ``period_end``. A KPI with no target, or whose target is withdrawn, is not
    listed.

    Examples
    --------
    >>> t = Targets({
    ...     "a": [TargetPeriod.model_validate({"from": "2026-04-01", "target": 85})],
    ...     "b": [TargetPeriod.model_validate({"from": "2026-04-01", "target": 10,
    ...                                        "review_by": "2026-12-01"})],
    ...     "c": []})
    >>> reviews_overdue(t, "2026-10-31")[["kpi_id", "review_by", "days_past"]].values.tolist()
    [['a', datetime.date(2026, 10, 1), 30]]
    """
    end = pd.Timestamp(period_end).date()
    rows = []
    for kpi_id in targets.kpi_ids():
        p = targets.target_in_force(kpi_id, end)
        if review_overdue(p, end):
            rows.append(
                {
                    "kpi_id": kpi_id,
                    "from": p.from_,
                    "target": p.target,
                    "baseline": p.baseline,
                    "set_on": p.set_on,
                    "review_by": p.review_by,
                    "days_past": (end - p.review_by).days,
                }
            )
    return pd.DataFrame(rows, columns=REVIEW_COLUMNS)


def _on_or_above(value: float, bound: float) -> bool:
    return value >= bound - _REL_EPS * max(1.0, abs(bound))


def _on_or_below(value: float, bound: float) -> bool:
    return value <= bound + _REL_EPS * max(1.0, abs(bound))


def rag(value, target, amber_tolerance, polarity: str) -> str:
    """The RAG state of a value against a target.

    Parameters
    ----------
    value : float or None
        The KPI value (None or NaN: "No data").
    target : float or None
        The target in force (None or NaN: "No target").
    amber_tolerance : float or None
        How far on the wrong side of the target is still Amber (None: 0).
    polarity : str
        ``higher_is_better`` or ``lower_is_better``.

    Returns
    -------
    str
        ``Green``, ``Amber``, ``Red``, ``No target`` or ``No data`` (see the
        module docstring for the boundaries).

    Raises
    ------
    ValueError
        For a neutral or unknown polarity with a target.

    Examples
    --------
    >>> [rag(v, 20, 2, "lower_is_better") for v in (20.0, 21.9, 22.0, 22.1)]
    ['Green', 'Amber', 'Amber', 'Red']
    """
    if target is None or (isinstance(target, float) and math.isnan(target)):
        return NO_TARGET
    if polarity not in ("higher_is_better", "lower_is_better"):
        raise ValueError(f"cannot RAG rate a KPI with polarity {polarity!r} against a target")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NO_DATA
    tol = 0.0 if amber_tolerance is None else float(amber_tolerance)
    if tol < 0 or math.isnan(tol):
        raise ValueError(f"amber tolerance must be 0 or more (got {amber_tolerance!r})")
    v, t = float(value), float(target)
    if polarity == "higher_is_better":
        if _on_or_above(v, t):
            return GREEN
        return AMBER if _on_or_above(v, t - tol) else RED
    if _on_or_below(v, t):
        return GREEN
    return AMBER if _on_or_below(v, t + tol) else RED
