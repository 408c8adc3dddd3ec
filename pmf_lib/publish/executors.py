"""Where the batch's reports run: a local process pool, or a dask cluster.

An executor takes the batch's tasks (plain dicts, see
:func:`pmf_lib.publish.execute.render_report`) and returns one result dict per
task id, whatever happens to the task: a report that fails, times out, loses its
kernel or its worker process comes back as ``status="failed"`` with the reason,
and every other report still runs. ``on_result`` is called with each result as
it arrives (the batch's progress bar and log).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from multiprocessing import get_context

from pmf_lib.errors import PmfError
from pmf_lib.publish.execute import KERNEL_ENV, render_report

OnResult = Callable[[dict], None]


def failed_result(task_id: str, error: str) -> dict:
    """The result of a task that never returned one (its worker died or was lost).

    Examples
    --------
    >>> r = failed_result("front_door", "the worker process died")
    >>> r["status"], r["error"], r["html"]
    ('failed', 'the worker process died', None)
    """
    return {
        "id": task_id,
        "status": "failed",
        "seconds": 0.0,
        "error": error,
        "html": None,
        "notebook": None,
        "started": None,
        "finished": datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def _worker_init(parent_pid: int | None = None) -> None:
    """Set up a pool worker: one BLAS thread, and die with the batch process.

    The worker is killed (SIGKILL) the moment the batch process dies, however it
    dies (Linux parent-death signal); it ignores Ctrl-C, which the batch process
    handles by killing its workers (and their kernels) itself.
    """
    import signal

    from pmf_lib.publish.procs import SIGKILL, set_parent_death_signal

    os.environ.update(KERNEL_ENV)
    set_parent_death_signal(SIGKILL, parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class LocalExecutor:
    """Reports in a pool of ``jobs`` worker processes on this machine.

    Workers are started with ``spawn`` (a fresh interpreter, nothing inherited
    from the batch process) and each keeps its own warm kernel between reports
    (``engine="warm"``), or starts a new kernel per report through papermill
    (``engine="papermill"``).

    Workers and kernels never outlive the run: each dies with its parent
    (:func:`~pmf_lib.publish.procs.set_parent_death_signal`), and on every way
    out of :meth:`run` other than a normal finish (an exception, Ctrl-C,
    :class:`~pmf_lib.publish.procs.StopRequested`) every worker and every kernel
    is killed before :meth:`run` returns or raises; after a normal finish any
    kernel still running is killed too.

    Examples
    --------
    >>> LocalExecutor(2).jobs
    2
    """

    name = "local"

    def __init__(self, jobs: int | None = None, engine: str = "warm"):
        self.jobs = jobs or os.cpu_count() or 1
        self.engine = engine

    def close(self) -> None:
        """Nothing to release (each run's pool ends with the run)."""

    def run(self, tasks: list[dict], on_result: OnResult | None = None) -> dict[str, dict]:
        """Run every task; return ``{task id: result}``."""
        results: dict[str, dict] = {}
        if not tasks:
            return results
        from pmf_lib.publish.procs import descendants, kill_tree

        ctx = get_context("spawn")
        pool = ProcessPoolExecutor(
            max_workers=min(self.jobs, len(tasks)),
            mp_context=ctx,
            initializer=_worker_init,
            initargs=(os.getpid(),),
        )
        try:
            futures = {
                pool.submit(
                    render_report, {**t, "engine": self.engine, "batch_pid": os.getpid()}
                ): t["id"]
                for t in tasks
            }
            for fut in as_completed(futures):
                tid = futures[fut]
                try:
                    r = fut.result()
                except BrokenProcessPool as e:
                    r = failed_result(tid, f"the worker process died ({e})")
                except Exception as e:  # pickling or other pool errors
                    r = failed_result(tid, f"{type(e).__name__}: {e}")
                results[tid] = r
                if on_result:
                    on_result(r)
        except BaseException:  # Ctrl-C, SIGTERM, a failing callback: nothing may run on
            workers = list(getattr(pool, "_processes", None) or {})
            kill_tree(workers)
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        # A normal finish: workers stop their kernels as they exit; kill any left.
        kernels = descendants(getattr(pool, "_processes", None) or {})
        pool.shutdown(wait=True)
        kill_tree([], known=kernels)
        return results


class DaskExecutor:
    """Reports as dask tasks: one task per report, on a cluster or a local one.

    Parameters
    ----------
    jobs : int, optional
        Workers of the local cluster started when no ``scheduler`` is given
        (default: the number of cores); ignored with ``scheduler``.
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``). Its workers must see
        the same paths as this machine (inputs, notebooks and ``outputs/``).
    engine : str
        ``warm`` (each worker thread keeps a kernel) or ``papermill``.

    Workers write each report's files themselves (atomically, as the local
    executor does); results and failures come back here for the manifest. A
    worker lost in the middle of a report fails that report alone (dask does not
    retry it: ``pmf run --retry-failed`` does).
    """

    name = "dask"

    def __init__(self, jobs: int | None = None, scheduler: str | None = None, engine="warm"):
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise PmfError(
                "the dask executor needs dask.distributed: pip install 'pmf[dask]'",
                field="executor",
            ) from None
        self.jobs = jobs or os.cpu_count() or 1
        self.scheduler = scheduler
        self.engine = engine
        self._client = None
        self._cluster = None

    @property
    def client(self):
        """The dask client (connecting, or starting the local cluster, on first use)."""
        if self._client is None:
            from distributed import Client, LocalCluster

            if self.scheduler:
                try:
                    self._client = Client(self.scheduler, timeout="30s")
                except OSError as e:
                    raise PmfError(
                        f"cannot reach the dask scheduler at {self.scheduler} ({e})",
                        field="scheduler",
                    ) from None
            else:
                self._cluster = LocalCluster(
                    n_workers=self.jobs,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    env=dict(KERNEL_ENV),
                )
                self._client = Client(self._cluster)
        return self._client

    def run(self, tasks: list[dict], on_result: OnResult | None = None) -> dict[str, dict]:
        """Run every task on the cluster; return ``{task id: result}``."""
        import uuid

        from distributed import as_completed as dask_completed

        results: dict[str, dict] = {}
        if not tasks:
            return results
        run_key = uuid.uuid4().hex[:8]
        futures = {}
        for t in tasks:
            fut = self.client.submit(
                render_report,
                {**t, "engine": self.engine},
                key=f"pmf-report-{t['id']}-{run_key}",
                pure=False,
                retries=0,
            )
            futures[fut] = t["id"]
        for fut in dask_completed(list(futures)):
            tid = futures[fut]
            try:
                r = fut.result()
            except Exception as e:  # KilledWorker, a lost connection, ...
                r = failed_result(tid, f"the dask task failed ({type(e).__name__}: {e})")
            results[tid] = r
            if on_result:
                on_result(r)
        return results

    def close(self) -> None:
        """Disconnect (and stop the local cluster, if this executor started one)."""
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def make_executor(
    kind: str = "local", jobs: int | None = None, scheduler: str | None = None, engine="warm"
):
    """The executor called ``kind`` (``local`` or ``dask``).

    Raises
    ------
    PmfError
        For an unknown kind, or ``dask`` when dask.distributed is not installed.

    Examples
    --------
    >>> make_executor("local", jobs=3).jobs
    3
    >>> try:
    ...     make_executor("slurm")
    ... except PmfError as e:
    ...     print(e.field)
    executor
    """
    if kind == "local":
        if scheduler:
            raise PmfError("--scheduler is only for the dask executor", field="scheduler")
        return LocalExecutor(jobs, engine=engine)
    if kind == "dask":
        return DaskExecutor(jobs, scheduler=scheduler, engine=engine)
    raise PmfError(f"unknown executor {kind!r}; expected local or dask", field="executor")
