"""A killed or stopped `pmf run` leaves no process behind and nothing changes after it ends.

A real `pmf run` (the command line's ``main``, two workers with warm kernels) runs in a
subprocess on a tiny council whose two reports each sleep a few seconds. Once both reports
are running it is killed (SIGKILL) or stopped (SIGTERM). Every process of the run carries a
marker in its environment (inherited by workers, the resource tracker and kernels), so any
survivor is found by scanning ``/proc``; the output folder is snapshotted and compared after
the reports would have finished, so a surviving worker that published would be caught.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from pmf_lib.publish.lock import RunLock
from pmf_lib.publish.procs import (
    StopRequested,
    descendants,
    die_with_parent_cmd,
    kill_tree,
    set_parent_death_signal,
    stop_on_signals,
)

LINUX = sys.platform.startswith("linux")
#: Seconds each report sleeps once started; the check after the kill waits longer.
SLEEP = 3.0

CONFIG = """\
council: {code: 938, name: "Killshire"}
data: {ssda903: data/903.csv, cin_census: data/cin.xml, population: data/pop.csv}
outputs: out
areas:
  first: {title: First, kpis: [referrals_count]}
  second: {title: Second, kpis: [referrals_count]}
"""

# Each report says it has started, sleeps, then finishes (and would be published).
CELL = """\
import pathlib, time
root = pathlib.Path(config_path).parents[2]
(root / "started" / area).touch()
time.sleep(float((root / "sleep").read_text()))
print(area, "done")
"""

SCRIPT = """\
import sys

import numpy as np
import pandas as pd

from pmf_lib.cli import main
from pmf_lib.publish import batch
from pmf_lib.publish.plan import area_reports


def table():
    ends = pd.date_range("2025-11-30", "2026-10-31", freq="ME")
    return pd.DataFrame({"kpi_id": "referrals_count", "period_end": ends, "window": "month",
                         "value": 100.0 + np.arange(len(ends)),
                         "numerator": 100.0 + np.arange(len(ends)), "denominator": np.nan})


if __name__ == "__main__":
    root, engine = sys.argv[1], sys.argv[2]
    original = batch.run_batch

    def run_batch(*args, **kwargs):
        kwargs.update(kpi_table=table(), notebook=f"{root}/report.ipynb")
        return original(*args, **kwargs)

    batch.plan_reports = lambda c, m, a: area_reports(c, a)
    batch.run_batch = run_batch
    sys.exit(main(["run", "--month", "2026-10", "--config", f"{root}/config.yaml",
                   "--jobs", "2", "--quiet", "--timeout", "120", "--engine", engine]))
"""


def marked(marker: str) -> list[int]:
    """Pids of live processes whose environment carries ``marker`` (zombies have none)."""
    found = []
    needle = f"PMF_TEST_MARKER={marker}".encode()
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if needle in (d / "environ").read_bytes():
                    found.append(int(d.name))
            except OSError:
                continue
    return found


def wait_until(predicate, deadline_s: float) -> bool:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in folder.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def started_run(tmp_path, request):
    """A `pmf run` subprocess with both reports running; yields (process, root, marker).

    The engine is the test's parameter: ``warm`` (the default engine) or ``papermill``.
    """
    for name in ("903.csv", "cin.xml", "pop.csv"):
        (tmp_path / "data").mkdir(exist_ok=True)
        (tmp_path / "data" / name).write_text("x\n")
    (tmp_path / "config.yaml").write_text(CONFIG)
    (tmp_path / "started").mkdir()
    (tmp_path / "sleep").write_text(str(SLEEP))
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                'area: str = "first"  # area\nmonth: str = "latest"  # month\n'
                'config_path: str = ""  # config\nkpi_table: str = ""  # table',
                metadata={"tags": ["parameters"]},
            ),
            nbformat.v4.new_code_cell(CELL),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "P", "language": "python"}},
    )
    nbformat.write(nb, tmp_path / "report.ipynb")
    (tmp_path / "run_pmf.py").write_text(SCRIPT)
    marker = uuid.uuid4().hex
    env = {**os.environ, "PMF_TEST_MARKER": marker}
    with open(tmp_path / "stderr.txt", "w") as err:
        proc = subprocess.Popen(
            [sys.executable, str(tmp_path / "run_pmf.py"), str(tmp_path), request.param],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
            # Ctrl-C as at a terminal: a suite started in the background (`make test &`,
            # cron) hands its children SIGINT ignored, and Python then keeps ignoring it
            preexec_fn=_interruptible,
        )
    try:
        both = wait_until(
            lambda: (
                proc.poll() is not None
                or {p.name for p in (tmp_path / "started").iterdir()} == {"first", "second"}
            ),
            90,
        )
        assert both and proc.poll() is None, (tmp_path / "stderr.txt").read_text()[-3000:]
        yield proc, tmp_path, marker
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        kill_tree(marked(marker))  # never leave a stray process to the next test


def _interruptible() -> None:
    """In the child before exec: SIGINT back to its default, so Python turns it into
    KeyboardInterrupt whatever the suite's own disposition (ignored in a background job)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def check_nothing_left(root: Path, marker: str, before: dict) -> None:
    wait_until(lambda: not marked(marker), 15)
    left = {pid: _cmdline(pid) for pid in marked(marker)}
    assert not left, f"processes of the run left: {left}"
    time.sleep(SLEEP + 1.0)  # past the moment the reports would have finished
    month = root / "out" / "2026-10"
    assert snapshot(month) == before  # no file written, changed or removed after the kill
    assert not (month / "first.html").exists() and not (month / "second.html").exists()
    with RunLock(month):  # the lock is free for the next run
        pass


@pytest.mark.skipif(not LINUX, reason="the parent-death signal is Linux-only")
@pytest.mark.parametrize("started_run", ["warm"], indirect=True)
@pytest.mark.slow
def test_sigkill_leaves_no_process_and_no_late_write(started_run):
    proc, root, marker = started_run
    # The run, two workers and two kernels (and the resource tracker) are alive now.
    assert len(marked(marker)) >= 5
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = snapshot(root / "out" / "2026-10")
    check_nothing_left(root, marker, before)


@pytest.mark.parametrize(
    "started_run,signum,code,message",
    [
        # SIGTERM on the papermill engine, Ctrl-C (SIGINT) on the warm engine.
        ("papermill", signal.SIGTERM, 143, "pmf: stopped by SIGTERM"),
        ("warm", signal.SIGINT, 130, "pmf: interrupted"),
    ],
    indirect=["started_run"],
)
@pytest.mark.slow
def test_a_stop_signal_stops_the_run_cleanly(started_run, signum, code, message):
    proc, root, marker = started_run
    assert len(marked(marker)) >= 5
    proc.send_signal(signum)
    assert proc.wait(timeout=30) == code  # 128 + the signal, documented in docs/operations.md
    err = (root / "stderr.txt").read_text()
    assert message in err and "Traceback" not in err, err
    month = root / "out" / "2026-10"
    assert not [p.name for p in month.iterdir() if ".tmp" in p.name]  # temporaries removed
    before = snapshot(month)
    check_nothing_left(root, marker, before)


@pytest.mark.skipif(not LINUX, reason="the parent-death signal is Linux-only")
def test_a_child_with_the_parent_death_signal_dies_with_its_parent(tmp_path):
    # parent: starts a child that sets the signal then sleeps; prints the child's pid; sleeps.
    child = (
        "import os, signal, sys, time\n"
        "from pmf_lib.publish.procs import set_parent_death_signal\n"
        "set_parent_death_signal(signal.SIGKILL, int(sys.argv[1]))\n"
        "open(sys.argv[2], 'w').close()\n"
        "time.sleep(60)\n"
    )
    ready = tmp_path / "ready"
    parent = (
        "import os, subprocess, sys, time\n"
        f"p = subprocess.Popen([sys.executable, '-c', {child!r}, str(os.getpid()), {str(ready)!r}]"
        ")\n"
        "print(p.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", parent], stdout=subprocess.PIPE, text=True)
    pid = int(proc.stdout.readline())
    assert wait_until(ready.exists, 30)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # The child would sleep for a minute; it is gone (or a zombie awaiting its reaper).
    assert wait_until(lambda: not _alive(pid), 10)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
    except OSError:
        return "?"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_kernel_command_is_wrapped_only_on_linux():
    cmd = ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "conn.json"]
    wrapped = die_with_parent_cmd(cmd)
    assert wrapped[-len(cmd) :] == cmd
    assert (wrapped != cmd) == LINUX
    if LINUX:  # the trampoline gets this process's pid to check its parent is still there
        assert wrapped[len(wrapped) - len(cmd) - 1] == str(os.getpid())


def test_set_parent_death_signal_is_a_no_op_off_linux(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    assert set_parent_death_signal(signal.SIGKILL) is False


def test_kill_tree_kills_a_process_and_its_children():
    # a shell whose child sleeps: both killed
    proc = subprocess.Popen(["sh", "-c", "sleep 60 & wait"])
    assert wait_until(lambda: len(descendants([proc.pid])) == 2, 10)
    child = descendants([proc.pid])[1].pid
    kill_tree([proc.pid])
    proc.wait(timeout=10)
    assert wait_until(lambda: not _alive(child), 10)


def test_stop_on_signals_raises_once_and_restores_the_handler():
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(StopRequested) as stopped, stop_on_signals():
        os.kill(os.getpid(), signal.SIGTERM)
    assert stopped.value.exit_code == 143
    assert signal.getsignal(signal.SIGTERM) is before
