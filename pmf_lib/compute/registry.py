"""The KPI registry: one decorated pure function per KPI, its metadata beside it.

A KPI function takes the canonical inputs and a :class:`~pmf_lib.dates.Window`
and returns a :class:`Figure` (numerator and, for ratios, denominator). The
engine turns figures into values by the KPI's ``unit``, so every percentage,
rate and mean is computed the same way.

Examples
--------
>>> from pmf_lib.compute.registry import kpi, Figure, REGISTRY
>>> @kpi(id="demo_count", title="Demo", area="front_door", unit="count",
...      polarity="neutral", windows=("month",), cadence="monthly", source="CIN census",
...      definition="Rows in the window.", numerator="rows", register=False)
... def demo_count(inputs, window):
...     return Figure(3)
>>> demo_count.meta.id, demo_count.meta.value(Figure(3))
('demo_count', 3.0)

Every registered KPI declares its ``cadence``, the rhythm at which its figure
yields independent points (assess runs SPC only on those):

* ``monthly`` -- a new figure each month (month windows, month-end snapshots);
* ``quarterly`` -- a new figure each quarter (quarter windows at quarter ends);
* ``annual`` -- a figure from an annual return or record (OC2, OC3, the CSWW
  census) that changes once a year and is repeated between returns;
* ``rolling`` -- published only as a rolling or cumulative window (e.g. a rate
  over the last 12 months), so consecutive points overlap.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from pmf_lib.read.tables import CinCensus, Population, Ssda903

Unit = Literal["count", "percent", "rate_10k", "days", "ratio", "fte", "mean"]
Polarity = Literal["higher_is_better", "lower_is_better", "neutral"]
Cadence = Literal["monthly", "quarterly", "annual", "rolling"]
CADENCES = ("monthly", "quarterly", "annual", "rolling")
UNITS = ("count", "percent", "rate_10k", "days", "ratio", "fte", "mean")
POLARITIES = ("higher_is_better", "lower_is_better", "neutral")


@dataclass(frozen=True)
class Figure:
    """A KPI's numerator and (for ratios) denominator for one window."""

    numerator: float
    denominator: float | None = None


@dataclass
class KpiInputs:
    """Everything a KPI function may read: canonical tables, never files."""

    cin: CinCensus = field(default_factory=CinCensus)
    cla: Ssda903 = field(default_factory=Ssda903)
    population: Population = field(default_factory=lambda: Population(pd.Series(dtype=float)))
    local: dict[str, pd.DataFrame] = field(default_factory=dict)


@dataclass(frozen=True)
class KpiMeta:
    """A KPI's metadata (docs, reports and the engine read it)."""

    id: str
    title: str
    area: str
    unit: Unit
    polarity: Polarity
    windows: tuple[str, ...]
    source: str
    definition: str
    numerator: str
    denominator: str | None = None
    cadence: Cadence = "monthly"  # the rhythm of independent points (module docstring)
    year_end: int = 3  # an annual KPI's yearly point: the month its return is as at (31 March)
    comparator: str | None = None  # the national measure it matches (e.g. LAIT code)
    breakdowns: tuple[str, ...] = ()
    # A count KPI whose children are all counted by another count KPI for the same window
    # and period (its parent): disclosure withholds it when the two differ by 1 to max_count.
    subset_of: str | None = None

    def value(self, fig: Figure) -> float:
        """The KPI value for a figure; NaN when a ratio's denominator is empty."""
        n, d = fig.numerator, fig.denominator
        if n is None or (isinstance(n, float) and math.isnan(n)):
            return float("nan")
        if self.unit in ("count", "fte") and d is None:
            return float(n)
        if d is None or d == 0 or (isinstance(d, float) and math.isnan(d)):
            return float("nan")
        if self.unit == "percent":
            return 100.0 * n / d
        if self.unit == "rate_10k":
            return 10_000.0 * n / d
        return float(n) / float(d)


KpiFunction = Callable[[KpiInputs, "object"], Figure]


@dataclass(frozen=True)
class Kpi:
    meta: KpiMeta
    func: KpiFunction

    def __call__(self, inputs: KpiInputs, window) -> Figure:
        return self.func(inputs, window)


REGISTRY: dict[str, Kpi] = {}


def kpi(*, register: bool = True, windows=("month", "rolling_12m"), **meta) -> Callable:
    """Decorate a pure function ``f(inputs, window) -> Figure`` as a KPI.

    Keyword arguments are the :class:`KpiMeta` fields. The decorated object is a
    :class:`Kpi` (callable like the function, with ``.meta``). A registered KPI
    must declare its ``cadence``.
    """

    def wrap(func: KpiFunction) -> Kpi:
        if register and "cadence" not in meta:
            raise ValueError(f"{meta.get('id')}: a registered KPI must declare its cadence")
        m = KpiMeta(windows=tuple(windows), **meta)
        if m.cadence not in CADENCES:
            raise ValueError(f"{m.id}: unknown cadence {m.cadence!r}")
        if not 1 <= m.year_end <= 12:
            raise ValueError(f"{m.id}: year_end must be a month 1-12 (got {m.year_end!r})")
        if m.unit not in UNITS:
            raise ValueError(f"{m.id}: unknown unit {m.unit!r}")
        if m.polarity not in POLARITIES:
            raise ValueError(f"{m.id}: unknown polarity {m.polarity!r}")
        k = Kpi(m, func)
        if register:
            if m.id in REGISTRY and REGISTRY[m.id].func.__qualname__ != func.__qualname__:
                raise ValueError(f"KPI id {m.id!r} is defined twice")
            REGISTRY[m.id] = k
        return k

    return wrap


def all_kpis() -> dict[str, Kpi]:
    """Every registered KPI, importing the service-area modules first."""
    from pmf_lib.compute import kpis  # noqa: F401  (registers on import)

    return dict(REGISTRY)


def metadata_table() -> pd.DataFrame:
    """One row per KPI with its metadata (for docs and reports)."""
    rows = []
    for k in all_kpis().values():
        m = k.meta
        rows.append(
            {**m.__dict__, "windows": ",".join(m.windows), "breakdowns": ",".join(m.breakdowns)}
        )
    return pd.DataFrame(rows)
