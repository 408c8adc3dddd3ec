"""The real batch on the demo council (`parameters/config.yaml`), outputs in a temporary folder."""

from __future__ import annotations

import json
import re

import pytest
from lxml import html as lxml_html

from pmf_lib.config import load_config
from pmf_lib.publish.batch import run_batch
from tests.conftest import ROOT


@pytest.mark.slow
def test_demo_batch_publishes_every_area(demo_dir, tmp_path):
    config = load_config(ROOT / "parameters" / "config.yaml")
    config = config.model_copy(update={"outputs": str(tmp_path)})
    # A data quality report written earlier by `pmf validate` is linked from the index.
    (tmp_path / "2026-10").mkdir()
    (tmp_path / "2026-10" / "data_quality.html").write_text("<html></html>")
    result = run_batch(config, month="latest", quiet=True)
    assert result.failed == [], [(r.id, r.error) for r in result.reports]
    # The month's plan: the dashboard, every area's report and highlight report, the
    # exceptions report and the schedule page (October is not a quarter end).
    expected = {"dashboard", "exceptions", "schedule"} | set(config.areas)
    expected |= {f"highlight_{a}" for a in config.areas}
    assert set(result.succeeded) == expected
    run = json.loads(result.manifest_path.read_text())
    assert {r["status"] for r in run["reports"]} == {"ok"}
    assert run["inputs"], "the demo's input files are hashed"
    for area_id, area in config.areas.items():
        page = (result.out_dir / f"{area_id}.html").read_text()
        doc = lxml_html.document_fromstring(page)
        assert not re.search(r"https?://", page)
        assert doc.findall(".//script") == []
        assert "AreaReport" not in page  # no code
        table = doc.find(".//table[@class='pmf-headline pmf-dashboard']")
        assert len(table.findall("./tbody/tr")) == len(area.kpis)
        assert all(th.get("scope") == "col" for th in table.findall("./thead/tr/th"))
        imgs = doc.xpath("//img[@class='pmf-chart']")
        assert len(imgs) == len(area.kpis)
        for img in imgs:
            assert img.get("src").startswith("data:image/png;base64,")
            assert img.get("alt").startswith("SPC chart of ")
            # 24 months for monthly KPIs, 36 for quarterly ones.
            assert re.search(r" over (24|36) months to \w{3} \d{4}; latest ", img.get("alt"))
        assert len(page.encode()) < 2_000_000
    index = result.index_path.read_text()
    for report_id in expected:
        assert f'href="{report_id}.html"' in index
    assert 'href="data_quality.html"' in index
    assert (tmp_path / "index.html").is_file()
