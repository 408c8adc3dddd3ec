"""The service area report's breakdown tables, from a hand-made breakdown table."""

from __future__ import annotations

import pandas as pd
from lxml import html as lxml_html

from pmf_lib.config import Area, Config, Council, DataSources
from pmf_lib.render.month import MonthData
from pmf_lib.render.reports import ServiceAreaReport

END = pd.Timestamp("2026-10-31")
NAN = float("nan")


def _history() -> pd.DataFrame:
    rows = []
    for e in pd.date_range("2025-11-30", END, freq="ME"):
        rows.append(("referrals_count", e, "month", 40.0, 40.0, NAN))
        rows.append(("referrals_count", e, "rolling_12m", 480.0, 480.0, NAN))
        rows.append(("contacts_decided_1wd_pct", e, "month", 80.0, 40.0, 50.0))
        rows.append(("contacts_decided_1wd_pct", e, "rolling_12m", 80.0, 480.0, 600.0))
    cols = ["kpi_id", "period_end", "window", "value", "numerator", "denominator"]
    return pd.DataFrame(rows, columns=cols)


def _breakdowns() -> pd.DataFrame:
    """referrals_count, month, by sex: Male 30, Female 7, Not known 3 (total 40).

    Shares: 30/40 = 75.0%, 7/40 = 17.5%, 3/40 = 7.5%. For members the 3 is withheld
    and so is the smallest other group (Female 7), so 40 - 30 does not reveal it.
    The rolling 12 months row (a different window) must not be shown.
    contacts_decided_1wd_pct, month, by team: North 36 of 45 = 80.0%;
    South 4 of 5 = 80.0% (a denominator of 5 but 1 not in time: withheld for members);
    East 40 of 50 = 80.0%. For members North goes too (the smallest other denominator):
    South's 4 of 5 is the teams' 80 of 100 less North's and East's, whose counts a reader
    may have from their percentages and case numbers.
    """
    r = [
        ("referrals_count", "month", "sex", "Male", 30.0, 30.0, NAN),
        ("referrals_count", "month", "sex", "Female", 7.0, 7.0, NAN),
        ("referrals_count", "month", "sex", "Not known", 3.0, 3.0, NAN),
        ("referrals_count", "rolling_12m", "sex", "Male", 999.0, 999.0, NAN),
        ("contacts_decided_1wd_pct", "month", "team", "North", 80.0, 36.0, 45.0),
        ("contacts_decided_1wd_pct", "month", "team", "South", 80.0, 4.0, 5.0),
        ("contacts_decided_1wd_pct", "month", "team", "East", 80.0, 40.0, 50.0),
    ]
    t = pd.DataFrame(
        r, columns=["kpi_id", "window", "dimension", "group", "value", "numerator", "denominator"]
    )
    t.insert(1, "period_end", END)
    return t


def _data(audience: str, tmp_path) -> MonthData:
    config = Config(
        council=Council(code=938, name="Testshire County Council"),
        data=DataSources(ssda903="a", cin_census="b", population="p.csv"),
        areas={
            "front_door": Area(
                title="Front door", kpis=["referrals_count", "contacts_decided_1wd_pct"]
            )
        },
        audience=audience,
        base_dir=tmp_path,
    )
    d = MonthData.from_tables(config, "2026-10", _history())
    d.breakdowns = _breakdowns()
    return d


def _tables(fragment: str):
    doc = lxml_html.fragment_fromstring(fragment, create_parent="div")
    return doc.findall(".//table")


def _cells(table) -> list[list[str]]:
    return [
        [c.text_content().strip() for c in tr.findall("./th") + tr.findall("./td")]
        for tr in table.findall("./tbody/tr")
    ]


def test_internal_breakdown_tables_show_figures_and_shares(tmp_path):
    html = ServiceAreaReport(_data("internal", tmp_path), "front_door").breakdowns().data
    counts, pct = _tables(html)
    assert [th.get("scope") for th in counts.findall("./thead/tr/th")] == ["col"] * 3
    assert [th.get("scope") for th in counts.findall("./tbody/tr/th")] == ["row"] * 3
    assert counts.find("caption") is not None
    assert _cells(counts) == [
        ["Male", "30", "75.0%"],
        ["Female", "7", "17.5%"],
        ["Not known", "3", "7.5%"],
    ]
    assert "999" not in html  # the rolling 12 months is not the headline window
    # a percentage has no share column
    assert len(pct.findall("./thead/tr/th")) == 2
    assert _cells(pct) == [["North", "80.0%"], ["South", "80.0%"], ["East", "80.0%"]]


def test_members_breakdowns_withhold_small_numbers(tmp_path):
    html = ServiceAreaReport(_data("members", tmp_path), "front_door").breakdowns().data
    counts, pct = _tables(html)
    withheld = "suppressed (fewer than 5)"
    assert _cells(counts) == [
        ["Male", "30", "75.0%"],
        ["Female", withheld, withheld],
        ["Not known", withheld, withheld],
    ]
    assert _cells(pct) == [["North", withheld], ["South", withheld], ["East", "80.0%"]]


def test_no_breakdowns_says_so(tmp_path):
    d = _data("internal", tmp_path)
    d.breakdowns = None
    html = ServiceAreaReport(d, "front_door").breakdowns().data
    assert not _tables(html) and "No breakdowns" in html


def test_load_reads_breakdowns_beside_the_published_history(tmp_path):
    (tmp_path / "config.yaml").write_text(
        "council: {code: 938, name: Demo}\n"
        "data: {ssda903: x, cin_census: y, population: p.csv}\n"
        "outputs: out\n"
        "areas: {front_door: {title: Front door, kpis: [referrals_count]}}\n"
    )
    month_dir = tmp_path / "out" / "2026-10"
    month_dir.mkdir(parents=True)
    _history().to_parquet(month_dir / "kpi_history.parquet")
    # the month's other published tables, as the batch writes them
    from pmf_lib.assess.pipeline import assess_for_config, spc_for_config
    from pmf_lib.config import load_config

    config = load_config(tmp_path / "config.yaml", check_files=False)
    assess_for_config(config, _history(), "2026-10").to_parquet(month_dir / "kpis.parquet")
    spc_for_config(config, _history(), "2026-10").to_parquet(month_dir / "spc.parquet")
    d = MonthData.load(tmp_path / "config.yaml", "2026-10")
    assert d.breakdowns is None  # none published
    _breakdowns().to_parquet(month_dir / "breakdowns.parquet")
    d = MonthData.load(tmp_path / "config.yaml", "2026-10")
    # Male 30 of 40 referrals in the month (see _breakdowns)
    assert ["Male", "30", "75.0%"] in _cells(
        _tables(ServiceAreaReport(d, "front_door").breakdowns().data)[0]
    )
