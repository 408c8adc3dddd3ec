"""Shared property checks for the KPIs over the local datasets (imported by their tests)."""

from __future__ import annotations

import math
from types import ModuleType

import pandas as pd

from pmf_lib.compute.kpis._local import local_frame, local_inputs
from pmf_lib.compute.registry import Figure, Kpi, KpiInputs
from pmf_lib.dates import Window

PERIOD_ENDS = ("2024-06-30", "2025-03-31")
BASE = pd.Timestamp("2024-01-01")


def kpis_of(module: ModuleType) -> list[Kpi]:
    """The KPIs a module defines, in a stable order."""
    found = [v for v in vars(module).values() if isinstance(v, Kpi)]
    return sorted(
        (k for k in found if k.func.__module__ == module.__name__), key=lambda k: k.meta.id
    )


def windows_of(k: Kpi, period_end: str) -> list[Window]:
    return [Window.of(kind, period_end) for kind in k.meta.windows]


def same(a: Figure, b: Figure) -> bool:
    """Figures equal, NaN equal to NaN."""

    def eq(x, y):
        if x is None or y is None:
            return x is None and y is None
        if math.isnan(x) or math.isnan(y):
            return math.isnan(x) and math.isnan(y)
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)

    return eq(a.numerator, b.numerator) and eq(a.denominator, b.denominator)


def assert_sound(k: Kpi, fig: Figure) -> None:
    """Percentages lie in 0-100 with numerator <= denominator; counts are not negative."""
    value = k.meta.value(fig)
    if k.meta.unit == "percent":
        assert fig.denominator is not None
        if not math.isnan(fig.numerator):
            assert 0 <= fig.numerator <= fig.denominator, (k.meta.id, fig)
            assert math.isnan(value) or 0.0 <= value <= 100.0, (k.meta.id, value)
    elif not math.isnan(value):
        assert value >= 0, (k.meta.id, fig)


def inputs_for(name: str, columns: dict, **extra) -> KpiInputs:
    inputs = local_inputs(**{name: local_frame(name, **columns)})
    for key, value in extra.items():
        setattr(inputs, key, value)
    return inputs


def shuffled(columns: dict, seed: int) -> dict:
    """The same rows in another order."""
    n = len(next(iter(columns.values()))) if columns else 0
    order = pd.Series(range(n)).sample(frac=1, random_state=seed).tolist()
    return {c: [v[i] for i in order] for c, v in columns.items()}


def appended(columns: dict, row: dict) -> dict:
    """``columns`` with one more row (columns the row lacks are missing in it)."""
    return {c: [*v, row.get(c)] for c, v in columns.items()}


def check_properties(
    module: ModuleType,
    name: str,
    columns: dict,
    future_row: dict,
    seed: int,
    skip_future: tuple[str, ...] = (),
    **extra,
) -> None:
    """Every KPI of ``module`` over ``columns``: sound, row-order independent, and unchanged
    by ``future_row`` (a record dated after every period end checked), except the KPIs in
    ``skip_future``."""
    base = inputs_for(name, columns, **extra)
    mixed = inputs_for(name, shuffled(columns, seed), **extra)
    later = inputs_for(name, appended(columns, future_row), **extra)
    for k in kpis_of(module):
        for end in PERIOD_ENDS:
            for w in windows_of(k, end):
                fig = k(base, w)
                assert_sound(k, fig)
                assert same(fig, k(mixed, w)), (k.meta.id, w)
                if k.meta.id not in skip_future:
                    assert same(fig, k(later, w)), (k.meta.id, w)


def check_absent(module: ModuleType) -> None:
    """With the dataset absent, every KPI's numerator is NaN (value missing, not 0)."""
    for k in kpis_of(module):
        for w in windows_of(k, "2025-03-31"):
            fig = k(KpiInputs(), w)
            assert math.isnan(fig.numerator), (k.meta.id, fig)
            assert math.isnan(k.meta.value(fig)), k.meta.id
            assert (fig.denominator is None) == (k.meta.unit in ("count", "fte"))


def day(offset: int) -> str:
    """An ISO date ``offset`` days after 1 Jan 2024."""
    return str((BASE + pd.Timedelta(days=int(offset))).date())
