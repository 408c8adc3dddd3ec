"""Where the action lists go: an internal run's folder, never a members' one.

One members' batch of the demo month (one area's report, into a temporary
outputs folder). The run's own build is captured as the batch makes it, so the
child ids are those of the very data the run read: every child id of its CIN
census, SSDA903, local datasets and Annex A lists. No file a members' run
publishes (the month's folder and the outputs' index; ``internal/`` is the
folder outside it that members never get) contains any of them. The same scan
finds them in the lists an internal audience gets from the same build, so it
can fail.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest

from pmf_lib.config import load_config
from tests.conftest import ROOT

MONTH = "2026-10"
TOKEN = re.compile(r"[A-Za-z0-9]+")


def child_ids(build) -> set[str]:
    """Every child id in the sources the run read."""
    ids: set[str] = set()
    data = build.read.data
    for tables, column in ((data.cin.tables, "LAchildID"), (data.cla.tables, "CHILD")):
        for t in tables.values():
            if column in t:
                ids |= set(t[column].dropna().astype(str))
    for t in [*data.local.values(), *(f.data for f in build.read.sources.files)]:
        if "child_id" in t:
            ids |= set(t["child_id"].dropna().astype(str))
    return ids


def file_text(path: Path) -> str:
    if path.suffix == ".parquet":
        buf = io.StringIO()
        pd.read_parquet(path).to_csv(buf, index=False)
        return buf.getvalue()
    return path.read_bytes().decode("utf-8", errors="replace")


def ids_in(folder: Path, ids: set[str], *, skip: Path | None = None) -> dict[str, list[str]]:
    """File -> the child ids in it, over every file under ``folder`` (but ``skip``)."""
    found = {}
    for p in sorted(folder.rglob("*")):
        if not p.is_file() or (skip is not None and skip in p.parents):
            continue
        hits = sorted(set(TOKEN.findall(file_text(p))) & ids)
        if hits:
            found[str(p.relative_to(folder))] = hits[:3]
    return found


@pytest.fixture(scope="module")
def members_run(demo_dir, tmp_path_factory):
    import pmf_lib.assess.build as build_module
    from pmf_lib.publish.batch import run_batch

    out = tmp_path_factory.mktemp("members_lists")
    config = load_config(ROOT / "parameters" / "config.yaml")
    config = config.model_copy(update={"outputs": str(out), "audience": "members"})
    seen = {}
    real = build_module.build_month

    def capture(*args, **kwargs):
        seen["build"] = real(*args, **kwargs)
        return seen["build"]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(build_module, "build_month", capture)
        result = run_batch(config, month=MONTH, areas=["assessment"], quiet=True)
    assert result.failed == [], [(r.id, r.error) for r in result.reports]
    return {"out": out, "config": config, "build": seen["build"]}


@pytest.mark.slow
def test_no_child_id_in_any_file_of_a_members_run(members_run):
    out, build = members_run["out"], members_run["build"]
    ids = child_ids(build)
    assert len(ids) > 1000 and min(len(i) for i in ids) >= 6  # ids no ordinary word matches
    published = [p for p in out.rglob("*") if p.is_file() and out / "internal" not in p.parents]
    assert len(published) > 10, published
    assert ids_in(out, ids, skip=out / "internal") == {}
    assert not list((out / MONTH).glob("action_lists*"))


@pytest.mark.slow
def test_the_same_build_gives_an_internal_audience_lists_with_child_ids(members_run, tmp_path):
    from pmf_lib.publish.action_lists import write_action_lists

    build, config = members_run["build"], members_run["config"]
    internal = config.model_copy(update={"audience": "internal"})
    page = write_action_lists(internal, build, tmp_path, run_id="r1")
    found = ids_in(tmp_path, child_ids(build))
    assert page is not None and page.name in found
    assert {f"action_lists_{n}.csv" for n in ("assessments", "cp_reviews")} <= set(found)
    # and a members' write into that folder removes them all
    assert write_action_lists(config, build, tmp_path) is None
    assert not list(tmp_path.glob("action_lists*"))
