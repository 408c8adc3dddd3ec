"""The store of every published figure (pmf_lib.publish.store): appends, restatements,
one transaction, migrations, and the members' store's suppression.

Each rule is tested on tables of a few rows built here, the expected rows worked out
in the comments; two tests record the published demo month.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from pmf_lib.errors import PmfError
from pmf_lib.publish import store
from pmf_lib.publish.store import MonthTables, RunInfo, append_run, connect_readonly
from tests.conftest import ROOT

NAN = float("nan")
SEP, OCT = pd.Timestamp("2026-09-30"), pd.Timestamp("2026-10-31")


def history(values: dict) -> pd.DataFrame:
    """A KPI table: {(kpi_id, period_end): value} in the month window, counts."""
    rows = [
        {
            "kpi_id": k,
            "period_end": end,
            "window": "month",
            "value": v,
            "numerator": v,
            "denominator": NAN,
            "dq_error_share": 0.0,
            "dq_confidence": "High",
        }
        for (k, end), v in values.items()
    ]
    return pd.DataFrame(rows)


def assessed(h: pd.DataFrame) -> pd.DataFrame:
    """The assessed table: each KPI's latest row, with a RAG."""
    last = h.sort_values("period_end").groupby("kpi_id").tail(1)
    return last.assign(title=last["kpi_id"].str.upper(), area="front_door", rag="Green")


def tables(values: dict, breakdowns: pd.DataFrame | None = None) -> MonthTables:
    h = history(values)
    return MonthTables(h, assessed(h), breakdowns)


def run(run_id: str, month: str, extract: str | None = None) -> RunInfo:
    return RunInfo(
        run_id=run_id, month=month, run_audience="internal", council_code=938, extract_date=extract
    )


def query(path, sql: str, *params) -> list[tuple]:
    with connect_readonly(path) as c:
        return c.execute(sql, params).fetchall()


def contents(path) -> list[str]:
    """Every row and definition of a store, as SQL (what "unchanged" compares)."""
    with sqlite3.connect(path) as c:
        return list(c.iterdump())


# ---- appends ---------------------------------------------------------------------------


def test_each_row_carries_its_run_id_extract_date_and_figure(tmp_path):
    db = tmp_path / "pmf.sqlite"
    # September's pack: a=10 for September; October's pack: a=10 (Sep), 12 (Oct), b=7 (Oct).
    append_run([(db, tables({("a", SEP): 10.0}))], run("r1", "2026-09", "2026-10-03"))
    append_run(
        [(db, tables({("a", SEP): 10.0, ("a", OCT): 12.0, ("b", OCT): 7.0}))],
        run("r2", "2026-10", "2026-11-04"),
    )
    rows = query(
        db,
        "select run_id, month, extract_date, kpi_id, period_end, value from figures "
        "order by run_seq, kpi_id, period_end",
    )
    assert rows == [
        ("r1", "2026-09", "2026-10-03", "a", "2026-09-30", 10.0),
        ("r2", "2026-10", "2026-11-04", "a", "2026-09-30", 10.0),
        ("r2", "2026-10", "2026-11-04", "a", "2026-10-31", 12.0),
        ("r2", "2026-10", "2026-11-04", "b", "2026-10-31", 7.0),
    ]
    # The assessed table: one row per KPI per run (r1: a; r2: a and b), its columns kept.
    assert query(db, "select run_id, kpi_id, rag from assessed order by run_seq, kpi_id") == [
        ("r1", "a", "Green"),
        ("r2", "a", "Green"),
        ("r2", "b", "Green"),
    ]
    assert query(db, "select run_id, month from runs order by seq") == [
        ("r1", "2026-09"),
        ("r2", "2026-10"),
    ]


def test_breakdowns_are_appended_with_their_run(tmp_path):
    db = tmp_path / "pmf.sqlite"
    b = pd.DataFrame(
        {
            "kpi_id": "a",
            "period_end": OCT,
            "window": "month",
            "dimension": ["team", "team"],
            "group": ["North", "South"],
            "value": [7.0, 5.0],
            "numerator": [7.0, 5.0],
            "denominator": NAN,
        }
    )
    append_run([(db, tables({("a", OCT): 12.0}, b))], run("r1", "2026-10"))
    assert query(db, "select run_id, team, value from team_figures order by team") == [
        ("r1", "North", 7.0),
        ("r1", "South", 5.0),
    ]


def test_a_run_id_already_in_the_store_is_refused(tmp_path):
    db = tmp_path / "pmf.sqlite"
    append_run([(db, tables({("a", OCT): 1.0}))], run("r1", "2026-10"))
    with pytest.raises(PmfError, match="already in the store"):
        append_run([(db, tables({("a", OCT): 1.0}))], run("r1", "2026-10"))


def test_another_councils_run_is_refused(tmp_path):
    db = tmp_path / "pmf.sqlite"
    append_run([(db, tables({("a", OCT): 1.0}))], run("r1", "2026-10"))
    other = RunInfo(run_id="r2", month="2026-10", run_audience="internal", council_code=939)
    with pytest.raises(PmfError, match="council 938's figures, not council 939's"):
        append_run([(db, tables({("a", OCT): 1.0}))], other)


def test_without_the_data_the_extract_date_of_a_run_on_the_same_inputs_is_kept(tmp_path):
    db = tmp_path / "pmf.sqlite"
    first = RunInfo(
        run_id="r1",
        month="2026-10",
        run_audience="internal",
        extract_date="2026-11-04",
        base_fingerprint="f1",
    )
    again = RunInfo(run_id="r2", month="2026-10", run_audience="internal", base_fingerprint="f1")
    other = RunInfo(run_id="r3", month="2026-10", run_audience="internal", base_fingerprint="f2")
    for r in (first, again, other):
        append_run([(db, tables({("a", OCT): 1.0}))], r)
    # r2 had the same inputs as r1 (same fingerprint): r1's date; r3's inputs differ: none.
    assert query(db, "select run_id, extract_date from runs order by seq") == [
        ("r1", "2026-11-04"),
        ("r2", "2026-11-04"),
        ("r3", None),
    ]


# ---- as reported, and restated --------------------------------------------------------------


def test_restatements_list_exactly_the_changed_figures(tmp_path):
    db = tmp_path / "pmf.sqlite"
    before = {("a", SEP): 10.0, ("a", OCT): 12.0, ("b", SEP): 5.0, ("b", OCT): 6.0, ("c", OCT): 3.0}
    # Re-running October after correcting an input: a's October 12 -> 13 (+1), b's September
    # 5 -> 4 (-1), c's October 3 -> missing; the other two figures are the same.
    after = {**before, ("a", OCT): 13.0, ("b", SEP): 4.0, ("c", OCT): NAN}
    append_run([(db, tables(before))], run("r1", "2026-10"))
    append_run([(db, tables(after))], run("r2", "2026-10"))
    got = query(
        db,
        "select kpi_id, period_end, reported_value, restated_value, change, reported_run, "
        "restated_run from restatements order by kpi_id, period_end",
    )
    assert got == [
        ("a", "2026-10-31", 12.0, 13.0, 1.0, "r1", "r2"),
        ("b", "2026-09-30", 5.0, 4.0, -1.0, "r1", "r2"),
        ("c", "2026-10-31", 3.0, None, None, "r1", "r2"),
    ]
    # A third run with the same figures restates nothing more.
    append_run([(db, tables(after))], run("r3", "2026-10"))
    assert query(db, "select count(*) from restatements") == [(3,)]


def test_a_figure_changed_back_is_restated_twice_and_an_unchanged_one_never(tmp_path):
    db = tmp_path / "pmf.sqlite"
    for rid, v in (("r1", 10.0), ("r2", 11.0), ("r3", 10.0), ("r4", 10.0)):
        append_run([(db, tables({("a", OCT): v, ("b", OCT): 2.0}))], run(rid, "2026-10"))
    # a: 10 -> 11 in r2 (+1), 11 -> 10 in r3 (-1), same in r4; b never changes.
    assert query(db, "select kpi_id, change, restated_run from restatements order by 3") == [
        ("a", 1.0, "r2"),
        ("a", -1.0, "r3"),
    ]


def test_each_packs_figure_is_kept_beside_its_latest_value(tmp_path):
    db = tmp_path / "pmf.sqlite"
    # September's pack reported September as 10; October's pack restates it as 12.
    append_run([(db, tables({("a", SEP): 10.0}))], run("r1", "2026-09"))
    append_run([(db, tables({("a", SEP): 12.0, ("a", OCT): 8.0}))], run("r2", "2026-10"))
    got = query(
        db,
        "select pack_month, period_end, reported_value, latest_value, change, restated, "
        "latest_run from reported_figures order by pack_month, period_end",
    )
    assert got == [
        ("2026-09", "2026-09-30", 10.0, 12.0, 2.0, 1, "r2"),
        ("2026-10", "2026-09-30", 12.0, 12.0, 0.0, 0, "r2"),
        ("2026-10", "2026-10-31", 8.0, 8.0, 0.0, 0, "r2"),
    ]
    # September re-run (its pack now says 12): the pack holds its latest run, r3.
    append_run([(db, tables({("a", SEP): 12.0}))], run("r3", "2026-09"))
    assert query(
        db,
        "select reported_run, reported_value, restated from reported_figures "
        "where pack_month = '2026-09'",
    ) == [("r3", 12.0, 0)]


# ---- one transaction ---------------------------------------------------------------------


def _two_stores(tmp_path):
    internal, members = tmp_path / "pmf.sqlite", tmp_path / "pmf-members.sqlite"
    first = tables({("a", OCT): 10.0})
    append_run([(internal, first), (members, first)], run("r1", "2026-10"))
    return internal, members


def test_a_failed_write_leaves_both_stores_as_they_were(tmp_path, monkeypatch):
    internal, members = _two_stores(tmp_path)
    before = contents(internal), contents(members)
    real = store._insert

    def fail_in_second_store(conn, schema, table, columns, rows):
        real(conn, schema, table, columns, rows)
        if schema != "main" and table == "assessed":  # the internal store fully written
            raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "_insert", fail_in_second_store)
    again = tables({("a", OCT): 11.0})
    with pytest.raises(PmfError, match="cannot write the store .*disk I/O error.*unchanged"):
        append_run([(internal, again), (members, again)], run("r2", "2026-10"))
    assert (contents(internal), contents(members)) == before


def test_a_killed_run_leaves_both_stores_as_they_were(tmp_path):
    internal, members = _two_stores(tmp_path)
    before = contents(internal), contents(members)
    # A process killed mid-write (os._exit: no rollback, no clean-up) after the internal
    # store's rows and some of the members' store's are in.
    script = textwrap.dedent(
        f"""
        import os
        import pandas as pd
        from pmf_lib.publish import store
        real = store._insert
        def die(conn, schema, table, columns, rows):
            real(conn, schema, table, columns, rows)
            if schema != "main" and table == "figures":
                os._exit(9)
        store._insert = die
        h = pd.DataFrame({{"kpi_id": "a", "period_end": pd.to_datetime(["2026-10-31"]),
                          "window": "month", "value": [11.0], "numerator": [11.0]}})
        t = store.MonthTables(h, h.assign(title="A"))
        store.append_run([({str(internal)!r}, t), ({str(members)!r}, t)],
                         store.RunInfo(run_id="r2", month="2026-10", run_audience="internal"))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True)
    assert done.returncode == 9, done.stderr.decode()[-2000:]
    assert (contents(internal), contents(members)) == before
    # And the next run writes as usual.
    append_run([(internal, tables({("a", OCT): 11.0}))], run("r2", "2026-10"))
    assert query(internal, "select count(*) from runs") == [(2,)]


def test_a_new_store_killed_on_its_first_write_holds_nothing(tmp_path, monkeypatch):
    db = tmp_path / "pmf.sqlite"
    monkeypatch.setattr(store, "_insert", lambda *a: (_ for _ in ()).throw(OSError("full")))
    with pytest.raises(PmfError, match="unchanged"):
        append_run([(db, tables({("a", OCT): 1.0}))], run("r1", "2026-10"))
    # The schema was made in the same transaction: rolled back with it.
    assert query(db, "select name from sqlite_master") == []


# ---- migrations --------------------------------------------------------------------------


def test_migrations_apply_in_order_once_and_are_recorded(tmp_path, monkeypatch):
    db = tmp_path / "pmf.sqlite"
    append_run([(db, tables({("a", OCT): 1.0}))], run("r1", "2026-10"))
    assert [v for (v,) in query(db, "select version from schema_version")] == [1]

    def v2(conn, schema):
        conn.execute(f"ALTER TABLE {schema}.runs ADD COLUMN note TEXT")

    two = (*store.MIGRATIONS, store.Migration(2, "runs.note", v2))
    monkeypatch.setattr(store, "MIGRATIONS", two)
    # The next two runs: the first brings the store to version 2, the second finds it there.
    append_run([(db, tables({("a", OCT): 1.0}))], run("r2", "2026-10"))
    append_run([(db, tables({("a", OCT): 1.0}))], run("r3", "2026-10"))
    assert [v for (v,) in query(db, "select version from schema_version")] == [1, 2]
    assert query(db, "select count(note) from runs") == [(0,)]
    # A store from a newer pmf is not written to.
    monkeypatch.setattr(store, "MIGRATIONS", two[:1])
    with pytest.raises(PmfError, match="schema version 2; this pmf knows versions up to 1"):
        append_run([(db, tables({("a", OCT): 1.0}))], run("r4", "2026-10"))


def test_migrations_must_be_numbered_from_one_in_order():
    c = sqlite3.connect(":memory:")
    skip = (store.Migration(1, "x", lambda c, s: None), store.Migration(3, "y", lambda c, s: None))
    with pytest.raises(ValueError, match="numbered 1, 2"):
        store.migrate(c, migrations=skip)


# ---- the members' store --------------------------------------------------------------------


def _meta(kpi_id, unit="count", **kw):
    from pmf_lib.compute.registry import KpiMeta

    return KpiMeta(
        id=kpi_id,
        title=kpi_id.upper(),
        area="front_door",
        unit=unit,
        polarity="neutral",
        windows=("month",),
        source="s",
        definition="d",
        numerator="n",
        **kw,
    )


def test_the_members_store_holds_only_the_members_suppressed_tables(tmp_path):
    from pmf_lib.assess.disclosure import Disclosure

    internal, members = tmp_path / "pmf.sqlite", tmp_path / "pmf-members.sqlite"
    # a: 3 in September (a count of 1-4: withheld), 12 in October (shown);
    # b: 0 and 25 (shown: 0 is not a small count).
    t = tables({("a", SEP): 3.0, ("a", OCT): 12.0, ("b", SEP): 0.0, ("b", OCT): 25.0})
    b = pd.DataFrame(
        {
            "kpi_id": "a",
            "period_end": OCT,
            "window": "month",
            "dimension": ["sex", "sex", "team", "team"],
            "group": ["Boys", "Girls", "North", "South"],
            "value": [10.0, 2.0, 6.0, 6.0],
            "numerator": [10.0, 2.0, 6.0, 6.0],
            "denominator": NAN,
        }
    )
    t = MonthTables(t.history, t.assessed, b)
    shown = store.members_view(t, {"a": _meta("a"), "b": _meta("b")}, Disclosure())
    append_run([(internal, t), (members, shown)], run("r1", "2026-10"))
    assert query(
        members,
        "select kpi_id, period_end, value, suppressed from figures order by kpi_id, period_end",
    ) == [
        ("a", "2026-09-30", None, 1),
        ("a", "2026-10-31", 12.0, 0),
        ("b", "2026-09-30", 0.0, 0),
        ("b", "2026-10-31", 25.0, 0),
    ]
    # Girls = 2 is withheld, and so is Boys (12 - 10 would give it away); no team rows.
    assert query(
        members,
        'select dimension, "group", value, numerator, suppressed from breakdowns order by 2',
    ) == [
        ("sex", "Boys", None, None, 1),
        ("sex", "Girls", None, None, 1),
    ]
    assert query(members, "select audience, run_audience from runs") == [("members", "internal")]
    # The internal store keeps every figure and the team breakdowns.
    assert query(internal, "select value from figures where kpi_id = 'a' order by 1") == [
        (3.0,),
        (12.0,),
    ]
    assert query(internal, "select count(*) from team_figures") == [(2,)]


# ---- the published demo month -------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_store(demo_dir, tmp_path_factory):
    from pmf_lib.config import load_config

    month = ROOT / "outputs" / "2026-10"
    if not (month / "run.json").is_file():
        pytest.skip("the demo month is not published: run `pmf run --month 2026-10`")
    out = tmp_path_factory.mktemp("store")
    config = load_config(ROOT / "parameters" / "config.yaml")
    if config.audience != "internal":
        pytest.skip("the demo config is not an internal one")
    config = config.model_copy(update={"outputs": str(out)})
    written = store.record_month(config, month)
    return {"config": config, "month": month, "internal": written[0], "members": written[1]}


def small(x) -> bool:
    return x is not None and not pd.isna(x) and 1 <= float(x) <= 4


def test_the_demo_store_holds_the_published_kpi_table(demo_store):
    published = pd.read_parquet(demo_store["month"] / "kpi_history.parquet")
    with connect_readonly(demo_store["internal"]) as c:
        stored = pd.read_sql("select * from figures", c, parse_dates=["period_end"])
    key = ["kpi_id", "period_end", "window"]
    both = published.merge(stored, on=key, suffixes=("", "_stored"), validate="1:1")
    assert len(both) == len(published) == len(stored)
    for col in ("value", "numerator", "denominator", "dq_error_share"):
        pd.testing.assert_series_equal(both[col], both[f"{col}_stored"], check_names=False)
    assert (both["dq_confidence"] == both["dq_confidence_stored"]).all()


def test_the_demo_members_store_passes_the_members_small_number_test(demo_store):
    """The rule of tests/publish/test_members.py, written out again, on the members' store."""
    with connect_readonly(demo_store["members"]) as c:
        h = pd.read_sql("select f.*, k.unit from figures f join kpis k using (kpi_id)", c)
        b = pd.read_sql("select b.*, k.unit from breakdowns b join kpis k using (kpi_id)", c)
        tables_ = {name for (name,) in c.execute("select name from sqlite_master")}
    not_counted = ("days", "mean", "fte", "ratio")
    sup = h["suppressed"].astype(bool)
    assert h.loc[sup, ["value", "numerator", "denominator"]].isna().all().all()
    for r in h[~sup].itertuples():
        assert not small(r.denominator), r
        if r.unit not in not_counted:
            assert not small(r.numerator), r
            if r.unit == "percent" and not pd.isna(r.numerator) and not pd.isna(r.denominator):
                assert not small(r.denominator - r.numerator), r
    assert h.groupby("kpi_id")["window"].nunique().max() == 1  # one series per KPI
    # Breakdowns: no team; no numerators; no shown count cell of 1-4.
    assert "team" not in set(b["dimension"]) and b["numerator"].isna().all()
    counts = b[(b["unit"] == "count") & ~b["suppressed"].astype(bool)]
    assert not [v for v in counts["value"] if small(v)]
    assert sup.any()  # the demo has small counts: the test tested something
    # No table of child-level data in either store.
    assert tables_ >= {"figures", "assessed", "breakdowns", "kpis", "runs"}
    for path in (demo_store["internal"], demo_store["members"]):
        cols = {
            col.lower()
            for (t,) in query(path, "select name from sqlite_master where type = 'table'")
            for (_, col, *_rest) in query(path, f'pragma table_info("{t}")')
        }
        assert not {c for c in cols if "child" in c or c in ("laid", "upn", "dob")}, cols


@pytest.mark.slow
def test_rerunning_the_demo_month_after_editing_one_cin_record_restates_exactly_its_figures(
    demo_dir, tmp_path
):
    """The issue's check on the demo council: one child's CIN closure moved a month earlier.

    Both months' KPI tables are built (as ``pmf run`` builds them) from the demo data and
    from a copy whose latest CIN census has that one record edited; the store's
    restatements must be exactly the figures that differ between the two tables,
    worked out here by comparing the tables directly.
    """
    import shutil

    from pmf_lib.assess.build import build_month
    from pmf_lib.config import load_config

    config = load_config(ROOT / "parameters" / "config.yaml")
    # The areas whose KPIs read the CIN census (the rest are built the same either way, so
    # each build is a third of the demo's): restatements must still be exactly the change.
    areas = {a: config.areas[a] for a in ("children_in_need", "assessment", "protection")}
    config = config.model_copy(update={"areas": areas, "scorecards": {}})
    cin = tmp_path / "cin_census"
    shutil.copytree(demo_dir / "cin_census", cin)
    latest = sorted(cin.glob("*.xml"))[-1]
    text = latest.read_text(encoding="utf-8")
    closure = next(
        d for d in ("2026-10-20", "2026-10-1", "2026-10-0") if f"<CINclosureDate>{d}" in text
    )
    at = text.index(f"<CINclosureDate>{closure}")
    start = at + len("<CINclosureDate>")
    day = text[start : start + 10]
    edited = text[:start] + "2026-09" + day[7:] + text[start + 10 :]  # a month earlier
    latest.write_text(edited, encoding="utf-8")
    data = config.data.model_copy(update={"cin_census": [str(cin / "*.xml")]})
    corrected = config.model_copy(update={"data": data})

    def tables_of(cfg) -> MonthTables:
        b = build_month(cfg, "2026-10")
        return MonthTables(b.kpi_table, b.assessed, b.breakdowns)

    before, after = tables_of(config), tables_of(corrected)
    db = tmp_path / "pmf.sqlite"
    append_run([(db, before)], run("r1", "2026-10"))
    append_run([(db, after)], run("r2", "2026-10"))
    key = ["kpi_id", "period_end", "window"]
    both = before.history.merge(after.history, on=key, suffixes=("_a", "_b"), validate="1:1")
    a, b = both["value_a"], both["value_b"]
    differs = (a.isna() != b.isna()) | ((a - b).abs() > 1e-9 * a.abs().clip(lower=1))
    want = {(k, f"{e:%Y-%m-%d}", w) for k, e, w in both.loc[differs, key].itertuples(index=False)}
    got = set(query(db, "select kpi_id, period_end, window from restatements"))
    assert want, "the edit changed no figure: the test would test nothing"
    assert got == want
    assert set(query(db, "select restated_run from restatements")) == {("r2",)}


def test_a_members_run_writes_its_own_suppressed_tables_to_the_members_store_only(
    demo_store, tmp_path
):
    """A members' edition's folder already holds the suppressed tables: they go in as
    published (suppressing them again gives them back), and no internal store is made."""
    import json

    from pmf_lib.assess.disclosure import Disclosure
    from pmf_lib.assess.pipeline import configured_kpis

    config = demo_store["config"]
    published = store.read_month_tables(demo_store["month"])
    shown = store.members_view(published, configured_kpis(config), Disclosure())
    folder = tmp_path / "2026-10"
    folder.mkdir()
    shown.history.to_parquet(folder / "kpi_history.parquet")
    shown.assessed.to_parquet(folder / "kpis.parquet")
    manifest = json.loads((demo_store["month"] / "run.json").read_text())
    (folder / "run.json").write_text(json.dumps({**manifest, "run_id": "members-run"}))
    members_config = config.model_copy(
        update={"audience": "members", "outputs": str(tmp_path / "out")}
    )
    written = store.record_month(members_config, folder)
    internal, members = store.store_paths(members_config)
    assert written == [members] and not internal.exists()
    assert query(members, "select run_id, audience, run_audience from runs") == [
        ("members-run", "members", "members")
    ]
    with connect_readonly(members) as c:
        stored = pd.read_sql("select kpi_id, period_end, window, value, suppressed from figures", c)
    assert len(stored) == len(shown.history)
    assert stored["suppressed"].sum() == shown.history["suppressed"].sum() > 0
