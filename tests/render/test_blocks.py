"""The HTML blocks format what the published tables say, on tiny hand-built tables."""

from __future__ import annotations

import pandas as pd
from lxml import html as lxml_html

from pmf_lib.assess.pipeline import configured_kpis
from pmf_lib.config import Area, Config, Council, DataSources, LocalSources
from pmf_lib.render import blocks
from pmf_lib.render.month import MonthData
from pmf_lib.render.month_data import MonthTables
from pmf_lib.render.suppress import WITHHELD, Disclosure

END = pd.Timestamp("2026-10-31")
NAN = float("nan")
PCT = "contacts_decided_1wd_pct"  # a percentage, higher is better (front door)
WITHHELD_TEXT = "suppressed (fewer than 5)"  # the default wording


def _config(audience="internal", log=("actions.csv",)) -> Config:
    return Config(
        council=Council(code=938, name="Testshire"),
        data=DataSources(
            ssda903="a",
            cin_census="b",
            population="p.csv",
            local=LocalSources(improvement_actions=list(log)),
        ),
        areas={
            "front_door": Area(title="Front door", kpis=["referrals_count", PCT]),
            "improvement_actions": Area(title="Actions", kpis=["actions_open_count"]),
        },
        audience=audience,
    )


def _assessed() -> pd.DataFrame:
    """Referrals 40 (no target); contacts 62.5% against 85.0%: Red, worsening, concern;
    actions open withheld (3, for members)."""
    return pd.DataFrame(
        {
            "kpi_id": ["referrals_count", PCT, "actions_open_count"],
            "window": ["month", "month", "snapshot"],
            "value": [40.0, 62.5, NAN],
            "target": [NAN, 85.0, NAN],
            "rag": ["No target", "Red", "Green"],
            "previous_label": ["No change", "Worsening", "Improving"],
            "previous_change": [0.0, -2.5, -1.0],
            "variation": ["common cause", "special cause concern", "common cause"],
            "england": [NAN, 75.0, NAN],
            "exception": [False, True, True],
            "exception_flags": ["", "red; special_cause_concern", "red"],
            "good_practice": [True, False, False],
            "sentence": ["Referrals: 40.", "Contacts: 62.5%.", ""],
            "suppressed": [False, False, True],
        }
    ).set_index("kpi_id", drop=False)


def _actions() -> pd.DataFrame:
    """A1 overdue (status overdue); A2 open at the month end, completed since (2 May 2027)."""
    return pd.DataFrame(
        {
            "period_end": END,
            "action_id": ["A1", "A2"],
            "kpi_id": [PCT, "not_a_kpi"],
            "area": ["front_door", "front_door"],
            "action": ["Check <contacts>", "Audit"],
            "owner": ["Lead", "Manager"],
            "due_date": pd.to_datetime(["2026-08-01", "2026-12-01"]),
            "completed_date": pd.to_datetime([None, "2027-05-02"]),
            "status": ["overdue", "complete"],
            "state": ["overdue", "open"],
            "closed_since": [False, True],
        }
    )


def _data(audience="internal", **fields) -> MonthTables:
    config = fields.pop("config", None) or _config(audience)
    history = pd.DataFrame(
        {"kpi_id": [PCT], "period_end": [END], "window": ["month"], "value": [62.5]}
    ).assign(suppressed=False)
    base = dict(
        config=config,
        period_end=END,
        history_full=history,
        history=history,
        assessed=_assessed(),
        metas=configured_kpis(config),
        actions_table=_actions(),
        rules=Disclosure.from_config(config),
    )
    return MonthTables(**{**base, **fields})


def _text(fragment) -> str:
    return lxml_html.fragment_fromstring(fragment.data, create_parent="div").text_content()


def test_kpi_facts_formats_the_assessed_row():
    f = blocks.kpi_facts(_data(), PCT)
    # 62.5 and its target 85 as percentages; the RAG and direction as assessed
    assert (f["value"], f["target"], f["rag"], f["rag_class"]) == ("62.5%", "85.0%", "Red", "red")
    assert (f["travel"], f["travel_class"], f["travel_change"]) == (
        "Worsening",
        "worsening",
        "-2.5 pp",
    )
    assert f["variation"]["cls"] == "concern" and f["england"] == "75.0%"
    assert f["region"] == "–"  # no region figure
    assert f["flags"] == ["Red against target", "Special cause concern"]
    assert f["window"] == "in October 2026"
    assert blocks.kpi_facts(_data(), "referrals_count")["rag_class"] == "no-target"


def test_a_withheld_row_shows_the_wording_and_nothing_it_would_reveal():
    f = blocks.kpi_facts(_data("members"), "actions_open_count")
    assert f["value"] == "suppressed (fewer than 5)"
    assert f["rag"] == f["travel"] == f["quartile"] == WITHHELD
    assert f["flags"] == [] and not f["exception"]  # its exception flag is not shown either


def test_flagged_sorts_the_assessed_flags():
    reds, exceptions, good = blocks.flagged(_data("members"))
    # Red: contacts; exceptions: contacts (the withheld actions row shows none); good: referrals
    assert [f["kpi_id"] for f in reds] == [PCT]
    assert [f["kpi_id"] for f in exceptions] == [PCT]
    assert [(f["kpi_id"], f["area_title"]) for f in good] == [("referrals_count", "Front door")]


def test_actions_as_they_stood_at_the_month_end():
    a = blocks.actions(_data(), "front_door")
    assert a["month"] == "October 2026" and a["configured"] and not a["unknown"]
    (overdue,) = a["overdue"]
    assert overdue == {
        "id": "A1",
        "kpi": "Contact decisions within 1 working day",  # the KPI's title
        "action": "Check <contacts>",
        "owner": "Lead",
        "due": "1 August 2026",
        "status": "Overdue",
    }
    (open_,) = a["open"]
    # open at 31 October, complete since: said so, with the date; an unknown KPI id as given
    assert open_["status"] == "Open then; complete 2 May 2027" and open_["kpi"] == "not_a_kpi"
    html = blocks.actions_block(_data(), "front_door").data
    assert "Check &lt;contacts&gt;" in html  # escaped


def test_actions_block_says_why_nothing_is_listed():
    unknown = _data(actions_table=_actions().assign(state="unknown"))
    assert "cannot be told" in _text(blocks.actions_block(unknown, "front_door"))
    closed = _data(actions_table=_actions().assign(state="complete"))
    assert "No open improvement actions at the end of October 2026" in _text(
        blocks.actions_block(closed, "front_door")
    )
    none = _data(config=_config(log=()), actions_table=None)
    assert "No improvement actions log is configured" in _text(
        blocks.actions_block(none, "front_door")
    )


def test_breakdown_rows_shares_and_withheld_cells():
    part = pd.DataFrame({"group": ["Male", "Female", "Not known"], "value": [30.0, 7.0, 3.0]})
    rows = blocks.breakdown_rows(
        _data(), "count", ["Male", "Female", "Not known"], [30, 7, 3], part
    )
    # of 40: 30 -> 75.0%, 7 -> 17.5%, 3 -> 7.5%
    assert [(r["figure"], r["share"]) for r in rows] == [
        ("30", "75.0%"),
        ("7", "17.5%"),
        ("3", "7.5%"),
    ]
    hidden = part.assign(suppressed=[False, True, True])
    rows = blocks.breakdown_rows(_data("members"), "count", ["M", "F", "N"], [30, 7, 3], hidden)
    assert rows[2] == {"group": "N", "figure": WITHHELD_TEXT, "share": WITHHELD_TEXT}
    # a percentage has no share column
    pct = blocks.breakdown_rows(_data(), "percent", ["North"], [80.0], part.head(1))
    assert pct == [{"group": "North", "figure": "80.0%", "share": ""}]


def test_area_breakdown_groups_read_the_areas_titles():
    # The actions log names each action's area by its id; a councillor reads the title
    # ("Front door"), and a group that is no configured area keeps its own name.
    b = pd.DataFrame(
        {
            "kpi_id": "actions_open_count",
            "period_end": END,
            "window": "snapshot",
            "dimension": "area",
            "group": ["front_door", "Not known"],
            "value": [6.0, 0.0],
            "numerator": [6.0, 0.0],
            "denominator": NAN,
        }
    )
    (item,) = blocks.breakdown_items(_data(breakdowns=b), ["actions_open_count"])
    assert [r["group"] for r in item["tables"][0]["rows"]] == ["Front door", "Not known"]


def test_a_breakdown_with_every_group_withheld_is_one_sentence():
    # For members, a table whose every cell reads the wording (and a chart of nothing
    # but "withheld" bars) tells a councillor nothing: one sentence says so instead.
    b = pd.DataFrame(
        {
            "kpi_id": "actions_open_count",
            "period_end": END,
            "window": "snapshot",
            "dimension": "area",
            "group": ["front_door", "Not known"],
            "value": [NAN, NAN],
            "suppressed": [True, True],
        }
    )
    data = _data("members", breakdowns=b)
    (item,) = blocks.breakdown_items(data, ["actions_open_count"])
    (table,) = item["tables"]
    assert "rows" not in table and "every group's figure is withheld" in table["withheld_all"]
    html = blocks.breakdowns_block(data, ["actions_open_count"]).data
    assert "<table" not in html and WITHHELD_TEXT in html


def _spc(n: int, **cols) -> pd.DataFrame:
    ends = pd.date_range(end=END, periods=n, freq="ME")
    t = pd.DataFrame(
        {
            "kpi_id": PCT,
            "period_end": ends,
            "window": "month",
            "value": 80.0,
            "chart": "spc",
            "upper": 90.0,
            "trial": False,
            "segment": 0,
            "segment_start": ends[0],
            "note": None,
        }
    )
    return t.assign(**cols)


def test_chart_caption_reads_the_spc_table():
    d = _data(spc=_spc(20))
    text = blocks.chart_caption(d, PCT)
    assert text.startswith("Percentage, in October 2026.") and text.endswith("Higher is better.")
    assert "Trial" not in text and "recalculated" not in text
    # eight points: trial limits
    assert "Trial limits: fewer than 12 points" in blocks.chart_caption(
        _data(spc=_spc(8, trial=True)), PCT
    )
    # a second segment from April 2026
    two = _spc(20)
    two.loc[two["period_end"] >= "2026-04-30", ["segment", "segment_start"]] = (
        1,
        pd.Timestamp("2026-04-30"),
    )
    assert "Limits recalculated from Apr 2026." in blocks.chart_caption(_data(spc=two), PCT)
    trend = _spc(5, chart="trend", note="fewer than 12 points")
    assert "A trend line only, no SPC (fewer than 12 points)." in blocks.chart_caption(
        _data(spc=trend), PCT
    )
    # Limits withheld for members: the points keep their SPC readings (a special-cause
    # point is still marked and the row's variation stands), so the caption must not say
    # "no SPC" beside them, only that the mean and limits are not shown.
    from pmf_lib.assess.spc_table import NOTE_WITHHELD

    withheld = blocks.chart_caption(_data(spc=_spc(20, chart="trend", note=NOTE_WITHHELD)), PCT)
    assert "no SPC" not in withheld
    assert "The SPC mean and process limits are not shown" in withheld
    assert "readings of the points shown stand" in withheld


def test_suppressed_note_names_what_the_figures_count():
    note = blocks.suppressed_note(_data("members"), kpi_ids=[PCT])
    assert note.startswith("“suppressed (fewer than 5)” means") and "children" in note


def test_the_facade_hands_over_to_the_blocks():
    d = _data()
    m = MonthData(**{f: getattr(d, f) for f in d.__dataclass_fields__})
    assert m.tiles([PCT]).data == blocks.tiles(d, [PCT]).data
    assert m.actions("front_door") == blocks.actions(d, "front_door")
    assert m.chart_caption(PCT) == blocks.chart_caption(d, PCT)


def test_withheld_actions_are_not_said_to_number_fewer_than_five():
    # Members: front door's open and overdue actions are withheld (one row of state
    # "withheld"). The reason may be the overdue count alone (the demo: 11 open shown,
    # 2 overdue), so the page must not state that the open and overdue actions together
    # are "suppressed (fewer than 5)"; it says they are not listed and why.
    table = (
        _actions()
        .iloc[:1]
        .assign(action_id=None, kpi_id=None, action=None, owner=None, state="withheld")
    )
    text = _text(blocks.actions_block(_data("members", actions_table=table), "front_door"))
    assert "October 2026: " + WITHHELD_TEXT not in text
    assert "at the end of October 2026 are not listed" in text
    assert f"is withheld ({WITHHELD_TEXT})" in text and "No open" not in text


def test_areas_not_listed_are_not_said_to_number_fewer_than_five():
    # The actions page lists front door's A1 and withholds children looked after's lists:
    # perhaps 7 actions, withheld only because the figure minus the listed ones would give
    # another area's 1-4. The wording goes with the reason, not beside the area's name.
    withheld = (
        _actions()
        .iloc[:1]
        .assign(action_id=None, kpi_id=None, action=None, owner=None, area="cla", state="withheld")
    )
    table = pd.concat([_actions().iloc[:1], withheld], ignore_index=True)
    text = _text(blocks.actions_block(_data("members", actions_table=table), "improvement_actions"))
    assert "Check <contacts>" in text  # A1 listed
    assert f"actions of cla ({WITHHELD_TEXT})" not in text
    assert f"actions of cla, so that no count withheld ({WITHHELD_TEXT})" in text


def test_a_series_withheld_throughout_is_not_said_to_have_no_figures():
    # Members: "actions open" is withheld at October (3) and missing in September (no
    # log yet), so no point is shown. There are figures, withheld: the chart's place must
    # say so, not "No figures to chart yet" (which reads as if nothing had been counted;
    # the demo's members' edition said it of improvement actions overdue).
    ends = pd.to_datetime(["2026-09-30", "2026-10-31"])
    key = {"kpi_id": "actions_open_count", "window": "snapshot", "period_end": ends}
    history = pd.DataFrame({**key, "value": NAN, "suppressed": [False, True]})
    spc = pd.DataFrame({**key, "chart": "trend", "value": NAN, "mean": NAN, "note": None})
    d = _data("members", history=history, history_full=history, spc=spc)
    text = _text(blocks.charts(d, ["actions_open_count"]))
    assert "No figures to chart yet" not in text
    assert f"Not charted: its figures are withheld ({WITHHELD_TEXT})" in text
    # nothing withheld, nothing counted: the page still says there is nothing yet
    none = history.assign(suppressed=False)
    empty = _data("members", history=none, history_full=none, spc=spc)
    assert "No figures to chart yet" in _text(blocks.charts(empty, ["actions_open_count"]))
