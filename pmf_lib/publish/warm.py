"""A papermill-style engine that reuses one warm kernel per worker for many reports.

Starting a kernel and importing pandas, matplotlib and pmf_lib costs 1–2 s per
report; the batch's reports all need the same libraries. :class:`WarmKernel`
keeps one kernel (on IPC sockets, see
:class:`~pmf_lib.publish.execute.IpcKernelManager`) with those libraries
imported, and runs each report's cells in it:

* parameters are injected exactly as papermill does
  (:func:`papermill.parameterize.parameterize_notebook`: an ``injected-parameters``
  cell after the ``parameters`` cell, and ``metadata.papermill.parameters``);
* cells are numbered 1, 2, … as in a fresh kernel, so the executed notebook and
  its HTML are the same as papermill's;
* after each report the namespace is cleared (``%reset -f``), every figure is
  closed, matplotlib's settings and the working directory are restored: nothing
  one report defines is visible to the next;
* a report that times out, or whose kernel dies, fails alone: its kernel is
  killed and the next report gets a fresh one.

Modules stay imported between reports (that is the saving); pmf_lib's
module-level state is read-only caches of pure functions.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import nbformat

#: Imported once when a kernel starts (the libraries every report uses).
WARM_UP = """\
import os as _pmf_os
import matplotlib as _pmf_mpl
_pmf_mpl.use("Agg")
import matplotlib.pyplot as _pmf_plt
import pandas as _pmf_pd
import pmf_lib.render as _pmf_render
import pmf_lib.assess as _pmf_assess
_pmf_mpl._pmf_warm_rc = _pmf_mpl.rcParams.copy()
_pmf_mpl._pmf_warm_cwd = _pmf_os.getcwd()
del _pmf_os, _pmf_mpl, _pmf_plt, _pmf_pd, _pmf_render, _pmf_assess
"""

#: Run after every report: a clean namespace, no open figures, default settings.
RESET = """\
get_ipython().run_line_magic("reset", "-f")
import os as _pmf_os
import matplotlib as _pmf_mpl
import matplotlib.pyplot as _pmf_plt
_pmf_plt.close("all")
_pmf_mpl.rcParams.update(_pmf_mpl._pmf_warm_rc)
_pmf_os.chdir(_pmf_mpl._pmf_warm_cwd)
del _pmf_os, _pmf_mpl, _pmf_plt
get_ipython().run_line_magic("reset", "-f")
"""


class KernelLost(RuntimeError):
    """The kernel died or had to be killed (a timeout); the report fails alone."""


def _run_sync(coro_fn):
    from jupyter_core.utils import run_sync

    return run_sync(coro_fn)


class WarmKernel:
    """One reusable kernel with the report libraries imported.

    Parameters
    ----------
    kernel_name : str
        The Jupyter kernel to start (``python3``: the interpreter running pmf).
    startup_timeout : float
        Seconds allowed for the kernel to start and answer.

    Examples
    --------
    >>> k = WarmKernel()
    >>> k.alive
    False
    """

    def __init__(self, kernel_name: str = "python3", startup_timeout: float = 60):
        self.kernel_name = kernel_name
        self.startup_timeout = startup_timeout
        self.km = None

    @property
    def alive(self) -> bool:
        return self.km is not None and bool(_run_sync(self.km.is_alive)())

    def _start(self) -> None:
        from pmf_lib.publish.execute import KERNEL_ENV, IpcKernelManager

        os.environ.update(KERNEL_ENV)
        km = IpcKernelManager(kernel_name=self.kernel_name)
        _run_sync(km.start_kernel)()
        self.km = km
        kc = km.client()
        try:
            kc.start_channels()
            _run_sync(kc.wait_for_ready)(timeout=self.startup_timeout)
            self._run_code(kc, WARM_UP, self.startup_timeout)
        except Exception:
            self.shutdown()
            raise
        finally:
            kc.stop_channels()

    @staticmethod
    def _run_code(kc, code: str, timeout: float) -> None:
        reply = _run_sync(kc.execute_interactive)(
            code, timeout=timeout, store_history=False, output_hook=lambda msg: None
        )
        if reply["content"]["status"] != "ok":
            c = reply["content"]
            raise RuntimeError(f"{c.get('ename')}: {c.get('evalue')}")

    def shutdown(self) -> None:
        """Stop the kernel (if any) at once."""
        km, self.km = self.km, None
        if km is None:
            return
        try:
            _run_sync(km.shutdown_kernel)(now=True)
        except Exception:  # already dead: only its resources are left to clean
            _run_sync(km.cleanup_resources)()

    def execute(self, nb: nbformat.NotebookNode, parameters: dict, deadline: float):
        """Run ``nb`` with ``parameters`` injected; return the executed notebook.

        ``deadline`` is a :func:`time.monotonic` time by which the whole report
        must finish. On a cell error the exception (``CellExecutionError``) is
        raised with the partly executed notebook in ``nb`` (as papermill does);
        a timeout or a dead kernel raises :class:`KernelLost` and the kernel is
        replaced before the next report.
        """
        from nbclient import NotebookClient
        from papermill.parameterize import parameterize_notebook

        nb.metadata["papermill"] = {
            "engine": "pmf-warm",
            "parameters": {},
            "input_path": nb.metadata.get("papermill", {}).get("input_path"),
        }
        nb = parameterize_notebook(nb, parameters, kernel_name=self.kernel_name)
        for cell in nb.cells:
            if "injected-parameters" in cell.metadata.get("tags", []):
                cell.id = "injected-parameters"  # papermill's is random: HTML would differ
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        if not self.alive:
            self.shutdown()
            self._start()

        def remaining(_cell) -> int:
            return max(1, int(deadline - time.monotonic()))

        client = NotebookClient(
            nb,
            km=self.km,
            timeout_func=remaining,
            kernel_name=self.kernel_name,
            startup_timeout=int(self.startup_timeout),
            allow_errors=False,
            record_timing=False,
        )
        clean = False
        try:
            self._execute(client, nb, deadline)
            clean = True
        except Exception as e:
            e.notebook = nb  # the partly executed notebook, for diagnosis
            raise
        finally:
            if client.kc is not None:
                client.kc.stop_channels()
            if self.km is not None:
                self._reset(clean)
        return nb

    def _execute(self, client, nb, deadline: float) -> None:
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        try:
            with client.setup_kernel():
                count = 0
                for index, cell in enumerate(nb.cells):
                    if cell.cell_type != "code":
                        continue
                    if time.monotonic() > deadline:
                        raise CellTimeoutError(f"the time limit ran out before cell {index}")
                    count += 1
                    client.execute_cell(cell, index, execution_count=count)
        except (CellTimeoutError, DeadKernelError) as e:
            self.shutdown()
            kind = "timed out" if isinstance(e, CellTimeoutError) else "the kernel died"
            first = str(e).strip().splitlines()
            raise KernelLost(f"{kind} ({first[0]})" if first else kind) from e

    def _reset(self, clean: bool) -> None:
        kc = self.km.client()
        try:
            kc.start_channels()
            if not clean:  # a cell may still be running after an error elsewhere
                _run_sync(kc.wait_for_ready)(timeout=10)
            self._run_code(kc, RESET, 30)
        except Exception:
            self.shutdown()  # a kernel that cannot be reset is not reused
        finally:
            kc.stop_channels()


_local = threading.local()


def kernel_for_this_thread(kernel_name: str = "python3") -> WarmKernel:
    """This thread's warm kernel (created on first use, stopped when the process ends).

    Each worker thread (a process-pool worker, or a dask worker thread) has its
    own, so two reports never share a kernel at the same time.
    """
    k = getattr(_local, "kernels", {}).get(kernel_name)
    if k is None:
        from multiprocessing.util import Finalize

        k = WarmKernel(kernel_name)
        _local.kernels = {**getattr(_local, "kernels", {}), kernel_name: k}
        Finalize(k, k.shutdown, exitpriority=10)
    return k


def execute_warm(task: dict, deadline: float) -> nbformat.NotebookNode:
    """Execute a batch task's notebook in this thread's warm kernel.

    On failure the exception carries the partly executed notebook as
    ``exc.notebook`` (saved by the caller as ``<id>.failed.ipynb``).
    """
    from papermill.iorw import load_notebook_node

    nb = load_notebook_node(task["notebook"])
    kernel_name = task.get("kernel_name") or nb.metadata.get("kernelspec", {}).get(
        "name", "python3"
    )
    nb.metadata.setdefault("papermill", {})["input_path"] = str(Path(task["notebook"]))
    return kernel_for_this_thread(kernel_name).execute(nb, task["parameters"], deadline)
