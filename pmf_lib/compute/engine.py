"""Compute every KPI for every month end into one tidy table.

The table has one row per KPI, period end and window::

    kpi_id, period_end, window, value, numerator, denominator

Notebooks and reports read this table; they never recompute from raw data.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import numpy as np
import pandas as pd

from pmf_lib.compute.registry import Kpi, KpiInputs, all_kpis
from pmf_lib.dates import Window

KPI_TABLE_COLUMNS = ["kpi_id", "period_end", "window", "value", "numerator", "denominator"]

#: KPI calls (KPIs x month ends x windows) from which the engine shares them out
#: between worker processes (a month's 36-month history is about 8,000 calls).
PARALLEL_FROM = 2_000
#: Environment variable: the most worker processes the engine may use (1: none).
WORKERS_ENV = "PMF_KPI_WORKERS"


def compute_kpi_table(
    inputs: KpiInputs,
    period_ends: Iterable,
    kpi_ids: Iterable[str] | None = None,
    *,
    workers: int | None = None,
) -> pd.DataFrame:
    """Every requested KPI for every period end, in its windows.

    The KPIs are pure functions of the inputs and the window, so a large
    request (at least :data:`PARALLEL_FROM` calls) is shared out by KPI between
    forked worker processes (:func:`worker_count`), each computing whole KPIs
    over the same inputs; the rows are the same, and so is the sorted table.

    Parameters
    ----------
    inputs : KpiInputs
        Canonical tables.
    period_ends : iterable of dates
        Month ends to compute.
    kpi_ids : iterable of str, optional
        Restrict to these KPIs (default: all registered).
    workers : int, optional
        Worker processes (default :func:`worker_count` for the request; 1: in
        this process).

    Returns
    -------
    pandas.DataFrame
        Columns ``KPI_TABLE_COLUMNS``, sorted by KPI, period end and window.

    Examples
    --------
    >>> from pmf_lib.compute.registry import KpiInputs
    >>> t = compute_kpi_table(KpiInputs(), ["2025-03-31"], ["referrals_count"])
    >>> t[["kpi_id", "window", "value"]].to_dict("records")
    [{'kpi_id': 'referrals_count', 'window': 'month', 'value': 0.0}, \
{'kpi_id': 'referrals_count', 'window': 'rolling_12m', 'value': 0.0}]
    """
    registry = all_kpis()
    wanted: list[Kpi]
    if kpi_ids is None:
        wanted = list(registry.values())
    else:
        unknown = [k for k in kpi_ids if k not in registry]
        if unknown:
            raise KeyError(f"unknown KPI id(s): {', '.join(unknown)}")
        wanted = [registry[k] for k in kpi_ids]
    ends = [pd.Timestamp(p).normalize() for p in period_ends]
    calls = sum(len(k.meta.windows) for k in wanted) * len(ends)
    n = worker_count(calls) if workers is None else max(1, int(workers))
    rows = _rows_parallel(wanted, inputs, ends, n) if n > 1 and len(wanted) > 1 else None
    if rows is None:
        rows = _rows(wanted, inputs, ends)
    table = pd.DataFrame(rows, columns=KPI_TABLE_COLUMNS)
    table["period_end"] = pd.to_datetime(table["period_end"])
    return table.sort_values(["kpi_id", "period_end", "window"], ignore_index=True)


def _rows(kpis: list[Kpi], inputs: KpiInputs, ends: list[pd.Timestamp]) -> list[tuple]:
    """The table's rows for ``kpis``: one per KPI, period end and window."""
    rows = []
    for k in kpis:
        for end in ends:
            for kind in k.meta.windows:
                fig = k(inputs, Window.of(kind, end))
                rows.append(
                    (
                        k.meta.id,
                        end,
                        kind,
                        k.meta.value(fig),
                        float(fig.numerator) if fig.numerator is not None else np.nan,
                        float(fig.denominator) if fig.denominator is not None else np.nan,
                    )
                )
    return rows


def worker_count(calls: int) -> int:
    """Worker processes for a request of ``calls`` KPI calls (1: compute in this process).

    More than one only for a request of at least :data:`PARALLEL_FROM` calls, on
    Linux (the workers are forked, so they share the inputs without copying
    them), from a process that may have children (not a daemon, such as a dask
    or multiprocessing worker), with more than one CPU: as many as the CPUs
    this process may use, at most 4 and at most ``PMF_KPI_WORKERS``; and only
    while this process runs one thread: forking copies a lock another thread
    holds as held, so a process with threads (a progress bar's monitor, a test
    runner's channel, a web server) computes here.

    Examples
    --------
    >>> worker_count(10)
    1
    """
    if calls < PARALLEL_FROM or not sys.platform.startswith("linux"):
        return 1
    if multiprocessing.current_process().daemon or threading.active_count() > 1:
        return 1
    try:
        cap = int(os.environ.get(WORKERS_ENV, "4"))
    except ValueError:
        cap = 1
    return max(1, min(len(os.sched_getaffinity(0)), 4, cap))


# What forked workers compute: set just before the pool forks, read by _worker_rows.
_JOB: tuple | None = None


def _init_worker(parent: int) -> None:
    # A worker leaves interruption to its parent, which stops it (SIGTERM at its
    # default: no handler of the parent's, such as pmf run's stop handler, runs here),
    # and dies with its parent (Linux's parent-death signal), even one killed outright.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        import ctypes

        kill = getattr(signal, "SIGKILL", 9)
        ctypes.CDLL(None, use_errno=True).prctl(1, int(kill), 0, 0, 0)  # PDEATHSIG
    except (OSError, AttributeError):  # no libc prctl: the pool's own shutdown still applies
        pass
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)


def _worker_rows(i: int) -> list[tuple] | None:
    kpis, inputs, ends = _JOB
    try:
        return _rows([kpis[i]], inputs, ends)
    except Exception:  # computed again in the parent, where the KPI's own error is raised
        return None


def _rows_parallel(
    kpis: list[Kpi], inputs: KpiInputs, ends: list[pd.Timestamp], n: int
) -> list[tuple] | None:
    """The rows computed by ``n`` forked workers, a KPI at a time (None if one failed).

    A KPI that raises in a worker, or a worker lost, gives None, and the caller
    computes in this process, where a KPI's own error is raised as it is. An
    interruption of this process (a signal, ``KeyboardInterrupt``) stops the
    workers and is raised.
    """
    global _JOB
    _JOB = (kpis, inputs, ends)
    pool = ProcessPoolExecutor(
        n,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_init_worker,
        initargs=(os.getpid(),),
    )
    try:
        parts = list(pool.map(_worker_rows, range(len(kpis))))
    except BrokenProcessPool:
        parts = [None]
    except BaseException:
        for p in list((getattr(pool, "_processes", None) or {}).values()):
            p.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        _JOB = None
    pool.shutdown()
    if any(p is None for p in parts):
        return None
    return [row for part in parts for row in part]
