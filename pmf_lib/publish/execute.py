"""Run one report: execute the notebook with papermill, export it, publish it atomically.

:func:`render_report` runs in a worker process of the batch's process pool. It
takes and returns plain dictionaries (picklable) and never raises: a failure is
returned as ``status="failed"`` with its error message, and then nothing is
published for that area (an earlier good report stays where it was).

Kernels are started on IPC transport (Unix sockets in a private directory), so
parallel kernels cannot collide on TCP ports, with one thread each for
OpenMP/MKL/OpenBLAS so that parallel reports do not oversubscribe the cores.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import traceback
import uuid
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

#: Environment for every report kernel (and this worker): one BLAS/OpenMP thread each.
KERNEL_ENV = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
    "MPLBACKEND": "Agg",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}


class IpcKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels listen on Unix sockets, not TCP ports.

    Each kernel gets its own socket prefix in a fresh private directory, so
    kernels started at the same moment cannot take each other's sockets.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._ipc_dir = tempfile.mkdtemp(prefix="pmf-kernel-")
        self.transport = "ipc"
        self.ip = os.path.join(self._ipc_dir, f"k{uuid.uuid4().hex[:8]}")

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)


def _error_message(exc: BaseException) -> str:
    """One line saying what went wrong, without a traceback."""
    from nbclient.exceptions import CellExecutionError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return f"{exc.ename}: {exc.evalue} (notebook cell {exc.exec_count})"
    if isinstance(exc, CellExecutionError):
        return f"{exc.ename}: {exc.evalue}"
    name = type(exc).__name__
    text = str(exc).strip().splitlines()
    return f"{name}: {text[0] if text else ''}".rstrip(": ")


def render_report(task: dict) -> dict:
    """Execute, export and publish one area's report.

    Parameters
    ----------
    task : dict
        ``id`` (the report id, the outputs' file stem), ``notebook`` (absolute
        path), ``out_dir``, ``parameters`` (dict), ``timeout`` (seconds for the
        whole report), ``council``, ``title``,
        ``logo`` (path or None), ``kernel_name``.

    Returns
    -------
    dict
        ``id``, ``status`` ("ok" or "failed"), ``seconds``, ``error`` (None or
        one line), ``html`` and ``notebook`` (the published file names or None),
        ``started`` and ``finished`` (ISO times).
    """
    from datetime import datetime

    os.environ.update(KERNEL_ENV)
    start = time.monotonic()
    started = datetime.now().astimezone().isoformat(timespec="seconds")
    area = task["id"]
    out_dir = Path(task["out_dir"])
    result = {
        "id": area,
        "status": "failed",
        "error": None,
        "html": None,
        "notebook": None,
        "started": started,
    }
    tmp_nb = out_dir / f".{area}.{uuid.uuid4().hex[:8]}.tmp.ipynb"
    try:
        if task.get("engine", "papermill") == "warm":
            html = _execute_warm_and_export(task, tmp_nb, start)
        else:
            html = _execute_and_export(task, tmp_nb, start)
        from pmf_lib.publish.atomic import write_text_atomic

        write_text_atomic(html, out_dir / f"{area}.html")
        os.replace(tmp_nb, out_dir / f"{area}.ipynb")
        (out_dir / f"{area}.failed.ipynb").unlink(missing_ok=True)
        result.update(status="ok", html=f"{area}.html", notebook=f"{area}.ipynb")
    except Exception as exc:  # one area's failure must not stop the batch
        result["error"] = _error_message(exc)
        result["traceback"] = "".join(traceback.format_exception(exc))[-4000:]
        if tmp_nb.exists():  # keep the failed run's notebook for diagnosis, not as the report
            os.replace(tmp_nb, out_dir / f"{area}.failed.ipynb")
            result["notebook"] = f"{area}.failed.ipynb"
    finally:
        tmp_nb.unlink(missing_ok=True)
    result["seconds"] = round(time.monotonic() - start, 2)
    result["finished"] = datetime.now().astimezone().isoformat(timespec="seconds")
    return result


def _export(nb, task: dict) -> str:
    from datetime import datetime

    from pmf_lib.render.export import export_html

    generated = task.get("generated")
    return export_html(
        nb,
        council=task["council"],
        title=task["title"],
        logo=task.get("logo"),
        generated=datetime.fromisoformat(generated) if generated else None,
    )


def _execute_warm_and_export(task: dict, tmp_nb: Path, start: float) -> str:
    import nbformat

    from pmf_lib.publish.warm import execute_warm

    try:
        executed = execute_warm(task, start + float(task["timeout"]))
    except Exception as exc:
        partial = getattr(exc, "notebook", None)
        if partial is not None:
            nbformat.write(partial, tmp_nb)
        raise
    nbformat.write(executed, tmp_nb)
    return _export(executed, task)


def _execute_and_export(task: dict, tmp_nb: Path, start: float) -> str:
    import logging

    import papermill
    from papermill.iorw import load_notebook_node

    logging.getLogger("papermill").setLevel(logging.WARNING)
    deadline = start + float(task["timeout"])

    def remaining(_cell) -> int:
        # nbclient asks before each cell: the whole report shares one time budget.
        return max(1, int(deadline - time.monotonic()))

    nb = load_notebook_node(task["notebook"])
    executed = papermill.execute_notebook(
        nb,
        str(tmp_nb),
        parameters=task["parameters"],
        kernel_name=task.get("kernel_name") or None,
        progress_bar=False,
        log_output=False,
        shutdown_kernel="immediate",
        kernel_manager_class=IpcKernelManager,
        timeout_func=remaining,
        start_timeout=min(120, max(10, int(task["timeout"]))),
    )
    return _export(executed, task)
