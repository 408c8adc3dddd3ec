"""Run one report: execute the notebook with papermill, export it, publish it atomically.

:func:`render_report` runs in a worker process of the batch's process pool. It
takes and returns plain dictionaries (picklable) and never raises: a failure is
returned as ``status="failed"`` with its error message, and then nothing is
published for that area (an earlier good report stays where it was).

Kernels are started on IPC transport (Unix sockets in a private directory), so
parallel kernels cannot collide on TCP ports (on Windows, which has no Unix
sockets for ZeroMQ, on jupyter's default TCP on 127.0.0.1), with one thread each for
OpenMP/MKL/OpenBLAS so that parallel reports do not oversubscribe the cores.
"""

from __future__ import annotations

import os
import shutil
import sys
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
        if sys.platform == "win32":  # no Unix sockets for ZeroMQ: jupyter's TCP on 127.0.0.1
            return
        self.transport = "ipc"
        self.ip = str(Path(self._ipc_dir) / f"k{uuid.uuid4().hex[:8]}")

    def format_kernel_cmd(self, extra_arguments=None) -> list[str]:
        """The kernel's command line, wrapped so that the kernel dies with this process.

        See :func:`pmf_lib.publish.procs.die_with_parent_cmd` (Linux; unchanged elsewhere).
        """
        from pmf_lib.publish.procs import die_with_parent_cmd

        return die_with_parent_cmd(super().format_kernel_cmd(extra_arguments))

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
        ``logo`` (path or None), ``nav`` (the navigation bar's links, see
        :func:`pmf_lib.publish.index.nav_links`), ``kernel_name``, and ``run_id``: the batch's
        run id. With a ``run_id``, the HTML and the notebook carry it, and each
        file is renamed into ``out_dir`` only if that run still holds the
        folder's run lock (:func:`pmf_lib.publish.lock.check_held`): a worker
        outliving its batch publishes nothing.

    Returns
    -------
    dict
        ``id``, ``status`` ("ok" or "failed"), ``seconds``, ``error`` (None or
        one line), ``html`` and ``notebook`` (the published file names or None),
        ``started`` and ``finished`` (ISO times), ``run_id``.
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
    run_id = task.get("run_id")
    result["run_id"] = run_id
    tmp_nb = out_dir / f".{area}.{uuid.uuid4().hex[:8]}.tmp.ipynb"
    from pmf_lib.publish.atomic import (
        OutputError,
        publish_guard,
        publish_replace,
        publish_unlink,
        write_text_atomic,
    )

    def guard(target: Path) -> None:
        batch_pid = task.get("batch_pid")  # a local pool worker's parent: the batch
        if batch_pid and os.getppid() != batch_pid:
            from pmf_lib.errors import PmfError

            raise PmfError(
                f"refused to publish: the batch process (pid {batch_pid}) of run "
                f"{run_id} has ended",
                file=target,
            )
        if run_id:
            from pmf_lib.publish.lock import check_held

            check_held(out_dir, run_id, target)

    try:
        with publish_guard(guard):
            try:
                if task.get("engine", "papermill") == "warm":
                    html = _execute_warm_and_export(task, tmp_nb, start)
                else:
                    html = _execute_and_export(task, tmp_nb, start)
                if run_id:
                    from pmf_lib.publish.manifest import stamp_html

                    html = stamp_html(html, run_id)
                write_text_atomic(html, out_dir / f"{area}.html")
                publish_replace(tmp_nb, out_dir / f"{area}.ipynb")
                publish_unlink(out_dir / f"{area}.failed.ipynb")
                result.update(status="ok", html=f"{area}.html", notebook=f"{area}.ipynb")
            except Exception as exc:  # one area's failure must not stop the batch
                result["error"] = _error_message(exc)
                result["traceback"] = "".join(traceback.format_exception(exc))[-4000:]
                # Keep the failed run's notebook for diagnosis (not as the report),
                # unless writing it was what failed: never a half-written file.
                if tmp_nb.exists() and not isinstance(exc, OSError | OutputError):
                    publish_replace(tmp_nb, out_dir / f"{area}.failed.ipynb")
                    result["notebook"] = f"{area}.failed.ipynb"
    except Exception as exc:  # the failed notebook itself could not be kept
        result["error"] = result["error"] or _error_message(exc)
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
        nav=task.get("nav"),
    )


def _execute_warm_and_export(task: dict, tmp_nb: Path, start: float) -> str:
    from pmf_lib.publish.warm import execute_warm

    try:
        executed = execute_warm(task, start + float(task["timeout"]))
    except Exception as exc:
        partial = getattr(exc, "notebook", None)
        if partial is not None:
            _write_notebook(partial, tmp_nb, task)
        raise
    _write_notebook(executed, tmp_nb, task)
    return _export(executed, task)


def _write_notebook(nb, path: Path, task: dict) -> None:
    """Write ``nb`` (with the run id in its metadata) to ``path``; nothing is left on failure."""
    import nbformat

    if task.get("run_id"):
        nb.metadata["pmf"] = {"run_id": task["run_id"]}
    try:
        nbformat.write(nb, path)
    except OSError as e:
        from pmf_lib.publish.atomic import OutputError

        path.unlink(missing_ok=True)
        raise OutputError(path, e) from None


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
    if task.get("run_id"):
        _write_notebook(executed, tmp_nb, task)
    return _export(executed, task)
