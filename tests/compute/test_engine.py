"""The KPI engine: the table of every KPI, period end and window, serial or in workers."""

from __future__ import annotations

import subprocess
import sys
import time
from types import SimpleNamespace

import pandas as pd
import pytest

from pmf_lib.compute import engine
from pmf_lib.compute.engine import compute_kpi_table, worker_count
from pmf_lib.compute.registry import REGISTRY, Kpi, KpiInputs
from pmf_lib.read.tables import CIN_COLUMNS, CinCensus, conform

IDS = ["referrals_count", "referrals_disabled_count", "referrals_disabled_pct", "cin_count"]


def _inputs() -> KpiInputs:
    cin = CinCensus()
    cin.tables["referrals"] = conform(
        pd.DataFrame(
            {
                "LAchildID": ["a", "b", "c", "a"],
                "CINreferralDate": pd.to_datetime(
                    ["2025-01-10", "2025-02-03", "2025-02-20", "2025-03-05"]
                ),
                "CINclosureDate": pd.to_datetime([None, "2025-02-28", None, None]),
            }
        ),
        CIN_COLUMNS["referrals"],
    )
    cin.tables["disabilities"] = conform(
        pd.DataFrame({"LAchildID": ["a", "c"], "Disability": ["MOB", "NONE"]}),
        CIN_COLUMNS["disabilities"],
    )
    return KpiInputs(cin=cin)


def test_kpis_shared_out_between_workers_give_the_serial_table():
    # Two forked workers computing whole KPIs must give exactly the serial table.
    # Referrals in February 2025: b (3rd) and c (20th) -> 2, neither disabled (c's
    # only code is NONE) -> 0 of 2; in March: a (5th), disabled (MOB) -> 1 of 1.
    ends = ["2025-01-31", "2025-02-28", "2025-03-31"]
    serial = compute_kpi_table(_inputs(), ends, IDS, workers=1)
    shared = compute_kpi_table(_inputs(), ends, IDS, workers=2)
    pd.testing.assert_frame_equal(shared, serial, check_exact=True)
    month = serial[serial["window"] == "month"].set_index(["kpi_id", "period_end"])
    assert month.loc[("referrals_count", pd.Timestamp("2025-02-28")), "value"] == 2
    assert month.loc[("referrals_disabled_pct", pd.Timestamp("2025-02-28")), "numerator"] == 0
    assert month.loc[("referrals_disabled_pct", pd.Timestamp("2025-03-31")), "value"] == 100.0


def test_a_kpi_failing_in_a_worker_fails_as_it_does_in_this_process(monkeypatch):
    # A worker's failure falls back to computing here, so the KPI's own error is raised.
    def broken(inputs, window):
        raise RuntimeError("KPI bug")

    k = REGISTRY["referrals_count"]
    monkeypatch.setitem(REGISTRY, "referrals_count", Kpi(k.meta, broken))
    with pytest.raises(RuntimeError, match="KPI bug"):
        compute_kpi_table(_inputs(), ["2025-01-31"], ["referrals_count", "cin_count"], workers=2)


def test_worker_count_only_for_large_requests_outside_daemons(monkeypatch):
    assert worker_count(engine.PARALLEL_FROM - 1) == 1  # small: in this process
    monkeypatch.setattr(engine.threading, "active_count", lambda: 1)  # a test runner's threads
    monkeypatch.setattr(engine.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3, 4, 5})
    assert worker_count(engine.PARALLEL_FROM) == 4  # at most 4
    monkeypatch.setenv(engine.WORKERS_ENV, "1")
    assert worker_count(10**6) == 1  # capped by the environment
    monkeypatch.delenv(engine.WORKERS_ENV)
    monkeypatch.setattr(
        engine.multiprocessing, "current_process", lambda: SimpleNamespace(daemon=True)
    )
    assert worker_count(10**6) == 1  # a daemon process may not have children


def test_workers_do_not_run_the_parents_signal_handlers(capfd):
    # pmf run installs a SIGTERM handler that raises (its stop request); forked
    # workers must not inherit it: a worker stopped or finishing prints nothing.
    import signal

    def stop(signum, frame):
        raise RuntimeError("stop requested")

    old = signal.signal(signal.SIGTERM, stop)
    try:
        compute_kpi_table(_inputs(), ["2025-01-31", "2025-02-28"], IDS, workers=2)
    finally:
        signal.signal(signal.SIGTERM, old)
    assert "Traceback" not in capfd.readouterr().err


_SLOW = """
import os, sys, time
from pmf_lib.compute import engine
from pmf_lib.compute.registry import REGISTRY, Kpi, KpiInputs, all_kpis

def slow(inputs, window):
    open(os.path.join(sys.argv[1], str(os.getpid())), "w").close()
    time.sleep(60)

k = all_kpis()["referrals_count"]
REGISTRY["referrals_count"] = Kpi(k.meta, slow)
engine.compute_kpi_table(KpiInputs(), ["2025-01-31"], ["referrals_count", "cin_count"], workers=2)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers only on Linux")
def test_workers_die_with_a_parent_killed_outright(tmp_path):
    # SIGKILL runs no handler in the parent: its workers must still go (the
    # parent-death signal), not compute on for a minute as orphans.
    proc = subprocess.Popen([sys.executable, "-c", _SLOW, str(tmp_path)])
    try:
        deadline = time.monotonic() + 30
        while not list(tmp_path.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = [int(p.name) for p in tmp_path.iterdir()]
        assert workers, "no worker started"
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers)
