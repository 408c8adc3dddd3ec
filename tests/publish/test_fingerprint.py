"""Fingerprints cover every input of a report: editing any of them re-runs exactly the
reports that read it (the batch's skip-unchanged rule, checked without running kernels)."""

from __future__ import annotations

import base64
import shutil

import pytest

from pmf_lib.config import load_config
from pmf_lib.publish import fingerprint as fingerprint_module
from pmf_lib.publish.fingerprint import (
    base_fingerprint,
    config_snapshot,
    digest,
    input_files,
    report_fingerprints,
    table_digest,
)
from pmf_lib.publish.manifest import file_record
from pmf_lib.publish.plan import plan_reports
from tests.conftest import ROOT

# A 1x1 transparent PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
CONFIG = """\
council: {code: 938, name: "Testshire County Council", logo: logo.png}
data:
  ssda903: data/ssda903
  cin_census: data/cin/*.xml
  population: data/population.csv
outputs: out
targets: targets.yaml
kpi_catalogue: kpis.yaml
areas:
  front_door: {title: Front door, kpis: [referrals_count]}
  protection: {title: Protection, kpis: [rereferrals_12m_pct]}
"""
EVERY = {
    "dashboard",
    "front_door",
    "protection",
    "exceptions",
    "highlight_front_door",
    "highlight_protection",
    "schedule",
}


@pytest.fixture
def council(tmp_path):
    (tmp_path / "data" / "ssda903").mkdir(parents=True)
    (tmp_path / "data" / "cin").mkdir()
    (tmp_path / "data" / "ssda903" / "header.csv").write_text("CHILD\nfake1\n")
    (tmp_path / "data" / "cin" / "cin_2026.xml").write_text("<Message/>\n")
    (tmp_path / "data" / "population.csv").write_text("time_period\n2025\n")
    (tmp_path / "targets.yaml").write_text("referrals_count:\n  - {from: 2024-04-01, target: 90}\n")
    shutil.copy(ROOT / "parameters" / "kpis.yaml", tmp_path / "kpis.yaml")
    shutil.copy(ROOT / "parameters" / "schedule.yaml", tmp_path / "schedule.yaml")
    (tmp_path / "logo.png").write_bytes(PNG)
    (tmp_path / "config.yaml").write_text(CONFIG)
    return tmp_path, load_config(tmp_path / "config.yaml")


def fingerprints(config, month="2026-10") -> dict[str, str]:
    """What the batch computes before deciding what to skip."""
    inputs = [file_record(p) for p in input_files(config)]
    base = base_fingerprint(month, config_snapshot(config), inputs, None)
    return report_fingerprints(base, plan_reports(config, month))


def rerun(before: dict, after: dict) -> set[str]:
    """The reports whose fingerprint changed: the ones the batch would run again."""
    return {k for k in after if before.get(k) != after[k]}


def test_nothing_edited_nothing_reruns(council):
    _, config = council
    first = fingerprints(config)
    assert set(first) == EVERY
    assert rerun(first, fingerprints(config)) == set()


def test_a_commentary_file_reruns_exactly_the_reports_it_feeds(council):
    root, config = council
    folder = root / "commentary" / "2026-10"
    folder.mkdir(parents=True)
    before = fingerprints(config)
    # Written: its area report, its highlight report and the dashboard; nothing else.
    (folder / "protection.md").write_text("## Overall\nCaseloads are down.\n")
    written = fingerprints(config)
    assert rerun(before, written) == {"protection", "highlight_protection", "dashboard"}
    # Edited (the same size, other words): the same three again.
    (folder / "protection.md").write_text("## Overall\nCaseloads are up!.\n")
    edited = fingerprints(config)
    assert rerun(written, edited) == {"protection", "highlight_protection", "dashboard"}
    # The other area's file: its own three.
    (folder / "front_door.md").write_text("## Overall\nReferrals steady.\n")
    assert rerun(edited, fingerprints(config)) == {
        "front_door",
        "highlight_front_door",
        "dashboard",
    }
    # Removed: the reports that showed it run again (without it).
    after_front = fingerprints(config)
    (folder / "protection.md").unlink()
    assert rerun(after_front, fingerprints(config)) == {
        "protection",
        "highlight_protection",
        "dashboard",
    }


def test_a_quarterly_report_reruns_with_its_areas_commentary(council):
    root, config = council
    text = CONFIG.replace("areas:\n", "areas:\n  lado: {title: LADO, kpis: [referrals_count]}\n")
    (root / "config.yaml").write_text(text)
    config = load_config(root / "config.yaml")
    before = fingerprints(config, "2026-09")
    assert "quarterly_lado" in before
    (root / "commentary" / "2026-09").mkdir(parents=True)
    (root / "commentary" / "2026-09" / "lado.md").write_text("## Overall\nReferrals rose.\n")
    assert rerun(before, fingerprints(config, "2026-09")) == {
        "lado",
        "highlight_lado",
        "quarterly_lado",
        "dashboard",
    }


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(
            lambda root: (root / "kpis.yaml").write_text(
                (root / "kpis.yaml")
                .read_text()
                .replace("title: Referrals\n", "title: Referrals received\n", 1)
            ),
            id="kpi catalogue title",
        ),
        pytest.param(lambda root: (root / "logo.png").write_bytes(PNG + b"\0"), id="logo"),
        pytest.param(
            lambda root: (root / "targets.yaml").write_text(
                "referrals_count:\n  - {from: 2024-04-01, target: 95}\n"
            ),
            id="targets",
        ),
        pytest.param(
            lambda root: (root / "data" / "population.csv").write_text("time_period\n2024\n"),
            id="data file",
        ),
        pytest.param(
            lambda root: (root / "data" / "cin" / "cin_2027.xml").write_text("<Message/>\n"),
            id="new data file",
        ),
    ],
)
def test_an_input_every_report_reads_reruns_every_report(council, edit):
    root, config = council
    before = fingerprints(config)
    text = (root / "kpis.yaml").read_text()
    assert "title: Referrals\n" in text  # the catalogue edit below changes a real title
    edit(root)
    assert rerun(before, fingerprints(config)) == EVERY


def test_the_schedule_reruns_the_schedule_page(council):
    root, config = council
    before = fingerprints(config)
    text = (root / "schedule.yaml").read_text().replace("[3, 6, 9, 12]", "[1, 4, 7, 10]")
    (root / "schedule.yaml").write_text(text)
    assert rerun(before, fingerprints(config)) == {"schedule"}


def test_a_changed_library_reruns_every_report(council, monkeypatch):
    # An editable install keeps its version number when its code changes: the
    # library's content is fingerprinted, not only its version.
    _, config = council
    before = fingerprints(config)
    monkeypatch.setattr(fingerprint_module, "library_digest", lambda: "0" * 64)
    assert rerun(before, fingerprints(config)) == EVERY


def test_the_common_inputs_are_listed_in_the_manifest(council):
    root, config = council
    names = {p.name for p in input_files(config)}
    assert {"kpis.yaml", "logo.png", "targets.yaml", "population.csv", "cin_2026.xml"} <= names


def test_a_table_digest_follows_values_and_dtypes_not_the_index():
    import pandas as pd

    a = pd.DataFrame({"kpi_id": ["x", "y"], "value": [1.0, 2.0]})
    assert table_digest(a) == table_digest(a.set_axis([5, 6]))  # the index is not content
    assert table_digest(a) != table_digest(a.assign(value=[1.0, 2.5]))
    assert table_digest(a) != table_digest(a.astype({"value": "float32"}))


def test_digest_is_of_the_content_not_the_key_order():
    assert digest({"a": 1, "b": [1, 2]}) == digest({"b": [1, 2], "a": 1})
    assert digest({"a": 1, "b": [1, 2]}) != digest({"a": 1, "b": [2, 1]})
