"""Faults: a timeout, a killed kernel, a raising notebook, a failed write and a concurrent run
each leave every other report and every earlier output intact; --retry-failed, skipping
unchanged reports and --force."""

from __future__ import annotations

import errno
import json
import os
import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from pmf_lib.config import load_config
from pmf_lib.errors import PmfError
from pmf_lib.publish import batch as batch_module
from pmf_lib.publish.lock import RunLock
from pmf_lib.publish.manifest import html_run_id, outputs_not_of_their_run, stamp_html
from pmf_lib.publish.plan import area_reports

CONFIG = """\
council: {code: 938, name: "Faultshire"}
data: {ssda903: data/903.csv, cin_census: data/cin.xml, population: data/pop.csv}
outputs: out
areas:
  good: {title: Good, kpis: [referrals_count]}
  slow: {title: Hangs, kpis: [referrals_count]}
  killed: {title: Kernel killed, kpis: [referrals_count]}
  raises: {title: Raises, kpis: [referrals_count]}
"""

# Each area misbehaves in its own way unless the file `healed` exists beside the config.
CELL = """\
import os, pathlib, time
import pandas as pd
healed = (pathlib.Path(config_path).parents[2] / "healed").exists()
if not healed and area == "slow":
    time.sleep(600)
if not healed and area == "killed":
    os.kill(os.getpid(), 9)
if not healed and area == "raises":
    raise ValueError("a bug in the notebook")
t = pd.read_parquet(kpi_table)
print(area, month, t.loc[t["period_end"] == t["period_end"].max(), "value"].sum())
"""


def kpi_table() -> pd.DataFrame:
    ends = pd.date_range("2025-11-30", "2026-10-31", freq="ME")
    # October's referrals: 100 + 11 = 111 (the 12th month).
    return pd.DataFrame(
        {
            "kpi_id": "referrals_count",
            "period_end": ends,
            "window": "month",
            "value": 100.0 + np.arange(len(ends)),
            "numerator": 100.0 + np.arange(len(ends)),
            "denominator": np.nan,
        }
    )


@pytest.fixture(autouse=True)
def area_reports_only(monkeypatch):
    monkeypatch.setattr(batch_module, "plan_reports", lambda c, m, a: area_reports(c, a))


@pytest.fixture
def council(tmp_path):
    (tmp_path / "data").mkdir()
    for name in ("903.csv", "cin.xml", "pop.csv"):
        (tmp_path / "data" / name).write_text("x\n")
    (tmp_path / "config.yaml").write_text(CONFIG)
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                'area: str = "good"  # area\nmonth: str = "latest"  # month\n'
                'config_path: str = ""  # config\nkpi_table: str = ""  # table',
                metadata={"tags": ["parameters"]},
            ),
            nbformat.v4.new_code_cell(CELL),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "P", "language": "python"}},
    )
    nbformat.write(nb, tmp_path / "report.ipynb")
    return tmp_path, load_config(tmp_path / "config.yaml")


def run(root, config, **kw):
    return batch_module.run_batch(
        config,
        month="2026-10",
        jobs=2,
        quiet=True,
        kpi_table=kpi_table(),
        notebook=root / "report.ipynb",
        **kw,
    )


@pytest.mark.slow
def test_each_fault_fails_its_report_alone_then_retry_and_skip(council):
    root, config = council
    month_dir = root / "out" / "2026-10"
    month_dir.mkdir(parents=True)
    for area in ("slow", "killed", "raises"):
        (month_dir / f"{area}.html").write_text(f"EARLIER {area}")

    first = run(root, config, timeout=20)
    status = {r.id: r for r in first.reports}
    assert first.succeeded == ["good"]
    assert "timed out" in status["slow"].error
    assert "kernel died" in status["killed"].error
    assert status["raises"].error == "ValueError: a bug in the notebook"
    for area in ("slow", "killed", "raises"):  # every earlier output intact
        assert (month_dir / f"{area}.html").read_text() == f"EARLIER {area}"
    good = (month_dir / "good.html").read_text()
    assert "good 2026-10 111.0" in good
    assert not [p for p in month_dir.iterdir() if p.name.endswith(".tmp")]
    assert len(list(month_dir.glob("run-*.log"))) == 1

    # --retry-failed runs only the three that failed; now they succeed.
    (root / "healed").write_text("")
    retry = run(root, config, retry_failed=True)
    assert sorted(retry.ran) == ["killed", "raises", "slow"]
    assert retry.failed == []
    assert (month_dir / "good.html").read_text() == good  # not rewritten
    assert "slow 2026-10 111.0" in (month_dir / "slow.html").read_text()

    # Nothing changed: every report is skipped; --force runs them all.
    assert run(root, config).ran == []
    assert sorted(run(root, config, force=True).ran) == ["good", "killed", "raises", "slow"]
    # A changed notebook is a change: every report runs again.
    nb = nbformat.read(root / "report.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("print('new section')"))
    nbformat.write(nb, root / "report.ipynb")
    changed = run(root, config)
    assert sorted(changed.ran) == ["good", "killed", "raises", "slow"]
    manifest = json.loads(changed.manifest_path.read_text())
    assert {r["id"]: r["status"] for r in manifest["reports"]} == dict.fromkeys(
        ["good", "slow", "killed", "raises"], "ok"
    )


def test_a_second_run_for_the_same_month_is_refused(council):
    root, config = council
    month_dir = root / "out" / "2026-10"
    with RunLock(month_dir):
        with pytest.raises(PmfError, match=f"in progress \\(pid {os.getpid()}"):
            run(root, config)
        assert sorted(p.name for p in month_dir.iterdir()) == [".pmf-run.lock", ".pmf-run.owner"]
    assert sorted(p.name for p in month_dir.iterdir()) == [".pmf-run.lock"]


@pytest.mark.slow  # a batch run after the failed write
def test_a_failed_write_keeps_the_previous_index_and_manifest(council, monkeypatch):
    root, config = council
    month_dir = root / "out" / "2026-10"
    month_dir.mkdir(parents=True)
    (month_dir / "index.html").write_text("PREVIOUS INDEX")
    (month_dir / "run.json").write_text('{"previous": true}')

    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("pmf_lib.atomic.os.fsync", disk_full)
    # One line naming the file and the reason (pmf run prints it and exits 2).
    with pytest.raises(PmfError, match=r"2026-10/config\.yaml: cannot write: the disk is full"):
        run(root, config, areas=["good"])
    assert (month_dir / "index.html").read_text() == "PREVIOUS INDEX"
    assert (month_dir / "run.json").read_text() == '{"previous": true}'
    assert not [p.name for p in month_dir.iterdir() if p.name.endswith(".tmp")]
    # The lock was released: a new run (disk no longer full) can start.
    monkeypatch.undo()
    monkeypatch.setattr(batch_module, "plan_reports", lambda c, m, a: area_reports(c, a))
    result = run(root, config, areas=["good"])
    assert result.failed == []
    # Every output names the run that wrote it, as run.json records it.
    manifest = json.loads(result.manifest_path.read_text())
    run_id = manifest["run_id"]
    assert not (month_dir / ".pmf-run.owner").exists()  # released: no owner
    assert manifest["kpi_table"]["run_id"] == manifest["assessed_table"]["run_id"] == run_id
    assert [r["run_id"] for r in manifest["reports"]] == [run_id]
    assert html_run_id((month_dir / "good.html").read_text()) == run_id
    assert html_run_id((month_dir / "index.html").read_text()) == run_id
    nb = nbformat.read(month_dir / "good.ipynb", as_version=4)
    assert nb.metadata.pmf.run_id == run_id
    assert outputs_not_of_their_run(month_dir) == []
    # A late write by another (dead) run is detected.
    late = stamp_html((month_dir / "good.html").read_text(), "20261101T000000-dead00")
    (month_dir / "good.html").write_text(late)
    assert outputs_not_of_their_run(month_dir) == ["good.html"]


# ---- output errors: one line naming the path and the reason, exit 2 -------------------
def pmf(argv, root, monkeypatch, capsys):
    """``pmf <argv>`` in this process, the batch fed the tiny KPI table and notebook."""
    from pmf_lib.cli import main

    original = batch_module.run_batch

    def run_batch(*args, **kwargs):
        kwargs.update(kpi_table=kpi_table(), notebook=root / "report.ipynb")
        return original(*args, **kwargs)

    monkeypatch.setattr(batch_module, "run_batch", run_batch)
    capsys.readouterr()
    code = main(argv)
    return code, capsys.readouterr().err


def pmf_run(root, monkeypatch, capsys):
    argv = ["run", "--month", "2026-10", "--areas", "good", "--quiet"]
    return pmf([*argv, "--config", str(root / "config.yaml")], root, monkeypatch, capsys)


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err.strip()


@pytest.fixture
def mount():
    """``mount(*args)``: run mount(8) (as root); skips the test when mounting is not permitted."""
    import shutil
    import subprocess

    mounted = []

    def do(*args, target):
        if os.geteuid() != 0 or not shutil.which("mount"):
            pytest.skip("mounting a tmpfs or a read-only bind mount needs root and mount(8)")
        r = subprocess.run(["mount", *args, str(target)], capture_output=True, text=True)
        if r.returncode != 0:
            pytest.skip(f"mount is not permitted here: {r.stderr.strip()}")
        mounted.append(target)

    yield do
    for target in reversed(mounted):
        subprocess.run(["umount", "-l", str(target)], check=False)


def test_an_outputs_path_that_is_a_file_is_one_line(council, monkeypatch, capsys):
    root, _ = council
    (root / "out").write_text("a file, not a folder")
    code, err = pmf_run(root, monkeypatch, capsys)
    assert code == 2
    assert one_line(err) == (
        f"pmf: error: {root / 'out'}: cannot use the folder: it is a file, not a folder"
    )
    assert (root / "out").read_text() == "a file, not a folder"


@pytest.mark.slow  # fills a tmpfs, then a batch run
def test_a_full_disk_is_one_line_and_nothing_is_half_written(council, monkeypatch, capsys, mount):
    root, _ = council
    out = root / "out"
    out.mkdir()
    mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", target=out)
    month = out / "2026-10"
    month.mkdir()
    (month / "index.html").write_text("PREVIOUS INDEX")
    (month / "run.json").write_text('{"previous": true}')
    (month / ".pmf-run.owner").write_text("x" * 100)  # the owner's line fits in its block
    with open(out / "filler", "wb", buffering=0) as f:  # fill the disk to the last byte
        try:
            while True:
                f.write(b"\0" * 4096)
        except OSError:
            pass
    code, err = pmf_run(root, monkeypatch, capsys)
    assert code == 2
    line = one_line(err)
    assert re.fullmatch(
        rf"pmf: error: {re.escape(str(month))}/\S+: cannot (write|take the run lock): "
        r"the disk is full \(no space left on device\)",
        line,
    ), line
    assert (month / "index.html").read_text() == "PREVIOUS INDEX"
    assert (month / "run.json").read_text() == '{"previous": true}'
    assert not [p.name for p in month.iterdir() if ".tmp" in p.name]
    assert not (month / "kpi_history.parquet").exists()  # nothing half-written
    # The lock was released: with space again, the run succeeds.
    (out / "filler").unlink()
    assert pmf_run(root, monkeypatch, capsys)[0] == 0


def test_a_read_only_output_folder_is_one_line(council, monkeypatch, capsys, mount):
    root, _ = council
    month = root / "out" / "2026-10"
    month.mkdir(parents=True)
    (month / "index.html").write_text("PREVIOUS INDEX")
    # Root ignores file permissions, so the folder is made read-only by a bind mount.
    mount("--bind", str(month), target=month)
    mount("-o", "remount,bind,ro", target=month)
    code, err = pmf_run(root, monkeypatch, capsys)
    assert code == 2
    assert one_line(err) == (
        f"pmf: error: {month / '.pmf-run.lock'}: cannot take the run lock: "
        "the file system is read-only"
    )
    assert sorted(p.name for p in month.iterdir()) == ["index.html"]
    # pmf kpis --out into it: refused before the KPIs are computed.
    argv = ["kpis", "--month", "2026-10", "--config", str(root / "config.yaml")]
    code, err = pmf([*argv, "--out", str(month / "kpis.csv")], root, monkeypatch, capsys)
    assert code == 2
    assert one_line(err) == (
        f"pmf: error: {month / 'kpis.csv'}: cannot write: the file system is read-only"
    )


@pytest.mark.parametrize(
    "where,reason",
    [
        ("folder", "cannot write: it is a folder, not a file"),
        ("file/kpis.csv", "cannot create the folder: it is a file, not a folder"),
        ("/dev/full", "cannot write: it is not a regular file (a device, pipe or socket)"),
    ],
)
def test_pmf_kpis_to_an_unwritable_place_is_one_line(council, monkeypatch, capsys, where, reason):
    root, _ = council
    (root / "folder").mkdir()
    (root / "file").write_text("a file")
    out = Path(where) if where.startswith("/") else root / where
    named = root / "file" if where.startswith("file/") else out
    argv = ["kpis", "--month", "2026-10", "--config", str(root / "config.yaml")]
    code, err = pmf([*argv, "--out", str(out)], root, monkeypatch, capsys)
    assert code == 2
    assert one_line(err) == f"pmf: error: {named}: {reason}"
    assert (root / "file").read_text() == "a file"
