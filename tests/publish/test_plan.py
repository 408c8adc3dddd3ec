"""The report plan: which reports each month, and the schedule that decides the quarterly ones."""

from __future__ import annotations

import papermill
import pytest

from pmf_lib.config import load_config
from pmf_lib.errors import PmfError
from pmf_lib.publish.plan import (
    COMMON_PARAMETERS,
    load_schedule,
    plan_reports,
    quarterly_due,
    schedule_rows,
)
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def config():
    return load_config(ROOT / "parameters" / "config.yaml", check_files=False)


def test_non_quarter_month_has_no_quarterly_reports(config):
    specs = plan_reports(config, "2026-10")
    kinds = [s.kind for s in specs]
    assert kinds.count("dashboard") == 1 and kinds.count("exceptions") == 1
    assert kinds.count("area") == len(config.areas) == kinds.count("highlight")
    assert "quarterly" not in kinds and kinds[-1] == "schedule"
    assert len({s.id for s in specs}) == len(specs)


def test_quarter_end_month_adds_the_four_quarterly_reports(config):
    specs = plan_reports(config, "2026-09")
    assert [s.id for s in specs if s.kind == "quarterly"] == [
        "quarterly_lado",
        "quarterly_complaints",
        "quarterly_conferencing",
        "quarterly_quality_assurance",
    ]


def test_every_planned_notebook_declares_its_parameters(config):
    for spec in plan_reports(config, "2026-09"):
        declared = papermill.inspect_notebook(str(spec.notebook))
        wanted = set(COMMON_PARAMETERS) | set(spec.parameters)
        assert wanted <= set(declared), (spec.id, wanted - set(declared))


def test_schedule_file_sets_the_months(tmp_path, config):
    p = tmp_path / "schedule.yaml"
    p.write_text(
        "quarterly:\n  months: [1]\n  reports:\n    - {area: lado, title: L, months: [2]}\n"
        "    - {area: complaints, title: C}\n"
    )
    s = load_schedule(p)
    assert [r.area for r in quarterly_due(s, config, "2026-01")] == ["complaints"]
    assert [r.area for r in quarterly_due(s, config, "2026-02")] == ["lado"]
    rows = schedule_rows(s, config, "2026-02")
    assert {r["title"]: r["now"] for r in rows}["L"] is True
    assert {r["title"]: r["now"] for r in rows}["C"] is False


@pytest.mark.parametrize(
    "text, field",
    [
        ("quarterly:\n  monts: [3]\n", "quarterly.monts"),
        (
            "quarterly:\n  months: [13]\n  reports: [{area: lado, title: L}]\n",
            "quarterly.reports.0",
        ),
    ],
)
def test_bad_schedule_names_the_key(tmp_path, text, field):
    p = tmp_path / "schedule.yaml"
    p.write_text(text)
    with pytest.raises(PmfError) as e:
        load_schedule(p)
    assert e.value.field == field


def test_unknown_area_and_bad_month(config):
    with pytest.raises(PmfError, match="unknown area"):
        plan_reports(config, "2026-10", ["nowhere"])
    with pytest.raises(PmfError, match="YYYY-MM"):
        plan_reports(config, "latest")


def test_each_report_names_the_commentary_files_it_reads(config):
    specs = {s.id: s for s in plan_reports(config, "2026-09")}
    folder = config.base_dir.resolve() / "commentary" / "2026-09"
    # An area's file feeds its area report, highlight report and quarterly report ...
    assert specs["lado"].inputs == (folder / "lado.md",)
    assert specs["highlight_lado"].inputs == (folder / "lado.md",)
    assert specs["quarterly_lado"].inputs[0] == folder / "lado.md"
    # ... and the dashboard, which shows every area's; the exceptions report reads none.
    assert specs["dashboard"].inputs == tuple(folder / f"{a}.md" for a in config.areas)
    assert specs["exceptions"].inputs == ()
    readers = {sid for sid, s in specs.items() if folder / "protection.md" in s.inputs}
    assert readers == {"dashboard", "protection", "highlight_protection"}
    # The schedule decides the schedule page and the quarterly reports.
    schedule = (config.base_dir / "schedule.yaml").resolve()
    assert {sid for sid, s in specs.items() if schedule in s.inputs} == {
        "schedule",
        "quarterly_lado",
        "quarterly_complaints",
        "quarterly_conferencing",
        "quarterly_quality_assurance",
    }


def test_a_bad_commentary_file_fails_the_plan_naming_file_and_field(tmp_path):
    from pmf_lib.config import Area, Config, Council, DataSources

    c = Config(
        council=Council(code=938, name="T"),
        data=DataSources(ssda903="a", cin_census="b", population="p.csv"),
        areas={"a": Area(title="A", kpis=["referrals_count"])},
        base_dir=tmp_path,
    )
    folder = tmp_path / "commentary" / "2026-10"
    folder.mkdir(parents=True)
    (folder / "a.md").write_text("---\nstatus: singed_off\n---\n## Overall\nText.\n")
    with pytest.raises(PmfError, match="unknown status 'singed_off'") as e:
        plan_reports(c, "2026-10")
    assert e.value.file == str(folder / "a.md") and e.value.field == "status"
    plan_reports(c, "2026-11")  # another month's plan does not read it


def test_a_commentary_file_for_no_area_is_refused(tmp_path):
    from pmf_lib.config import Area, Config, Council, DataSources

    c = Config(
        council=Council(code=938, name="T"),
        data=DataSources(ssda903="a", cin_census="b", population="p.csv"),
        areas={"protection": Area(title="P", kpis=["referrals_count"])},
        base_dir=tmp_path,
    )
    folder = tmp_path / "commentary" / "2026-10"
    folder.mkdir(parents=True)
    (folder / "protecton.md").write_text("## Overall\nNever shown.\n")  # misspelt area id
    with pytest.raises(PmfError, match="no configured area is called 'protecton'") as e:
        plan_reports(c, "2026-10")
    assert e.value.file == str(folder / "protecton.md")
