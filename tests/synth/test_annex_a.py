"""The demo's Annex A workbook: the lists, allocations and codes pmf reads back."""

from __future__ import annotations

import pandas as pd
import pytest

from pmf_lib.read.annex_a import read_annex_a
from pmf_lib.synth import generate
from pmf_lib.synth.teams import TEAMS


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    d = tmp_path_factory.mktemp("synth-annex") / "demo"
    generate(d, "2026-01", 4, children=3000)
    return d, read_annex_a(d / "annex_a" / "annex_a_2026-04.xlsx")


def test_lists_and_extract_date(book):
    d, a = book
    # lists 2 (early help assessments) and 11 (adopters) feed no figure: not written
    assert a.missing_lists == ["list_2", "list_11"]
    assert a.ignored_sheets == ["Cover"]
    assert a.extract_date == pd.Timestamp("2026-04-30")  # the data's last day
    # the twelve months to it: no record dated before 1 May 2025 in the dated lists
    for name, col in (("list_1", "contact_date"), ("list_3", "referral_date")):
        dates = a[name][col].dropna()
        assert dates.min() >= pd.Timestamp("2025-05-01") and dates.max() <= a.extract_date


def test_every_value_reads_as_a_code(book):
    _, a = book
    for name, t in a.lists.items():
        for col in t.schema.columns:
            lost = t.data[col.name].isna() & t.raw[col.name].notna()
            if name == "list_1" and col.name == "contact_date":
                # the demo's one deliberately impossible contact date (31 February)
                assert lost.sum() <= 1
                continue
            assert not lost.any(), (name, col.name, t.raw.loc[lost, col.name].head().tolist())


def test_allocated_team_and_worker(book):
    _, a = book
    for name in ("list_3", "list_4", "list_5", "list_6", "list_7", "list_8", "list_9"):
        t = a[name]
        assert t["allocated_team"].notna().all() and t["allocated_worker"].notna().all()
        assert set(t["allocated_team"]) <= set(TEAMS), name
        # each worker belongs to the team named beside it
        assert all(
            w.startswith(f"{team} SW")
            for team, w in zip(t["allocated_team"], t["allocated_worker"], strict=True)
        ), name
    # a child has one worker in every list where it sits with the same team
    both = pd.concat([a["list_3"], a["list_6"]])[["child_id", "allocated_team", "allocated_worker"]]
    assert (both.groupby(["child_id", "allocated_team"])["allocated_worker"].nunique() == 1).all()
    assert (a["list_9"]["allocated_team"] == "Leaving Care").all()


def test_consistent_with_the_returns(book):
    d, a = book
    # List 9 is the latest annual OC3 return's care leavers (2026: 31 March 2026)
    oc3 = pd.read_csv(d / "ssda903" / "2026" / "oc3.csv", dtype=str)
    assert sorted(a["list_9"]["child_id"]) == sorted(oc3["CHILD"])
    # every contact of local/contacts.csv dated in the lists' period is in List 1
    ct = pd.read_csv(d / "local" / "contacts.csv", dtype=str)
    when = pd.to_datetime(ct["Contact date"], format="%Y-%m-%d", errors="coerce")
    inside = (when >= "2025-05-01") & (when <= "2026-04-30")
    assert len(a["list_1"]) == int(inside.sum()) + int(when.isna().sum())


def test_same_arguments_same_workbook(tmp_path, book):
    d, _ = book
    again = tmp_path / "demo"
    generate(again, "2026-01", 4, children=3000)
    x, y = (read_annex_a(p / "annex_a" / "annex_a_2026-04.xlsx") for p in (d, again))
    for name in x.lists:
        pd.testing.assert_frame_equal(
            x[name].drop(columns="source_file"), y[name].drop(columns="source_file")
        )
