"""Every registered KPI documents itself and its docstring example runs.

``doctest`` does not collect decorated KPIs (they are ``Kpi`` objects, not functions),
so the examples in their docstrings are run here.
"""

from __future__ import annotations

import doctest
import importlib

import pytest

from pmf_lib.compute.registry import all_kpis

KPIS = all_kpis()
CORE = {
    "referrals_count": ("front_door", ("month", "rolling_12m")),
    "referrals_rate_10k": ("front_door", ("rolling_12m",)),
    "rereferrals_12m_pct": ("front_door", ("month", "rolling_12m")),
    "assessments_completed_count": ("assessment", ("month", "rolling_12m")),
    "assessments_45wd_pct": ("assessment", ("month", "rolling_12m")),
    "s47_count": ("protection", ("month", "rolling_12m")),
    "icpc_15wd_pct": ("protection", ("month", "rolling_12m")),
    "cp_plans_rate_10k": ("protection", ("snapshot",)),
    "cp_second_subsequent_pct": ("protection", ("month", "rolling_12m")),
    "cla_count": ("children_looked_after", ("snapshot",)),
    "cla_rate_10k": ("children_looked_after", ("snapshot",)),
    "cla_3plus_placements_pct": ("children_looked_after", ("snapshot",)),
    "cla_long_term_stability_pct": ("children_looked_after", ("snapshot",)),
}


@pytest.mark.parametrize("kpi_id", sorted(CORE))
def test_core_kpis_have_contract_ids_areas_and_windows(kpi_id):
    area, windows = CORE[kpi_id]
    meta = KPIS[kpi_id].meta
    assert (meta.area, meta.windows) == (area, windows)
    assert KPIS[kpi_id].func.__module__ == f"pmf_lib.compute.kpis.{area}"


@pytest.mark.parametrize("kpi_id", sorted(KPIS))
def test_docstring_example_runs(kpi_id):
    k = KPIS[kpi_id]
    module = importlib.import_module(k.func.__module__)
    tests = doctest.DocTestFinder().find(k.func, kpi_id, globs=dict(vars(module)))
    examples = sum(len(t.examples) for t in tests)
    assert examples > 0, f"{kpi_id} has no docstring example"
    runner = doctest.DocTestRunner()
    for t in tests:
        runner.run(t)
    assert runner.summarize(verbose=False).failed == 0
