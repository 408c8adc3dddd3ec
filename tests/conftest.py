"""Shared fixtures: where ../shared/ is (skipping when absent), the demo data and the demo
month published by `make test`; the browser marker."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEMO = ROOT / "data" / "demo"


def need_shared(*parts: str) -> Path:
    """Path under ../shared/, or skip the test with the reason when it is absent."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"needs {p} (the shared data pack beside the checkout), which is absent")
    return p


@pytest.fixture
def shared_data() -> Path:
    return need_shared("data")


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    """The demo council's data (written by `make demo`)."""
    if not (DEMO / ".complete").exists():
        pytest.skip("demo data absent: run `make demo` (make test does it first)")
    return DEMO


# ---- markers ----------------------------------------------------------------------------
# ``make test-fast`` deselects ``slow``, ``browser``, ``dask`` and ``demo`` (pyproject.toml
# registers them); ``make test`` runs everything. Every test under tests/browser/ drives
# Chromium, so it is marked here rather than module by module.
BROWSER_TESTS = ROOT / "tests" / "browser"

#: Marked ``slow`` here (so ``make test-fast`` leaves them out; ``make test`` runs them): each
#: measured at over about 2 s (``--durations=0``, 2 cores, 2026-12-01), or a file whose
#: module-scoped fixture builds or reads the demo (the whole file, so the fixture's cost does
#: not move to the next test). Property tests over every KPI, a kernel or a subprocess
#: started, the whole demo read or synthesised. A test's own ``@pytest.mark.slow`` is as good.
SLOW_FILES = {
    "tests/render/test_month_actions.py",  # the demo's action log built month by month
    "tests/synth/test_annex_a.py",  # the demo's Annex A workbook synthesised
    "tests/synth/test_synth.py",  # the demo synthesised (module fixture)
    "tests/synth/test_synth_local.py",  # the demo's local files synthesised and read
}
SLOW_TESTS = {
    f"tests/{name}"
    for name in """
compute/test_assessment.py::test_assessment_properties
compute/test_care_leavers.py::test_a_later_return_leaves_every_earlier_care_leaver_figure_unchanged
compute/test_children_looked_after.py::test_cla_properties
compute/test_complaints.py::test_complaint_kpi_properties
compute/test_conferencing.py::test_conferencing_kpi_properties
compute/test_contacts.py::test_contact_kpi_properties
compute/test_early_help.py::test_early_help_kpi_properties
compute/test_front_door.py::test_rereferral_properties
compute/test_improvement_actions.py::test_action_kpi_properties
compute/test_lado.py::test_lado_kpi_properties
compute/test_properties.py::test_every_kpi_keeps_its_properties
compute/test_protection.py::test_cp_properties
compute/test_protection.py::test_icpc_properties
compute/test_quality_assurance.py::test_qa_kpi_properties
compute/test_workforce.py::test_workforce_kpi_properties
publish/test_execute.py::test_a_failure_is_returned_and_publishes_nothing
publish/test_execute.py::test_a_report_carries_its_run_id_and_is_refused_once_its_run_lost_the_lock
publish/test_execute.py::test_kernels_listen_on_private_unix_sockets
publish/test_lock.py::test_a_killed_holder_is_detected_although_its_line_is_still_there
publish/test_members.py::test_validate_keeps_the_child_level_report_out_of_a_members_month_folder
publish/test_pack.py::test_the_width_check_finds_a_table_too_wide_for_its_page
publish/test_papermill_engine.py::test_the_engine_module_imports_before_papermill
publish/test_procs.py::test_a_child_with_the_parent_death_signal_dies_with_its_parent
publish/test_store.py::test_a_killed_run_leaves_both_stores_as_they_were
read/test_benchmarks.py::test_real_ees_columns_agree_with_lait_where_both_publish
read/test_benchmarks.py::test_real_england_values_match_catalogue
read/test_cin_census.py::test_demo_files_fast_path_equals_element_reader
read/test_cin_census.py::test_files_read_in_worker_processes_give_the_same_history
read/test_cin_census.py::test_worker_processes_report_the_first_bad_file_in_order
read/test_ssda903.py::test_every_shared_903_csv_loads_or_is_refused_clearly
render/test_breakdown_charts.py::test_internal_report_draws_a_chart_beside_every_breakdown_table
render/test_breakdown_charts.py::test_members_report_draws_no_bar_for_a_withheld_cell
render/test_charts.py::test_rolling_chart_draws_no_limits_and_says_none
render/test_reports.py::test_members_reports_withhold_small_numbers_throughout
render/test_scorecard.py::test_area_report_gives_the_figures_the_scorecard_leaves_out
render/test_suppress.py::test_members_tile_of_a_withheld_percentage_shows_nothing_derived
render/test_suppress.py::test_the_note_names_what_the_areas_count_and_the_configured_threshold
render/test_suppress.py::test_withheld_figures_are_in_no_list_sentence_or_chart
synth/test_care.py::test_cla_reviews_first_within_20_working_days_then_3_and_6_months
synth/test_care.py::test_episodes_follow_the_903_rules
test_environment.py::test_every_package_pmf_lib_imports_is_declared
test_malformed.py::test_a_month_outside_the_data_is_refused_before_any_output
test_malformed.py::test_pmf_validate_gives_each_data_file_its_run_message
test_malformed.py::test_real_command_exit_2_no_traceback
validate/test_cli_validate.py::test_validate_command_reports_every_fault_and_writes_the_report
validate/test_confidence_equivalence.py::test_random_local_issues_placed_exactly_as_before
validate/test_quality.py::test_running_anyway_without_a_required_column_gives_missing_low_never_zero_high
validate/test_quality.py::test_validate_and_the_kpi_table_give_one_confidence
validate/test_unreadable.py::test_latest_month_with_every_dated_return_unreadable
validate/test_unreadable.py::test_validate_and_run_say_the_same_line
validate/test_confidence_equivalence.py::test_every_kind_of_feed_with_record_and_child_level_errors
render/test_charts.py::test_every_demo_chart_draws_the_published_mean_and_limits
render/test_breakdowns.py::test_internal_breakdown_tables_show_figures_and_shares
render/test_breakdowns.py::test_members_breakdowns_withhold_small_numbers
render/test_breakdowns.py::test_no_breakdowns_says_so
assess/test_actions.py::test_no_shown_list_or_difference_states_one_to_four
assess/test_assess_demo.py::test_demo_deterioration_is_an_exception_with_a_sentence
assess/test_disclosure.py::test_no_published_cell_reveals_a_small_count
assess/test_exceptions.py::test_flags_obey_every_rule
assess/test_pipeline.py::test_assessed_rows_windows_targets_comparators_and_confidence
assess/test_scorecard.py::test_the_month_build_makes_the_table_and_the_members_view_withholds_1_to_4
assess/test_spc.py::test_constant_series_has_no_special_cause
assess/test_spc.py::test_reflecting_the_series_swaps_high_and_low
assess/test_spc.py::test_special_cause_points_have_a_direction
compute/test_children_looked_after.py::test_oc2_a_later_return_leaves_every_earlier_figure_unchanged
compute/test_complaints.py::test_absent_dataset_is_missing_not_zero
compute/test_voice.py::test_absent_datasets_are_missing_not_zero
compute/test_workforce.py::test_absent_dataset_is_missing_not_zero
publish/test_pack.py::test_a_pack_of_known_pages_is_numbered_and_in_the_boards_order
test_environment.py::test_pmf_lib_uses_no_posix_only_calls
""".split()
} | {"pmf_lib/synth/__init__.py::pmf_lib.synth.generate"}  # a doctest: a council synthesised
#: (file, module-scoped fixture): every test of the file using it is slow (the demo's store,
#: ``pmf serve`` started on it, the shared data pack's national figures imported).
SLOW_FIXTURES = {
    ("tests/publish/test_store.py", "demo_store"),
    ("tests/publish/test_serve.py", "stores"),
    ("tests/read/test_benchmarks.py", "real"),
}

#: Under pytest-xdist (``make test``: ``-n auto --dist loadfile``) each file runs whole on one
#: worker, files handed out in collection order: these files, the longest (measured as
#: above), go first so that no long file starts last while the other worker sits idle; then
#: every other file holding a slow, browser, dask or demo test; then the rest.
LONGEST_FILES = [
    "tests/publish/test_councils.py",
    "tests/publish/test_faults.py",
    "tests/publish/test_procs.py",
    "tests/publish/test_batch.py",
    "tests/browser/test_layout.py",
    "tests/test_malformed.py",
    "tests/validate/test_annex_a_confidence.py",
    "tests/synth/test_synth_local.py",
    "tests/publish/test_papermill_engine.py",
    "tests/assess/test_reconcile.py",
    "tests/render/test_month_actions.py",
    "tests/publish/test_execute.py",
    "tests/read/test_cin_census.py",
    "tests/compute/test_properties.py",
    "tests/validate/test_quality.py",
]
HEAVY_MARKS = ("slow", "browser", "dask", "demo")


def _file(item) -> str:
    return item.nodeid.split("::", 1)[0]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROWSER_TESTS in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)
        names = getattr(item, "fixturenames", ())
        if (
            _file(item) in SLOW_FILES
            or item.nodeid.split("[", 1)[0] in SLOW_TESTS
            or any((_file(item), f) in SLOW_FIXTURES for f in names)
        ):
            item.add_marker(pytest.mark.slow)
        if "published_demo_month" in names:
            item.add_marker(pytest.mark.demo)  # may publish the month first (a whole run)
    heavy = {_file(i) for i in items if any(i.get_closest_marker(m) for m in HEAVY_MARKS)}
    rank = {f: n for n, f in enumerate(LONGEST_FILES)}

    def order(item) -> tuple[int, int]:
        f = _file(item)
        return (0, rank[f]) if f in rank else (1, 0) if f in heavy else (2, 0)

    items.sort(key=order)  # stable: each file's tests keep their order, files stay together


# ---- the demo month make test publishes -------------------------------------------------
DEMO_CONFIG = ROOT / "parameters" / "config.yaml"
DEMO_MONTH = "2026-10"
PUBLISHED = ROOT / "outputs" / DEMO_MONTH


def published_month_staleness(config, month_dir: Path, month: str) -> str | None:
    """Why ``month_dir`` is not the current publication of ``month``, or None when it is.

    Current means ``pmf run`` would run nothing: its ``run.json`` names every report as
    published, and the fingerprint of what every report depends on (library, month,
    config, the content of every input file), each notebook and each report's own inputs
    (commentary) are what they are in the checkout now.
    """
    import json

    from pmf_lib.publish.fingerprint import (
        base_fingerprint,
        config_snapshot,
        input_records,
        sha256_file,
    )

    try:
        run = json.loads((month_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"{month_dir / 'run.json'} is absent or unreadable"
    if not run.get("reports") or any(r.get("status") != "ok" for r in run["reports"]):
        return "a report of its last run failed"
    inputs = input_records(config)  # as the batch records them (each file hashed)
    if run.get("base_fingerprint") != base_fingerprint(
        month, config_snapshot(config), inputs, None
    ):
        return "the library, config or input files changed since it was published"
    for nb in run.get("notebooks", []):
        if not Path(nb["path"]).is_file() or sha256_file(nb["path"]) != nb["sha256"]:
            return f"{nb['path']} changed since it was published"
    for report in run["reports"]:
        if not (month_dir / f"{report['id']}.html").is_file():
            return f"{report['id']}.html is missing"
        for i in report.get("inputs") or []:
            now = sha256_file(i["path"]) if Path(i["path"]).is_file() else None
            if now != i["sha256"]:
                return f"{i['path']} changed since it was published"
    return None


@pytest.fixture(scope="session")
def published_demo_month(demo_dir) -> Path:
    """``outputs/2026-10``: the demo month as ``make test`` publishes it before the suite.

    Reused when current (:func:`published_month_staleness`); otherwise published once
    here with ``pmf run`` (its reports that are current are skipped), waiting for a run
    already in progress to finish. Under pytest-xdist the workers take turns (a file
    lock in the temporary folder, one per checkout): the first publishes, the others
    then find the month current instead of each starting a run.
    """
    import hashlib
    import subprocess
    import sys
    import tempfile
    import time

    from filelock import FileLock

    from pmf_lib.config import load_config

    config = load_config(DEMO_CONFIG)
    if published_month_staleness(config, PUBLISHED, DEMO_MONTH) is None:
        return PUBLISHED
    checkout = hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]
    with FileLock(Path(tempfile.gettempdir()) / f"pmf-tests-{checkout}-demo-month.lock"):
        if published_month_staleness(load_config(DEMO_CONFIG), PUBLISHED, DEMO_MONTH) is None:
            return PUBLISHED  # another worker published it meanwhile
        pmf = Path(sys.executable).with_name("pmf")
        argv = [str(pmf), "run", "--month", DEMO_MONTH, "--config", str(DEMO_CONFIG), "--quiet"]
        for _ in range(20):
            done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
            if "in progress" not in done.stderr:  # a concurrent run holds the month's lock
                break
            time.sleep(30)
    assert done.returncode == 0, f"pmf run --month {DEMO_MONTH} failed: {done.stderr}"
    return PUBLISHED
