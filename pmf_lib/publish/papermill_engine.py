"""pmf's warm-kernel engine as a papermill engine: ``papermill --engine pmf in.ipynb out.ipynb``.

Registered through the ``papermill.engine`` entry point (``pyproject.toml``; its
target is :class:`pmf_lib.publish.papermill_plugin.PmfEngine`, which hands every
call to this module's engine and keeps papermill's entry-point loading free of a
circular import), so
any papermill call (the command line, or :func:`papermill.execute_notebook` with
``engine_name="pmf"``) can run a report notebook the way ``pmf run`` does: in
a :class:`~pmf_lib.publish.warm.WarmKernel` (one per thread and working
directory, :func:`kernel_for`), which keeps one kernel
with the report libraries imported and clears its namespace after each
notebook. Several notebooks run from one Python process share the kernel, and
each starts from a clean namespace.

Papermill has already injected the parameters when the engine is called
(``metadata.papermill.parameters``); the warm kernel injects the same
parameters the same way (replacing papermill's cell with an identical one, with
a fixed cell id), runs the cells, and the engine copies each cell's outputs and
execution count back into papermill's notebook and sets papermill's cell
statuses. A cell that raises leaves its error output in the notebook, which
papermill then reports (``PapermillExecutionError``) and saves, as its own
engine does. ``execution_timeout`` is a limit on the whole notebook here (the
warm kernel's deadline), not on each cell.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from papermill.engines import Engine

#: The limit when papermill passes none (its own engine then waits for ever).
NO_TIMEOUT_S = 7 * 24 * 3600

_local = threading.local()


def kernel_for(kernel_name: str, cwd: Path):
    """This thread's warm kernel for ``kernel_name`` started in ``cwd``.

    A kernel works in the directory it was started in (and returns there after
    each notebook), so papermill's ``cwd`` (``--cwd``) gets a kernel of its own.
    Each is stopped when the process ends.

    Examples
    --------
    >>> a = kernel_for("python3", Path("/a"))
    >>> a is kernel_for("python3", Path("/a")), a is kernel_for("python3", Path("/b"))
    (True, False)
    >>> a.alive  # started on first use
    False
    """
    from multiprocessing.util import Finalize

    from pmf_lib.publish.warm import WarmKernel

    kernels = getattr(_local, "kernels", None)
    if kernels is None:
        kernels = _local.kernels = {}
    key = (kernel_name, str(cwd))
    if key not in kernels:
        kernels[key] = WarmKernel(kernel_name)
        Finalize(kernels[key], kernels[key].shutdown, exitpriority=10)
    return kernels[key]


class PmfEngine(Engine):
    """A papermill engine running notebooks in a reusable warm kernel.

    Examples
    --------
    >>> from papermill.engines import papermill_engines
    >>> papermill_engines.get_engine("pmf").engine() is PmfEngine  # via papermill_plugin
    True
    """

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        start_timeout=60,
        execution_timeout=None,
        **kwargs,
    ):
        """Run ``nb_man.nb`` in this thread's warm kernel, updating it in place."""
        from nbclient.exceptions import CellExecutionError

        from pmf_lib.publish.warm import KernelLost

        nb = nb_man.nb
        parameters = dict(nb.metadata.get("papermill", {}).get("parameters") or {})
        limit = float(execution_timeout) if execution_timeout else NO_TIMEOUT_S
        kernel = kernel_for(kernel_name or "python3", Path.cwd())
        kernel.startup_timeout = float(start_timeout or 60)
        work = _copy(nb)
        failure = None
        try:
            done = kernel.execute(work, parameters, time.monotonic() + limit)
        except CellExecutionError as e:
            done, failure = getattr(e, "notebook", work), e
        except KernelLost as e:
            done, failure = getattr(e, "notebook", work), e
        _copy_results(nb_man, done)
        if isinstance(failure, KernelLost):
            raise failure  # no cell holds an error output: papermill must still fail
        return nb_man.nb


def _copy(nb):
    """A deep copy of a notebook (the warm kernel may replace cells)."""
    import copy

    return copy.deepcopy(nb)


def _injected(nb) -> int:
    """The index of the injected parameters cell, or -1."""
    return next(
        (i for i, c in enumerate(nb.cells) if "injected-parameters" in c.metadata.get("tags", [])),
        -1,
    )


def _copy_results(nb_man, done) -> None:
    """Copy outputs, execution counts and the injected cell's id from ``done``.

    Both notebooks hold the same cells in the same order: the warm kernel's
    injected parameters cell replaces papermill's at the same index. Called
    without parameters, papermill injects no cell while the warm kernel injects
    an empty one; that cell is dropped here and the later cells renumbered, so
    the notebook reads as papermill's own engine leaves it.
    """
    nb = nb_man.nb
    cells = list(done.cells)
    extra = _injected(done)
    if _injected(nb) < 0 and extra >= 0:
        dropped = cells.pop(extra)
        shift = 1 if dropped.get("execution_count") is not None else 0
        for c in cells[extra:]:
            if c.cell_type == "code" and c.get("execution_count") is not None:
                c.execution_count -= shift
    failed = False
    for cell, ran in zip(nb.cells, cells, strict=True):
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = ran.get("id", cell.get("id"))
        status = cell.metadata.setdefault("papermill", {})
        if cell.cell_type != "code":
            continue
        cell.outputs = ran.get("outputs", [])
        cell.execution_count = ran.get("execution_count")
        if failed or (cell.execution_count is None and not cell.outputs):
            continue  # not reached: an earlier cell failed (papermill leaves it pending)
        if any(o.get("output_type") == "error" for o in cell.outputs):
            failed = True
            status.update(status=nb_man.FAILED, exception=True)
            nb.metadata.papermill["exception"] = True
        else:
            status.update(status=nb_man.COMPLETED, exception=False)
    nb_man.save()
