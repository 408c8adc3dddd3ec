"""Benchmark importers: each published format on tiny hand-made files, then the real files."""

from __future__ import annotations

import math

import numpy as np
import openpyxl
import pandas as pd
import pytest

from pmf_lib.cli import main
from pmf_lib.errors import PmfError
from pmf_lib.read.benchmarks import (
    EES_COLUMNS,
    OGL_ATTRIBUTION,
    SNAPSHOT_DIR,
    combine_neighbours,
    import_benchmarks,
    la_series,
    load_benchmarks,
    parse_value,
    read_ees_csv,
    read_lait_dictionary,
    read_lait_long,
    read_ons_population,
    read_sn_csv,
    read_sn_xlsx,
    save_benchmarks,
    year_end,
)
from tests.conftest import need_shared

DICT_HEADER = (
    "Measure_code,Topic,Measure,Chart_title,Measure_short,Polarity,y_axis_name,"
    "Table_status,Year_Type,No_Quartile,dps\n"
)


def _dictionary(path):
    path.write_text(
        DICT_HEADER
        + "271,Child Protection,Re-referrals,Re-referrals (%),ReReferral,Low,% of referrals,"
        "c1,Financial Year,,1\n"
        # listed under two topics, as LAIT does for some measures
         + "367,Children in Need,CIN absence,CIN absence (%),CINAbs,Low,% CIN,abs,"
        "Academic Year,,1\n"
        + "367,All Pupil Absence & Exclusions,CIN absence,CIN absence (%),CINAbs,Low,% CIN,"
        "abs,Academic Year,,1\n"
        # not children's social care: left out
        + "1,Key Stage 2,KS2,KS2 (%),KS2_RWM,High,%,ks2,Academic Year,,1\n"
        # discontinued: left out as LAIT leaves it out
        + "2,Child Protection,Old,Old (%),OldMeasure,Low,%,DISCONTINUED,Financial Year,,1\n"
        + "287,Children's Services Workforce,Starters,Starters,SW_Starters,-,FTE,csww,"
        "Annual (end of Sept),N,\n"
    )
    return path


def _lait_long(path, rows):
    cols = ["Short Desc", "Data item", "Years", "LA and Regions", "Values", "LA Number", "Region"]
    pd.DataFrame(rows, columns=cols).to_parquet(path)
    return path


LAIT_ROWS = [
    ["ReReferral", "x", "2025", "England", "22.6", 970.0, "NA"],
    ["ReReferral", "x", "2025", "South East", "28.4", 989.0, "NA"],
    ["ReReferral", "x", "2025", "West Sussex", "24.4", 938.0, "South East"],
    ["ReReferral", "x", "2025", "Kent", "-", 886.0, "South East"],
    ["KS2_RWM", "x", "2025", "Kent", "60", 886.0, "South East"],
]


# ------------------------------------------------------------------ small pieces


@pytest.mark.parametrize("code", ["c", "k", "u", "x", "z", "low", "-", "C", " low "])
def test_suppression_codes_are_missing_with_reason_never_zero(code):
    value, reason = parse_value(code, file="f.csv", location="row 2", field="v")
    assert math.isnan(value)
    assert reason == code.strip().lower()


def test_unknown_text_is_an_error_naming_file_row_and_field():
    with pytest.raises(PmfError) as e:
        parse_value("n/a", file="f.csv", location="row 7", field="rate")
    assert str(e.value).startswith("f.csv, row 7, field rate:")


@pytest.mark.parametrize(
    "label, year_type, expected",
    [
        ("2025", "Financial Year", "2025-03-31"),
        ("2025", "Annual", "2025-03-31"),
        ("2024-25", "Financial Year", "2025-03-31"),
        ("2025", "Annual (end of Sept)", "2025-09-30"),
        ("2025", "Academic Year", "2025-08-31"),
        ("2024", "Calendar Year", "2024-12-31"),
        ("2014-16", "Calendar Year", "2016-12-31"),
        ("2015/16", "Academic Year", "2016-08-31"),
        ("1999/00", "Financial Year", "2000-03-31"),
    ],
)
def test_year_end(label, year_type, expected):
    assert year_end(label, year_type) == pd.Timestamp(expected)


# ------------------------------------------------------------------ LAIT


def test_lait_dictionary_keeps_csc_topics_once_and_flags(tmp_path):
    m = read_lait_dictionary(_dictionary(tmp_path / "lait_data_dictionary.csv"))
    assert m["code"].tolist() == ["CINAbs", "ReReferral", "SW_Starters"]
    row = m.set_index("code")
    assert row.loc["CINAbs", "topic"] == "Children in Need / All Pupil Absence & Exclusions"
    assert row.loc["ReReferral", "polarity"] == "Low"
    assert row.loc["SW_Starters", "polarity"] == "-"
    assert bool(row.loc["SW_Starters", "no_quartile"]) is True
    assert bool(row.loc["ReReferral", "no_quartile"]) is False


def test_lait_long_levels_regions_and_missing(tmp_path):
    m = read_lait_dictionary(_dictionary(tmp_path / "lait_data_dictionary.csv"))
    v = read_lait_long(_lait_long(tmp_path / "bds_long_0.parquet", LAIT_ROWS), m)
    # the KS2 row is not children's social care
    assert set(v["measure"]) == {"ReReferral"}
    by = v.set_index("la_code")
    assert by.loc[970, "level"] == "England" and by.loc[989, "level"] == "Region"
    assert by.loc[938, "level"] == "LA" and by.loc[938, "region"] == "South East"
    assert by.loc[938, "value"] == 24.4 and by.loc[938, "suppression"] is None
    assert math.isnan(by.loc[886, "value"]) and by.loc[886, "suppression"] == "-"
    assert by.loc[938, "year_end"] == pd.Timestamp("2025-03-31")


def test_lait_long_rejects_duplicate_figures(tmp_path):
    m = read_lait_dictionary(_dictionary(tmp_path / "lait_data_dictionary.csv"))
    rows = LAIT_ROWS + [["ReReferral", "x", "2025", "West Sussex", "25", 938.0, "South East"]]
    with pytest.raises(PmfError, match="more than once for LA 938"):
        read_lait_long(_lait_long(tmp_path / "bds_long_0.parquet", rows), m)


def test_lait_long_bad_value_names_row_and_field(tmp_path):
    m = read_lait_dictionary(_dictionary(tmp_path / "lait_data_dictionary.csv"))
    rows = [["ReReferral", "x", "2025", "Kent", "twelve", 886.0, "South East"]]
    with pytest.raises(PmfError, match=r"bds_long_0.parquet, row 1, field Values"):
        read_lait_long(_lait_long(tmp_path / "bds_long_0.parquet", rows), m)


# ------------------------------------------------------------------ EES


def test_ees_csv_codes_geographies_and_suppression(tmp_path):
    p = tmp_path / "csww_indicators_2017_to_2025.csv"
    p.write_text(
        "time_period,time_identifier,geographic_level,region_name,old_la_code,la_name,"
        "vacancy_rate_fte,turnover_rate_fte\n"
        "2025,Reporting year,National,,,,14.2,11.8\n"
        "2025,Reporting year,Regional,Inner London,,,20.1,z\n"
        "2025,Reporting year,Local authority,South East,938,West Sussex,2.1,low\n"
        "2025,Reporting year,Local authority,East Midlands,940 / 941,"
        '"North Northamptonshire / West Northamptonshire",25.9,c\n'
    )
    # the published file has more columns; by default every mapped one must be there
    with pytest.raises(PmfError, match=r"row 1: missing column\(s\) absence_rate_fte"):
        read_ees_csv(p)
    cols = [c for c in EES_COLUMNS if c.column in ("vacancy_rate_fte", "turnover_rate_fte")]
    v = read_ees_csv(p, cols)
    vac = v[v["measure"] == "Work_Force_Vac_Rate"].set_index("la_code")
    assert vac.loc[970, "value"] == 14.2 and vac.loc[970, "level"] == "England"
    assert vac.loc[987, "level"] == "Region" and vac.loc[987, "name"] == "London (Inner)"
    # the joint Northamptonshire children's trust figure is given to both councils
    assert vac.loc[940, "value"] == vac.loc[941, "value"] == 25.9
    assert vac.loc[941, "name"] == "West Northamptonshire"
    assert vac.loc[938, "year_end"] == pd.Timestamp("2025-09-30")
    turn = v[v["measure"] == "Work_Force_TO_Rate"].set_index("la_code")
    assert turn.loc[938, "suppression"] == "low" and math.isnan(turn.loc[938, "value"])
    assert turn.loc[987, "suppression"] == "z"
    assert (turn["value"].fillna(-1) != 0).all()


def test_ees_filters_and_bad_cell(tmp_path):
    p = tmp_path / "cla_number_and_rate_per_10k_children.csv"
    p.write_text(
        "\ufefftime_period,geographic_level,region_name,old_la_code,la_name,population_type,"
        "children_count,rate_per_10000\n"
        "2025,Local authority,South East,938,West Sussex,Children looked after on 31 March "
        "each year,990,54\n"
        "2025,Local authority,South East,938,West Sussex,Children starting to be looked after "
        "each year,400,k\n"
    )
    v = read_ees_csv(p).set_index("measure")
    assert v.loc["LACnum", "value"] == 990 and v.loc["LAC", "value"] == 54
    assert v.loc["LACnum_Start", "value"] == 400
    assert v.loc["LAC_Start_Rate", "suppression"] == "k"
    p.write_text(p.read_text().replace(",400,k", ",400,??"))
    with pytest.raises(PmfError, match=r"row 3, field rate_per_10000"):
        read_ees_csv(p)


# ------------------------------------------------------------------ neighbours


def _sn_sheet(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "LA SN Groups"
    header = ["LA num", "LA Name", "LA number", "GOInd", "GOReg"]
    for k in range(1, 11):
        header += [f"SN{k}", "SNP"]
    ws.append(["A", "B", "C", "D", "E"] + list(range(3, 23)))  # the two rows above
    ws.append(list(range(1, 26)))
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _sn_row(la, name, region, neighbours, closeness="Very Close"):
    row = [la, name, la, 1, region]
    for n in neighbours:
        row += [n, closeness]
    return row


def test_sn_xlsx_two_header_rows_notes_and_dashes(tmp_path):
    p = _sn_sheet(
        tmp_path / "sn_april_2021.xlsx",
        [
            _sn_row(938, "West Sussex", "South East", range(801, 811)),
            [None, "Old SNs:"],
            _sn_row(943, "Westmorland and Furness", "North West", ["-"] * 10, "-"),
            _sn_row(909, "Cumbria", "North West", range(811, 821), "Not Close"),
        ],
    )
    n = read_sn_xlsx(p)
    assert set(n["model"]) == {"2021"}
    ws = n[n["la_code"] == 938]
    assert ws["sn_rank"].tolist() == list(range(1, 11))
    assert ws["neighbour"].tolist() == list(range(801, 811))
    assert set(ws["closeness"]) == {"Very close"}
    assert (n["la_code"] == 943).sum() == 0  # no neighbours published for it
    assert set(n.loc[n["la_code"] == 909, "closeness"]) == {"Not close"}


def test_sn_csv_both_layouts(tmp_path):
    wide = tmp_path / "sn_model_2025_wide.csv"
    head = (
        "old_la_code,la_name,region_ind,region_name,"
        + ",".join(f"SN_{k}" for k in range(1, 11))
        + ","
        + ",".join(f"SN_{k}P" for k in range(1, 11))
    )
    wide.write_text(
        "\ufeff"
        + head
        + "\n938,West Sussex,6,South East,"
        + ",".join(str(n) for n in range(801, 811))
        + ","
        + ",".join(["Close "] * 10)
        + "\n"
    )
    n = read_sn_csv(wide)
    assert n["model"].unique().tolist() == ["2025"]
    assert n["neighbour"].tolist() == list(range(801, 811))
    assert set(n["closeness"]) == {"Close"}  # trailing spaces gone

    old = tmp_path / "New_Statistical_Neighbour_Groupings_April_2021.csv"
    head = "LA num,LA Name,LA number,GOInd,GOReg," + ",".join(f"SN{k},SNP" for k in range(1, 11))
    body = ",".join(f"{n},Close" for n in range(801, 811))
    old.write_text(
        head + ",\n938,West Sussex,938,6,South East," + body + ",\n"
        ",,,,,,,,,,,,,,,,,,,,,,,,,\n,Old SNs:,,,,,,,,,,,,,,,,,,,,,,,,\n"
    )
    n = read_sn_csv(old)
    assert n["model"].unique().tolist() == ["2021"]
    assert n["la_code"].unique().tolist() == [938] and len(n) == 10


def test_successor_inherits_predecessor_list_and_conflicts_are_errors(tmp_path):
    cumbria = pd.DataFrame(
        {
            "model": "2021",
            "la_code": 909,
            "la_name": "Cumbria",
            "region": "North West",
            "sn_rank": range(1, 11),
            "neighbour": range(811, 821),
            "closeness": "Close",
        }
    )
    n = combine_neighbours([(tmp_path / "a.xlsx", cumbria)])
    for succ in (942, 943):
        s = n[n["la_code"] == succ]
        assert s["neighbour"].tolist() == list(range(811, 821))
        assert set(s["inherited_from"]) == {909}
    assert n.loc[n["la_code"] == 909, "inherited_from"].isna().all()
    other = cumbria.assign(neighbour=range(821, 831))
    with pytest.raises(PmfError, match="LA 909's 2021 neighbours"):
        combine_neighbours([(tmp_path / "a.xlsx", cumbria), (tmp_path / "b.csv", other)])


# ------------------------------------------------------------------ population


def test_ons_population(tmp_path):
    p = tmp_path / "ons_mid-year_population_estimates_2012_to_2024.csv"
    p.write_text(
        "time_period,time_identifier,geographic_level,region_name,old_la_code,la_name,"
        "age_group,population_estimate\n"
        "2024,Reporting year,National,,,,Children aged 0 to 17 years,12183016\n"
        "2024,Reporting year,Regional,South East,,,Children aged 0 to 17 years,1900000\n"
        "2024,Reporting year,Local authority,South East,938,West Sussex,"
        "Children aged 0 to 17 years,181943\n"
        "2023,Reporting year,Local authority,South East,938,West Sussex,"
        "Children aged 0 to 17 years,x\n"
    )
    pop = read_ons_population(p).set_index(["year", "la_code"])
    assert pop.loc[(2024, 970), "children"] == 12183016
    assert pop.loc[(2024, 989), "level"] == "Region"
    assert pop.loc[(2024, 938), "children"] == 181943
    assert math.isnan(pop.loc[(2023, 938), "children"])


# ------------------------------------------------------------------ whole import


def _source_dir(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    _dictionary(src / "lait_data_dictionary.csv")
    rows = LAIT_ROWS + [["ReReferral", "x", "2024", "West Sussex", "23.0", 938.0, "South East"]]
    _lait_long(src / "lait_bds_long_0.parquet", rows)
    (src / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv").write_text(
        "time_period,geographic_level,region_name,old_la_code,la_name,referral_count,"
        "rereferral_percent,no_further_action_percent,not_in_need_percent,"
        "referral_child_count,rereferral_child_percent\n"
        # 2025 is in LAIT (LAIT wins); 2013 is not (EES fills it)
        "2025,Local authority,South East,938,West Sussex,9000,99.9,1,2,8000,20\n"
        "2013,Local authority,South East,938,West Sussex,8000,18.5,1,2,7000,c\n"
    )
    _sn_sheet(
        src / "lait_sn_may_2025.xlsx",
        [_sn_row(938, "West Sussex", "South East", range(801, 811))],
    )
    return src


def test_import_prefers_lait_and_round_trips(tmp_path):
    store = import_benchmarks(_source_dir(tmp_path))
    v = store.values
    rr = v[(v["measure"] == "ReReferral") & (v["la_code"] == 938)].set_index("year")
    assert rr.loc["2025", "value"] == 24.4 and rr.loc["2025", "source"] == "LAIT"
    assert rr.loc["2013", "value"] == 18.5
    assert rr.loc["2013", "source"].startswith("c1_")
    own = v[v["measure"] == "EES_ReReferral_Child_pct"].set_index("year")
    assert own.loc["2013", "suppression"] == "c"
    assert "EES_ReReferral_Child_pct" in set(store.measures["code"])
    out = save_benchmarks(store, tmp_path / "store")
    assert OGL_ATTRIBUTION in (out / "README.md").read_text()
    again = load_benchmarks(out)
    for name in ("measures", "values", "neighbours", "population"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(store, name))


def test_failed_save_leaves_old_store(tmp_path):
    store = import_benchmarks(_source_dir(tmp_path))
    out = save_benchmarks(store, tmp_path / "store")
    before = (out / "values.parquet").read_bytes()
    (tmp_path / "again").mkdir()
    bad = import_benchmarks(_source_dir(tmp_path / "again"))
    # a column pyarrow cannot write (text among numbers) fails half way through the save
    mixed = bad.values["value"].astype(object).tolist()
    mixed[0] = "text"
    bad.values["value"] = pd.Series(mixed, dtype=object)
    with pytest.raises(Exception):  # noqa: B017 - pyarrow's own error type
        save_benchmarks(bad, out)
    assert (out / "values.parquet").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".store")) == []


def test_cli_import_and_errors(tmp_path, capsys):
    src = _source_dir(tmp_path)
    assert main(["benchmarks", "import", "--source", str(src), "--out", str(tmp_path / "o")]) == 0
    assert (tmp_path / "o" / "values.parquet").is_file()
    assert (
        main(
            [
                "benchmarks",
                "import",
                "--source",
                str(tmp_path / "nowhere"),
                "--out",
                str(tmp_path / "o2"),
            ]
        )
        == 2
    )
    assert "not a directory" in capsys.readouterr().err
    assert not (tmp_path / "o2").exists()


def test_la_series_marks_predecessor_years():
    # tiny store: Northamptonshire to 2021, North Northamptonshire from 2022
    rows = [
        ("2020", "2020-03-31", 928, 60.0),
        ("2021", "2021-03-31", 928, 61.0),
        ("2022", "2022-03-31", 928, float("nan")),
        ("2022", "2022-03-31", 940, 66.0),
    ]
    values = pd.DataFrame(
        {
            "measure": "LAC",
            "year": [r[0] for r in rows],
            "year_end": pd.to_datetime([r[1] for r in rows]).astype("datetime64[s]"),
            "level": "LA",
            "la_code": [r[2] for r in rows],
            "name": "x",
            "region": "EM",
            "value": [r[3] for r in rows],
            "suppression": [None, None, "-", None],
            "source": "LAIT",
        }
    )
    from pmf_lib.read.benchmarks import BenchmarkStore

    store = BenchmarkStore(pd.DataFrame(), values, pd.DataFrame(), pd.DataFrame())
    s = la_series(store, 940, "LAC", with_predecessor=True)
    assert s["year"].tolist() == ["2020", "2021", "2022"]
    assert s["from_la_code"].tolist() == [928, 928, 940]
    assert la_series(store, 940, "LAC")["year"].tolist() == ["2022"]


# ------------------------------------------------------------------ the real files


@pytest.fixture(scope="module")
def real():
    src = need_shared("data", "benchmarks_dfe")
    return src, import_benchmarks(src)


def test_real_england_values_match_catalogue(real):
    src, store = real
    cat = pd.read_csv(src / "kpi_catalogue_lait_csc_with_england_values.csv", dtype=str)
    v = store.values
    eng = v[(v["la_code"] == 970) & (v["source"] == "LAIT")].set_index(["measure", "year"])
    assert set(cat["Measure_short"]) <= set(store.measures["code"])
    checked = 0
    for _, r in cat.iterrows():
        for y in range(2021, 2026):
            want = pd.to_numeric(r[f"England_{y}"], errors="coerce")
            if pd.isna(want):
                continue
            got = eng.loc[(r["Measure_short"], str(y)), "value"]
            assert got == pytest.approx(float(want)), (r["Measure_short"], y)
            checked += 1
    assert checked > 500


def test_real_west_sussex_has_ten_neighbours_in_each_model(real):
    _, store = real
    n = store.neighbours
    for model in ("2021", "2025"):
        ws = n[(n["model"] == model) & (n["la_code"] == 938)]
        assert ws["sn_rank"].tolist() == list(range(1, 11))
        assert ws["neighbour"].nunique() == 10 and 938 not in set(ws["neighbour"])
    # 2021 was drawn up before Cumbria was split: its successors take Cumbria's list
    c = n[(n["model"] == "2021") & (n["la_code"] == 942)]
    assert set(c["inherited_from"]) == {909} and len(c) == 10


def test_real_ees_columns_agree_with_lait_where_both_publish(real):
    src, store = real
    lait = store.values[store.values["source"] == "LAIT"].set_index(["measure", "year", "la_code"])[
        "value"
    ]
    compared = 0
    for f in sorted(src.glob("*.csv")):
        if not f.name.startswith(("c1_", "d3_", "d5_", "cla_number", "csww_", "la_cla_pl")):
            continue
        ees = read_ees_csv(f)
        ees = ees[(ees["la_code"] == 970) & (ees["year"] == "2025")]
        for _, r in ees.iterrows():
            key = (r["measure"], r["year"], 970)
            if key in lait.index and not np.isnan(r["value"]):
                assert lait[key] == pytest.approx(r["value"], abs=0.051), key
                compared += 1
    assert compared >= 20


def test_shipped_snapshot_equals_a_fresh_import(real):
    _, store = real
    shipped = load_benchmarks()
    for name in ("measures", "values", "neighbours", "population"):
        pd.testing.assert_frame_equal(
            getattr(shipped, name), getattr(store, name), obj=f"shipped {name}"
        )
    readme = (SNAPSHOT_DIR / "README.md").read_text()
    assert OGL_ATTRIBUTION in readme and "lait_bds_long_0.parquet" in readme
    size = sum(p.stat().st_size for p in SNAPSHOT_DIR.iterdir())
    assert size < 2_000_000
