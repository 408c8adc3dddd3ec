"""The reports' improvement action lists agree with the published action KPIs.

The batch publishes each action's state (``actions.parquet``, made by
``assess.actions`` with the computation behind ``actions_open_count``:
``compute.kpis.improvement_actions.action_states``) and ``MonthData.actions``
lists what it says, so "Improvement actions open: N" and the list of open
actions beneath it can never disagree.
"""

from __future__ import annotations

import pandas as pd

from pmf_lib.compute.engine import compute_kpi_table
from pmf_lib.compute.registry import KpiInputs
from pmf_lib.config import Area, Config, Council, DataSources, LocalSources
from pmf_lib.read.local import concat_tables, read_local
from pmf_lib.read.tables import CinCensus
from pmf_lib.render.month import MonthData

HEAD = "Action ID,KPI,Area,Action,Owner,Date created,Due date,Date completed,Status\n"
LOG = HEAD + (
    # open all along from January: due 1 March, so overdue at the end of March
    "A1,referrals_count,front_door,Check referrals,Lead,2026-01-10,2026-03-01,,overdue\n"
    # open in March (due later), completed in May: "open then" in March's report
    "A2,cla_count,children_looked_after,Review,Lead,2026-02-01,2026-06-30,2026-05-02,complete\n"
    # created after March: not in March's list
    "A3,cla_count,children_looked_after,Panel,Lead,2026-04-02,2026-09-30,,in_progress\n"
    # completed in February: not open at the end of March
    "A4,referrals_count,front_door,Audit,Lead,2025-12-01,2026-02-27,2026-02-20,complete\n"
)


def _month(tmp_path, log: str, month: str, extract: str, audience: str = "internal") -> MonthData:
    path = tmp_path / "improvement_actions.csv"
    path.write_text(log)
    config = Config(
        audience=audience,
        council=Council(code=938, name="Testshire County Council"),
        data=DataSources(
            ssda903="a",
            cin_census="b",
            population="p.csv",
            local=LocalSources(improvement_actions=[str(path)]),
        ),
        areas={
            "improvement_actions": Area(
                title="Improvement actions", kpis=["actions_open_count", "actions_overdue_pct"]
            ),
            "front_door": Area(title="Front door", kpis=["referrals_count"]),
            "children_looked_after": Area(title="Children looked after", kpis=["cla_count"]),
            "protection": Area(title="Protection", kpis=["s47_count"]),
        },
        base_dir=tmp_path,
    )
    cin = CinCensus()  # the national extract says which month the log's status describes
    cin.returns = pd.DataFrame({"reference_date": [pd.Timestamp(extract)]})
    frame = concat_tables(read_local("improvement_actions", [path]))
    inputs = KpiInputs(cin=cin, local={"improvement_actions": frame})
    ends = pd.date_range("2025-11-30", pd.Timestamp(extract), freq="ME")
    history = compute_kpi_table(inputs, ends)
    return MonthData.from_tables(config, month, history)


def _figure(d: MonthData, kpi_id: str) -> float:
    h = d.history_full
    return h.loc[(h["kpi_id"] == kpi_id) & (h["period_end"] == d.period_end), "value"].iloc[0]


def test_the_list_counts_what_the_figure_counts(tmp_path):
    d = _month(tmp_path, LOG, "2026-03", extract="2026-10-31")
    a = d.actions("improvement_actions")
    # at 31 March 2026: A1 (overdue) and A2 (open, completed only in May) -> 2 open
    assert _figure(d, "actions_open_count") == 2
    assert [r["id"] for r in a["overdue"]] == ["A1"] and [r["id"] for r in a["open"]] == ["A2"]
    assert len(a["open"]) + len(a["overdue"]) == _figure(d, "actions_open_count")
    # A2's status is given as it stood then, not as "Complete"
    assert a["open"][0]["status"].startswith("Open then; complete")
    # another area lists only its own actions
    assert [r["id"] for r in d.actions("front_door")["overdue"]] == ["A1"]
    assert d.actions("front_door")["open"] == []


def test_no_open_actions_only_when_the_figure_is_zero(tmp_path):
    d = _month(tmp_path, LOG, "2025-11", extract="2026-10-31")
    # at 30 November 2025 nothing had been created yet: figure 0 and the "no open" sentence
    assert _figure(d, "actions_open_count") == 0
    html = str(d.actions_block("improvement_actions").data)
    assert "No open improvement actions at the end of November 2025" in html


def test_a_log_without_history_is_not_listed_for_past_months(tmp_path):
    old = "Action ID,KPI,Area,Action,Owner,Due date,Status\n"
    old += "A1,referrals_count,front_door,Check,Lead,2026-03-01,overdue\n"
    past = _month(tmp_path, old, "2026-03", extract="2026-10-31")
    # the figure is missing for March, and the page says why instead of listing A1
    assert pd.isna(_figure(past, "actions_open_count"))
    assert past.actions("improvement_actions")["unknown"]
    html = str(past.actions_block("improvement_actions").data)
    assert "cannot be told" in html and "A1" not in html
    # October 2026 is the month the status describes: figure 1, A1 listed as overdue
    now = _month(tmp_path, old, "2026-10", extract="2026-10-31")
    assert _figure(now, "actions_open_count") == 1
    assert [r["id"] for r in now.actions("improvement_actions")["overdue"]] == ["A1"]


def test_the_published_table_gives_the_same_lists(tmp_path):
    # As the batch publishes the month (pmf_lib.assess.actions) and a notebook loads it
    import yaml

    from pmf_lib.assess.actions import actions_for_config

    d = _month(tmp_path, LOG, "2026-03", extract="2026-10-31")
    folder = tmp_path / "out" / "2026-03"
    folder.mkdir(parents=True)
    d.history_full.to_parquet(folder / "kpi_history.parquet")
    d.assessed.reset_index(drop=True).to_parquet(folder / "kpis.parquet")
    d.spc.to_parquet(folder / "spc.parquet")
    actions_for_config(d.config, d.history_full, "2026-03").to_parquet(folder / "actions.parquet")
    (tmp_path / "config.yaml").write_text(
        yaml.safe_dump(
            {
                "council": {"code": 938, "name": "Testshire County Council"},
                "data": {
                    "ssda903": "a",
                    "cin_census": "b",
                    "population": "p.csv",
                    "local": {"improvement_actions": str(tmp_path / "improvement_actions.csv")},
                },
                "outputs": "out",
                "areas": {a: {"title": x.title, "kpis": x.kpis} for a, x in d.config.areas.items()},
            }
        )
    )
    (tmp_path / "improvement_actions.csv").unlink()  # the raw log is not read again
    loaded = MonthData.load(tmp_path / "config.yaml", "2026-03")
    a = loaded.actions("improvement_actions")
    # at 31 March 2026: A1 overdue, A2 open (see LOG), as the figure counts: 2
    assert [r["id"] for r in a["overdue"]] == ["A1"] and [r["id"] for r in a["open"]] == ["A2"]
    assert len(a["open"]) + len(a["overdue"]) == _figure(loaded, "actions_open_count") == 2


def _open_log(**areas: int) -> str:
    """A log of actions open all along (created January, due December 2026), per area."""
    rows = [
        f"{area[0].upper()}{i},referrals_count,{area},Do {area} {i},Lead {area},"
        "2026-01-10,2026-12-01,,in_progress\n"
        for area, n in areas.items()
        for i in range(1, n + 1)
    ]
    return HEAD + "".join(rows)


def _pages(d: MonthData) -> dict:
    """Each area page's actions block, as text."""
    import re

    return {
        a: " ".join(re.sub("<[^>]+>", " ", str(d.actions_block(a).data)).split())
        for a in d.config.areas
    }


WORDING = "suppressed (fewer than 5)"


def test_members_see_no_list_that_counts_one_to_four(tmp_path):
    # At 31 March 2026: 3 open in front door (F1-F3), 7 in children looked after (C1-C7),
    # none overdue. "Improvement actions open" is 10 (shown: not 1-4). Front door's list
    # would say 3: withheld. Children looked after's 7 is not small, but the improvement
    # actions page listing them beside the figure 10 would state front door's 3 (10 - 7):
    # withheld too. So no page lists an action: each says the wording, none "no open
    # actions" (protection has none: that page says so, 0 identifying nobody).
    log = _open_log(front_door=3, children_looked_after=7)
    d = _month(tmp_path, log, "2026-03", extract="2026-10-31", audience="members")
    assert d.history.loc[d.history["kpi_id"] == "actions_open_count"].iloc[-1]["value"] == 10
    pages = _pages(d)
    for area in ("improvement_actions", "front_door", "children_looked_after"):
        assert WORDING in pages[area] and "No open" not in pages[area], area
        assert not any(f"{x}{i}" in pages[area] for x in "FC" for i in range(1, 8)), area
    assert "No open improvement actions" in pages["protection"]
    # internal: every list as before (10 on the actions page, 3 on front door's)
    internal = _month(tmp_path, log, "2026-03", extract="2026-10-31")
    assert len(internal.actions("improvement_actions")["open"]) == 10
    assert [r["id"] for r in internal.actions("front_door")["open"]] == ["F1", "F2", "F3"]
    assert "Lead front_door" in _pages(internal)["front_door"]  # owners named internally


def test_members_see_an_area_listed_when_nothing_can_be_subtracted(tmp_path):
    # As above with 12 open in protection (P1-P12): 22 open. Front door (3) and children
    # looked after (7) are withheld as above, adding up to 10. Protection's page lists its
    # 12; the improvement actions page lists the same 12 and names the two areas not
    # listed: 22 - 12 = 10 is the two together, and neither's count is shown anywhere.
    log = _open_log(front_door=3, children_looked_after=7, protection=12)
    d = _month(tmp_path, log, "2026-03", extract="2026-10-31", audience="members")
    a = d.actions("improvement_actions")
    assert sorted(r["id"] for r in a["open"]) == sorted(f"P{i}" for i in range(1, 13))
    assert a["withheld_areas"] == ["Children looked after", "Front door"]
    pages = _pages(d)
    assert (
        "Not listed: the open and overdue actions of Children looked after, Front door"
        in (pages["improvement_actions"])
    )
    listed = sorted(r["id"] for r in d.actions("protection")["open"])
    assert listed == sorted(f"P{i}" for i in range(1, 13))
    for area in ("front_door", "children_looked_after"):
        assert WORDING in pages[area] and "No open" not in pages[area], area
    # no owner is named (each owner's handful of actions is withheld in the breakdowns)
    assert "Owner" not in pages["protection"] and "Lead protection" not in pages["protection"]


def test_members_withheld_open_figure_withholds_the_list_as_published(tmp_path):
    # 3 open in all, in front door: the figure itself is withheld (suppressed in the
    # published history), and the table made from that history withholds the list
    import yaml

    from pmf_lib.assess.actions import actions_for_config

    d = _month(tmp_path, _open_log(front_door=3), "2026-03", "2026-10-31", audience="members")
    h = d.history_full
    at = h[(h["kpi_id"] == "actions_open_count") & (h["period_end"] == d.period_end)]
    assert at["suppressed"].all() and at["value"].isna().all()
    folder = tmp_path / "out" / "2026-03"
    folder.mkdir(parents=True)
    h.to_parquet(folder / "kpi_history.parquet")
    d.assessed.reset_index(drop=True).to_parquet(folder / "kpis.parquet")
    d.spc.to_parquet(folder / "spc.parquet")
    table = actions_for_config(d.config, h, "2026-03")
    assert table["state"].tolist() == ["withheld"] and table["action_id"].isna().all()
    table.to_parquet(folder / "actions.parquet")
    raw = d.config.model_dump(mode="json", include={"council", "audience"})
    raw |= {
        "data": {
            "ssda903": "a",
            "cin_census": "b",
            "population": "p.csv",
            "local": {"improvement_actions": str(tmp_path / "improvement_actions.csv")},
        },
        "outputs": "out",
        "areas": {a: {"title": x.title, "kpis": x.kpis} for a, x in d.config.areas.items()},
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(raw))
    loaded = MonthData.load(tmp_path / "config.yaml", "2026-03")
    for area in ("improvement_actions", "front_door"):
        text = _pages(loaded)[area]
        assert WORDING in text and "F1" not in text and "No open" not in text, area
