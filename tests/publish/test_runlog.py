"""The run's log file and progress lines."""

from __future__ import annotations

import logging

import pytest

from pmf_lib.publish.runlog import Progress, RunLogHandler, start_log


@pytest.fixture
def handler(tmp_path):
    h = start_log(tmp_path / "2026-10", "2026-12-01T09:46:44+00:00")
    yield h
    logging.getLogger("pmf").removeHandler(h)
    h.close()


def test_the_log_is_named_after_the_start_and_gets_each_finished_report(handler, capsys):
    assert handler.baseFilename.endswith("2026-10/run-20261201T094644.log")
    with Progress(2, quiet=True) as progress:
        progress({"id": "front_door", "status": "ok", "seconds": 1.25, "error": None})
        progress({"id": "lado", "status": "failed", "seconds": 0.5, "error": "ValueError: x"})
    handler.flush()
    text = open(handler.baseFilename, encoding="utf-8").read()
    assert "front_door: published in 1.2 s" in text
    assert "lado: FAILED in 0.5 s — ValueError: x" in text
    assert capsys.readouterr().err == ""  # quiet: nothing on the console


def test_progress_lines_on_stderr_unless_quiet(handler, capsys):
    with Progress(1, quiet=False) as progress:
        progress({"id": "dashboard", "status": "ok", "seconds": 2.0, "error": None})
    assert "dashboard: published in 2.0 s" in capsys.readouterr().err


def test_a_record_that_cannot_be_written_is_dropped_quietly(tmp_path, capsys):
    h = RunLogHandler(tmp_path / "run.log", encoding="utf-8")
    h.handleError(logging.makeLogRecord({"msg": "x"}))  # logging would print a traceback
    h.close()
    assert capsys.readouterr().err == ""
