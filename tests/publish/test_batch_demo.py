"""The real batch on the demo council (`parameters/config.yaml`): its published month.

The month is the one ``make test`` publishes before the suite (``pmf run --month latest``),
reused when it is current for the checkout and published once otherwise
(``published_demo_month`` in tests/conftest.py), rather than the whole batch run again.
"""

from __future__ import annotations

import json
import re

import pytest
from lxml import html as lxml_html

from pmf_lib.assess.pipeline import configured_kpis
from pmf_lib.config import load_config
from pmf_lib.publish.plan import plan_reports
from tests.conftest import DEMO_CONFIG, DEMO_MONTH, ROOT, published_month_staleness

#: The chart each cadence gets: SPC on independent points, a trend line otherwise, and the
#: span of points its alt text names.
CHART_KIND = {
    "monthly": ("SPC chart of ", r"24 months"),
    "quarterly": ("SPC chart of ", r"\d+ quarters"),
    "rolling": ("Trend chart of ", r"24 months"),
    "annual": ("Trend chart of ", r"\d+ years?"),
}


@pytest.fixture(scope="module")
def run(published_demo_month):
    return json.loads((published_demo_month / "run.json").read_text())


@pytest.mark.demo
def test_the_published_month_is_current_for_the_checkout(published_demo_month):
    # What make test's pmf run leaves is what the suite takes as current (so no second
    # batch): the check agrees with the batch's own fingerprints.
    config = load_config(DEMO_CONFIG)
    assert published_month_staleness(config, published_demo_month, DEMO_MONTH) is None


@pytest.mark.demo
def test_demo_batch_publishes_every_area(run, published_demo_month):
    published = published_demo_month
    config = load_config(ROOT / "parameters" / "config.yaml")
    metas = configured_kpis(config)
    # The month's plan: exactly the schedule's reports due in the month
    # (parameters/schedule.yaml), which every month include the dashboard, every area's
    # report and highlight report, the exceptions report and the schedule page; October is
    # not a quarter end, so there are no quarterly area reports.
    expected = {s.id for s in plan_reports(config, DEMO_MONTH)}
    monthly = {"dashboard", "exceptions", "schedule"} | set(config.areas)
    monthly |= {f"highlight_{a}" for a in config.areas}
    assert monthly <= expected and not any(i.startswith("quarterly_") for i in expected)
    assert {r["id"] for r in run["reports"]} == expected
    assert {r["status"] for r in run["reports"]} == {"ok"}
    assert run["inputs"], "the demo's input files are hashed"
    for area_id, area in config.areas.items():
        page = (published / f"{area_id}.html").read_text()
        doc = lxml_html.document_fromstring(page)
        assert not re.search(r"https?://", page)
        assert doc.findall(".//script") == []
        assert "ServiceAreaReport" not in page  # no code
        table = doc.find(".//table[@class='pmf-headline pmf-dashboard']")
        assert len(table.findall("./tbody/tr")) == len(area.kpis)
        assert all(th.get("scope") == "col" for th in table.findall("./thead/tr/th"))
        # Each KPI's own chart, in report order (breakdown charts are figures of their own).
        figures = doc.xpath("//figure[starts-with(@id, 'chart-')]")
        assert [f.get("id") for f in figures] == [f"chart-{k}" for k in area.kpis]
        for kpi_id, figure in zip(area.kpis, figures, strict=True):
            (img,) = figure.xpath(".//img[@class='pmf-chart']")
            kind, span = CHART_KIND[metas[kpi_id].cadence]
            alt = img.get("alt")
            if alt.endswith("no SPC: no variation (every point the same)."):
                kind = "Trend chart of "  # no limits from a flat series (e.g. always 0)
            assert img.get("src").startswith("data:image/png;base64,")
            assert alt.startswith(kind + metas[kpi_id].title), (kpi_id, alt)
            assert re.search(rf" over {span} to \w{{3}} \d{{4}}; latest ", alt), (kpi_id, alt)
        assert len(page.encode()) < 2_000_000
    index = (published / "index.html").read_text()
    for report_id in expected:
        assert f'href="{report_id}.html"' in index
    assert 'href="data_quality.html"' in index
    assert (published.parent / "index.html").is_file()


def test_a_month_is_stale_when_a_report_input_or_notebook_changed_or_a_report_failed(tmp_path):
    # A tiny council and a run.json made as the batch makes it (the batch's own fingerprint
    # of the library, month, config and input files): current, until one thing changes.
    from pmf_lib.publish.fingerprint import base_fingerprint, config_snapshot, input_files
    from pmf_lib.publish.manifest import file_record

    (tmp_path / "data").mkdir()
    for name in ("903.csv", "cin.xml", "pop.csv"):
        (tmp_path / "data" / name).write_text("x\n")
    (tmp_path / "config.yaml").write_text(
        "council: {code: 938, name: Tiny}\n"
        "data: {ssda903: data/903.csv, cin_census: data/cin.xml, population: data/pop.csv}\n"
        "areas: {good: {title: Good, kpis: [referrals_count]}}\n"
    )
    config = load_config(tmp_path / "config.yaml")
    (tmp_path / "report.ipynb").write_text("{}")
    month_dir = tmp_path / "out" / "2026-10"
    month_dir.mkdir(parents=True)
    (month_dir / "good.html").write_text("<p>good</p>")
    commentary = tmp_path / "good.md"  # not written: recorded as None
    inputs = [file_record(p) for p in input_files(config)]
    run = {
        "base_fingerprint": base_fingerprint("2026-10", config_snapshot(config), inputs, None),
        "notebooks": [file_record(tmp_path / "report.ipynb")],
        "reports": [
            {"id": "good", "status": "ok", "inputs": [{"path": str(commentary), "sha256": None}]}
        ],
    }

    def staleness(run=run, month="2026-10"):
        (month_dir / "run.json").write_text(json.dumps(run))
        return published_month_staleness(config, month_dir, month)

    assert staleness() is None
    assert "changed since" in staleness(month="2026-09")  # another month's fingerprint
    commentary.write_text("## Overall\nWritten since.")
    assert staleness() == f"{commentary} changed since it was published"
    commentary.unlink()
    (tmp_path / "report.ipynb").write_text('{"cells": []}')
    assert staleness() == f"{tmp_path / 'report.ipynb'} changed since it was published"
    (tmp_path / "report.ipynb").write_text("{}")
    (tmp_path / "data" / "903.csv").write_text("y\n")
    assert staleness() == "the library, config or input files changed since it was published"
    (tmp_path / "data" / "903.csv").write_text("x\n")
    assert staleness() is None
    assert staleness({**run, "reports": [{**run["reports"][0], "status": "failed"}]}) == (
        "a report of its last run failed"
    )
    (month_dir / "good.html").unlink()
    assert staleness() == "good.html is missing"
    (month_dir / "run.json").unlink()
    assert "absent" in published_month_staleness(config, month_dir, "2026-10")
