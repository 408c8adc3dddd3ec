"""The monthly batch: checks before work, one failing area among good ones, manifest, indexes."""

from __future__ import annotations

import hashlib
import json
import re

import nbformat
import numpy as np
import pandas as pd
import pytest
from lxml import html as lxml_html

from pmf_lib.config import load_config
from pmf_lib.errors import PmfError
from pmf_lib.publish.batch import NOTEBOOK, run_batch

MONTHS = pd.date_range("2024-10-31", "2026-10-31", freq="ME")

CONFIG = """\
council: {code: 938, name: "Testshire County Council"}
data:
  ssda903: data/ssda903
  cin_census: data/cin/*.xml
  population: data/population.csv
outputs: out
areas:
  front_door:
    title: Front door
    kpis: [referrals_count, rereferrals_12m_pct]
  broken:
    title: Broken area
    kpis: [cla_count]
  rereferrals:
    title: Re-referrals only
    kpis: [rereferrals_12m_pct]
"""


def kpi_table() -> pd.DataFrame:
    """Figures for two KPIs only (the 'broken' area's cla_count has none)."""
    rows = []
    for i, end in enumerate(MONTHS):
        rows.append(("referrals_count", end, "month", 100.0 + i, 100.0 + i, np.nan))
        rows.append(("referrals_count", end, "rolling_12m", 1200.0 + i, 1200.0 + i, np.nan))
        rows.append(("rereferrals_12m_pct", end, "month", 20.0, 2.0, 10.0))
        rows.append(("rereferrals_12m_pct", end, "rolling_12m", 21.0, 21.0, 100.0))
    return pd.DataFrame(
        rows, columns=["kpi_id", "period_end", "window", "value", "numerator", "denominator"]
    )


def make_council(root):
    (root / "data" / "ssda903").mkdir(parents=True)
    (root / "data" / "cin").mkdir()
    (root / "data" / "ssda903" / "header.csv").write_text("CHILD\nfake1\n")
    (root / "data" / "cin" / "cin_2026.xml").write_text("<Message/>\n")
    (root / "data" / "population.csv").write_text("time_period\n2025\n")
    (root / "config.yaml").write_text(CONFIG)
    return load_config(root / "config.yaml")


@pytest.fixture(autouse=True, scope="module")
def area_reports_only():
    """These tests are about the batch machinery: plan only the area reports (fast)."""
    from pmf_lib.publish import batch as batch_module
    from pmf_lib.publish.plan import area_reports

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(batch_module, "plan_reports", lambda c, m, a: area_reports(c, a))
        yield


def breaking_notebook(path):
    """The report notebook with a cell that raises for the 'broken' area only."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.insert(
        1,
        nbformat.v4.new_code_cell(
            'if area == "broken":\n    raise ValueError("no figures for cla_count")'
        ),
    )
    nbformat.write(nb, path)
    return path


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---- checks before any work ------------------------------------------------------
def test_unknown_area_is_refused_before_any_work(tmp_path):
    config = make_council(tmp_path)
    with pytest.raises(PmfError, match="unknown service area.*nowhere") as e:
        run_batch(config, areas=["front_door", "nowhere"], kpi_table=kpi_table())
    assert e.value.field == "areas"
    assert not (tmp_path / "out").exists()


def test_unknown_kpi_id_is_refused_before_any_work(tmp_path):
    config = make_council(tmp_path)
    bad = CONFIG.replace("kpis: [cla_count]", "kpis: [cla_cuont]")
    (tmp_path / "config.yaml").write_text(bad)
    config = load_config(tmp_path / "config.yaml")
    with pytest.raises(PmfError, match="cla_cuont") as e:
        run_batch(config, kpi_table=kpi_table())
    assert e.value.field == "areas.broken.kpis"
    assert not (tmp_path / "out").exists()


def test_misspelt_notebook_parameter_is_refused(tmp_path):
    config = make_council(tmp_path)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells[0].source = nb.cells[0].source.replace("kpi_table: str", "kpi_tabel: str")
    nb.cells[1].source = nb.cells[1].source.replace("kpi_table)", "kpi_tabel)")
    path = tmp_path / "report.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(PmfError, match="does not declare kpi_table") as e:
        run_batch(config, kpi_table=kpi_table(), notebook=path)
    assert e.value.field == "kpi_table" and e.value.file == str(path)
    assert not (tmp_path / "out").exists()


def test_spec_parameter_the_notebook_does_not_declare_is_refused(tmp_path, monkeypatch):
    from pmf_lib.publish import batch as batch_module
    from pmf_lib.publish.plan import ReportSpec

    config = make_council(tmp_path)
    spec = ReportSpec("dash", "Dashboard", "dashboard", NOTEBOOK, {"area": "x", "colour": "red"})
    monkeypatch.setattr(batch_module, "plan_reports", lambda c, m, a: [spec])
    with pytest.raises(PmfError, match="'dash' passes colour") as e:
        run_batch(config, kpi_table=kpi_table())
    assert e.value.field == "colour" and e.value.file == str(NOTEBOOK)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"month": "Oct 2026"}, "expected YYYY-MM"),
        ({"jobs": 0}, "jobs must be"),
        ({"month": "2027-01"}, "no figures for 2027-01"),
    ],
)
def test_bad_parameters(tmp_path, kwargs, message):
    config = make_council(tmp_path)
    with pytest.raises(PmfError, match=message):
        run_batch(config, kpi_table=kpi_table(), **kwargs)
    assert not list(tmp_path.glob("out/*/*.html"))


# ---- a real run with one failing area --------------------------------------------
@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("council")
    config = make_council(root)
    month_dir = root / "out" / "2026-10"
    month_dir.mkdir(parents=True)
    (month_dir / "broken.html").write_text("EARLIER GOOD REPORT")
    notebook = breaking_notebook(root / "report.ipynb")
    result = run_batch(
        config, month="latest", jobs=2, quiet=True, kpi_table=kpi_table(), notebook=notebook
    )
    return root, month_dir, result, notebook


@pytest.mark.slow
def test_one_failure_does_not_stop_the_others(batch):
    root, month_dir, result, notebook = batch
    assert result.month == "2026-10"
    assert result.failed == ["broken"]
    assert result.succeeded == ["front_door", "rereferrals"]
    broken = next(r for r in result.reports if r.id == "broken")
    assert "cla_count" in broken.error and broken.html is None
    # The earlier good report is still published; the failed run is kept apart.
    assert (month_dir / "broken.html").read_text() == "EARLIER GOOD REPORT"
    assert (month_dir / "broken.failed.ipynb").is_file()
    assert not (month_dir / "broken.ipynb").exists()
    # No temporary files are left behind (the lock file stays, unlocked).
    assert [p.name for p in month_dir.iterdir() if p.name.startswith(".")] == [".pmf-run.lock"]


@pytest.mark.slow
def test_good_reports_are_self_contained_html(batch):
    _, month_dir, _, _ = batch
    for area in ("front_door", "rereferrals"):
        page = (month_dir / f"{area}.html").read_text()
        doc = lxml_html.document_fromstring(page)
        assert not re.search(r"https?://", page)
        assert doc.findall(".//script") == []
        assert "Report.load" not in page  # no code
        assert doc.xpath("//img[starts-with(@src, 'data:image/png;base64,')]")
        executed = nbformat.read(month_dir / f"{area}.ipynb", as_version=4)
        assert executed.metadata.papermill.parameters.area == area
        params = executed.metadata.papermill.parameters
        assert params.kpi_table == str(month_dir / "kpi_history.parquet")
        assert params.month == "2026-10"
        assert params.assessed_table == str(month_dir / "kpis.parquet")


@pytest.mark.slow
def test_kpi_tables_written_once(batch):
    _, month_dir, _, _ = batch
    written = pd.read_parquet(month_dir / "kpi_history.parquet")
    assert len(written) == len(kpi_table())
    csv = pd.read_csv(month_dir / "kpi_history.csv")
    assert list(csv.columns) == list(kpi_table().columns)
    assert csv["period_end"].iloc[0] == "2024-10-31"
    # The month's assessed table: one row per configured KPI, the figure for October.
    assessed = pd.read_parquet(month_dir / "kpis.parquet").set_index("kpi_id")
    assert sorted(assessed.index) == ["cla_count", "referrals_count", "rereferrals_12m_pct"]
    assert assessed.loc["referrals_count", "value"] == 124.0  # 100 + 24 months after Oct 2024
    assert pd.read_csv(month_dir / "kpis.csv")["kpi_id"].tolist() == list(assessed.index)


@pytest.mark.slow
def test_manifest_records_everything(batch):
    root, month_dir, result, notebook = batch
    run = json.loads(result.manifest_path.read_text())
    statuses = {r["id"]: r["status"] for r in run["reports"]}
    assert statuses == {"front_door": "ok", "broken": "failed", "rereferrals": "ok"}
    assert {r["kind"] for r in run["reports"]} == {"area"}
    broken = next(r for r in run["reports"] if r["id"] == "broken")
    assert broken["error"] == "ValueError: no figures for cla_count"
    assert all(isinstance(r["seconds"], float) and r["seconds"] > 0 for r in run["reports"])
    assert [n["sha256"] for n in run["notebooks"]] == [sha(notebook)]
    inputs = {r["path"]: r["sha256"] for r in run["inputs"]}
    for f in ("data/ssda903/header.csv", "data/cin/cin_2026.xml", "data/population.csv"):
        assert inputs[str(root / f)] == sha(root / f)
    assert run["kpi_table"]["sha256"] == sha(month_dir / "kpi_history.parquet")
    assert run["assessed_table"]["sha256"] == sha(month_dir / "kpis.parquet")
    assert run["parameters"]["month"] == "2026-10"
    assert run["parameters"]["areas"] == ["front_door", "broken", "rereferrals"]
    assert run["pmf_version"] and run["git_commit"]
    assert run["started"] <= run["finished"]


@pytest.mark.slow
def test_index_pages(batch):
    root, month_dir, result, notebook = batch
    assert result.index_path == month_dir / "index.html"
    doc = lxml_html.document_fromstring(result.index_path.read_text())
    links = {a.text: a.get("href") for a in doc.iter("a")}
    assert links["Front door"] == "front_door.html"
    assert links["Re-referrals only"] == "rereferrals.html"
    rows = {" ".join(tr.find("th").text_content().split()): tr for tr in doc.findall(".//tbody/tr")}
    broken_text = rows["Broken area"].text_content()
    assert "Failed" in broken_text and "cla_count" in broken_text
    assert "last good version" in broken_text  # the link is to the earlier report
    assert "Published" in rows["Front door"].text_content()
    top = lxml_html.document_fromstring((root / "out" / "index.html").read_text())
    assert [a.get("href") for a in top.iter("a")] == ["2026-10/index.html"]


@pytest.mark.slow
def test_report_timeout_fails_only_that_report(tmp_path):
    config = make_council(tmp_path)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell("import time\ntime.sleep(60)"))
    slow = tmp_path / "slow.ipynb"
    nbformat.write(nb, slow)
    result = run_batch(
        config,
        areas=["front_door"],
        jobs=1,
        quiet=True,
        kpi_table=kpi_table(),
        notebook=slow,
        timeout=15,
    )
    assert result.failed == ["front_door"]
    assert "Timeout" in result.reports[0].error or "timed out" in result.reports[0].error
    assert not (result.out_dir / "front_door.html").exists()


def test_bad_targets_file_is_refused_before_any_work(tmp_path):
    make_council(tmp_path)
    (tmp_path / "targets.yaml").write_text("referrals_cuont:\n  - {from: 2024-04-01, target: 5}\n")
    (tmp_path / "config.yaml").write_text(CONFIG + "targets: targets.yaml\n")
    config = load_config(tmp_path / "config.yaml")
    with pytest.raises(PmfError, match="referrals_cuont"):
        run_batch(config, kpi_table=kpi_table())
    assert not (tmp_path / "out").exists()


# ---- a run from the sources: each read once, and what pmf validate writes ----------------
class Written:
    """An executor that 'publishes' each report as a one-line page, without a kernel."""

    name = "written"

    def run(self, tasks, on_result=None):
        from pathlib import Path

        out = {}
        for t in tasks:
            (Path(t["out_dir"]) / f"{t['id']}.html").write_text(f"<p>{t['id']}</p>")
            out[t["id"]] = {
                "id": t["id"],
                "status": "ok",
                "seconds": 0.1,
                "error": None,
                "html": f"{t['id']}.html",
                "notebook": None,
            }
        return out


@pytest.mark.slow
def test_a_run_opens_each_source_once_and_writes_the_data_quality_report(tmp_path):
    import shutil
    import sys
    from pathlib import Path

    from lxml import etree

    from pmf_lib.publish.manifest import sha256_file
    from tests.assess.test_build import Opens
    from tests.conftest import ROOT

    shutil.copytree(ROOT / "tests" / "data" / "malformed" / "base", tmp_path / "c")
    config = load_config(tmp_path / "c" / "config.yaml")
    files = [*config.files("ssda903"), *config.files("cin_census"), config.population_file]
    counter = Opens(tmp_path / "c")
    sys.addaudithook(counter.hook)  # audit hooks cannot be removed: switched off after

    def counted_run(**kwargs):
        counter.counts.clear()
        with pytest.MonkeyPatch.context() as mp:
            for name in ("iterparse", "parse"):  # lxml opens a file name in C
                mp.setattr(etree, name, counter.wrap(getattr(etree, name)))
            counter.on = True
            try:
                return run_batch(config, quiet=True, executor=Written(), **kwargs)
            finally:
                counter.on = False

    result = counted_run()
    assert result.month == "2024-03" and result.failed == []
    # Each source file opened once in the whole run, the fingerprint (skip what is
    # unchanged) included: pmf validate then pmf run read every file twice (three times
    # for local files), the CIN census was opened to find its root element, then to
    # parse it, and the fingerprint opened every file again to hash it.
    assert {f.name: counter.counts.get(f.name, 0) for f in files} == {f.name: 1 for f in files}
    # the manifest's hashes (from the bytes parsed) are the files' own
    run = json.loads(result.manifest_path.read_text())
    recorded = {Path(i["path"]).name: i["sha256"] for i in run["inputs"]}
    assert {f.name: recorded[f.name] for f in files} == {f.name: sha256_file(f) for f in files}
    # what pmf validate writes, from the same build, before the month's index links it
    month_dir = result.out_dir
    for name in ("data_quality.html", "data_quality_issues.csv", "data_quality_confidence.csv"):
        assert (month_dir / name).is_file()
    conf = pd.read_csv(month_dir / "data_quality_confidence.csv")
    history = pd.read_parquet(month_dir / "kpi_history.parquet")
    at = history.merge(
        conf.assign(period_end=pd.to_datetime(conf["period_end"])),
        on=["kpi_id", "period_end"],
        suffixes=("", "_dq"),
    )
    assert len(at) == len(history)  # every figure has the validation's rating beside it
    assert (at["dq_confidence"].fillna("") == at["dq_confidence_dq"].fillna("")).all()
    assert "data_quality.html" in (month_dir / "index.html").read_text()
    # an unchanged second run, for the month by name (published: its sources are read
    # after the lock, once), rebuilds nothing: the tables and the report are current
    before = (month_dir / "data_quality.html").stat().st_mtime_ns
    again = counted_run(month="2024-03")
    assert again.ran == [] and (month_dir / "data_quality.html").stat().st_mtime_ns == before
    assert {f.name: counter.counts.get(f.name, 0) for f in files} == {f.name: 1 for f in files}
