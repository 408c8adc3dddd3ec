"""The config's scorecards: section (pmf_lib.config.Scorecard): each mistake one line naming
the file and the key."""

from __future__ import annotations

import pytest

from pmf_lib.config import load_config
from pmf_lib.errors import PmfError

BASE = (
    "council: {code: 938, name: Demo}\n"
    "data: {ssda903: a, cin_census: b, population: p.csv}\n"
    "areas:\n"
    "  front_door: {title: Front door, kpis: [referrals_count, rereferrals_12m_pct]}\n"
)


def _load(tmp_path, scorecards: str):
    p = tmp_path / "config.yaml"
    p.write_text(BASE + "scorecards:\n" + scorecards, encoding="utf-8")
    return load_config(p, check_files=False)


def _error(tmp_path, scorecards: str) -> PmfError:
    with pytest.raises(PmfError) as e:
        _load(tmp_path, scorecards)
    assert e.value.file.endswith("config.yaml")
    return e.value


def test_a_scorecard_with_groups_and_the_default_quarters(tmp_path):
    c = _load(
        tmp_path,
        "  balanced:\n"
        "    title: Quarterly balanced scorecard\n"
        "    meeting: Cabinet, quarterly\n"
        "    groups:\n"
        "      - {heading: Demand, kpis: [referrals_count]}\n"
        "      - {heading: Quality, kpis: [rereferrals_12m_pct]}\n",
    )
    card = c.scorecards["balanced"]
    assert card.quarters == 5
    assert card.sections() == [
        ("Demand", ["referrals_count"]),
        ("Quality", ["rereferrals_12m_pct"]),
    ]


def test_no_scorecards_is_allowed():
    from pmf_lib.config import Config

    assert Config.model_fields["scorecards"].default == {}


@pytest.mark.parametrize(
    ("section", "field", "words"),
    [
        # A misspelt KPI id (in no configured area, nor in pmf_lib): named with its scorecard.
        ("  dlt: {title: T, meeting: DLT, kpis: [referrals_cont]}\n", "scorecards",
         "scorecard dlt: KPI(s) 'referrals_cont' not in any configured area"),
        # A real KPI that no area shows.
        ("  dlt: {title: T, meeting: DLT, kpis: [cla_count]}\n", "scorecards", "'cla_count'"),
        # An unknown key, named in full.
        ("  dlt: {title: T, meeting: DLT, kpis: [referrals_count], colour: red}\n",
         "scorecards.dlt.colour", "unknown key"),
        ("  dlt: {title: T, meeting: DLT,\n"
         "        groups: [{heading: A, kpis: [referrals_count], note: x}]}\n",
         "scorecards.dlt.groups.0.note", "unknown key"),
        # Neither kpis nor groups, or both.
        ("  dlt: {title: T, meeting: DLT}\n", "scorecards.dlt", "give either kpis"),
        ("  dlt: {title: T, meeting: DLT, kpis: [referrals_count],\n"
         "        groups: [{heading: A, kpis: [referrals_count]}]}\n", "scorecards.dlt",
         "give either kpis"),
        # A KPI twice in one scorecard.
        ("  dlt: {title: T, meeting: DLT, groups: [{heading: A, kpis: [referrals_count]},\n"
         "        {heading: B, kpis: [referrals_count]}]}\n", "scorecards.dlt",
         "more than once: referrals_count"),
        # A missing title; too few quarters; an id that cannot name a file.
        ("  dlt: {meeting: DLT, kpis: [referrals_count]}\n", "scorecards.dlt.title",
         "required key is missing"),
        ("  dlt: {title: T, meeting: DLT, kpis: [referrals_count], quarters: 1}\n",
         "scorecards.dlt.quarters", "greater than or equal to 2"),
        ("  ../dlt: {title: T, meeting: DLT, kpis: [referrals_count]}\n", "scorecards",
         "scorecard id '../dlt' is not allowed"),
    ],
)  # fmt: skip
def test_each_mistake_is_one_line_naming_the_key(tmp_path, section, field, words):
    e = _error(tmp_path, section)
    assert e.field == field and words in e.message
