"""How withheld figures show in members' reports: the configured wording, never a bare "<5",
and nothing derived from them (the rules themselves: tests/assess/test_disclosure.py)."""

from __future__ import annotations

import math

import pandas as pd

from pmf_lib.render.suppress import (
    SUPPRESSED,
    row_is_suppressed,
    suppress_breakdown,
    suppress_kpi_table,
)


def test_counts_one_to_four_are_withheld_zero_and_five_are_not():
    assert [row_is_suppressed(n, None, "count") for n in (0, 1, 4, 5)] == [
        False,
        True,
        True,
        False,
    ]


def test_percentages_withheld_on_small_numerator_denominator_or_complement():
    # 3 of 50: numerator small. 30 of 4 cannot happen; 2 of 3: denominator small.
    # 47 of 50 = 94%: the 3 children not counted would be revealed (50 - 47 = 3).
    # 45 of 50: complement 5, shown.
    assert row_is_suppressed(3, 50, "percent")
    assert row_is_suppressed(2, 3, "percent")
    assert row_is_suppressed(47, 50, "percent")
    assert not row_is_suppressed(45, 50, "percent")
    assert not row_is_suppressed(0, 50, "percent")


def test_averages_check_only_their_denominator():
    # 3 closures averaging 40 days (sum 120): the 3 children could be identified.
    assert row_is_suppressed(120, 3, "days")
    # 2 days in total over 30 closures: 2 is days, not children.
    assert not row_is_suppressed(2, 30, "days")


def test_rate_on_three_children_is_withheld():
    # 3 children per 20,000 = 1.5 per 10k.
    t = pd.DataFrame(
        {
            "kpi_id": ["r", "r"],
            "value": [1.5, 10.0],
            "numerator": [3.0, 20.0],
            "denominator": [20_000.0, 20_000.0],
        }
    )
    s = suppress_kpi_table(t, {"r": "rate_10k"})
    assert math.isnan(s["value"].iloc[0]) and math.isnan(s["numerator"].iloc[0])
    assert s["value"].iloc[1] == 10.0
    assert s["suppressed"].tolist() == [True, False]


def test_breakdown_secondary_suppression():
    # Girls 3 is withheld; with the total of 40 shown, boys 37 would reveal it, so the
    # smallest other non-zero group (unknown, 6) is withheld too... here boys=31, unknown=6.
    shown = suppress_breakdown({"Boys": 31, "Girls": 3, "Unknown": 6})
    assert shown == {"Boys": "31", "Girls": SUPPRESSED, "Unknown": SUPPRESSED}
    # Two groups withheld already: nothing more to hide.
    # Two groups withheld, but 2 + 1 = 3 would be 33 - 30: the 30 goes too.
    assert suppress_breakdown({"a": 2, "b": 1, "c": 30}) == {
        "a": SUPPRESSED,
        "b": SUPPRESSED,
        "c": SUPPRESSED,
    }
    # 2 + 4 = 6 withheld: the rest can be shown.
    assert suppress_breakdown({"a": 2, "b": 4, "c": 30})["c"] == "30"
    # No group withheld: nothing changes.
    assert suppress_breakdown({"a": 0, "b": 12}) == {"a": "0", "b": "12"}


# ---- members' reports built from hand-made tables ----------------------------------
ENDS = pd.date_range("2024-11-30", "2026-10-31", freq="ME")


def _history() -> pd.DataFrame:
    """rereferrals_12m_pct: 5 of 20 (25%) a month; October 3 of 13 = 23.1% (numerator 3:
    withheld). referrals_count: 20 a month, 13 in October (shown: the denominator of the
    withheld percentage, which on its own does not give it away once the RAG, direction
    and quartile are gone). lado_open_over_3m_count: 6 at each month end, 2 in October
    (withheld). Both windows carry the same figures, so the headline window does not matter."""
    rows = []
    for e in ENDS:
        last = e == ENDS[-1]
        num, den = (3.0, 13.0) if last else (5.0, 20.0)
        for w in ("month", "rolling_12m"):
            rows.append(("rereferrals_12m_pct", e, w, 100 * num / den, num, den))
            rows.append(("referrals_count", e, w, den, den, float("nan")))
        lado = 2.0 if last else 6.0
        rows.append(("lado_open_over_3m_count", e, "snapshot", lado, lado, float("nan")))
    cols = ["kpi_id", "period_end", "window", "value", "numerator", "denominator"]
    return pd.DataFrame(rows, columns=cols)


def _month(tmp_path, audience="members", **suppression):
    from pmf_lib.assess.pipeline import assess_for_config
    from pmf_lib.config import Area, Config, Council, DataSources
    from pmf_lib.render.month import MonthData

    config = Config(
        council=Council(code=938, name="Testshire County Council"),
        data=DataSources(ssda903="a", cin_census="b", population="p.csv"),
        areas={
            "front_door": Area(title="Front door", kpis=["referrals_count", "rereferrals_12m_pct"]),
            "lado": Area(title="LADO", kpis=["lado_open_over_3m_count"]),
        },
        audience=audience,
        base_dir=tmp_path,
        suppression=suppression or {},
    )
    h = _history()
    a = assess_for_config(config, h, "2026-10")
    # As the probe found it: Amber against a 22.0% target, worsening, quartile C.
    pct = a["kpi_id"] == "rereferrals_12m_pct"
    a.loc[pct, ["target", "amber_tolerance"]] = [22.0, 2.0]
    a.loc[pct, ["rag", "previous_label", "previous_symbol", "quartile"]] = [
        "Amber",
        "Worsening",
        "↑",
        "C",
    ]
    return MonthData.from_tables(config, "2026-10", h, a)


def _text(html: str) -> str:
    from lxml import html as lxml_html

    doc = lxml_html.fragment_fromstring(html, create_parent="div")
    return " ".join(doc.text_content().split())


def test_members_tile_of_a_withheld_percentage_shows_nothing_derived(tmp_path):
    # Internal: "23.1% · Amber target 22.0% · ↑ Worsening". Members: the wording, the target
    # and "Withheld" for the rating and direction; no Amber, Worsening, quartile or 23.1.
    d = _month(tmp_path)
    tiles = _text(d.tiles(["rereferrals_12m_pct", "referrals_count"]).data)
    assert "suppressed (fewer than 5)" in tiles and "target 22.0%" in tiles
    for leak in ("23.1", "Amber", "Worsening", "<5", "↑"):
        assert leak not in tiles, leak
    assert "13" in tiles  # the referrals count itself is shown
    row = _text(d.kpi_table(["rereferrals_12m_pct"], "t").data)
    for leak in ("23.1", "Amber", "Worsening", " C ", "<5"):
        assert leak not in f" {row} ", leak
    assert row.count("Withheld") >= 5  # RAG, direction, variation, assurance, quartile
    internal = _text(_month(tmp_path, "internal").tiles(["rereferrals_12m_pct"]).data)
    assert "23.1%" in internal and "Amber" in internal


def test_withheld_figures_are_in_no_list_sentence_or_chart(tmp_path):
    d = _month(tmp_path)
    reds, exceptions, good = d.flagged()
    flagged = {f["kpi_id"] for f in reds + exceptions + good}
    assert "rereferrals_12m_pct" not in flagged and "lado_open_over_3m_count" not in flagged
    facts = d.kpi_facts("lado_open_over_3m_count")
    assert facts["sentence"].endswith("fewer than 5 referrals.")  # LADO: not "children"
    chart = d.chart("lado_open_over_3m_count")
    assert chart is not None and "latest 2" not in chart.alt


def test_the_note_names_what_the_areas_count_and_the_configured_threshold(tmp_path):
    d = _month(tmp_path, max_count=5, wording="not shown (fewer than 6)")
    title = _text(d.title_block("LADO", "Quarter", areas=["lado"]).data)
    assert "between 1 and 5 referrals" in title and "children" not in title
    assert "“not shown (fewer than 6)”" in title
    # 5 of 20 re-referrals each earlier month is now withheld too (a count of 5).
    assert d.history.loc[d.history["kpi_id"] == "rereferrals_12m_pct", "suppressed"].all()
    assert "not shown (fewer than 6)" in _text(d.tiles(["lado_open_over_3m_count"]).data)
