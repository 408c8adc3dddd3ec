"""SSDA903 reader: CSV tables and XML exports into canonical tables, years merged."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from pmf_lib.errors import PmfError
from pmf_lib.read.ssda903 import (
    data_extent,
    read_ssda903,
    table_for_columns,
    table_for_file_name,
)
from pmf_lib.read.tables import S903_COLUMNS
from tests.conftest import need_shared

EPISODE_COLS = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def ts(s: str) -> pd.Timestamp:
    return pd.Timestamp(s)


# ---- CSV ---------------------------------------------------------------------
def test_csv_tables_canonical_rows_and_dtypes(tmp_path):
    ep = write(
        tmp_path / "2025" / "episodes.csv",
        EPISODE_COLS + "\n"
        " C1 ,01/05/2024,S,C2,N1,U1,PR1,,,\n"
        "C2,2024-06-10,S,V2,N2,K2,PR2,30/06/2024,E11,\n",
    )
    hd = write(
        tmp_path / "2025" / "header.csv",
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC1,1,03/04/2015,WBRI,A123,,\n",
    )
    cla = read_ssda903([ep, hd])
    e = cla.episodes
    assert list(e.columns[: len(S903_COLUMNS["episodes"])]) == list(S903_COLUMNS["episodes"])
    assert e["DECOM"].dtype == "datetime64[ns]" and e["CHILD"].dtype == "string"
    assert e["collection_year"].dtype == "Int64"
    # Codes stripped; DD/MM/YYYY and ISO dates both read; a blank DEC is NaT.
    assert e["CHILD"].tolist() == ["C1", "C2"]
    assert e["DECOM"].tolist() == [ts("2024-05-01"), ts("2024-06-10")]
    assert pd.isna(e["DEC"].iloc[0]) and e["DEC"].iloc[1] == ts("2024-06-30")
    assert e["PLACE"].tolist() == ["U1", "K2"]
    assert pd.isna(e["REASON_PLACE_CHANGE"].iloc[0])
    # Columns absent from the file are present and empty.
    assert e["URN"].isna().all()
    assert e["collection_year"].tolist() == [2025, 2025]
    assert cla.header["DOB"].tolist() == [ts("2015-04-03")]
    # returns: one row per file. The return's latest event is C2's DEC, 30/06/2024, far
    # short of March 2025: it is an extract to 30/06/2024 (not to the 31 March the folder
    # name gives), and the header of the same return shares that date.
    r = cla.returns.set_index("source_file")
    assert r.loc[str(ep), "rows"] == 2 and r.loc[str(hd), "rows"] == 1
    assert r["reference_date"].tolist() == [ts("2024-06-30")] * 2
    assert r["collection_year"].tolist() == [2025, 2025]
    assert cla.reviews.empty and list(cla.reviews.columns) == list(S903_COLUMNS["reviews"])


@pytest.mark.parametrize(
    "name,table",
    [
        ("header.csv", "header"),
        ("episodes.csv", "episodes"),
        ("Episodes_2025.csv", "episodes"),
        ("sw_episodes.csv", "sw_episodes"),
        ("DoLo.csv", "dolo"),
        ("placed_for_adoption.csv", "placed_for_adoption"),
        ("SSDA903_OC2_2024-25.csv", "oc2"),
        ("notes.csv", None),
    ],
)
def test_table_told_by_file_name(name, table):
    assert table_for_file_name(Path(name)) == table


def test_table_told_by_columns_when_name_says_nothing(tmp_path):
    assert table_for_columns(["CHILD", "SEX", "DOB", "DUC"]) == "uasc"
    assert table_for_columns(["CHILD", "SEX", "DOB", "ETHNIC", "UPN"]) == "header"
    f = write(
        tmp_path / "2024" / "extract_a.csv",
        "CHILD,DOB,REVIEW,REVIEW_CODE\nC1,01/01/2015,05/06/2023,PN1\n",
    )
    cla = read_ssda903([f])
    assert cla.reviews["REVIEW"].tolist() == [ts("2023-06-05")]
    assert cla.reviews["collection_year"].tolist() == [2024]


def test_year_from_file_name_and_dolo_table(tmp_path):
    f = write(
        tmp_path / "Episodes_2026.csv",
        EPISODE_COLS + "\nC1,01/05/2025,S,C2,N1,U1,PR1,,,\n",
    )
    d = write(
        tmp_path / "DoLo_2026.csv", "CHILD,DOB,DOLO_START,DOLO_END\nC1,05/12/2010,01/01/2026,\n"
    )
    cla = read_ssda903([f, d])
    assert cla.episodes["collection_year"].tolist() == [2026]
    assert cla.dolo["DOLO_START"].tolist() == [ts("2026-01-01")]
    assert cla.dolo["collection_year"].tolist() == [2026]


def test_year_inferred_from_episodes_of_the_same_folder(tmp_path):
    # No year in names: the latest episode date, 30/06/2024, is in 2024-25 -> 2025, and
    # the header in the same folder (only birth dates) takes the same year.
    ep = write(
        tmp_path / "cla" / "episodes.csv",
        EPISODE_COLS + "\nC1,01/05/2023,S,C2,N1,U1,PR1,30/06/2024,E11,\n",
    )
    hd = write(tmp_path / "cla" / "header.csv", "CHILD,SEX,DOB,ETHNIC\nC1,1,01/01/2015,WBRI\n")
    cla = read_ssda903([ep, hd])
    assert cla.episodes["collection_year"].tolist() == [2025]
    assert cla.header["collection_year"].tolist() == [2025]
    # the return runs to its latest event date (no reference date in a 903 file)
    assert cla.returns["reference_date"].tolist() == [ts("2024-06-30")] * 2


def test_header_alone_without_a_year_is_refused(tmp_path):
    hd = write(tmp_path / "cla" / "header.csv", "CHILD,SEX,DOB,ETHNIC\nC1,1,01/01/2015,WBRI\n")
    with pytest.raises(PmfError, match="cannot tell which collection year") as e:
        read_ssda903([hd])
    assert e.value.file == str(hd)


def test_year_still_running_has_no_reference_date(tmp_path):
    f = write(tmp_path / "2090" / "episodes.csv", EPISODE_COLS + "\nC1,01/05/2089,S,C2,N1,U1,,,,\n")
    cla = read_ssda903([f])
    assert cla.returns["collection_year"].tolist() == [2090]
    assert cla.returns["reference_date"].isna().all()


def test_later_year_wins_for_the_same_natural_key(tmp_path):
    # C1's episode starting 01/05/2024 is open in the 2025 return and closed in the
    # 2026 one: the 2026 record replaces it. C2 (2025 only) and C3 (2026 only) stay.
    # Expected: C1 with DEC 01/06/2025 (year 2026), C2 (2025), C3 (2026): 3 rows.
    old = write(
        tmp_path / "2025" / "episodes.csv",
        EPISODE_COLS + "\nC1,01/05/2024,S,C2,N1,U1,PR1,,,\nC2,01/06/2024,S,C2,N1,U1,PR1,,,\n",
    )
    new = write(
        tmp_path / "2026" / "episodes.csv",
        EPISODE_COLS
        + "\nC1,01/05/2024,S,C2,N1,U1,PR1,01/06/2025,E11,\nC3,01/07/2025,S,C2,N1,U1,PR1,,,\n",
    )
    cla = read_ssda903([new, old])  # input order does not matter
    e = cla.episodes.set_index("CHILD").sort_index()
    assert e.index.tolist() == ["C1", "C2", "C3"]
    assert e.loc["C1", "DEC"] == ts("2025-06-01")
    assert e.loc["C1", "collection_year"] == 2026
    assert e.loc["C1", "source_file"] == str(new)
    assert e.loc["C2", "collection_year"] == 2025
    assert len(cla.returns) == 2


OC2_COLS = "CHILD,DOB,HEALTH_ASSESSMENT,TEETH_CHECK,IMMUNISATIONS"
OC3_COLS = "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM"


def test_annual_cohorts_keep_every_collection_year(tmp_path):
    # C1 is in the 2025 and the 2026 OC2 cohorts, C2 only in 2025; care leaver L1 is in
    # the OC3 of both years (19 at 31/03/2025, 20 at 31/03/2026). Each year keeps its own
    # rows: OC2 2025 = C1, C2 (2 rows), 2026 = C1 (1 row); OC3 one row per year for L1,
    # each with that year's answers.
    old = [
        write(
            tmp_path / "2025" / "oc2.csv", OC2_COLS + "\nC1,01/01/2015,1,1,1\nC2,01/01/2012,0,1,1\n"
        ),
        write(tmp_path / "2025" / "oc3.csv", OC3_COLS + "\nL1,01/06/2005,YES,F1,B1\n"),
    ]
    new = [
        write(tmp_path / "2026" / "oc2.csv", OC2_COLS + "\nC1,01/01/2015,0,0,1\n"),
        write(tmp_path / "2026" / "oc3.csv", OC3_COLS + "\nL1,01/06/2005,NO,G5,D2\n"),
    ]
    cla = read_ssda903(new + old)
    oc2 = cla.oc2.sort_values(["collection_year", "CHILD"])
    assert oc2[["CHILD", "collection_year"]].values.tolist() == [
        ["C1", 2025],
        ["C2", 2025],
        ["C1", 2026],
    ]
    # the 2025 answers for C1 are kept beside the 2026 ones
    assert oc2["HEALTH_ASSESSMENT"].tolist() == ["1", "0", "0"]
    oc3 = cla.oc3.sort_values("collection_year")
    assert oc3[["CHILD", "collection_year", "IN_TOUCH"]].values.tolist() == [
        ["L1", 2025, "YES"],
        ["L1", 2026, "NO"],
    ]
    # reading the earlier year alone gives the same 2025 rows as the two years together
    alone = read_ssda903(old)
    cols = ["CHILD", "DOB", "HEALTH_ASSESSMENT", "collection_year"]
    both_2025 = cla.oc2[cla.oc2["collection_year"] == 2025][cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(both_2025, alone.oc2[cols].reset_index(drop=True))


def test_a_repeat_of_the_same_year_replaces_that_year_only(tmp_path):
    # Two files for 2025 (a year-to-date extract and the final return, in one list as if
    # re-supplied): the same child and year is one record, the later file in the input
    # winning; 2024's record for the child stays. Expected: 2024 "1", 2025 "0".
    a = write(tmp_path / "2024" / "oc2.csv", OC2_COLS + "\nC1,01/01/2015,1,1,1\n")
    b = write(tmp_path / "x2025" / "oc2.csv", OC2_COLS + "\nC1,01/01/2015,1,1,1\n")
    c = write(tmp_path / "2025" / "oc2.csv", OC2_COLS + "\nC1,01/01/2015,0,1,1\n")
    cla = read_ssda903([a, b, c])
    got = cla.oc2.sort_values("collection_year")[["collection_year", "HEALTH_ASSESSMENT"]]
    assert got.values.tolist() == [[2024, "1"], [2025, "0"]]


def test_a_file_named_for_the_year_its_collection_starts_is_refused(tmp_path):
    # "2017" means the collection year ending 31/03/2017 (2016-17). These are 2017-18's
    # episodes: C2's starts 14/02/2018 (row 3) and C1's 01/06/2017 (row 2), both after
    # 31/03/2017. The first offending row is named, with the year to use.
    f = write(
        tmp_path / "2017-episodes.csv",
        EPISODE_COLS + "\nC1,01/06/2017,S,C2,N1,U1,PR1,,,\nC2,14/02/2018,S,C2,N1,U1,PR1,,,\n",
    )
    with pytest.raises(PmfError) as e:
        read_ssda903([f])
    err = e.value
    assert (err.file, err.location, err.field) == (str(f), "row 2", "DECOM")
    assert "01/06/2017 is after 31/03/2017" in err.message
    assert "2017-18 return named for the year its collection starts" in err.message
    assert "name it 2018 or 2017-18" in err.message and "\n" not in str(err)
    # named for the year it ends, the same file is read as 2017-18
    g = write(tmp_path / "2018" / "episodes.csv", f.read_text())
    assert read_ssda903([g]).episodes["collection_year"].tolist() == [2018, 2018]


def test_a_date_after_the_year_end_that_fits_no_shift_is_refused(tmp_path):
    # 2025 (2024-25) episodes: C2 ceased 01/06/2026, after 31/03/2025 and after
    # 31/03/2026 too, so it is not the next year's return: the message says so.
    f = write(
        tmp_path / "2025" / "episodes.csv",
        EPISODE_COLS
        + "\nC1,01/05/2024,S,C2,N1,U1,PR1,,,\nC2,01/06/2024,S,C2,N1,U1,PR1,01/06/2026,E11,\n",
    )
    with pytest.raises(PmfError) as e:
        read_ssda903([f])
    assert (e.value.location, e.value.field) == ("row 3", "DEC")
    assert "holds no episode starting or ceasing after 31/03/2025" in e.value.message


def test_one_stray_date_after_the_year_end_is_not_called_a_shifted_year(tmp_path):
    # 2025 (2024-25): four episodes start in the year and one, row 6, on 02/04/2025: one in
    # five (under a quarter) is too few to call the file the 2025-26 return, so the
    # message offers both readings.
    rows = "".join(f"C{i},01/0{i}/2024,S,C2,N1,U1,PR1,,,\n" for i in range(5, 9))
    f = write(
        tmp_path / "2025" / "episodes.csv",
        EPISODE_COLS + "\n" + rows + "C9,02/04/2025,S,C2,N1,U1,PR1,,,\n",
    )
    with pytest.raises(PmfError) as e:
        read_ssda903([f])
    assert (e.value.location, e.value.field) == ("row 6", "DECOM")
    assert (
        "if this is the 2025-26 return, named for the year its collection starts, name it "
        "2026 or 2025-26; otherwise correct the date" in e.value.message
    )
    assert "looks like" not in e.value.message


def test_episodes_all_before_the_named_year_are_refused(tmp_path):
    # Named 2025 (from 01/04/2024), but every episode ceased by 30/06/2023: an older
    # year's return. The latest cessation (row 3, DEC) is named.
    f = write(
        tmp_path / "2025" / "episodes.csv",
        EPISODE_COLS
        + "\nC1,01/05/2022,S,C2,N1,U1,PR1,01/01/2023,E11,"
        + "\nC2,01/06/2022,S,C2,N1,U1,PR1,30/06/2023,E11,\n",
    )
    with pytest.raises(PmfError, match="every episode ceased before 01/04/2024") as e:
        read_ssda903([f])
    assert (e.value.location, e.value.field) == ("row 3", "DEC")


def test_oc3_ages_check_the_collection_year(tmp_path):
    # OC3 2018 (2017-18) holds young people whose 17th-21st birthday is in the year: aged
    # 17-21 (22 tolerated, DfE rule 391) at 31/03/2018. L2, born 01/09/2001, is 16 at
    # 31/03/2018 (17 only on 01/09/2018) and every row fits 2018-19: a file named for the
    # year its collection starts.
    f = write(
        tmp_path / "2018" / "oc3.csv",
        OC3_COLS + "\nL1,01/06/1998,YES,F1,B1\nL2,01/09/2001,YES,F2,B1\n",
    )
    with pytest.raises(PmfError) as e:
        read_ssda903([f])
    assert (e.value.location, e.value.field) == ("row 3", "DOB")
    assert "gives age 16 at 31/03/2018, outside 17-22" in e.value.message
    assert "2018-19 return named for the year its collection starts" in e.value.message
    # in the year it belongs to, the same rows load
    g = write(tmp_path / "2019" / "oc3.csv", f.read_text())
    assert len(read_ssda903([g]).oc3) == 2
    # a 30-year-old fits neither year: refused without the hint
    h = write(tmp_path / "old" / "2019" / "oc3.csv", OC3_COLS + "\nL9,01/01/1989,YES,F1,B1\n")
    with pytest.raises(PmfError, match="age 30 at 31/03/2019") as e:
        read_ssda903([h])
    assert "named for the year" not in e.value.message


def test_oc2_ages_check_the_collection_year(tmp_path):
    # OC2 2025: children looked after for the 12 months to 31/03/2025, so aged 1-17 then.
    # C2, born 10/10/2024, is 0: it cannot be in the 2024-25 OC2 (row 3).
    f = write(
        tmp_path / "2025" / "oc2.csv",
        OC2_COLS + "\nC1,01/01/2015,1,1,1\nC2,10/10/2024,1,1,1\n",
    )
    with pytest.raises(PmfError, match="gives age 0 at 31/03/2025, outside 1-17") as e:
        read_ssda903([f])
    assert (e.value.file, e.value.location, e.value.field) == (str(f), "row 3", "DOB")


def test_xml_export_named_for_its_start_year_names_the_element(tmp_path):
    # The XML fixture's episodes start up to 06/10/2024 (2024-25): named 2024 it is refused
    # at CHILD[1]'s first EPISODE (DECOM 06/05/2024, after 31/03/2024).
    f = write(tmp_path / "903_2024.xml", XML)
    with pytest.raises(PmfError, match="2024-25 return named for the year") as e:
        read_ssda903([f])
    assert e.value.location.startswith("CHILD[1]/EPISODE[1], line ")
    assert e.value.field == "DECOM"


def test_reference_date_comes_from_the_contents_never_the_folder_name(tmp_path):
    # 2023 (2022-23): events reach March 2023 (a review on 20/03/2023) in a finished
    # year: the whole year, to 31/03/2023. 2024 (2023-24): an extract whose latest event
    # is 15/12/2023, although its folder says 2024: it runs to 15/12/2023. 2025: only an
    # OC2 (no event dates): unknown. The history covers 01/04/2022 to 15/12/2023.
    full = [
        write(
            tmp_path / "2023" / "episodes.csv", EPISODE_COLS + "\nC1,01/05/2022,S,C2,N1,U1,,,,\n"
        ),
        write(tmp_path / "2023" / "reviews.csv", "CHILD,DOB,REVIEW\nC1,01/01/2015,20/03/2023\n"),
    ]
    ytd = write(
        tmp_path / "2024" / "episodes.csv",
        EPISODE_COLS + "\nC1,01/05/2022,S,C2,N1,U1,,15/12/2023,E11,\n",
    )
    oc2 = write(tmp_path / "2025" / "oc2.csv", OC2_COLS + "\nC1,01/01/2015,1,1,1\n")
    cla = read_ssda903([*full, ytd, oc2])
    ref = cla.returns.set_index("source_file")["reference_date"]
    assert ref[str(full[0])] == ref[str(full[1])] == ts("2023-03-31")
    assert ref[str(ytd)] == ts("2023-12-15")
    assert pd.isna(ref[str(oc2)])
    assert data_extent(cla) == (ts("2022-04-01"), ts("2023-12-15"))


def test_rows_repeated_within_one_file_are_kept_for_validation(tmp_path):
    f = write(
        tmp_path / "2025" / "episodes.csv",
        EPISODE_COLS + "\nC1,01/05/2024,S,C2,N1,U1,,,,\nC1,01/05/2024,P,C2,N1,U2,,,,\n",
    )
    assert len(read_ssda903([f]).episodes) == 2


# ---- XML ---------------------------------------------------------------------
XML = """<?xml version='1.0' encoding='us-ascii'?>
<EXPSSDA903>
<CHILD><HEADER><CHILDID>907440</CHILDID><UPN>O013219285333</UPN><SEX>2</SEX>
<DOB>28/07/2010</DOB><ETHNIC>BAFR</ETHNIC><UASC /><DUC>28/07/2028</DUC>
<AREVIEW><REVIEW>27/09/2024</REVIEW><REVIEW_CODE>PN0</REVIEW_CODE></AREVIEW>
<AREVIEW><REVIEW>14/01/2025</REVIEW><REVIEW_CODE>PN1</REVIEW_CODE></AREVIEW>
<AMISSING><MISSING>M</MISSING><MIS_START>01/08/2024</MIS_START><MIS_END>03/08/2024</MIS_END>
</AMISSING><MOTHER /><MC_DOB /><PERMANENCE><PREV_PERM>Z1</PREV_PERM></PERMANENCE>
<OC2><SDQ_SCORE>21</SDQ_SCORE><CONVICTED>1</CONVICTED></OC2><FUTURE_FIELD>x</FUTURE_FIELD>
</HEADER>
<EPISODE><DECOM>06/05/2024</DECOM><RNE>T</RNE><LS>J3</LS><CIN>N4</CIN><PL>R5</PL>
<PL_POST>E7 5YR</PL_POST><URN>1465167</URN><PLACE_PROVIDER>PR2</PLACE_PROVIDER>
<DEC>06/10/2024</DEC><REC>X1</REC><REASON_PLACE_CHANGE>CARPL</REASON_PLACE_CHANGE></EPISODE>
<EPISODE><DECOM>06/10/2024</DECOM><RNE>P</RNE><LS>J3</LS><CIN>N4</CIN><PL>P2</PL><DEC />
<REC /></EPISODE></CHILD>
<CHILD><HEADER><CHILDID>228005</CHILDID><SEX>1</SEX><DOB>29/11/2006</DOB><ETHNIC>BCRB</ETHNIC>
<DATE_INT>01/02/2024</DATE_INT><DATE_MATCH>01/03/2024</DATE_MATCH><FOSTER_CARE>0</FOSTER_CARE>
<AD_PLACED><DATE_PLACED>02/04/2024</DATE_PLACED></AD_PLACED></HEADER>
<EPISODE><DECOM>27/03/2024</DECOM><RNE>S</RNE><LS>E1</LS><CIN>N1</CIN><PL>A3</PL></EPISODE>
</CHILD>
</EXPSSDA903>
"""


def test_xml_export_fills_every_table(tmp_path):
    f = write(tmp_path / "2025" / "903.xml", XML)
    cla = read_ssda903([f])
    assert cla.header["CHILD"].tolist() == ["907440", "228005"]
    assert cla.header["DOB"].tolist() == [ts("2010-07-28"), ts("2006-11-29")]
    e = cla.episodes
    # Three EPISODEs; <PL> becomes PLACE; empty <DEC /> is NaT.
    assert e["CHILD"].tolist() == ["907440", "907440", "228005"]
    assert e["PLACE"].tolist() == ["R5", "P2", "A3"]
    assert e["DEC"].iloc[0] == ts("2024-10-06") and pd.isna(e["DEC"].iloc[1])
    assert e["REASON_PLACE_CHANGE"].iloc[0] == "CARPL"
    assert cla.reviews["REVIEW_CODE"].tolist() == ["PN0", "PN1"]
    assert cla.reviews["DOB"].tolist() == [ts("2010-07-28")] * 2
    assert cla.missing["MIS_START"].tolist() == [ts("2024-08-01")]
    assert cla.uasc[["CHILD", "SEX"]].values.tolist() == [["907440", "2"]]
    assert cla.uasc["DUC"].tolist() == [ts("2028-07-28")]
    assert cla.previous_permanence["PREV_PERM"].tolist() == ["Z1"]
    assert cla.oc2["SDQ_SCORE"].tolist() == ["21"]
    assert cla.ad1[["CHILD", "FOSTER_CARE"]].values.tolist() == [["228005", "0"]]
    assert cla.placed_for_adoption["DATE_PLACED"].tolist() == [ts("2024-04-02")]
    assert cla.oc3.empty
    assert cla.returns["rows"].tolist() == [2]
    assert set(cla.episodes["collection_year"]) == {2025}


def test_xml_bad_date_names_the_element_and_line(tmp_path):
    bad = XML.replace("<DECOM>27/03/2024</DECOM>", "<DECOM>31/02/2024</DECOM>")
    f = write(tmp_path / "2025" / "903.xml", bad)
    with pytest.raises(PmfError) as e:
        read_ssda903([f])
    msg = str(e.value)
    line = bad.splitlines().index(next(x for x in bad.splitlines() if "31/02/2024" in x)) + 1
    assert e.value.file == str(f)
    assert "CHILD[2]/EPISODE[1]" in msg and f"line {line}" in msg
    assert e.value.field == "DECOM" and "31/02/2024" in msg


@pytest.mark.parametrize(
    "change,where,field",
    [
        (("<CHILDID>228005</CHILDID>", ""), "CHILD[2]/HEADER", "CHILDID"),
        (("<DECOM>06/10/2024</DECOM>", ""), "CHILD[1]/EPISODE[2]", "DECOM"),
    ],
)
def test_xml_missing_required_element(tmp_path, change, where, field):
    f = write(tmp_path / "2025" / "903.xml", XML.replace(*change))
    with pytest.raises(PmfError) as e:
        read_ssda903([f])
    assert where in str(e.value) and e.value.field == field and e.value.file == str(f)


def test_xml_wrong_root_and_truncated(tmp_path):
    wrong = write(tmp_path / "2025" / "a.xml", "<Message><Children/></Message>")
    with pytest.raises(PmfError, match="root element is <Message>, expected <EXPSSDA903>"):
        read_ssda903([wrong])
    cut = write(tmp_path / "2025" / "b.xml", XML[: XML.index("<CHILD><HEADER><CHILDID>228005")])
    with pytest.raises(PmfError, match="not well-formed XML") as e:
        read_ssda903([cut])
    assert e.value.file == str(cut) and re.search(r"line \d+", str(e.value))


# ---- malformed CSV corpus ------------------------------------------------------
@pytest.mark.parametrize(
    "name,content,location,field,message",
    [
        (
            "episodes.csv",
            EPISODE_COLS + "\nC1,01/05/2024,S,C2,N1,U1,,,,\nC2,31/02/2024,S,C2,N1,U1,,,,\n",
            "row 3",
            "DECOM",
            "not a date: '31/02/2024'",
        ),
        (
            "episodes.csv",
            "CHILD,RNE,LS\nC1,S,C2\n",
            "row 1",
            "DECOM",
            "required column missing",
        ),
        ("header.csv", "SEX,DOB\n1,01/01/2015\n", "row 1", "CHILD", "required column missing"),
        (
            "episodes.csv",
            EPISODE_COLS + "\nC1,01/05/2024,S,C2\n",
            "row 2",
            None,
            "4 fields where the header has 10",
        ),
        ("episodes.csv", "", None, None, "empty"),
        ("episodes.csv", "\n  \n", None, None, "empty"),
        ("mystery.csv", "A,B\n1,2\n", None, None, "cannot tell which SSDA903 table"),
    ],
)
def test_malformed_csv(tmp_path, name, content, location, field, message):
    f = write(tmp_path / "2025" / name, content)
    with pytest.raises(PmfError) as e:
        read_ssda903([f])
    err = e.value
    assert err.file == str(f)
    assert err.location == location
    assert err.field == field
    assert message in err.message


def test_binary_junk_and_bad_encoding(tmp_path):
    junk = tmp_path / "2025" / "episodes.csv"
    junk.parent.mkdir()
    junk.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(PmfError, match="not a text file") as e:
        read_ssda903([junk])
    assert e.value.file == str(junk)
    other = tmp_path / "2025" / "header.csv"
    other.write_bytes(b"CHILD,SEX\n\x81\x8d\x8f,1\n")  # undefined in both UTF-8 and cp1252
    with pytest.raises(PmfError, match="unreadable encoding") as e:
        read_ssda903([other])
    assert e.value.location == "row 2"


def test_other_file_types_refused(tmp_path):
    f = write(tmp_path / "2025" / "episodes.xlsx", "x")
    with pytest.raises(PmfError, match="expected a .csv table or an .xml export"):
        read_ssda903([f])


def test_nothing_returned_when_any_file_is_refused(tmp_path):
    good = write(tmp_path / "2025" / "episodes.csv", EPISODE_COLS + "\nC1,01/05/2024,S,,,,,,,\n")
    bad = write(tmp_path / "2025" / "header.csv", "CHILD,DOB\nC1,2015-13-01\n")
    with pytest.raises(PmfError, match="2015-13-01"):
        read_ssda903([good, bad])


# ---- the shared synthetic files ------------------------------------------------
FAKE = ("data", "synthetic", "ssda903_validator_fake")
# Files with only birth dates carry no event date to tell their collection year alone.
NO_YEAR_ALONE = {"header.csv", "oc2.csv", "oc3.csv", "previous_permanence.csv", "uasc.csv"}


def _data_lines(path: Path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8-sig").splitlines()[1:] if line.strip())


def test_every_shared_903_csv_loads_or_is_refused_clearly():
    folder = need_shared(*FAKE)
    for f in sorted(folder.glob("*.csv")):
        if f.name in NO_YEAR_ALONE:
            with pytest.raises(PmfError, match="cannot tell which collection year") as e:
                read_ssda903([f])
            assert e.value.file == str(f)
            continue
        cla = read_ssda903([f])
        table = table_for_file_name(f) or "placed_for_adoption"  # the _errors variant
        assert len(cla.tables[table]) == _data_lines(f), f.name
        assert sum(len(t) for t in cla.tables.values()) == _data_lines(f), f.name


def test_shared_903_folder_loads_as_one_return():
    folder = need_shared(*FAKE)
    files = sorted(folder.iterdir())
    cla = read_ssda903(files)
    assert len(cla.returns) == len(files)
    # Every file in the folder has the same (inferred) collection year.
    assert cla.returns["collection_year"].nunique() == 1
    assert len(cla.episodes) >= _data_lines(folder / "episodes.csv")
    assert cla.episodes["DECOM"].notna().all()


def test_shared_903_xml_export_loads():
    f = need_shared(*FAKE, "fake_903.xml")
    text = f.read_text()
    cla = read_ssda903([f])
    assert len(cla.header) == text.count("<CHILD>")
    assert len(cla.episodes) == text.count("<EPISODE>")
    assert len(cla.reviews) == text.count("<AREVIEW>")
    assert len(cla.missing) == text.count("<AMISSING>")
    assert len(cla.placed_for_adoption) == text.count("<AD_PLACED>")
    assert cla.episodes["PLACE"].notna().all()


def test_row_numbers_are_file_lines_even_after_blank_lines(tmp_path):
    # Line 1 header, line 2 a good row, line 3 blank, line 4 the bad date.
    f = write(
        tmp_path / "2025" / "episodes.csv",
        EPISODE_COLS + "\nC1,01/05/2024,S,,,,,,,\n\nC2,01/05/2024,S,,,,,32/13/2024,,\n",
    )
    with pytest.raises(PmfError) as e:
        read_ssda903([f])
    assert (e.value.location, e.value.field) == ("row 4", "DEC")


def test_bom_and_windows_1252_text_are_read(tmp_path):
    bom = tmp_path / "2025" / "header.csv"
    bom.parent.mkdir()
    bom.write_bytes("\ufeffCHILD,SEX,DOB\r\nC1,1,01/01/2015\r\n".encode())
    cp = tmp_path / "2025" / "missing.csv"
    cp.write_bytes(
        "CHILD,DOB,MISSING,MIS_START,MIS_END,NOTE\nC1,01/01/2015,M,02/02/2025,,£5\n".encode(
            "cp1252"
        )
    )
    cla = read_ssda903([bom, cp])
    assert cla.header["CHILD"].tolist() == ["C1"]
    assert cla.missing["NOTE"].tolist() == ["£5"]  # extra columns are kept as text


def test_missing_file(tmp_path):
    f = tmp_path / "2025" / "episodes.csv"
    with pytest.raises(PmfError, match="cannot open the file") as e:
        read_ssda903([f])
    assert e.value.file == str(f)
