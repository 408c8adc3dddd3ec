"""The vectorised data quality confidence gives exactly the figures of the code it replaced.

The oracle is the pre-issue-14 code, kept verbatim in
``tests/validate/confidence_reference.py``. Each test builds small inputs by
hand (or draws them at random) and requires the two tables to be equal, dtypes
included: every kind of feed (flow over each window, stock with and without an
end date, overlap, latest return, all), child-level errors spreading to the
child's records, local datasets with issues placed by file and row (a whole-file
issue on every record of its file), the monthly workforce file, empty and absent
datasets (share 0) and the High/Medium/Low thresholds. The worked verdicts of
the rules themselves are in ``test_confidence.py``.
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmf_lib.feeds import Feed
from pmf_lib.read.tables import CIN_COLUMNS, S903_COLUMNS, CinCensus, Ssda903, conform
from pmf_lib.validate.confidence import confidence_table, local_issues_on_frames
from tests.validate import confidence_reference as ref

ISSUE_COLUMNS = ["source", "file", "table", "record", "child_id", "severity"]
ENDS = ["2024-03-31", "2024-12-31", "2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30"]


def _issues(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=ISSUE_COLUMNS)
    df = df.astype({c: "string" for c in ISSUE_COLUMNS if c != "record"})
    return df.astype({"record": "Int64"})


def _dates(values) -> pd.Series:
    return pd.to_datetime(pd.Series(values, dtype="object"))


def _both(issues, cin, cla, ends, feeds, local=None, **kw):
    """The new and the reference table for the same inputs (asserted equal)."""
    new = confidence_table(issues, cin, cla, ends, feeds=feeds, local=local, **kw)
    old = ref.confidence_table(issues, cin, cla, ends, feeds=feeds, local=local, **kw)
    pd.testing.assert_frame_equal(new, old)
    return new


# ---- a small county by hand ----------------------------------------------------------------
def _county():
    cin, cla = CinCensus(), Ssda903()
    cin.tables["children"] = conform(
        pd.DataFrame({"LAchildID": list("abcd")}), CIN_COLUMNS["children"]
    )
    cin.tables["referrals"] = conform(
        pd.DataFrame(
            {
                "LAchildID": list("abcdab"),
                "CINreferralDate": _dates(
                    ["2025-03-03", "2025-03-20", "2024-06-01", None, "2025-01-31", "2024-04-01"]
                ),
                "CINclosureDate": _dates([None, "2025-03-31", "2024-07-01", None, None, None]),
            }
        ),
        CIN_COLUMNS["referrals"],
    )
    cin.tables["cp_plans"] = conform(
        pd.DataFrame(
            {
                "LAchildID": list("abc"),
                "CPPstartDate": _dates(["2024-01-01", "2025-02-01", "2025-04-01"]),
                "CPPendDate": _dates([None, "2025-03-31", None]),
            }
        ),
        CIN_COLUMNS["cp_plans"],
    )
    cla.tables["header"] = conform(pd.DataFrame({"CHILD": list("xyz")}), S903_COLUMNS["header"])
    cla.tables["episodes"] = conform(
        pd.DataFrame(
            {
                "CHILD": list("xyzxy"),
                # y's second episode ends before it starts (a date error in the return)
                "DECOM": _dates(
                    ["2023-05-01", "2024-09-01", "2025-03-01", "2024-01-01", "2025-02-01"]
                ),
                "DEC": _dates([None, "2025-01-15", None, "2024-03-31", "2024-11-30"]),
            }
        ),
        S903_COLUMNS["episodes"],
    )
    cla.tables["oc2"] = conform(
        pd.DataFrame(
            {
                "CHILD": list("xyzx"),
                "collection_year": pd.array([2024, 2025, 2025, None], dtype="Int64"),
            }
        ),
        S903_COLUMNS["oc2"],
    )
    cla.tables["uasc"] = conform(pd.DataFrame({"CHILD": list("xy")}), S903_COLUMNS["uasc"])
    return cin, cla


FEEDS = {
    "ref_flow": (Feed("cin_census", "referrals", "CINreferralDate"),),
    "ref_quarter_fytd": (
        Feed("cin_census", "referrals", "CINreferralDate", windows=("quarter", "fytd", "snapshot")),
    ),
    "ref_open": (Feed("cin_census", "referrals", "CINreferralDate", "stock", "CINclosureDate"),),
    "ref_started_by": (Feed("cin_census", "referrals", "CINreferralDate", "stock"),),
    "cpp_open": (Feed("cin_census", "cp_plans", "CPPstartDate", "stock", "CPPendDate"),),
    "cla_open": (Feed("ssda903", "episodes", "DECOM", "stock", "DEC"),),
    "cla_overlap": (Feed("ssda903", "episodes", "DECOM", "overlap", "DEC"),),
    "oc2": (Feed("ssda903", "oc2", kind="latest_return"),),
    "uasc_and_cla": (
        Feed("ssda903", "episodes", "DECOM", "stock", "DEC"),
        Feed("ssda903", "uasc", kind="all"),
    ),
    "no_feeds": (),
    "two_sources": (
        Feed("cin_census", "referrals", "CINreferralDate", windows=("month",)),
        Feed("ssda903", "episodes", "DECOM", "overlap", "DEC"),
    ),
}


def test_every_kind_of_feed_with_record_and_child_level_errors():
    cin, cla = _county()
    issues = _issues(
        [
            ("cin_census", "f", "referrals", 0, "a", "error"),
            ("cin_census", "f", "referrals", 2, "c", "warning"),  # a warning counts for nothing
            ("cin_census", "f", "children", 1, "b", "error"),  # child b: referrals 1, 5; plan 1
            ("ssda903", "f", "header", 2, "z", "error"),  # child z: episode 2, oc2 record 2
            ("ssda903", "f", "episodes", 4, "y", "error"),
            ("ssda903", "f", "uasc", 0, "x", "error"),
            ("ssda903", "f", "oc2", 0, "x", "error"),
        ]
    )
    t = _both(issues, cin, cla, ENDS, FEEDS)
    assert len(t) == len(FEEDS) * len(ENDS)
    # the fixture reaches every rating and both zero and non-zero shares
    assert set(t["dq_confidence"]) == {"High", "Low"}
    assert (t["dq_error_share"] == 0).any() and (t["dq_error_share"] > 0).any()
    for high, medium in [(0.2, 0.4), (0.0, 0.5), (0.3, 0.3), (0.0, 0.0), (1.0, 1.0)]:
        t = _both(issues, cin, cla, ENDS, FEEDS, high=high, medium=medium)
    t = _both(issues, cin, cla, ENDS, FEEDS, high=0.2, medium=0.4)
    assert set(t["dq_confidence"]) == {"High", "Medium", "Low"}


def test_period_ends_in_any_order_repeated_or_none():
    cin, cla = _county()
    issues = _issues([("cin_census", "f", "referrals", 0, "a", "error")])
    _both(issues, cin, cla, ["2025-03-31", "2024-03-31", "2025-03-31"], FEEDS)
    _both(issues, cin, cla, [pd.Timestamp("2025-03-31 12:00")], FEEDS)  # normalised to the day
    _both(issues, cin, cla, [], FEEDS)
    _both(issues, cin, cla, ENDS, {})


def test_empty_and_absent_tables_feed_nothing_and_a_missing_national_table_is_named():
    cin, cla = CinCensus(), Ssda903()  # every canonical table empty
    local = {"lado": pd.DataFrame({"received_date": pd.Series([], dtype="datetime64[ns]")})}
    feeds = {
        **FEEDS,
        "lado": (Feed("local", "lado", "received_date"),),
        "absent": (Feed("local", "contacts", "contact_date"),),
    }
    t = _both(_issues([]), cin, cla, ENDS, feeds, local=local)
    assert (t["dq_error_share"] == 0).all() and (t["dq_confidence"] == "High").all()
    bad = {"x": (Feed("cin_census", "no_such_table", "d"),)}
    for impl in (confidence_table, ref.confidence_table):
        with pytest.raises(KeyError, match="KPI x: no table cin_census.no_such_table"):
            impl(_issues([]), cin, cla, ENDS, feeds=bad)


# ---- local datasets: issues placed by file and row ------------------------------------------
def _read(source: str, file: str, name: str, rows: list[int]):
    """A file read against its schema (``ReadTable``): its rows, numbered as in the file."""
    return SimpleNamespace(
        source=source,
        file=file,
        schema=SimpleNamespace(name=name),
        data=pd.DataFrame({"row": pd.array(rows, dtype="Int64")}),
    )


def _lado_and_workforce():
    lado = pd.DataFrame(
        {
            "source_file": pd.array(["a.csv"] * 3 + ["b.csv"] * 3, dtype="string"),
            "row": pd.array([2, 3, 4, 2, 3, 4], dtype="Int64"),
            "received_date": _dates(
                ["2025-03-03", "2025-01-10", "2023-01-05", "2025-03-04", "2025-03-05", "2024-12-01"]
            ),
            "closed_date": _dates([None, "2025-02-01", None, None, "2025-03-20", None]),
        }
    )
    workforce = pd.DataFrame(
        {
            "source_file": pd.array(["wf.csv"] * 4, dtype="string"),
            "row": pd.array([2, 3, 4, 5], dtype="Int64"),
            "month": _dates(["2025-01-01", "2025-02-01", "2025-03-01", "2025-03-01"]),
        }
    )
    files = [
        _read("local/lado", "a.csv", "lado", [2, 3, 4]),
        _read("local/lado", "b.csv", "lado", [2, 3, 4]),
        _read("workforce_monthly", "wf.csv", "workforce_monthly", [2, 3, 4, 5]),
        _read("local/contacts", "c.csv", "contacts", [2]),  # read, but no frame to place on
    ]
    return {"lado": lado, "workforce_monthly": workforce}, files


LOCAL_FEEDS = {
    "lado_received": (Feed("local", "lado", "received_date", windows=("quarter", "rolling_12m")),),
    "lado_open": (Feed("local", "lado", "received_date", "stock", "closed_date"),),
    "lado_all": (Feed("local", "lado", kind="all"),),
    "wf_month": (Feed("local", "workforce_monthly", "month", windows=("month",)),),
    "wf_12m": (Feed("local", "workforce_monthly", "month", windows=("rolling_12m",)),),
    "contacts": (Feed("local", "contacts", "contact_date"),),
}


@pytest.mark.parametrize(
    "rows",
    [
        [],
        # a.csv's record 1 (row 3); b.csv's record 2 (row 4); a record beyond the file
        [
            ("local/lado", "a.csv", "local/lado", 1, None, "error"),
            ("local/lado", "b.csv", "local/lado", 2, None, "error"),
            ("local/lado", "b.csv", "local/lado", 9, None, "error"),
            ("workforce_monthly", "wf.csv", "workforce_monthly", 3, None, "error"),
        ],
        # a whole-file issue (no record: a required column missing) marks all of b.csv
        [
            ("local/lado", "b.csv", "local/lado", None, None, "error"),
            ("local/lado", "b.csv", "local/lado", None, None, "warning"),
            ("local/lado", "a.csv", "local/lado", 0, None, "error"),
            ("local/contacts", "c.csv", "local/contacts", 0, None, "error"),  # no frame: dropped
            ("cin_census", "x.xml", "referrals", 0, "a", "error"),  # not local: unchanged
            ("local/lado", "z.csv", "local/lado", 0, None, "error"),  # a file not read: unchanged
        ],
    ],
)
def test_local_issues_placed_and_rated_as_before(rows):
    frames, files = _lado_and_workforce()
    issues = _issues(rows)
    placed = local_issues_on_frames(issues, files, frames)
    pd.testing.assert_frame_equal(placed, ref.local_issues_on_frames(issues, files, frames))
    _both(placed, CinCensus(), Ssda903(), ENDS, LOCAL_FEEDS, local=frames)


def test_whole_file_issue_spreads_over_each_record_of_its_file_only():
    frames, files = _lado_and_workforce()
    issues = _issues([("local/lado", "b.csv", "local/lado", None, None, "error")] * 2)
    placed = local_issues_on_frames(issues, files, frames)
    pd.testing.assert_frame_equal(placed, ref.local_issues_on_frames(issues, files, frames))
    # two issues x b.csv's three records (frame records 3, 4, 5), record by record
    assert placed["record"].tolist() == [3, 3, 4, 4, 5, 5]
    assert (placed["table"] == "lado").all() and (placed["source"] == "local").all()


# ---- random small inputs ----------------------------------------------------------------------
DAY0 = pd.Timestamp("2023-10-01")
day = st.one_of(st.none(), st.integers(0, 900).map(lambda n: DAY0 + pd.Timedelta(days=n)))
month_end = st.integers(0, 29).map(
    lambda n: (DAY0 + pd.DateOffset(months=n)) + pd.offsets.MonthEnd(0)
)
WINDOWS = ("month", "rolling_12m", "quarter", "fytd", "snapshot")
CHILDREN = list("abcde")


def _dated_frame(draw, n, date, end, child):
    starts = draw(st.lists(day, min_size=n, max_size=n))
    stops = draw(st.lists(day, min_size=n, max_size=n))
    return pd.DataFrame(
        {
            child: draw(st.lists(st.sampled_from(CHILDREN), min_size=n, max_size=n)),
            date: _dates(starts),
            end: _dates(stops),
            "collection_year": pd.array(
                draw(st.lists(st.sampled_from([2023, 2024, 2025, None]), min_size=n, max_size=n)),
                dtype="Int64",
            ),
        }
    )


def _feed(draw, source, table, date, end):
    kind = draw(st.sampled_from(["flow", "stock", "stock_open_ended", "overlap", "all", "latest"]))
    if kind == "flow":
        windows = tuple(draw(st.lists(st.sampled_from(WINDOWS), min_size=1, max_size=3)))
        return Feed(source, table, date, windows=windows)
    if kind == "latest":
        return Feed(source, table, kind="latest_return")
    if kind == "stock_open_ended":
        return Feed(source, table, date, "stock")
    if kind == "all":
        return Feed(source, table, kind="all")
    return Feed(source, table, date, kind, end)


TABLES = [
    ("cin_census", "referrals", "CINreferralDate", "CINclosureDate", "LAchildID"),
    ("ssda903", "episodes", "DECOM", "DEC", "CHILD"),
    ("local", "lado", "received_date", "closed_date", "child_id"),
]


@st.composite
def county(draw):
    cin, cla, local, rows = CinCensus(), Ssda903(), {}, []
    for source, table, date, end, child in TABLES:
        n = draw(st.integers(0, 10))
        df = _dated_frame(draw, n, date, end, child)
        if source == "local":
            local[table] = df
        else:
            columns = (CIN_COLUMNS if source == "cin_census" else S903_COLUMNS)[table]
            data = cin if source == "cin_census" else cla
            data.tables[table] = conform(df, columns)
        for r in draw(st.lists(st.integers(0, 11), max_size=4)):  # 10, 11: no such record
            severity = draw(st.sampled_from(["error", "error", "warning"]))
            rows.append((source, "f", table, r, None, severity))
    for source, table in (("cin_census", "children"), ("ssda903", "header")):
        for c in draw(st.lists(st.sampled_from(CHILDREN), max_size=2)):
            rows.append((source, "f", table, 0, c, draw(st.sampled_from(["error", "warning"]))))
    feeds = {}
    for k in range(draw(st.integers(0, 4))):
        chosen = draw(st.lists(st.sampled_from(TABLES), max_size=3))
        feeds[f"kpi{k}"] = tuple(_feed(draw, s, t, d, e) for s, t, d, e, _c in chosen)
    ends = draw(st.lists(month_end, max_size=5))
    high = draw(st.sampled_from([0.0, 0.01, 0.1, 0.25, 0.5]))
    medium = draw(st.sampled_from([m for m in (0.05, 0.25, 0.5, 1.0) if m >= high]))
    return _issues(rows), cin, cla, local, feeds, ends, high, medium


@pytest.mark.slow  # 60 counties through the per-row reference: minutes
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(county())
def test_random_counties_rate_exactly_as_before(case):
    issues, cin, cla, local, feeds, ends, high, medium = case
    _both(issues, cin, cla, ends, feeds, local=local, high=high, medium=medium)


@st.composite
def local_files(draw):
    """A stacked lado frame from two files, the reads, and issues on them."""
    frame_parts, files, rows = [], [], []
    for name in ("a.csv", "b.csv"):
        n = draw(st.integers(0, 5))
        numbers = draw(st.lists(st.integers(2, 7), min_size=n, max_size=n))  # may repeat
        frame_parts.append(
            pd.DataFrame(
                {
                    "source_file": pd.array([name] * n, dtype="string"),
                    "row": pd.array(numbers, dtype="Int64"),
                    "received_date": _dates(draw(st.lists(day, min_size=n, max_size=n))),
                }
            )
        )
        if draw(st.booleans()):  # the file was read against its schema
            read_rows = draw(st.lists(st.integers(2, 8), max_size=6, unique=True))
            files.append(_read("local/lado", name, "lado", read_rows))
        for r in draw(st.lists(st.one_of(st.none(), st.integers(0, 6)), max_size=4)):
            severity = draw(st.sampled_from(["error", "warning"]))
            rows.append(("local/lado", name, "local/lado", r, None, severity))
    frame = pd.concat(frame_parts, ignore_index=True)
    return _issues(rows), files, {"lado": frame} if draw(st.booleans()) else {}


@settings(max_examples=50, deadline=None)
@given(local_files())
def test_random_local_issues_placed_exactly_as_before(case):
    issues, files, frames = case
    placed = local_issues_on_frames(issues, files, frames)
    pd.testing.assert_frame_equal(placed, ref.local_issues_on_frames(issues, files, frames))
    feeds = {
        "lado": (Feed("local", "lado", "received_date"),),
        "all": (Feed("local", "lado", kind="all"),),
    }
    _both(placed, CinCensus(), Ssda903(), ENDS, feeds, local=frames)
