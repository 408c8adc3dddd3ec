"""A members' run of the demo month: nothing published lets a count of 1 to 4 be worked out.

One batch (``audience: members``, September 2026: a quarter end, so the LADO
quarterly report runs too) into a temporary outputs folder, shared by the tests.
The run's own unsuppressed tables are captured as the batch hands them to the
suppression decision, so each check compares what was published with the
figures behind it, by rules written out here rather than by calling the code
under test. The same run's build is captured too, so the action-list tests at the end
scan every file it published for the very child ids it read (one members' batch for
both, rather than one each).
"""

from __future__ import annotations

import io
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from lxml import html as lxml_html

from pmf_lib.config import load_config
from tests.conftest import ROOT

MONTH = "2026-09"
END = pd.Timestamp("2026-09-30")
WORDING = "suppressed (fewer than 5)"
#: Units whose numerator is not a count of people (only the denominator counts them).
NOT_COUNTED = ("days", "mean", "fte", "ratio")
#: What may be in a members' month folder: reports, their executed notebooks, the
#: suppressed tables, the config copy, index, manifest, log and the run lock.
ALLOWED = re.compile(
    r"^([a-z0-9_]+\.(html|ipynb)"
    r"|(kpi_history|kpis|breakdowns|spc|actions|scorecard|annual"
    r"|voice_quotes|voice_questions|finance_budget)\.(csv|parquet)"
    r"|spc_rebase_proposals\.csv|config\.yaml|run\.json|run-[0-9T]+\.log|\.pmf-run\.lock)$"
)


def small(x) -> bool:
    return x is not None and not pd.isna(x) and 1 <= float(x) <= 4


def blank(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA or x == ""


@pytest.fixture(scope="module")
def members(demo_dir, tmp_path_factory):
    import pmf_lib.assess.build as build_module
    import pmf_lib.assess.disclosure as disclosure
    from pmf_lib.publish.batch import run_batch

    out = tmp_path_factory.mktemp("members_outputs")
    config = load_config(ROOT / "parameters" / "config.yaml")
    config = config.model_copy(update={"outputs": str(out), "audience": "members"})
    seen = {}
    real = disclosure.published_tables

    def capture(history, assessed, breakdowns, metas, rules=None):
        seen.setdefault("history", history.copy())
        seen.setdefault("assessed", assessed.copy())
        return real(history, assessed, breakdowns, metas, rules)

    real_build = build_module.build_month

    def capture_build(*args, **kwargs):
        seen["build"] = real_build(*args, **kwargs)
        return seen["build"]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(disclosure, "published_tables", capture)
        mp.setattr(build_module, "build_month", capture_build)
        result = run_batch(config, month=MONTH, areas=["lado", "children_looked_after"], quiet=True)
    assert result.failed == [], [(r.id, r.error) for r in result.reports]
    folder = out / MONTH
    internal = seen["history"].copy()
    internal["period_end"] = pd.to_datetime(internal["period_end"]).dt.normalize()
    return {
        "out": out,
        "config": config,
        "build": seen["build"],
        "folder": folder,
        "internal": internal,
        "internal_assessed": seen["assessed"],
        "history": pd.read_csv(folder / "kpi_history.csv", parse_dates=["period_end"]),
        "kpis": pd.read_csv(folder / "kpis.csv", parse_dates=["period_end"]),
        "units": dict(zip(seen["assessed"]["kpi_id"], seen["assessed"]["unit"], strict=True)),
    }


def must_withhold(unit: str, n, d) -> bool:
    """The rule, written out again: 1-4 people counted, in the denominator or left out."""
    if small(d):
        return True
    if unit in NOT_COUNTED:
        return False
    if small(n):
        return True
    return unit == "percent" and not pd.isna(n) and not pd.isna(d) and small(d - n)


def texts(folder):
    for f in sorted(folder.glob("*.html")):
        doc = lxml_html.document_fromstring(f.read_text())
        yield f.name, doc, " ".join(doc.text_content().split())


@pytest.mark.slow
@pytest.mark.demo
def test_only_reports_and_suppressed_tables_are_in_the_members_folder(members):
    names = [p.name for p in members["folder"].iterdir()]
    assert not [n for n in names if not ALLOWED.match(n)], names
    assert not any(n.startswith("data_quality") for n in names)  # lists child ids


@pytest.mark.slow
@pytest.mark.demo
def test_history_holds_one_series_per_kpi_and_no_small_count(members):
    h, units, internal = members["history"], members["units"], members["internal"]
    # One window per KPI: no quarter or rolling 12 months to subtract shown months from.
    assert h.groupby("kpi_id")["window"].nunique().max() == 1
    sup = h["suppressed"].astype(bool)
    assert h.loc[sup, ["value", "numerator", "denominator"]].isna().all().all()
    for r in h[~sup].itertuples():
        unit = units[r.kpi_id]
        assert not must_withhold(unit, r.numerator, r.denominator), r
    # Every figure the rule withholds in the run's own table is withheld in the folder.
    merged = internal.merge(
        h[["kpi_id", "window", "period_end", "suppressed"]],
        on=["kpi_id", "window", "period_end"],
    )
    assert len(merged) == len(h)
    for r in merged.itertuples():
        if must_withhold(units[r.kpi_id], r.numerator, r.denominator):
            assert r.suppressed, r


@pytest.mark.slow
@pytest.mark.demo
def test_no_shown_nested_count_is_within_four_of_its_shown_parent(members):
    # A count declared subset_of another (e.g. children looked after with 3+ placements of
    # all children looked after): both shown for a window and period, the parent minus the
    # child would count the children left out; it must not be 1 to 4.
    from pmf_lib.compute.registry import all_kpis

    h = members["history"]
    shown = h[~h["suppressed"].astype(bool)].set_index(["kpi_id", "window", "period_end"])
    value = shown["value"]
    pairs = 0
    for child, k in all_kpis().items():
        parent = k.meta.subset_of
        if not parent or child not in h["kpi_id"].values or parent not in h["kpi_id"].values:
            continue
        both = pd.concat(
            [value.xs(child, level=0), value.xs(parent, level=0)], axis=1, keys=["c", "p"]
        ).dropna()
        pairs += 1
        assert not [r for r in both.itertuples() if small(r.p - r.c)], (child, parent)
    assert pairs, "no nested pair in the members' run"


@pytest.mark.slow
@pytest.mark.demo
def test_assessed_table_keeps_nothing_derived_from_a_withheld_figure(members):
    a, h = members["kpis"], members["history"]
    hidden = set(
        zip(h.loc[h["suppressed"], "kpi_id"], h.loc[h["suppressed"], "period_end"], strict=True)
    )
    withheld = a[a["suppressed"].astype(bool)]
    assert len(withheld), "the demo month has figures of 1 to 4"
    derived = [
        "value",
        "numerator",
        "denominator",
        "rag",
        "previous_value",
        "previous_label",
        "previous_change",
        "year_earlier_value",
        "year_earlier_change",
        "variation",
        "assurance",
        "spc_mean",
        "spc_upper",
        "spc_lower",
        "quartile",
        "rank",
        "exception_flags",
        "good_practice_flags",
    ]
    for r in withheld.itertuples():
        for col in derived:
            assert blank(getattr(r, col)), (r.kpi_id, col)
        assert not r.exception and not r.good_practice
    for r in a[~a["suppressed"].astype(bool)].itertuples():
        earlier = [d for k, d in hidden if k == r.kpi_id and d < r.period_end]
        if not blank(r.previous_change):  # value minus change would state last period
            assert (r.kpi_id, pd.Timestamp(r.previous_end)) not in hidden, r.kpi_id
        if earlier:  # mean times points minus the shown points would state it
            assert blank(r.spc_mean) and blank(r.spc_upper), r.kpi_id
            sentence = str(r.sentence)
            assert "average of" not in sentence and "process limit" not in sentence


@pytest.mark.slow
@pytest.mark.demo
def test_breakdowns_show_no_small_cell_remainder_or_group_counts(members):
    b = pd.read_csv(members["folder"] / "breakdowns.csv", parse_dates=["period_end"])
    h, units = members["history"], members["units"]
    assert b["numerator"].isna().all() and b["denominator"].isna().all()
    shown_value = {
        (r.kpi_id, r.window, r.period_end): r.value for r in h[~h["suppressed"]].itertuples()
    }
    for (kid, window, end, _dim), t in b.groupby(["kpi_id", "window", "period_end", "dimension"]):
        if units.get(kid) != "count":
            continue
        shown = t.loc[~t["suppressed"].astype(bool), "value"]
        assert not any(small(v) for v in shown), (kid, _dim)
        total = shown_value.get((kid, window, end))
        if total is None:  # the KPI's own figure is withheld: so is its whole breakdown
            assert t["suppressed"].all(), (kid, _dim)
        else:
            assert not small(total - shown.sum()), (kid, _dim)


@pytest.mark.slow
@pytest.mark.demo
def test_spc_table_has_no_withheld_point_or_limit_over_one(members):
    path = members["folder"] / "spc.csv"
    if not path.is_file():
        pytest.skip("no SPC table published")
    s = pd.read_csv(path, parse_dates=["period_end"])
    h = members["history"]
    hidden = h[h["suppressed"]]
    keys = set(zip(hidden["kpi_id"], hidden["window"], hidden["period_end"], strict=True))
    at = [
        (k, w, e) in keys for k, w, e in zip(s["kpi_id"], s["window"], s["period_end"], strict=True)
    ]
    assert s.loc[at, "value"].isna().all()
    for kid in {k for k, _, _ in keys}:
        assert s.loc[s["kpi_id"] == kid, "mean"].isna().all(), kid


@pytest.mark.slow
@pytest.mark.demo
def test_scorecard_shows_no_withheld_figure_nor_a_change_from_one(members):
    # Each scorecard cell at a month end the published history withholds has no figure,
    # RAG or direction; a shown cell whose earlier figure is withheld has no change (the
    # change would state it); and no count shown is 1 to 4.
    s = pd.read_csv(members["folder"] / "scorecard.csv", parse_dates=["period_end", "previous_end"])
    h = members["history"]
    hidden = h[h["suppressed"]]
    keys = set(zip(hidden["kpi_id"], hidden["window"], hidden["period_end"], strict=True))

    def withheld(ends) -> pd.Series:
        cells = zip(s["kpi_id"], s["window"], ends, strict=True)
        return pd.Series([c in keys for c in cells], index=s.index, dtype=bool)

    at, before = withheld(s["period_end"]), withheld(s["previous_end"])
    assert at.any()  # the demo's September withholds some (Mind of My Own responses, June)
    assert s.loc[at, ["value", "rag", "travel_label", "travel_change"]].isna().all().all()
    assert s.loc[before, "travel_change"].isna().all()
    counts = s[(s["unit"] == "count") & ~at]
    assert not counts["value"].map(small).any()


@pytest.mark.slow
@pytest.mark.demo
def test_annual_points_state_no_count_of_one_to_four(members):
    # The years to 31 March (annual.csv, for the annual evidence packs): a withheld year is
    # blank with no change on either side; a shown one states no count of 1 to 4, and no
    # year holding a month (or quarter) the published history withholds is shown.
    t = pd.read_csv(members["folder"] / "annual.csv", parse_dates=["year_end"])
    sup = t["suppressed"].astype(bool)
    assert sup.any() and (~sup).any()
    assert t.loc[sup, ["value", "numerator", "denominator"]].isna().all().all()
    units = members["units"]
    for r in t[~sup].itertuples():
        assert not must_withhold(units[r.kpi_id], r.numerator, r.denominator), r
    h = members["history"]
    hidden = h[h["suppressed"].astype(bool)]
    for r in t[~sup].itertuples():
        ends = hidden.loc[hidden["kpi_id"] == r.kpi_id, "period_end"]
        inside = (ends > r.year_end - pd.DateOffset(years=1)) & (ends <= r.year_end)
        assert not inside.any(), r
    after = t.sort_values(["kpi_id", "year_end"]).groupby("kpi_id")["suppressed"].shift(1)
    assert t.loc[after.fillna(False).astype(bool), "change"].isna().all()


@pytest.mark.slow
@pytest.mark.demo
def test_no_report_shows_a_withheld_figure_or_what_follows_from_it(members):
    from pmf_lib.render.format import format_value

    a = members["kpis"]
    internal = members["internal_assessed"].set_index("kpi_id")
    withheld = a[a["suppressed"].astype(bool)]
    for name, doc, text in texts(members["folder"]):
        assert "<5" not in text, name  # never a bare "<5" (reads as "under 5%")
        for img in doc.xpath("//img[@alt]"):
            assert "<5" not in img.get("alt"), name
        for r in withheld.itertuples():
            figure = format_value(internal.loc[r.kpi_id, "value"], r.unit)
            # The KPI's table rows and tiles: the wording, never the figure or its RAG.
            for row, label in [(tr, tr.find("th")) for tr in doc.xpath("//tr[th]")] + [
                (li, li.find("p")) for li in doc.xpath("//li[contains(@class,'pmf-tile ')]")
            ]:
                if label is None or (label.text or "").strip() != r.title:
                    continue
                head = " ".join(row.text_content().split())
                assert figure not in head.split(), (name, r.kpi_id, head)
                assert WORDING in head, (name, r.kpi_id, head)
                for word in ("Green", "Amber", "Red", "Improving", "Worsening"):
                    assert word not in head.split(), (name, r.kpi_id, word)
            for img in doc.xpath("//img[@alt]"):
                alt = img.get("alt")
                if alt.startswith(("SPC chart of " + r.title, "Trend chart of " + r.title)):
                    assert f"latest {figure}" not in alt, (name, r.kpi_id)


@pytest.mark.slow
@pytest.mark.demo
def test_action_lists_state_no_count_of_one_to_four(members):
    # The action table lists an area's open and overdue actions whole or not at all (one
    # "withheld" row). A listed area's open, overdue and not-overdue counts are not 1-4,
    # nor are the month's open and overdue figures, where shown, minus the rows listed; no
    # owner is named. A withheld area's page reads the wording, not "no open actions".
    t = pd.read_csv(members["folder"] / "actions.csv")
    assert set(t["state"]) <= {"open", "overdue", "withheld", "unknown"}
    assert t["owner"].isna().all()
    listed = t[t["state"].isin(["open", "overdue"])]
    for area, part in listed.groupby("area", dropna=False):
        n, o = len(part), int((part["state"] == "overdue").sum())
        assert not (small(n) or small(o) or small(n - o)), area
    at = members["internal"][members["internal"]["period_end"] == END].set_index("kpi_id")
    total = at.loc["actions_open_count", "numerator"]
    overdue = at.loc["actions_overdue_pct", "numerator"]
    shown_overdue = int((listed["state"] == "overdue").sum())
    h = members["history"]
    hidden = h[h["period_end"] == END].set_index("kpi_id")["suppressed"].astype(bool)
    if not hidden["actions_open_count"]:
        assert not small(total - len(listed))
    if not hidden["actions_overdue_pct"]:  # its numerator and denominator are shown
        assert not small(overdue - shown_overdue)
        assert not small((total - overdue) - (len(listed) - shown_overdue))
    withheld = set(t.loc[t["state"] == "withheld", "area"])
    assert "children_looked_after" in withheld  # 3 open at the end of September 2026
    page = {name: text for name, _doc, text in texts(members["folder"])}
    page = page["children_looked_after.html"]
    assert (
        "improvement actions at the end of September 2026 are not listed: a count they would "
        f"state, or let be worked out from the figures shown, is withheld ({WORDING})"
    ) in page
    assert "No open improvement actions" not in page


@pytest.mark.slow
@pytest.mark.demo
def test_lado_reports_say_referrals_not_children(members):
    for name in ("lado.html", "quarterly_lado.html", "highlight_lado.html"):
        text = " ".join(
            lxml_html.document_fromstring((members["folder"] / name).read_text())
            .text_content()
            .split()
        )
        assert "between 1 and 4 referrals" in text, name
        assert "fewer than 5 children" not in text, name


def test_validate_keeps_the_child_level_report_out_of_a_members_month_folder(tmp_path, capsys):
    # pmf validate's report and issues list child ids: for members they go to
    # outputs/internal/YYYY-MM/, and nothing of theirs reaches outputs/YYYY-MM/.
    from pmf_lib.cli import main
    from tests.validate.test_cli_validate import _setup

    config = _setup(tmp_path)
    config.write_text(config.read_text() + "audience: members\n")
    main(["validate", "--config", str(config), "--month", "2022-03"])  # exits 2: bad files
    capsys.readouterr()
    assert (tmp_path / "out" / "internal" / "2022-03" / "data_quality.html").is_file()
    assert (tmp_path / "out" / "internal" / "2022-03" / "data_quality_issues.csv").is_file()
    month = tmp_path / "out" / "2022-03"
    assert not month.exists() or not any(p.name.startswith("data_quality") for p in month.iterdir())


@pytest.mark.slow
@pytest.mark.demo
def test_voice_themes_questions_and_quotes_state_no_count_of_one_to_four(members):
    # issue 16 (helper V): the themes of complaints (compliments) add up to their total, so
    # the shown total less the shown themes may not be 1 to 4; the answers by question
    # publish no numerator or denominator; a quarter's quotes are none or more than 4.
    from pmf_lib.compute.kpis.voice import THEME_PARTITIONS

    h = members["history"]
    for total, themes in THEME_PARTITIONS.items():
        t = h[h["kpi_id"] == total].set_index(["window", "period_end"])
        parts = h[h["kpi_id"].isin(themes)]
        for key, row in t.iterrows():
            if blank(row["value"]):
                continue
            rows = parts.set_index(["window", "period_end"]).loc[[key]]
            rest = row["value"] - rows["value"].sum(skipna=True)
            assert not small(rest), (total, key, rest)
    folder = members["folder"]
    q = pd.read_parquet(folder / "voice_questions.parquet")
    assert len(q) and q["numerator"].isna().all() and q["denominator"].isna().all()
    quotes = pd.read_parquet(folder / "voice_quotes.parquet")
    assert not quotes.groupby("quarter_end").size().map(small).any()


# ---- the action lists (issue 15): an internal run's folder, never a members' one ----------
# The same members' run: its own build is captured as the batch makes it, so the child ids
# are those of the very data the run read (every child id of its CIN census, SSDA903, local
# datasets and Annex A lists). No file a members' run publishes (the month's folder and the
# outputs' index; ``internal/`` is the folder outside it that members never get) contains any
# of them. The same scan finds them in the lists an internal audience gets from the same
# build, so it can fail.
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


@pytest.mark.slow
def test_no_child_id_in_any_file_of_a_members_run(members):
    out, build = members["out"], members["build"]
    ids = child_ids(build)
    assert len(ids) > 1000 and min(len(i) for i in ids) >= 6  # ids no ordinary word matches
    published = [p for p in out.rglob("*") if p.is_file() and out / "internal" not in p.parents]
    assert len(published) > 10, published
    assert ids_in(out, ids, skip=out / "internal") == {}
    assert not list((out / MONTH).glob("action_lists*"))


@pytest.mark.slow
def test_the_same_build_gives_an_internal_audience_lists_with_child_ids(members, tmp_path):
    from pmf_lib.publish.action_lists import write_action_lists

    build, config = members["build"], members["config"]
    internal = config.model_copy(update={"audience": "internal"})
    page = write_action_lists(internal, build, tmp_path, run_id="r1")
    found = ids_in(tmp_path, child_ids(build))
    assert page is not None and page.name in found
    assert {f"action_lists_{n}.csv" for n in ("assessments", "cp_reviews")} <= set(found)
    # and a members' write into that folder removes them all
    assert write_action_lists(config, build, tmp_path) is None
    assert not list(tmp_path.glob("action_lists*"))
