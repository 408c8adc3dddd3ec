"""Each KPI's declared ``inputs`` are complete: it reads nothing else.

The breakdowns split exactly the declared tables and data quality confidence rates
exactly their records, so a KPI reading an undeclared table would be split and rated
wrongly without any error. On the demo council's data, every KPI gives the same figure
on inputs holding only its declared tables (plus the child-level tables CIN
``children`` and 903 ``header``, where any CIN or 903 KPI may look up its children;
every other table emptied, every other local dataset absent) as on the full inputs.
"""

from __future__ import annotations

import math

import pytest

from pmf_lib.compute import inputs_from_sources
from pmf_lib.compute.breakdowns import declared_tables
from pmf_lib.compute.registry import KpiInputs, all_kpis
from pmf_lib.config import load_config
from pmf_lib.dates import Window
from pmf_lib.read import load_sources
from pmf_lib.read.tables import CIN_COLUMNS, S903_COLUMNS, CinCensus, Ssda903, empty_table
from tests.conftest import ROOT

LOOKUPS = {("cin", "children"), ("cla", "header")}
# the demo's last month end and a 31 March (annual returns, year-end windows)
ENDS = ("2026-10-31", "2026-03-31")


@pytest.fixture(scope="module")
def demo_inputs(demo_dir) -> KpiInputs:
    return inputs_from_sources(load_sources(load_config(ROOT / "parameters" / "config.yaml")))


def _items(data):
    return data.tables.items()


def _only(inputs: KpiInputs, keep: set[tuple[str, str]]) -> KpiInputs:
    cin = {
        n: t if ("cin", n) in keep else empty_table(CIN_COLUMNS[n])
        for n, t in inputs.cin.tables.items()
    }
    cla = {
        n: t if ("cla", n) in keep else empty_table(S903_COLUMNS[n])
        for n, t in inputs.cla.tables.items()
    }
    local = {n: t for n, t in inputs.local.items() if ("local", n) in keep}
    return KpiInputs(
        cin=CinCensus(cin, inputs.cin.returns),
        cla=Ssda903(cla, inputs.cla.returns),
        population=inputs.population,
        local=local,
    )


def _same(a, b) -> bool:
    def eq(x, y):
        if x is None or y is None:
            return x is y
        return (math.isnan(x) and math.isnan(y)) or x == y

    return eq(a.numerator, b.numerator) and eq(a.denominator, b.denominator)


def test_every_kpi_reads_only_its_declared_tables(demo_inputs):
    wrong = []
    for kpi_id, k in all_kpis().items():
        only = _only(demo_inputs, declared_tables(k.meta) | LOOKUPS)
        for end in ENDS:
            for kind in k.meta.windows:
                w = Window.of(kind, end)
                full, declared = k(demo_inputs, w), k(only, w)
                if not _same(full, declared):
                    wrong.append((kpi_id, end, kind, full, declared))
    assert not wrong, wrong[:5]


def test_the_check_would_catch_an_undeclared_table(demo_inputs):
    # Without its declared referrals, referrals_count on the demo is 0, not its figure.
    k = all_kpis()["referrals_count"]
    w = Window.of("rolling_12m", ENDS[0])
    assert k(demo_inputs, w).numerator > 0
    assert k(_only(demo_inputs, LOOKUPS), w).numerator == 0
