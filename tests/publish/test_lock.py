"""The run lock: one run at a time, and a run publishes only while it holds its lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from pmf_lib.errors import PmfError
from pmf_lib.publish.atomic import publish_guard, write_text_atomic
from pmf_lib.publish.lock import LOCK_NAME, OWNER_NAME, RunLock, check_held


def test_the_owner_file_names_the_run_and_goes_on_release(tmp_path):
    with RunLock(tmp_path, run_id="run-a") as lock:
        run_id, pid, _started = (tmp_path / OWNER_NAME).read_text().split()
        assert (run_id, pid) == ("run-a", str(os.getpid()))
        check_held(tmp_path, "run-a")  # held by run-a: it may publish
        lock.check()
        with pytest.raises(PmfError, match="run run-b no longer holds the run lock"):
            check_held(tmp_path, "run-b")
    assert sorted(p.name for p in tmp_path.iterdir()) == [LOCK_NAME]
    with pytest.raises(PmfError, match="no longer holds the run lock \\(no run does\\)"):
        check_held(tmp_path, "run-a")


def test_a_newer_run_takes_over_and_the_old_run_is_refused(tmp_path):
    old = RunLock(tmp_path, run_id="run-old").acquire()
    old.release()
    with RunLock(tmp_path, run_id="run-new"):
        with pytest.raises(PmfError, match="run run-old no longer holds the run lock"):
            check_held(tmp_path, "run-old")
        with pytest.raises(PmfError, match="run-old does not hold the run lock"):
            old.check()


def test_a_killed_holder_is_detected_although_its_line_is_still_there(tmp_path):
    # A run killed with SIGKILL cannot clear its line: the OS releases the lock, and
    # check_held finds it free, so a worker that outlived the run is refused.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pmf_lib.publish.lock import RunLock\n"
            f"lock = RunLock({str(tmp_path)!r}, run_id='run-dead').acquire()\n"
            "print('held', flush=True)\n"
            "time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    check_held(tmp_path, "run-dead")  # alive: held
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert (tmp_path / OWNER_NAME).read_text().split()[0] == "run-dead"
    with pytest.raises(PmfError, match="run run-dead has ended"):
        check_held(tmp_path, "run-dead")
    with RunLock(tmp_path):  # and a new run can start at once
        pass


def test_a_write_guarded_by_a_lost_lock_is_refused_and_leaves_the_old_file(tmp_path):
    report = write_text_atomic("NEWER RUN'S REPORT", tmp_path / "front_door.html")
    with RunLock(tmp_path, run_id="run-new"):
        with publish_guard(lambda target: check_held(tmp_path, "run-old", target)):
            with pytest.raises(PmfError, match="front_door.html: refused to publish"):
                write_text_atomic("late write of a dead run", report)
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            LOCK_NAME,
            OWNER_NAME,
            "front_door.html",
        ]
    assert report.read_text() == "NEWER RUN'S REPORT"


def test_an_unwritable_lock_folder_is_one_line(tmp_path):
    (tmp_path / "outputs").write_text("a file where the outputs folder should be")
    with pytest.raises(PmfError) as e:
        RunLock(tmp_path / "outputs" / "2026-10").acquire()
    assert (
        str(e.value)
        == f"{tmp_path / 'outputs'}: cannot create the folder: it is a file, not a folder"
    )
