"""The KPI registry: one decorated pure function per KPI, its metadata beside it.

A KPI function takes the canonical inputs and a :class:`~pmf_lib.dates.Window`
and returns a :class:`Figure` (numerator and, for ratios, denominator). The
engine turns figures into values by the KPI's ``unit``, so every percentage,
rate and mean is computed the same way.

Examples
--------
>>> from pmf_lib.compute.registry import kpi, Figure, REGISTRY
>>> from pmf_lib.feeds import Feed
>>> @kpi(id="demo_count", title="Demo", area="front_door", unit="count",
...      polarity="neutral", windows=("month",), cadence="monthly", source="CIN census",
...      definition="Rows in the window.", numerator="rows", register=False,
...      inputs=(Feed("cin_census", "referrals", "CINreferralDate"),))
... def demo_count(inputs, window):
...     return Figure(3)
>>> demo_count.meta.id, demo_count.meta.value(Figure(3))
('demo_count', 3.0)

Every registered KPI declares its ``inputs``: a :class:`~pmf_lib.feeds.Feed` per
table it reads (for local data, the dataset). That one declaration gives the
records its data quality confidence is rated on (:func:`kpi_feeds`), the tables
its breakdowns restrict (:mod:`pmf_lib.compute.breakdowns`), and what happens
when a dataset is not supplied: a KPI declaring a local dataset that is absent
from the inputs (not configured), or was read without a required column (the
council runs anyway), is missing -- numerator, denominator and value NaN, never
0 -- without its function being called (:meth:`Kpi.__call__`).

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

from pmf_lib.feeds import Feed
from pmf_lib.read.tables import CinCensus, Population, Ssda903

Unit = Literal["count", "percent", "rate_10k", "days", "ratio", "fte", "mean", "gbp", "gbp_mean"]
Polarity = Literal["higher_is_better", "lower_is_better", "neutral"]
Cadence = Literal["monthly", "quarterly", "annual", "rolling"]
CADENCES = ("monthly", "quarterly", "annual", "rolling")
UNITS = ("count", "percent", "rate_10k", "days", "ratio", "fte", "mean", "gbp", "gbp_mean")
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
    #: The config's top-level settings by key (``workforce_standards``, ...), for a KPI that
    #: follows a council's own standard; absent (e.g. a docstring example): its defaults.
    settings: dict[str, object] = field(default_factory=dict)


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
    # What it reads: a Feed per table (pmf_lib.feeds); required of a registered KPI.
    inputs: tuple[Feed, ...] = ()

    @property
    def datasets(self) -> tuple[str, ...]:
        """The local datasets (and ``workforce_monthly``) the KPI declares, in order.

        Examples
        --------
        >>> from pmf_lib.compute.registry import all_kpis
        >>> all_kpis()["conf_cla_reviews_timely_pct"].meta.datasets
        ('conferencing',)
        """
        return tuple(dict.fromkeys(f.table for f in self.inputs if f.is_local))

    def value(self, fig: Figure) -> float:
        """The KPI value for a figure; NaN when a ratio's denominator is empty."""
        n, d = fig.numerator, fig.denominator
        if n is None or (isinstance(n, float) and math.isnan(n)):
            return float("nan")
        if self.unit in ("count", "fte") and d is None:
            return float(n)
        if self.unit == "gbp":  # a sum of pounds; a denominator counts the records summed
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
        """The KPI's figure; missing when a declared local dataset is not supplied.

        Examples
        --------
        >>> from pmf_lib.dates import Window
        >>> k = all_kpis()["lado_open_count"]
        >>> k(KpiInputs(), Window.of("snapshot", "2025-03-31"))  # no lado dataset
        Figure(numerator=nan, denominator=None)
        """
        if unsupplied(self.meta, inputs):
            nan = float("nan")
            return Figure(nan, None if self.meta.denominator is None else nan)
        return self.func(inputs, window)


def unsupplied(meta: KpiMeta, inputs: KpiInputs) -> list[str]:
    """The local datasets ``meta`` declares that ``inputs`` does not supply.

    A dataset is not supplied when it is absent from ``inputs.local`` (the council
    does not configure it) or was read without a required column (the frame's
    ``attrs["missing_columns"]``, when the council runs anyway).

    Examples
    --------
    >>> import pandas as pd
    >>> m = all_kpis()["contacts_count"].meta
    >>> unsupplied(m, KpiInputs()), unsupplied(m, KpiInputs(local={"contacts": pd.DataFrame()}))
    (['contacts'], [])
    """
    out = []
    for name in meta.datasets:
        df = inputs.local.get(name)
        if df is None or df.attrs.get("missing_columns"):
            out.append(name)
    return out


REGISTRY: dict[str, Kpi] = {}


def kpi(*, register: bool = True, windows=("month", "rolling_12m"), **meta) -> Callable:
    """Decorate a pure function ``f(inputs, window) -> Figure`` as a KPI.

    Keyword arguments are the :class:`KpiMeta` fields. The decorated object is a
    :class:`Kpi` (callable like the function, with ``.meta``). A registered KPI
    must declare its ``cadence`` and its ``inputs`` (a :class:`~pmf_lib.feeds.Feed`
    per table it reads).
    """

    def wrap(func: KpiFunction) -> Kpi:
        if register and "cadence" not in meta:
            raise ValueError(f"{meta.get('id')}: a registered KPI must declare its cadence")
        inputs = tuple(meta.get("inputs", ()))
        if register and not inputs:
            raise ValueError(
                f"{meta.get('id')}: a registered KPI must declare its inputs "
                "(inputs=(Feed(...), ...): the tables it reads)"
            )
        bad = [f for f in inputs if not isinstance(f, Feed)]
        if bad:
            raise ValueError(f"{meta.get('id')}: inputs must be Feeds (got {bad[0]!r})")
        m = KpiMeta(**{**meta, "windows": tuple(windows), "inputs": inputs})
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


def kpi_feeds() -> dict[str, tuple[Feed, ...]]:
    """Every registered KPI's declared inputs: what its data quality confidence is rated on.

    Pass it to :func:`pmf_lib.validate.confidence.confidence_table` and
    :func:`pmf_lib.validate.quality.assess_quality` (``validate`` cannot import
    ``compute``, so its callers hand it over).

    Examples
    --------
    >>> feeds = kpi_feeds()
    >>> set(feeds) == set(all_kpis()), [f.table for f in feeds["cla_uasc_pct"]]
    (True, ['episodes', 'uasc'])
    """
    return {kpi_id: k.meta.inputs for kpi_id, k in all_kpis().items()}
