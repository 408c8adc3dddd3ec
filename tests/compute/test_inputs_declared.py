"""Each KPI's declared ``inputs`` are complete: it reads nothing else.

The breakdowns split exactly the declared tables and data quality confidence rates
exactly their records, so a KPI reading an undeclared table would be split and rated
wrongly without any error. On the demo council's data, every KPI gives the same figure
on inputs holding only its declared tables, each with only its declared columns (the
feed's date columns and ``fields``; ``collection_year`` for an annual return), as on
the full inputs. The child-level tables CIN ``children`` and 903 ``header``, where
any CIN or 903 KPI may look up its children, stay whole; every other table is
emptied and every other local dataset absent.
"""

from __future__ import annotations

import math

import pytest

from pmf_lib.assess.build import read_month
from pmf_lib.compute import inputs_from_sources
from pmf_lib.compute.breakdowns import declared_tables
from pmf_lib.compute.registry import KpiInputs, all_kpis
from pmf_lib.config import load_config
from pmf_lib.dates import Window
from pmf_lib.read.tables import CIN_COLUMNS, S903_COLUMNS, CinCensus, Ssda903, empty_table
from tests.conftest import ROOT

LOOKUPS = {("cin", "children"), ("cla", "header")}
# the demo's last month end and a 31 March (annual returns, year-end windows)
ENDS = ("2026-10-31", "2026-03-31")


@pytest.fixture(scope="module")
def demo_inputs(demo_dir) -> KpiInputs:
    read = read_month(load_config(ROOT / "parameters" / "config.yaml"))  # the build's one read
    read.raise_unreadable()
    return inputs_from_sources(read.data)


def _only(inputs: KpiInputs, keep: set[tuple[str, str]], columns=None) -> KpiInputs:
    """``inputs`` with only the tables in ``keep``; of those in ``columns``, only its columns."""
    columns = columns or {}

    def trim(key, t):
        if key not in columns:
            return t
        out = t[[c for c in t.columns if c in columns[key]]]
        out.attrs = dict(t.attrs)
        return out

    cin = {
        n: trim(("cin", n), t) if ("cin", n) in keep else empty_table(CIN_COLUMNS[n])
        for n, t in inputs.cin.tables.items()
    }
    cla = {
        n: trim(("cla", n), t) if ("cla", n) in keep else empty_table(S903_COLUMNS[n])
        for n, t in inputs.cla.tables.items()
    }
    local = {n: trim(("local", n), t) for n, t in inputs.local.items() if ("local", n) in keep}
    return KpiInputs(
        cin=CinCensus(cin, inputs.cin.returns),
        cla=Ssda903(cla, inputs.cla.returns),
        population=inputs.population,
        local=local,
    )


def _declared_columns(meta) -> dict[tuple[str, str], set[str]]:
    keys = {"cin_census": "cin", "ssda903": "cla", "local": "local"}
    out: dict[tuple[str, str], set[str]] = {}
    for f in meta.inputs:
        cols = {c for c in (f.date, f.end, *f.fields) if c}
        if f.kind == "latest_return":
            cols.add("collection_year")
        out.setdefault((keys[f.source], f.table), set()).update(cols)
    return out


def _same(a, b) -> bool:
    def eq(x, y):
        if x is None or y is None:
            return x is y
        return (math.isnan(x) and math.isnan(y)) or x == y

    return eq(a.numerator, b.numerator) and eq(a.denominator, b.denominator)


@pytest.mark.slow  # the whole demo read, then every KPI on subsets of it
def test_every_kpi_reads_only_its_declared_tables(demo_inputs):
    wrong = []
    for kpi_id, k in all_kpis().items():
        only = _only(demo_inputs, declared_tables(k.meta) | LOOKUPS, _declared_columns(k.meta))
        for end in ENDS:
            for kind in k.meta.windows:
                w = Window.of(kind, end)
                full, declared = k(demo_inputs, w), k(only, w)
                if not _same(full, declared):
                    wrong.append((kpi_id, end, kind, full, declared))
    assert not wrong, wrong[:5]


@pytest.mark.slow  # the whole demo read (the fixture), as the check it tests
def test_the_check_would_catch_an_undeclared_table_or_field(demo_inputs):
    # Without its declared referrals, referrals_count on the demo is 0, not its figure.
    k = all_kpis()["referrals_count"]
    w = Window.of("rolling_12m", ENDS[0])
    assert k(demo_inputs, w).numerator > 0
    assert k(_only(demo_inputs, LOOKUPS), w).numerator == 0
    # Had referrals_nfa_pct not declared ReferralNFA, reading it would fail.
    k = all_kpis()["referrals_nfa_pct"]
    keep = {("cin", "referrals")}
    with pytest.raises(KeyError, match="ReferralNFA"):
        k(_only(demo_inputs, keep, {("cin", "referrals"): {"CINreferralDate"}}), w)
