"""The report worker: kernels on IPC sockets; failures returned, never raised or published."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import nbformat

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
