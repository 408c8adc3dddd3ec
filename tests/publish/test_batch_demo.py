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
    result = run_batch(config, month="latest", quiet=True)
    assert result.failed == [], [(r.id, r.error) for r in result.reports]
    assert result.succeeded == list(config.areas)
    run = json.loads(result.manifest_path.read_text())
    assert {r["status"] for r in run["reports"]} == {"ok"}
    assert run["inputs"], "the demo's input files are hashed"
    for area_id, area in config.areas.items():
        page = (result.out_dir / f"{area_id}.html").read_text()
        doc = lxml_html.document_fromstring(page)
        assert not re.search(r"https?://", page)
        assert doc.findall(".//script") == []
        assert "AreaReport" not in page  # no code
        table = doc.find(".//table[@class='pmf-headline']")
        assert len(table.findall("./tbody/tr")) == len(area.kpis)
        assert all(th.get("scope") == "col" for th in table.findall("./thead/tr/th"))
        imgs = doc.xpath("//img[@class='pmf-chart']")
        assert len(imgs) == len(area.kpis)
        for img in imgs:
            assert img.get("src").startswith("data:image/png;base64,")
            assert img.get("alt").startswith("Line chart of ")
            assert " over 24 months to " in img.get("alt")
    index = result.index_path.read_text()
    for area_id in config.areas:
        assert f'href="{area_id}.html"' in index
    assert (tmp_path / "index.html").is_file()
