"""The real batch on the demo council (`parameters/config.yaml`): its published month."""

from __future__ import annotations

import json
import re

import pytest
from lxml import html as lxml_html

from pmf_lib.assess.pipeline import configured_kpis
from pmf_lib.config import load_config
from tests.conftest import ROOT

#: The demo month as ``make test`` publishes it before the suite (``pmf run --month latest``):
#: checking that publication, rather than running the whole batch a second time.
PUBLISHED = ROOT / "outputs" / "2026-10"

#: The chart each cadence gets: SPC on independent points, a trend line otherwise, and the
#: span of points its alt text names.
CHART_KIND = {
    "monthly": ("SPC chart of ", r"24 months"),
    "quarterly": ("SPC chart of ", r"\d+ quarters"),
    "rolling": ("Trend chart of ", r"24 months"),
    "annual": ("Trend chart of ", r"\d+ years?"),
}


@pytest.fixture(scope="module")
def run():
    manifest = PUBLISHED / "run.json"
    if not manifest.is_file():
        pytest.skip(f"{PUBLISHED} is not published: run `pmf run --month 2026-10` first")
    return json.loads(manifest.read_text())


def test_demo_batch_publishes_every_area(run):
    config = load_config(ROOT / "parameters" / "config.yaml")
    metas = configured_kpis(config)
    # The month's plan: the dashboard, every area's report and highlight report, the
    # exceptions report and the schedule page (October is not a quarter end).
    expected = {"dashboard", "exceptions", "schedule"} | set(config.areas)
    expected |= {f"highlight_{a}" for a in config.areas}
    assert {r["id"] for r in run["reports"]} == expected
    assert {r["status"] for r in run["reports"]} == {"ok"}
    assert run["inputs"], "the demo's input files are hashed"
    for area_id, area in config.areas.items():
        page = (PUBLISHED / f"{area_id}.html").read_text()
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
            assert img.get("src").startswith("data:image/png;base64,")
            assert alt.startswith(kind + metas[kpi_id].title), (kpi_id, alt)
            assert re.search(rf" over {span} to \w{{3}} \d{{4}}; latest ", alt), (kpi_id, alt)
        assert len(page.encode()) < 2_000_000
    index = (PUBLISHED / "index.html").read_text()
    for report_id in expected:
        assert f'href="{report_id}.html"' in index
    assert 'href="data_quality.html"' in index
    assert (PUBLISHED.parent / "index.html").is_file()
