"""AreaReport on a hand-made KPI table: headline table, charts' alt text, definitions, loading."""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pytest
from lxml import html as lxml_html

from pmf_lib.errors import PmfError
from pmf_lib.render.format import MISSING_NOTE
from pmf_lib.render.report import AreaReport


@pytest.fixture
def metas(metas):
    # Every stage headlines a KPI in one window (pmf_lib.assess.travel.headline_window): a
    # KPI with a month window is headlined by its month. The worked figures of t_pct and
    # t_count are on their rolling 12 months, so here they are rolling-window KPIs (their
    # month rows are in the table but not among their windows).
    out = dict(metas)
    for k in ("t_pct", "t_count"):
        out[k] = replace(out[k], windows=("rolling_12m",))
    return out


@pytest.fixture
def report(config, kpi_table, metas) -> AreaReport:
    return AreaReport.from_table(config, "test_area", "latest", kpi_table, metas=metas)


def parse(fragment: str):
    return lxml_html.fragment_fromstring(fragment, create_parent="div")


def no_external_urls(fragment: str) -> None:
    assert not re.search(r"https?://", fragment)
    doc = parse(fragment)
    for el in doc.iter():
        for attr in ("src", "href"):
            v = el.get(attr)
            if v is not None:
                assert v.startswith(("data:", "#")), (el.tag, attr, v[:60])


def test_latest_month_is_the_tables_last(report):
    assert report.month == "2026-10"
    assert report.period_end == pd.Timestamp("2026-10-31")
    assert list(report.metas) == ["t_pct", "t_count", "t_rate"]  # the config's order


def test_title_block(report):
    doc = parse(report.title_block().data)
    assert doc.findtext(".//h1") == "Test area"
    text = doc.text_content()
    assert "Testshire County Council" in text
    assert "October 2026" in text and "31 October 2026" in text
    assert "A. Person" in text


def test_headline_table_structure_and_figures(report):
    fragment = report.headline_table().data
    doc = parse(fragment)
    table = doc.find(".//table")
    assert table is not None and table.find("caption") is not None
    cols = table.findall("./thead/tr/th")
    assert [th.get("scope") for th in cols] == ["col"] * 6
    assert [" ".join(th.text_content().split()) for th in cols] == [
        "Measure",
        "Latest (Oct 2026)",
        "Previous month (Sep 2026)",
        "Change on previous month",
        "Same month last year (Oct 2025)",
        "Change on last year",
    ]
    body = table.findall("./tbody/tr")
    assert [tr.find("th").get("scope") for tr in body] == ["row"] * 3
    cells = [[" ".join(td.text_content().split()) for td in tr.findall("td")] for tr in body]
    # t_pct, rolling 12 months: 71.2 % now, 71.5 % (-0.3 pp: no change), 84.0 % a year
    # earlier (-12.8 pp: worsening, higher is better).
    assert cells[0] == [
        "71.2%",
        "71.5%",
        "→ No change (-0.3 pp)",
        "84.0%",
        "↓ Worsening (-12.8 pp)",
    ]
    # t_count: 1,204 against 1,000 on both (+20.4 %: up, a neutral measure).
    assert cells[1] == ["1,204", "1,000", "↑ Up (+204)", "1,000", "↑ Up (+204)"]
    # t_rate: 45.0 against 50.0 (-10 %: improving, lower is better).
    assert cells[2] == [
        "45.0 per 10k",
        "50.0 per 10k",
        "↓ Improving (-5.0 per 10k)",
        "50.0 per 10k",
        "↓ Improving (-5.0 per 10k)",
    ]
    row_heads = [" ".join(tr.find("th").text_content().split()) for tr in body]
    assert row_heads == [
        "Assessments on time 12 months to Oct 2026",
        "Referrals 12 months to Oct 2026",
        "Children looked after rate at 31 October 2026",
    ]
    assert "1 percentage point" in fragment
    assert MISSING_NOTE not in doc.text_content()  # nothing is missing in the headline windows
    no_external_urls(fragment)


def test_missing_headline_value_is_a_dash_with_explanation(config, kpi_table, metas):
    t = kpi_table.copy()
    latest = (t["kpi_id"] == "t_rate") & (t["period_end"] == t["period_end"].max())
    t.loc[latest, "value"] = float("nan")  # e.g. no population figure: no rate
    r = AreaReport.from_table(config, "test_area", "2026-10", t, metas=metas)
    doc = parse(r.headline_table().data)
    rate_row = doc.findall(".//tbody/tr")[2]
    cells = [" ".join(td.text_content().split()) for td in rate_row.findall("td")]
    assert cells[0] == "–"
    assert cells[2] == "– Not available"
    assert MISSING_NOTE in doc.text_content()


def test_trend_charts_have_alt_text_with_latest_value_and_trend(report):
    fragment = report.trend_charts().data
    doc = parse(fragment)
    imgs = doc.findall(".//img")
    assert len(imgs) == 3
    alts = [img.get("alt") for img in imgs]
    assert alts[0].startswith(
        "Line chart of Assessments on time (rolling 12 months) over 24 "
        "months to Oct 2026; latest 71.2%, down from 84.0% a year earlier."
    )
    # A KPI headlined by its rolling 12 months has no month window (one headline window: a
    # month window would be the headline), so there is no dashed single-month line.
    assert "dashed" not in alts[0]
    assert "latest 1,204, up from 1,000 a year earlier." in alts[1]
    assert "dashed" not in alts[1]  # a month's count is not on a 12-month count's scale
    assert "latest 45.0 per 10k, down from 50.0 per 10k a year earlier." in alts[2]
    assert all(img.get("src").startswith("data:image/png;base64,") for img in imgs)
    assert [h.text for h in doc.findall(".//h3")] == [
        "Assessments on time",
        "Referrals",
        "Children looked after rate",
    ]
    no_external_urls(fragment)


def test_definitions_from_metadata(report, metas):
    fragment = report.definitions().data
    doc = parse(fragment)
    sections = doc.findall(".//section")
    assert len(sections) == 3
    first = " ".join(sections[0].text_content().split())
    m = metas["t_pct"]
    for text in (m.definition, m.numerator, m.denominator, m.source, "Higher is better"):
        assert text in first
    count_text = " ".join(sections[1].text_content().split())
    assert "None: the measure is a count" in count_text
    assert "Neither higher nor lower is better" in count_text
    no_external_urls(fragment)


def test_html_is_escaped(config, kpi_table, metas):
    from dataclasses import replace

    metas = dict(metas)
    metas["t_pct"] = replace(metas["t_pct"], title="<script>x</script> & more")
    r = AreaReport.from_table(config, "test_area", "latest", kpi_table, metas=metas)
    for block in (r.headline_table(), r.trend_charts(), r.definitions()):
        assert "<script>" not in block.data
        assert "&lt;script&gt;" in block.data


def test_load_from_files(config_file, kpi_table, metas, tmp_path):
    pq = tmp_path / "kpis.parquet"
    kpi_table.to_parquet(pq, index=False)
    csv = tmp_path / "kpis.csv"
    kpi_table.to_csv(csv, index=False)
    for path in (pq, csv):
        r = AreaReport.load(config_file, "test_area", "2026-09", str(path), metas=metas)
        assert r.month == "2026-09"
        assert r.table["period_end"].max() == pd.Timestamp("2026-09-30")  # nothing later


def test_load_errors_name_the_problem(config_file, kpi_table, metas, tmp_path):
    pq = tmp_path / "kpis.parquet"
    kpi_table.to_parquet(pq, index=False)
    with pytest.raises(PmfError, match="unknown service area 'nowhere'"):
        AreaReport.load(config_file, "nowhere", "latest", pq, metas=metas)
    with pytest.raises(PmfError, match="no figures for 2027-01"):
        AreaReport.load(config_file, "test_area", "2027-01", pq, metas=metas)
    with pytest.raises(PmfError, match="expected YYYY-MM"):
        AreaReport.load(config_file, "test_area", "Oct 2026", pq, metas=metas)
    with pytest.raises(PmfError, match="unknown KPI id 't_absent'") as e:
        AreaReport.load(config_file, "missing_kpi", "latest", pq, metas=metas)
    assert e.value.field == "areas.missing_kpi.kpis"
    # A KPI the registry knows but the table has no figures for.
    with_absent = {**metas, "t_absent": metas["t_count"]}
    with pytest.raises(PmfError, match="no figures for KPI 't_absent'"):
        AreaReport.load(config_file, "missing_kpi", "latest", pq, metas=with_absent)
    with pytest.raises(PmfError, match="KPI table not found"):
        AreaReport.load(config_file, "test_area", "latest", tmp_path / "nope.parquet", metas=metas)
    kpi_table.drop(columns="window").to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(PmfError, match="missing column") as e:
        AreaReport.load(config_file, "test_area", "latest", tmp_path / "bad.csv", metas=metas)
    assert e.value.field == "window"


def test_small_numbers_are_withheld_for_members_and_public(config, kpi_table, metas):
    t = kpi_table.copy()
    # The rate's latest figure is built on 3 children (numerator 3): identifiable.
    latest = (t["kpi_id"] == "t_rate") & (t["period_end"] == t["period_end"].max())
    t.loc[latest, ["value", "numerator"]] = [1.5, 3.0]
    internal = AreaReport.from_table(config, "test_area", "latest", t, metas=metas)
    rate_cells = parse(internal.headline_table().data).findall(".//tbody/tr")[2].findall("td")
    assert rate_cells[0].text_content() == "1.5 per 10k"  # internal reports show it
    public = AreaReport.from_table(
        config.model_copy(update={"audience": "public"}), "test_area", "latest", t, metas=metas
    )
    doc = parse(public.headline_table().data)
    rate_cells = doc.findall(".//tbody/tr")[2].findall("td")
    assert rate_cells[0].text_content() == "suppressed (fewer than 5)"
    assert " ".join(rate_cells[2].text_content().split()) == "– Not available"
    assert "withheld" in doc.text_content()
    # Larger figures are unaffected: 1,204 referrals.
    assert doc.findall(".//tbody/tr")[1].findall("td")[0].text_content() == "1,204"
    alt = parse(public.trend_charts().data).findall(".//img")[2].get("alt")
    assert "1.5" not in alt and "no figure for Oct 2026" in alt


def test_assessment_block_rates_against_targets(config, kpi_table, metas, tmp_path):
    targets = tmp_path / "targets.yaml"
    # t_rate is lower-is-better at 45.0 per 10k: above the 40.0 target but within the
    # amber tolerance of 10 (up to 50.0), so Amber.
    targets.write_text("t_rate:\n  - {from: 2024-04-01, target: 40, amber_tolerance: 10}\n")
    cfg = config.model_copy(update={"targets": str(targets)})
    r = AreaReport.from_table(cfg, "test_area", "latest", kpi_table, metas=metas)
    fragment = r.assessment().data
    doc = parse(fragment)
    cols = doc.findall(".//thead/tr/th")
    assert [th.get("scope") for th in cols] == ["col"] * 6
    rows = {
        " ".join(tr.find("th").text_content().split()): [
            " ".join(td.text_content().split()) for td in tr.findall("td")
        ]
        for tr in doc.findall(".//tbody/tr")
    }
    rate = rows["Children looked after rate at 31 October 2026"]
    assert rate[:3] == ["45.0 per 10k", "40.0 per 10k", "Amber"]
    # No target for the others.
    assert [v[1:3] for k, v in rows.items() if k.startswith("Referrals")] == [
        ["None set", "No target"]
    ]
    assert len(doc.findall(".//ul/li")) == 3  # a sentence per KPI
    no_external_urls(fragment)
