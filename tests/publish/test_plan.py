"""The report plan: which reports each month, exactly as the schedule says, and the registry."""

from __future__ import annotations

import papermill
import pytest

from pmf_lib.config import load_config
from pmf_lib.errors import PmfError
from pmf_lib.publish.plan import (
    COMMON_PARAMETERS,
    KIND_TITLES,
    KINDS,
    REGISTRY,
    load_schedule,
    plan_reports,
)
from pmf_lib.schedule import due_reports, unmet
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
    # Every month of the year, so each kind the schedule names is checked in a month it is due.
    declared = {}
    for m in range(1, 13):
        for spec in plan_reports(config, f"2026-{m:02d}"):
            nb = str(spec.notebook)
            if nb not in declared:
                declared[nb] = set(papermill.inspect_notebook(nb))
            wanted = set(COMMON_PARAMETERS) | set(spec.parameters)
            assert wanted <= declared[nb], (spec.id, wanted - declared[nb])


def _write(tmp_path, text):
    p = tmp_path / "schedule.yaml"
    p.write_text(text)
    return p


def test_schedule_file_sets_the_months(tmp_path, config):
    # lado due in February only (an annual entry); complaints at quarter ends by default.
    p = _write(
        tmp_path,
        "reports:\n"
        "  - {kind: quarterly, area: lado, title: L, frequency: annual, months: [2]}\n"
        "  - {kind: quarterly, area: complaints, title: C, frequency: quarterly}\n",
    )
    s = load_schedule(p)
    ids = {m: [x.id for x in plan_reports(config, m, schedule=s)] for m in ("2026-02", "2026-03")}
    assert ids == {"2026-02": ["quarterly_lado"], "2026-03": ["quarterly_complaints"]}


@pytest.mark.parametrize(
    "text, field",
    [
        ("reprots: []\n", "reprots"),  # misspelt section
        ("reports:\n  - {kind: dashboard, title: D, frequency: monthly, ownr: x}\n",
         "reports.0.ownr"),
        ("reports:\n  - {kind: weekly, title: W, frequency: monthly}\n", "reports.0.kind"),
        ("reports:\n  - {kind: dashboard, title: D, frequency: fortnightly}\n",
         "reports.0.frequency"),
        ("reports:\n  - {kind: quarterly, area: lado, title: L, frequency: quarterly,"
         " months: [3, 6, 9, 13]}\n", "reports.0.months"),
        ("reports:\n  - {kind: dashboard, title: D, frequency: monthly, meeting: dtl}\n",
         "reports.0.meeting"),
        ("reports:\n  - {kind: dashboard, title: D, frequency: monthly, audience: [staff]}\n",
         "reports.0.audience.0"),
        ("reports:\n  - {kind: dashboard, title: D, frequency: monthly, week: 5}\n",
         "reports.0.week"),
        ("reports:\n  - {kind: dashboard, title: D, frequency: monthly, area: lado}\n",
         "reports.0.area"),
        ("items:\n  - {title: T, frequency: six-monthly, months: [3]}\n", "items.0.months"),
        ("meetings:\n  dlt: {title: DLT, week: 3, day: Saturday}\n", "meetings.dlt.day"),
    ],
)  # fmt: skip
def test_bad_schedule_is_one_line_naming_the_key(tmp_path, text, field):
    with pytest.raises(PmfError) as e:
        load_schedule(_write(tmp_path, text))
    assert e.value.field == field and "\n" not in str(e.value)
    assert e.value.file == str(tmp_path / "schedule.yaml")


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


def test_the_plan_is_exactly_what_the_schedule_says_is_due(config):
    # Every month of a year: the plan's reports come from the due entries and from no
    # other, and every due entry the council has what it needs for gives a report.
    s = load_schedule(ROOT / "parameters" / "schedule.yaml")
    for m in range(1, 13):
        month = f"2026-{m:02d}"
        due = {
            s.reports.index(r)
            for r in due_reports(s, month, config.audience)
            if unmet(r, config) is None
        }
        assert {spec.entry for spec in plan_reports(config, month)} == due, month


def test_the_run_audience_chooses_the_reports(tmp_path, config):
    # F is internal only: an internal run plans it, a members run does not; D is for all.
    p = _write(
        tmp_path,
        "reports:\n"
        "  - {kind: dashboard, title: D, frequency: monthly}\n"
        "  - {kind: exceptions, title: F, frequency: monthly, audience: [internal]}\n",
    )
    s = load_schedule(p)
    internal = config.model_copy(update={"audience": "internal"})
    members = config.model_copy(update={"audience": "members"})
    assert [x.id for x in plan_reports(internal, "2026-10", schedule=s)] == [
        "dashboard",
        "exceptions",
    ]
    assert [x.id for x in plan_reports(members, "2026-10", schedule=s)] == ["dashboard"]


def test_a_kind_whose_notebook_is_missing_is_one_line(tmp_path, monkeypatch):
    from pmf_lib.publish import plan

    monkeypatch.setattr(plan, "NOTEBOOKS", tmp_path)  # no notebook is there
    p = _write(tmp_path, "reports:\n  - {kind: voice, title: V, frequency: quarterly}\n")
    with pytest.raises(PmfError, match="needs the notebook voice_report.ipynb") as e:
        load_schedule(p)
    assert e.value.field == "reports.0.kind"


def test_every_kind_has_an_index_title_and_the_schedule_page_is_last():
    assert set(KIND_TITLES) == set(KINDS) == set(REGISTRY)
    assert KINDS[:5] == ("dashboard", "area", "exceptions", "highlight", "quarterly")
    assert KINDS[-1] == "schedule"
    assert REGISTRY["scorecard"].parameters == ("scorecard",)
    assert REGISTRY["annual"].per_area and not REGISTRY["voice"].per_area


def test_every_kind_is_on_the_month_index_under_a_meeting():
    from pmf_lib.publish.index import meeting_groups

    groups = meeting_groups([{"title": k, "kind": k} for k in KINDS])
    placed = [r["kind"] for g in groups for r in g["reports"]]
    assert sorted(placed) == sorted(KINDS)  # each once
    assert "meeting-other" not in {g["id"] for g in groups}  # every kind has its meeting
    # A kind no meeting lists (a later strand's) is still shown, under "Other reports".
    other = meeting_groups([{"title": "N", "kind": "new_kind"}])
    assert [(g["id"], [r["title"] for r in g["reports"]]) for g in other] == [
        ("meeting-other", ["N"])
    ]


def test_per_area_kinds_cover_every_area_or_the_named_one(tmp_path, config):
    # highlight with no area: one per configured area (in the config's order), limited by
    # `areas`; quarterly naming lado: that one; annual (every area) reads 24 months of
    # its area's commentary, the last the report month's.
    p = _write(
        tmp_path,
        "reports:\n"
        "  - {kind: highlight, title: H, frequency: monthly}\n"
        "  - {kind: quarterly, area: lado, title: L, frequency: monthly}\n"
        "  - {kind: annual, title: A, frequency: annual, months: [6]}\n",
    )
    s = load_schedule(p)
    specs = plan_reports(config, "2026-06", schedule=s)
    assert [x.id for x in specs if x.kind == "highlight"] == [
        f"highlight_{a}" for a in config.areas
    ]
    assert [x.id for x in specs if x.kind == "annual"] == [f"annual_{a}" for a in config.areas]
    limited = plan_reports(config, "2026-06", ["front_door"], schedule=s)
    assert [x.id for x in limited] == ["highlight_front_door", "annual_front_door"]
    lado = next(x for x in specs if x.id == "quarterly_lado")
    assert lado.title == "L" and lado.parameters["area"] == "lado"
    annual = next(x for x in specs if x.id == "annual_lado")
    months = [p.parent.name for p in annual.inputs]
    assert (len(months), months[0], months[-1]) == (24, "2024-07", "2026-06")
    assert {p.name for p in annual.inputs} == {"lado.md"}
    assert annual.title == f"{config.areas['lado'].title}: annual self-evaluation evidence pack"


def test_a_scorecard_report_per_named_scorecard(tmp_path, config):
    # The demo config defines practice_improvement and balanced; the spec carries the id.
    assert {"practice_improvement", "balanced"} <= set(config.scorecards)
    p = _write(
        tmp_path,
        "reports:\n"
        "  - {kind: scorecard, scorecard: balanced, title: B, frequency: monthly}\n"
        "  - {kind: scorecard, scorecard: practice_improvement, title: P, frequency: monthly}\n",
    )
    specs = plan_reports(config, "2026-10", schedule=load_schedule(p))
    assert [(x.id, x.title, x.parameters) for x in specs] == [
        ("scorecard_balanced", "B", {"scorecard": "balanced"}),
        ("scorecard_practice_improvement", "P", {"scorecard": "practice_improvement"}),
    ]
    p = _write(tmp_path, "reports:\n  - {kind: scorecard, title: S, frequency: monthly}\n")
    with pytest.raises(PmfError, match="names its scorecard") as e:
        load_schedule(p)
    assert e.value.field == "reports.0.scorecard"


def test_two_entries_giving_one_report_are_refused_naming_the_second(tmp_path, config):
    # exceptions monthly and again quarterly: both in March, for every audience.
    text = (
        "reports:\n"
        "  - {kind: exceptions, title: E, frequency: monthly}\n"
        "  - {kind: exceptions, title: E again, frequency: quarterly}\n"
    )
    with pytest.raises(
        PmfError, match="reports.0 already gives the report 'exceptions' in March"
    ) as e:
        load_schedule(_write(tmp_path, text))
    assert e.value.field == "reports.1"
    # highlight for every area, and for lado: lado's twice in every month.
    text = (
        "reports:\n"
        "  - {kind: highlight, area: lado, title: L, frequency: monthly}\n"
        "  - {kind: highlight, title: H, frequency: monthly}\n"
    )
    with pytest.raises(PmfError, match="reports.0 already gives highlight reports in Jan") as e:
        load_schedule(_write(tmp_path, text))
    assert e.value.field == "reports.1"
    # One id for two audiences, or in other months, is fine: each run plans one.
    text = (
        "reports:\n"
        "  - {kind: exceptions, title: E, frequency: monthly, audience: [internal]}\n"
        "  - {kind: exceptions, title: M, frequency: monthly, audience: [members, public]}\n"
        "  - {kind: scorecard, scorecard: balanced, title: B, frequency: quarterly}\n"
        "  - {kind: scorecard, scorecard: balanced, title: B2, frequency: quarterly,"
        " months: [1, 4, 7, 10]}\n"
    )
    s = load_schedule(_write(tmp_path, text))
    members = config.model_copy(update={"audience": "members"})
    assert [x.title for x in plan_reports(members, "2026-01", schedule=s)] == ["M", "B2"]
