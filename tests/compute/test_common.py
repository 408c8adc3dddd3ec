"""Shared KPI helpers: memoisation on frame identity, windows and episode filters."""

from __future__ import annotations

import pandas as pd

from pmf_lib.compute.kpis import _common as c


def test_memo_reuses_only_for_the_same_live_frame_of_the_same_length():
    calls = []

    def build(df):
        calls.append(1)
        return int(df["a"].sum())

    df = pd.DataFrame({"a": [1, 2]})
    assert c.memo_on_frame("t", df, build) == 3
    assert c.memo_on_frame("t", df, build) == 3
    assert len(calls) == 1  # the second call reused the first result
    other = pd.DataFrame({"a": [1, 2]})  # an equal but different frame: recomputed
    assert c.memo_on_frame("t", other, build) == 3 and len(calls) == 2
    df.loc[2] = [10]  # grown in place: the length differs, so recomputed
    assert c.memo_on_frame("t", df, build) == 13 and len(calls) == 3


def test_twelve_months_first_day():
    assert c.twelve_months_first_day("2025-03-31") == pd.Timestamp("2024-04-01")
    assert c.twelve_months_first_day("2024-02-29") == pd.Timestamp("2023-03-01")
    assert c.twelve_months_first_day("2025-02-28") == pd.Timestamp("2024-02-29")


def test_cla_episodes_drop_only_short_breaks():
    e = pd.DataFrame({"LS": pd.array(["C2", "V3", "v4 ", None, "V2"], dtype="string")})
    assert c.cla_episodes(e)["LS"].tolist() == ["C2", pd.NA, "V2"]


def test_isin_and_flag_on_arrow_strings_give_pandas_own_masks():
    # isin/flag take one Arrow is_in for a pyarrow-backed string column; the masks
    # must equal pandas' astype("string").isin(...) (and strip/upper for flag) for
    # the same values: missing -> False, a value set of a few thousand ids, an
    # empty set, and an object column (pandas' own path).
    ids = [f"c{i}" for i in range(3000)]
    s = pd.Series(ids[::2] + [None, " c1 ", "C3", "c5"], dtype="string", name="CHILD")
    wanted = pd.Index(ids[1::2])  # odd ids: of s, only "c5" (exactly) is one
    expected = s.astype("string").isin(wanted).fillna(False).astype(bool)
    got = c.isin(s, wanted)
    pd.testing.assert_series_equal(got, expected)
    assert got.sum() == 1
    assert not c.isin(s, []).any() and c.isin(s, []).dtype == bool
    obj = pd.Series(["c5", None], dtype=object)
    assert c.isin(obj, ["c5"]).tolist() == [True, False]
    # flag strips and upper-cases: " c1 " -> "C1", "C3" -> "C3"; the None is False
    pd.testing.assert_series_equal(
        c.flag(s, "c1", "c3"),
        s.astype("string").str.strip().str.upper().isin(["C1", "C3"]).fillna(False).astype(bool),
    )
    assert c.flag(s, "c1", "c3").sum() == 2


def test_masks_are_memoised_on_the_arrow_array_and_follow_a_changed_column():
    # coded/flag/isin memoise each mask on the identity of the column's (immutable)
    # Arrow array: asking again of the same column gives the same mask; a column
    # replaced by other values (a new array) is looked at afresh, and the mask
    # handed out is the caller's own (changing it changes no later answer).
    df = pd.DataFrame({"code": pd.array(["A", "B", "A"], dtype="string")})
    first = c.isin(df["code"], ["A"])
    assert first.tolist() == [True, False, True]
    first[:] = False  # the caller's copy
    assert c.isin(df["code"], ["A"]).tolist() == [True, False, True]
    df["code"] = pd.array(["B", "B", "A"], dtype="string")
    assert c.isin(df["code"], ["A"]).tolist() == [False, False, True]
    assert c.flag(df["code"], "a").tolist() == [False, False, True]
