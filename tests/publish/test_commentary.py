"""`pmf commentary` files: a section per exception, never overwriting what was written."""

from __future__ import annotations

import pandas as pd
import pytest

from pmf_lib.config import Area, Config, Council, DataSources
from pmf_lib.publish.commentary import commentary_text, write_commentary_files
from pmf_lib.render.commentary import read_commentary


def test_files_per_area_with_exception_sections(tmp_path):
    cfg = Config(
        council=Council(code=938, name="T"),
        data=DataSources(ssda903="a", cin_census="b", population="p.csv"),
        areas={"a": Area(title="A", kpis=["k1", "k2"]), "b": Area(title="B", kpis=["k3"])},
        base_dir=tmp_path,
    )
    assessed = pd.DataFrame(
        {
            "kpi_id": ["k1", "k2", "k3"],
            "title": ["K one", "K two", "K three"],
            "exception": [True, False, False],
            "sentence": ["K one fell.", "", ""],
        }
    )
    written, kept = write_commentary_files(cfg, "2026-10", assessed)
    assert [p.name for p in written] == ["a.md", "b.md"] and not kept
    folder = tmp_path / "commentary" / "2026-10"
    c = read_commentary(folder, "a", "2026-10")
    assert [s.heading for s in c.sections if s.heading != "Overall"][-1] == "Exception: K one"
    assert not any(s.filled for s in c.sections if s.heading.startswith("Exception"))
    b = read_commentary(folder, "b", "2026-10")
    assert [s.heading for s in b.sections if s.heading.startswith("Exception")] == []
    # A Head of Service writes in it; a second run keeps it.
    (folder / "a.md").write_text((folder / "a.md").read_text() + "\nAll in hand.\n")
    written, kept = write_commentary_files(cfg, "2026-10", assessed)
    assert not written and [p.name for p in kept] == ["a.md", "b.md"]
    assert "All in hand." in (folder / "a.md").read_text()


def test_template_holds_sign_off_and_only_comments_as_guidance(tmp_path):
    from pmf_lib.render.commentary import parse_commentary, strip_guidance

    assessed = pd.DataFrame(
        {"kpi_id": ["k1"], "title": ["K one"], "exception": [True], "sentence": ["K one fell."]}
    )
    text = commentary_text("a", "Area A", "2026-10", assessed)
    front, body = text.split("\n---\n", 1)
    assert "status: draft" in front and "signed_off_by:" in front and "signed_off_date:" in front
    # Everything in the body but headings, pmf's quoted sentence and blank lines is guidance
    # that strip_guidance removes: nothing of the template is left to publish.
    left = [x for x in strip_guidance(body).splitlines() if x.strip()]
    assert left == ["## Exception: K one", "> K one fell.", "## Overall"]
    c = parse_commentary(text, area="a", month="2026-10")
    assert c.status == "draft" and not c.filled


# ---- the monthly cycle, end to end: write commentary, run, see it published ----------
BATCH_CONFIG = """\
council: {code: 938, name: "Testshire County Council"}
data:
  ssda903: data/ssda903
  cin_census: data/cin/*.xml
  population: data/population.csv
outputs: out
kpi_catalogue: kpis.yaml
areas:
  front_door: {title: Front door, kpis: [referrals_count]}
  protection: {title: Protection, kpis: [rereferrals_12m_pct]}
"""


def _kpi_table() -> pd.DataFrame:
    import numpy as np

    rows = []
    for i, end in enumerate(pd.date_range("2024-10-31", "2026-10-31", freq="ME")):
        rows.append(("referrals_count", end, "month", 100.0 + i, 100.0 + i, np.nan))
        rows.append(("referrals_count", end, "rolling_12m", 1200.0 + i, 1200.0 + i, np.nan))
        rows.append(("rereferrals_12m_pct", end, "month", 20.0, 2.0, 10.0))
        rows.append(("rereferrals_12m_pct", end, "rolling_12m", 21.0, 21.0, 100.0))
    return pd.DataFrame(
        rows, columns=["kpi_id", "period_end", "window", "value", "numerator", "denominator"]
    )


def _words(path) -> str:
    from lxml import html as lxml_html

    return " ".join(lxml_html.parse(str(path)).getroot().text_content().split())


@pytest.mark.slow
def test_written_commentary_is_published_without_force(tmp_path):
    """The README's cycle on the real report notebooks: a run; a Head of Service writes
    protection.md; the next run (no --force) re-runs exactly the protection report, its
    highlight report and the dashboard, which show it with its sign-off."""
    import shutil

    from pmf_lib.config import load_config
    from pmf_lib.publish.batch import run_batch
    from tests.conftest import ROOT

    (tmp_path / "data" / "ssda903").mkdir(parents=True)
    (tmp_path / "data" / "cin").mkdir()
    (tmp_path / "data" / "ssda903" / "header.csv").write_text("CHILD\nfake1\n")
    (tmp_path / "data" / "cin" / "cin_2026.xml").write_text("<Message/>\n")
    (tmp_path / "data" / "population.csv").write_text("time_period\n2025\n")
    shutil.copy(ROOT / "parameters" / "kpis.yaml", tmp_path / "kpis.yaml")
    shutil.copy(ROOT / "parameters" / "schedule.yaml", tmp_path / "schedule.yaml")
    (tmp_path / "config.yaml").write_text(BATCH_CONFIG)
    config = load_config(tmp_path / "config.yaml")
    table = _kpi_table()

    def run():
        result = run_batch(config, month="2026-10", jobs=2, quiet=True, kpi_table=table)
        assert result.failed == [], [r.error for r in result.reports if r.error]
        return result

    first = run()
    assert len(first.ran) == 7
    out = first.out_dir
    assert "No commentary has been written for Protection" in _words(out / "protection.html")

    folder = tmp_path / "commentary" / "2026-10"
    folder.mkdir(parents=True)
    (folder / "protection.md").write_text(
        "---\narea: protection\nmonth: 2026-10\nauthor: P. Head\nstatus: signed_off\n"
        "signed_off_by: A. Director\nsigned_off_date: 2026-11-05\n---\n"
        "## Overall\nThe new **triage** team started in October.\n",
        encoding="utf-8",
    )
    second = run()
    assert sorted(second.ran) == ["dashboard", "highlight_protection", "protection"]
    for report in ("protection", "highlight_protection", "dashboard"):
        words = _words(out / f"{report}.html")
        assert "The new triage team started in October." in words, report
        assert "Signed off by A. Director on 5 November 2026." in words, report
    for report in ("front_door", "highlight_front_door", "exceptions"):
        assert "triage" not in _words(out / f"{report}.html"), report
    # run.json names the commentary each report was run with.
    import hashlib
    import json

    reports = {r["id"]: r for r in json.loads(second.manifest_path.read_text())["reports"]}
    digest = hashlib.sha256((folder / "protection.md").read_bytes()).hexdigest()
    assert {"path": str(folder / "protection.md"), "sha256": digest} in reports["protection"][
        "inputs"
    ]

    # `pmf commentary` writes front_door's template; nobody fills it in. The schedule is
    # edited too. Those reports re-run; the template's guidance is published nowhere.
    write_commentary_files(config, "2026-10", pd.read_parquet(out / "kpis.parquet"))
    schedule = tmp_path / "schedule.yaml"
    schedule.write_text(schedule.read_text().replace("[3, 6, 9, 12]", "[1, 4, 7, 10]"))
    third = run()
    assert sorted(third.ran) == ["dashboard", "front_door", "highlight_front_door", "schedule"]
    assert "Not written" in _words(out / "highlight_front_door.html")
    assert "No commentary has been written for Front door" in _words(out / "front_door.html")
    assert "Draft" not in _words(out / "front_door.html")
    for html in out.glob("*.html"):
        text = html.read_text(encoding="utf-8")
        for guidance in ("Guidance from pmf", "Write your commentary", "Put your name"):
            assert guidance not in text, (html.name, guidance)
    for report in ("protection", "highlight_protection", "dashboard"):  # one Overall heading
        assert (out / f"{report}.html").read_text(encoding="utf-8").count(">Overall<") == 1
