"""The report worker: kernels on IPC sockets; failures returned, never raised or published."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest

from pmf_lib.publish.execute import KERNEL_ENV, IpcKernelManager, render_report


def test_kernels_listen_on_private_unix_sockets():
    async def start_and_stop():
        km = IpcKernelManager(kernel_name="python3")
        await km.start_kernel()
        try:
            info = json.loads(Path(km.connection_file).read_text())
            kc = km.client()
            kc.start_channels()
            await kc.wait_for_ready(timeout=60)
            kc.stop_channels()
            return info, km._ipc_dir
        finally:
            await km.shutdown_kernel(now=True)

    info, ipc_dir = asyncio.run(start_and_stop())
    assert info["transport"] == "ipc"  # no TCP ports to collide on
    assert info["ip"].startswith(ipc_dir + os.sep)
    assert not Path(ipc_dir).exists()  # sockets removed with the kernel


def test_a_failure_is_returned_and_publishes_nothing(tmp_path, monkeypatch):
    for name in KERNEL_ENV:  # the worker sets these; restore them after the test
        monkeypatch.setenv(name, "unset")
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("area: str = 'x'  # area", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell("raise ValueError('no figures for ' + area)"),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "front_door.html").write_text("EARLIER")
    r = render_report(
        {
            "id": "front_door",
            "notebook": str(path),
            "out_dir": str(out),
            "parameters": {"area": "front_door"},
            "timeout": 120,
            "council": "C",
            "title": "T",
            "logo": None,
        }
    )
    assert r["status"] == "failed"
    assert r["error"].startswith("ValueError: no figures for front_door")
    assert r["html"] is None and r["notebook"] == "front_door.failed.ipynb"
    assert (out / "front_door.html").read_text() == "EARLIER"
    assert sorted(p.name for p in out.iterdir()) == ["front_door.failed.ipynb", "front_door.html"]
    for name, value in KERNEL_ENV.items():  # the worker's kernels get one thread each
        assert os.environ[name] == value


# ---- the warm-kernel engine ------------------------------------------------------
def _notebook(path, *sources):
    cells = [nbformat.v4.new_code_cell("n: int = 0  # n", metadata={"tags": ["parameters"]})]
    cells += [nbformat.v4.new_code_cell(s) for s in sources]
    nb = nbformat.v4.new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    nbformat.write(nb, path)
    return path


def _outputs(nb) -> list[str]:
    return [
        "".join(o.get("text", "")) for c in nb.cells if c.cell_type == "code" for o in c.outputs
    ]


@pytest.mark.slow  # several kernels (about 10-20 s)
def test_warm_kernel_isolates_reports_and_numbers_cells_afresh(tmp_path):
    import time

    from papermill.iorw import load_notebook_node

    from pmf_lib.publish.warm import WarmKernel

    first = _notebook(
        tmp_path / "first.ipynb",
        "import matplotlib.pyplot as plt, matplotlib as mpl, os\n"
        "leak = n * 2\nplt.figure()\nmpl.rcParams['lines.linewidth'] = 9\nos.chdir('/')",
        "print(leak)",
    )
    second = _notebook(
        tmp_path / "second.ipynb",
        "import matplotlib.pyplot as plt, matplotlib as mpl, os\n"
        "print('leak' in dir(), len(plt.get_fignums()), mpl.rcParams['lines.linewidth'] == 9,"
        " os.getcwd() == '/')",
        "print(n)",
    )
    kernel = WarmKernel()
    try:
        a = kernel.execute(load_notebook_node(str(first)), {"n": 21}, time.monotonic() + 120)
        pid = kernel.km.provisioner.pid
        b = kernel.execute(load_notebook_node(str(second)), {"n": 5}, time.monotonic() + 120)
        assert kernel.km.provisioner.pid == pid  # the same kernel ran both
    finally:
        kernel.shutdown()
    assert _outputs(a) == ["42\n"]  # 21 * 2, the injected parameter
    # Nothing from report 1 is visible in report 2: no variable, no open figure, the
    # default line width and the original working directory.
    assert _outputs(b) == ["False 0 False False\n", "5\n"]
    # Papermill's injection and a fresh kernel's numbering (1: parameters, 2: injected, ...).
    assert b.metadata.papermill.parameters == {"n": 5}
    assert "injected-parameters" in b.cells[1].metadata.tags
    assert [c.execution_count for c in b.cells] == [1, 2, 3, 4]


def test_a_report_carries_its_run_id_and_is_refused_once_its_run_lost_the_lock(
    tmp_path, monkeypatch
):
    from pmf_lib.publish.lock import LOCK_NAME, RunLock
    from pmf_lib.publish.manifest import html_run_id

    for name in KERNEL_ENV:
        monkeypatch.setenv(name, "unset")
    path = _notebook(tmp_path / "nb.ipynb", "print(n * 2)")
    out = tmp_path / "out"
    task = {
        "id": "front_door",
        "notebook": str(path),
        "out_dir": str(out),
        "parameters": {"n": 21},
        "timeout": 120,
        "council": "C",
        "title": "T",
        "logo": None,
        "engine": "papermill",
        "run_id": "run-a",
    }
    with RunLock(out, run_id="run-a"):
        r = render_report(task)
    assert r["status"] == "ok", r["error"]
    assert r["run_id"] == "run-a"
    html = (out / "front_door.html").read_text()
    assert html_run_id(html) == "run-a"
    assert nbformat.read(out / "front_door.ipynb", as_version=4).metadata.pmf.run_id == "run-a"
    # run-a has ended and run-b holds the lock: a late report of run-a publishes nothing,
    # not even its failed notebook.
    with RunLock(out, run_id="run-b"):
        late = render_report({**task, "parameters": {"n": 5}})
    assert late["status"] == "failed"
    assert "refused to publish: run run-a no longer holds the run lock" in late["error"]
    assert (out / "front_door.html").read_text() == html
    assert sorted(p.name for p in out.iterdir()) == [
        LOCK_NAME,
        "front_door.html",
        "front_door.ipynb",
    ]


def test_kernels_use_tcp_on_windows(monkeypatch):
    # Windows has no Unix sockets for ZeroMQ: the kernel manager keeps jupyter's TCP there
    # (minimal edit for issue 13's portability, helper L).
    here = IpcKernelManager(kernel_name="python3")
    assert here.transport == ("tcp" if os.name == "nt" else "ipc")
    monkeypatch.setattr("sys.platform", "win32")
    km = IpcKernelManager(kernel_name="python3")
    assert (km.transport, km.ip) == ("tcp", "127.0.0.1")
    for m in (here, km):  # no kernel was started: only their private folders to remove
        shutil.rmtree(m._ipc_dir)
