"""The month's one build: each source file read once, one reference date, early stops."""

from __future__ import annotations

import shutil
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import yaml

from pmf_lib.assess.build import MonthRead, build_month, read_month
from pmf_lib.config import load_config
from pmf_lib.errors import PmfError
from tests.conftest import ROOT

BASE = ROOT / "tests" / "data" / "malformed" / "base"  # a tiny valid council
LOCAL = ("contacts", "complaints", "lado", "improvement_actions")
HEAD_ROWS = 40


def make_council(root: Path, demo_dir: Path):
    """The tiny council with the first rows of four of the demo's local datasets, its
    monthly workforce file and one CSWW census: every kind of source file pmf reads."""
    shutil.copytree(BASE, root)
    config = yaml.safe_load((BASE / "config.yaml").read_text(encoding="utf-8"))
    (root / "local").mkdir()
    (root / "workforce").mkdir()
    for name in LOCAL:
        lines = (demo_dir / "local" / f"{name}.csv").read_text(encoding="utf-8").splitlines()
        (root / "local" / f"{name}.csv").write_text("\n".join(lines[:HEAD_ROWS]) + "\n")
    lines = (demo_dir / "workforce" / "workforce_monthly.csv").read_text().splitlines()
    (root / "workforce" / "workforce_monthly.csv").write_text("\n".join(lines[:HEAD_ROWS]) + "\n")
    shutil.copy(demo_dir / "workforce" / "csww_2024.xml", root / "workforce" / "csww_2024.xml")
    config["data"]["local"] = {n: f"local/{n}.csv" for n in LOCAL}
    config["data"]["workforce_monthly"] = "workforce/workforce_monthly.csv"
    config["data"]["workforce_census"] = "workforce/csww_2024.xml"
    (root / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return load_config(root / "config.yaml")


@pytest.fixture(scope="module")
def council(tmp_path_factory, demo_dir):
    return make_council(tmp_path_factory.mktemp("build") / "council", demo_dir)


class Opens:
    """Counts each opening of a file under ``root``: Python's (``open``, ``Path.open``,
    ``read_bytes`` ..., seen by an audit hook) and lxml's, which opens a file name in C."""

    def __init__(self, root: Path):
        self.root = str(root)
        self.counts: Counter = Counter()
        self.on = False

    def _see(self, name) -> None:
        if self.on and isinstance(name, str | Path) and str(name).startswith(self.root):
            self.counts[Path(name).name] += 1

    def hook(self, event, args):
        if event == "open" and args:
            self._see(args[0])

    def wrap(self, func):
        def counted(source, *a, **k):
            self._see(source)
            return func(source, *a, **k)

        return counted


def source_files(config) -> list[Path]:
    names = ["ssda903", "cin_census", "workforce_census", "workforce_monthly"]
    files = [f for n in names for f in config.files(n)]
    files += [f for n in LOCAL for f in config.files(f"local.{n}")]
    return [*files, config.population_file]


@pytest.fixture(scope="module")
def counted(council):
    """The whole build (3 months of history: the reads do not depend on it) and each
    source file's openings during it, Python's and lxml's."""
    from lxml import etree

    counter = Opens(council.base_dir)
    sys.addaudithook(counter.hook)  # audit hooks cannot be removed: switched off after
    with pytest.MonkeyPatch.context() as mp:
        for name in ("iterparse", "parse"):
            mp.setattr(etree, name, counter.wrap(getattr(etree, name)))
        counter.on = True
        build = build_month(council, "2024-03", history_months=3)
        counter.on = False
    return build, dict(counter.counts)


@pytest.mark.slow
def test_each_source_file_is_opened_once_by_the_whole_build_and_hashed_as_read(council, counted):
    from pmf_lib.publish.manifest import sha256_file
    from pmf_lib.textio import file_key

    build, counts = counted
    files = source_files(council)
    assert len(files) == 10  # 2 SSDA903 tables, CIN, CSWW, monthly workforce, 4 local, ONS
    assert build.breakdowns is not None and build.spc is not None  # the whole build ran
    # Before the single build the local files were read three times (pmf validate, the
    # run's sources, the run's data quality), the census twice by pmf validate, and each
    # XML file opened once to find its root element, then again to parse it.
    assert {f.name: counts.get(f.name, 0) for f in files} == {f.name: 1 for f in files}
    # each file's hash is that of its bytes, recorded by the one reading
    hashes = build.read.hashes
    assert {f.name: hashes[file_key(f)].sha256 for f in files} == {
        f.name: sha256_file(f) for f in files
    }
    assert all(hashes[file_key(f)].size == f.stat().st_size for f in files)


def test_validation_uses_the_returns_reference_date_never_today(council):
    # The tiny council's CIN census is dated 31 March 2024: a date after it is "in the
    # future" (rule S06), whatever day the build runs.
    build = build_month(council, "latest", through="quality", history_months=1)
    assert build.month == "2024-03"
    assert build.quality.as_of == pd.Timestamp("2024-03-31")


@pytest.mark.slow
def test_through_stops_after_quality_or_kpis(council):
    read = read_month(council)
    quality = build_month(council, "2024-03", read=read, through="quality", history_months=3)
    assert quality.kpi_table is None and quality.assessed is None
    assert set(quality.quality.confidence["period_end"]) == set(quality.period_ends)
    kpis = build_month(council, "2024-03", read=read, through="kpis", history_months=3)
    assert kpis.assessed is None
    # the KPI history carries the very confidence the validation gave
    conf = kpis.kpi_table[["kpi_id", "period_end", "dq_confidence"]].drop_duplicates()
    merged = conf.merge(quality.quality.confidence, on=["kpi_id", "period_end"])
    assert len(merged) == len(conf)
    assert (merged["dq_confidence_x"].fillna("") == merged["dq_confidence_y"].fillna("")).all()
    with pytest.raises(ValueError, match="through"):
        build_month(council, "2024-03", read=read, through="reports")


def test_an_unreadable_file_is_recorded_for_validate_and_stops_the_kpis(tmp_path, demo_dir):
    council = make_council(tmp_path / "council", demo_dir)
    lado = council.files("local.lado")[0]
    lado.write_text("")  # empty: cannot be read
    read = read_month(council)
    assert [(s, Path(f).name) for s, f, _ in read.unreadable] == [("local/lado", "lado.csv")]
    quality = build_month(council, "2024-03", read=read, through="quality", history_months=1)
    at_month = quality.month_quality.set_index("kpi_id")
    assert at_month.loc["lado_open_count", "dq_confidence"] == "Low"  # nothing checked
    with pytest.raises(PmfError, match="lado.csv") as e:
        build_month(council, "2024-03", read=read, through="kpis")
    assert e.value.file == str(lado)


def test_the_returns_are_the_first_unreadable_file_named():
    from pmf_lib.read import SourceData
    from pmf_lib.read.tables import CinCensus, Ssda903
    from pmf_lib.validate import Sources

    bad = [
        ("local/lado", "lado.csv", PmfError("the file is empty", file="lado.csv")),
        ("population", "p.csv", PmfError("no rows", file="p.csv")),
        ("cin_census", "cin.xml", PmfError("not XML", file="cin.xml")),
    ]
    read = MonthRead(Sources(unreadable=bad), SourceData(CinCensus(), Ssda903(), None))
    with pytest.raises(PmfError, match="cin.xml"):
        read.raise_unreadable()
    read.sources.unreadable = bad[:2]
    with pytest.raises(PmfError, match="p.csv"):
        read.raise_unreadable()


def test_a_month_outside_the_data_is_refused(council):
    with pytest.raises(PmfError, match="2025-03 is outside the data"):
        build_month(council, "2025-03")


@pytest.mark.slow
def test_published_view_for_members_withholds_small_counts(council, counted):
    build, _ = counted
    assert build.published(council) is build  # internal: every figure
    members = council.model_copy(update={"audience": "members"})
    view = build.published(members)
    assert "suppressed" in view.kpi_table.columns
    small = view.kpi_table["suppressed"].fillna(False).astype(bool)
    # a withheld figure is blank; one shown is never a count of 1-4
    assert view.kpi_table.loc[small, "value"].isna().all()
    counts = view.kpi_table[view.kpi_table["kpi_id"].str.endswith("_count")]
    shown = counts["value"].dropna()
    assert not shown.between(1, 4).any()
