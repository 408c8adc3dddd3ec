"""CIN census reader: every block into canonical tables, years merged."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from pmf_lib.errors import PmfError
from pmf_lib.read.cin_census import read_cin_census
from pmf_lib.read.tables import CIN_COLUMNS
from tests.conftest import need_shared


def ts(s: str) -> pd.Timestamp:
    return pd.Timestamp(s)


def message(ref: str, children: str, lea: str = "938") -> str:
    return (
        "<Message>\n<Header><CollectionDetails><Collection>CIN</Collection>"
        f"<ReferenceDate>{ref}</ReferenceDate></CollectionDetails>"
        f"<Source><SourceLevel>L</SourceLevel><LEA>{lea}</LEA></Source></Header>\n"
        f"<Children>\n{children}</Children>\n</Message>\n"
    )


def child(cid: str, details: str, sex: str = "<Sex>2</Sex>", extra: str = "") -> str:
    return (
        f"<Child>\n<ChildIdentifiers><LAchildID>{cid}</LAchildID>"
        f"<PersonBirthDate>2015-03-27</PersonBirthDate>{sex}{extra}</ChildIdentifiers>\n"
        "<ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>\n"
        f"{details}</Child>\n"
    )


def referral(date: str, inner: str = "", nfa: str = "0", closure: str = "") -> str:
    close = f"<CINclosureDate>{closure}</CINclosureDate>" if closure else ""
    return (
        f"<CINdetails>\n<CINreferralDate>{date}</CINreferralDate>"
        f"<ReferralSource>1A</ReferralSource><PrimaryNeedCode>N4</PrimaryNeedCode>{close}\n"
        f"{inner}<ReferralNFA>{nfa}</ReferralNFA>\n</CINdetails>\n"
    )


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


FULL = """<Child>
<ChildIdentifiers>
  <LAchildID> A1 </LAchildID><UPN>A123456789123</UPN><UPNunknown>UN3</UPNunknown>
  <PersonBirthDate>2015-03-27</PersonBirthDate><GenderCurrent>1</GenderCurrent>
  <PersonDeathDate>2025-01-02</PersonDeathDate>
</ChildIdentifiers>
<ChildCharacteristics><Ethnicity>WBRI</Ethnicity>
  <Disabilities><Disability>HAND</Disability><Disability>HEAR</Disability></Disabilities>
</ChildCharacteristics>
<CINdetails>
  <CINreferralDate>2024-10-06</CINreferralDate><ReferralSource>1A</ReferralSource>
  <PrimaryNeedCode>N4</PrimaryNeedCode><CINclosureDate>2025-02-27</CINclosureDate>
  <ReasonForClosure>RC1</ReasonForClosure><DateOfInitialCPC>2024-11-06</DateOfInitialCPC>
  <Assessments>
    <AssessmentActualStartDate>2024-10-07</AssessmentActualStartDate>
    <AssessmentInternalReviewDate>2024-10-20</AssessmentInternalReviewDate>
    <AssessmentAuthorisationDate>2024-11-01</AssessmentAuthorisationDate>
    <FactorsIdentifiedAtAssessment>
      <AssessmentFactors>1C</AssessmentFactors><AssessmentFactors> RB </AssessmentFactors>
    </FactorsIdentifiedAtAssessment>
  </Assessments>
  <Assessments>
    <AssessmentActualStartDate>2028-04-28</AssessmentActualStartDate>
    <FactorsIdentifiedAtAssessment/>
  </Assessments>
  <CINPlanDates><CINPlanStartDate>2024-11-01</CINPlanStartDate></CINPlanDates>
  <Section47>
    <S47ActualStartDate>2024-10-10</S47ActualStartDate><InitialCPCtarget>2024-10-31</InitialCPCtarget>
    <DateOfInitialCPC>2024-11-06</DateOfInitialCPC><ICPCnotRequired>false</ICPCnotRequired>
  </Section47>
  <Section47>
    <S47ActualStartDate>2024-12-10</S47ActualStartDate><ICPCnotRequired>true</ICPCnotRequired>
  </Section47>
  <ReferralNFA>false</ReferralNFA>
  <ChildProtectionPlans>
    <CPPstartDate>2024-11-06</CPPstartDate><CPPendDate>2025-02-20</CPPendDate>
    <InitialCategoryOfAbuse>PHY</InitialCategoryOfAbuse><LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse>
    <NumberOfPreviousCPP>2</NumberOfPreviousCPP>
    <Reviews><CPPreviewDate>2024-12-01</CPPreviewDate><CPPreviewDate>2025-02-01</CPPreviewDate></Reviews>
  </ChildProtectionPlans>
  <SomethingNew><Deep>ignored</Deep></SomethingNew>
</CINdetails>
</Child>
"""


def test_every_block_into_canonical_tables(tmp_path):
    f = write(tmp_path / "cin.xml", message("2025-03-31", FULL))
    cin = read_cin_census([f])
    for name, cols in CIN_COLUMNS.items():
        assert list(cin.tables[name].columns) == list(cols), name
        assert cin.tables[name].dtypes.astype(str).tolist() == [
            "datetime64[ns]" if t.startswith("datetime") else t for t in cols.values()
        ], name
    c = cin.children
    assert c[["LAchildID", "UPN", "Sex", "Ethnicity", "UPNunknown"]].values.tolist() == [
        ["A1", "A123456789123", "1", "WBRI", "UN3"]
    ]
    assert c["PersonDeathDate"].tolist() == [ts("2025-01-02")]
    assert cin.disabilities["Disability"].tolist() == ["HAND", "HEAR"]
    r = cin.referrals
    assert r[
        ["LAchildID", "ReferralSource", "ReasonForClosure", "ReferralNFA"]
    ].values.tolist() == [["A1", "1A", "RC1", "0"]]
    assert r["CINclosureDate"].tolist() == [ts("2025-02-27")]
    a = cin.assessments
    # Two assessments: factors joined with ","; the second has none. The 2028 start is
    # a deliberately invalid value, kept for validation to report.
    assert a["AssessmentFactors"].tolist()[0] == "1C,RB" and pd.isna(a["AssessmentFactors"][1])
    assert a["AssessmentActualStartDate"].tolist() == [ts("2024-10-07"), ts("2028-04-28")]
    assert a["CINreferralDate"].tolist() == [ts("2024-10-06")] * 2
    assert cin.cin_plans["CINPlanStartDate"].tolist() == [ts("2024-11-01")]
    assert cin.cin_plans["CINPlanEndDate"].isna().all()
    s = cin.section47
    assert s["ICPCnotRequired"].tolist() == ["0", "1"]
    assert s["InitialCPCtarget"].tolist()[0] == ts("2024-10-31")
    p = cin.cp_plans
    assert p[["InitialCategoryOfAbuse", "LatestCategoryOfAbuse"]].values.tolist() == [
        ["PHY", "NEG"]
    ]
    assert p["NumberOfPreviousCPP"].tolist() == [2]
    assert cin.cp_reviews["CPPreviewDate"].tolist() == [ts("2024-12-01"), ts("2025-02-01")]
    assert cin.cp_reviews["CPPstartDate"].tolist() == [ts("2024-11-06")] * 2
    assert cin.pre_proceedings.empty
    assert set(cin.referrals["collection_year"]) == {2025}
    assert cin.returns[["collection_year", "la_code", "rows"]].values.tolist() == [[2025, "938", 1]]
    assert cin.returns["reference_date"].tolist() == [ts("2025-03-31")]


def test_gender_current_and_sex_both_become_sex(tmp_path):
    old = write(
        tmp_path / "a.xml",
        message(
            "2025-03-31", child("G1", referral("2024-05-01"), "<GenderCurrent>1</GenderCurrent>")
        ),
    )
    new = write(
        tmp_path / "b.xml",
        message("2026-03-31", child("S1", referral("2025-05-01"), "<Sex>2</Sex>")),
    )
    cin = read_cin_census([old, new])
    assert dict(zip(cin.children["LAchildID"], cin.children["Sex"], strict=True)) == {
        "G1": "1",
        "S1": "2",
    }


def test_2025_26_pre_proceedings_block(tmp_path):
    pp = (
        "<PreProceedingsandFGDM><PPStartDate>2025-09-09</PPStartDate>"
        "<LBPSentDate>2025-09-20</LBPSentDate><FGDMMeetingOffer>true</FGDMMeetingOffer>"
        "<FGDMMeetingFac>0</FGDMMeetingFac><ReviewMeetingsCount>3</ReviewMeetingsCount>"
        "<PPOutcome>A</PPOutcome></PreProceedingsandFGDM>"
    )
    f = write(tmp_path / "cin.xml", message("2026-03-31", child("A1", referral("2025-05-01", pp))))
    p = read_cin_census([f]).pre_proceedings
    assert p[["LAchildID", "FGDMMeetingOffer", "FGDMMeetingFac", "PPOutcome"]].values.tolist() == [
        ["A1", "1", "0", "A"]
    ]
    assert p["PPStartDate"].tolist() == [ts("2025-09-09")]
    assert p["ReviewMeetingsCount"].tolist() == [3]
    assert p["CINreferralDate"].tolist() == [ts("2025-05-01")]


@pytest.mark.parametrize(
    "ref,year", [("2026-10-31", 2027), ("2026-03-31", 2026), ("2026-04-01", 2027)]
)
def test_collection_year_from_reference_date(tmp_path, ref, year):
    f = write(tmp_path / "cin.xml", message(ref, child("A1", referral("2025-05-01"))))
    cin = read_cin_census([f])
    assert cin.returns["collection_year"].tolist() == [year]
    assert cin.referrals["collection_year"].tolist() == [year]


def test_year_to_date_extract_overrides_the_annual_return(tmp_path):
    # Annual 2025-26 (ref 2026-03-31): A1's referral of 2025-12-01 is open; B1 has one.
    # Year-to-date 2026-27 (ref 2026-10-31): A1's same referral now closed 2026-06-01;
    # C1 is new. Expected referrals: A1 closed (from the extract, year 2027), B1 (2026),
    # C1 (2027) - three rows; A1's child record also comes from the extract (Sex 1).
    annual = write(
        tmp_path / "annual.xml",
        message(
            "2026-03-31",
            child("A1", referral("2025-12-01"), "<Sex>2</Sex>")
            + child("B1", referral("2025-06-01")),
        ),
    )
    ytd = write(
        tmp_path / "ytd.xml",
        message(
            "2026-10-31",
            child("A1", referral("2025-12-01", closure="2026-06-01"), "<Sex>1</Sex>")
            + child("C1", referral("2026-07-01")),
        ),
    )
    cin = read_cin_census([ytd, annual])  # input order does not matter
    r = cin.referrals.set_index("LAchildID").sort_index()
    assert r.index.tolist() == ["A1", "B1", "C1"]
    assert r.loc["A1", "CINclosureDate"] == ts("2026-06-01")
    assert r["collection_year"].tolist() == [2027, 2026, 2027]
    assert r.loc["A1", "source_file"] == str(ytd)
    kids = cin.children.set_index("LAchildID").sort_index()
    assert kids["Sex"].tolist() == ["1", "2", "2"]
    assert sorted(cin.returns["collection_year"].tolist()) == [2026, 2027]


def test_namespaced_file_and_unknown_elements(tmp_path):
    body = message("2025-03-31", child("A1", referral("2024-05-01"), extra="<Hobby>chess</Hobby>"))
    body = body.replace("<Message>", '<Message xmlns="http://www.dfe.gov.uk/CIN">', 1)
    f = write(tmp_path / "cin.xml", body)
    cin = read_cin_census([f])
    assert cin.referrals["CINreferralDate"].tolist() == [ts("2024-05-01")]
    assert cin.returns["la_code"].tolist() == ["938"]


# ---- malformed corpus --------------------------------------------------------------
def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_bad_date_names_element_path_line_and_field(tmp_path):
    text = message("2025-03-31", FULL.replace("2024-10-20", "2024-02-30"))
    f = write(tmp_path / "cin.xml", text)
    with pytest.raises(PmfError) as e:
        read_cin_census([f])
    err = e.value
    assert err.file == str(f)
    assert err.location == (
        f"Child[1]/CINdetails[1]/Assessments[1], line {line_of(text, '2024-02-30')}"
    )
    assert err.field == "AssessmentInternalReviewDate"
    assert "not a date: '2024-02-30'" in err.message


def test_missing_lachildid_and_referral_date(tmp_path):
    text = message(
        "2025-03-31", child("A1", referral("2024-05-01")) + child("", referral("2024-06-01"))
    )
    f = write(tmp_path / "a.xml", text)
    with pytest.raises(PmfError) as e:
        read_cin_census([f])
    assert e.value.location.startswith("Child[2]/ChildIdentifiers, line ")
    assert e.value.field == "LAchildID"
    text = message(
        "2025-03-31",
        child(
            "A1",
            referral("2024-05-01")
            + referral("").replace("<CINreferralDate></CINreferralDate>", ""),
        ),
    )
    f = write(tmp_path / "b.xml", text)
    with pytest.raises(PmfError) as e:
        read_cin_census([f])
    assert e.value.location.startswith("Child[1]/CINdetails[2], line ")
    assert e.value.field == "CINreferralDate"


def test_not_a_whole_number(tmp_path):
    f = write(
        tmp_path / "a.xml",
        message(
            "2025-03-31", FULL.replace(">2</NumberOfPreviousCPP>", ">two</NumberOfPreviousCPP>")
        ),
    )
    with pytest.raises(PmfError, match="not a whole number: 'two'") as e:
        read_cin_census([f])
    assert e.value.field == "NumberOfPreviousCPP"
    assert e.value.location.startswith("Child[1]/CINdetails[1]/ChildProtectionPlans[1], line ")


@pytest.mark.parametrize(
    "content,pattern",
    [
        (b"", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not an XML file|not well-formed XML"),
        (b"<EXPSSDA903><CHILD/></EXPSSDA903>", "root element is <EXPSSDA903>, expected <Message>"),
        (b"<Message><Header/><Children></Children></Message>", "no <Child> elements"),
        (b"<Message><Children><Child><ChildIdentifiers>", "not well-formed XML"),
        (b"<Message>\xff\xfe<Children/></Message>", "not well-formed XML"),
    ],
)
def test_malformed_files(tmp_path, content, pattern):
    f = tmp_path / "bad.xml"
    f.write_bytes(content)
    with pytest.raises(PmfError, match=pattern) as e:
        read_cin_census([f])
    assert e.value.file == str(f)


def test_truncated_file_gives_line(tmp_path):
    text = message("2025-03-31", FULL)
    f = write(tmp_path / "cut.xml", text[: text.index("<Section47>")])
    with pytest.raises(PmfError, match="not well-formed XML") as e:
        read_cin_census([f])
    assert re.fullmatch(r"line \d+", e.value.location)


def test_the_well_formedness_check_leaves_no_thread_and_finds_a_fault_at_the_end(tmp_path):
    # The fast path checks well-formedness on a thread of its own: a file cut short (a
    # fault only lxml's close finds) is still refused with the element reader's line, a
    # good file still reads, and no thread is left behind either way (the KPI engine
    # forks only from a process running one thread).
    import threading

    before = threading.active_count()
    text = message("2025-03-31", FULL)
    cut = write(tmp_path / "cut.xml", text[: text.rindex("</Children>")])
    with pytest.raises(PmfError, match="not well-formed XML"):
        read_cin_census([cut])
    assert threading.active_count() == before
    good = write(tmp_path / "good.xml", text)
    assert len(read_cin_census([good]).tables["referrals"]) >= 1
    assert threading.active_count() == before


def test_a_refused_file_refuses_the_whole_read(tmp_path):
    good = write(tmp_path / "a.xml", message("2025-03-31", child("A1", referral("2024-05-01"))))
    bad = write(tmp_path / "b.xml", message("2026-03-31", child("B1", referral("2025-13-01"))))
    with pytest.raises(PmfError) as e:
        read_cin_census([good, bad])
    assert e.value.file == str(bad)


# ---- the shared synthetic files ------------------------------------------------------
CIN = ("data", "synthetic", "cin_census")


def count(text: str, tag: str) -> int:
    return len(re.findall(rf"<{tag}>", text))


@pytest.mark.parametrize(
    "name", ["CIN_Census_2024.xml", "CIN_Census_2026.xml", "cin-2022_liiatools_sample.xml"]
)
def test_shared_cin_files_load(name):
    f = need_shared(*CIN, name)
    text = f.read_text()
    cin = read_cin_census([f])
    assert len(cin.children) == count(text, "Child")
    assert len(cin.referrals) == count(text, "CINdetails")
    assert len(cin.assessments) == count(text, "Assessments")
    assert len(cin.section47) == count(text, "Section47")
    assert len(cin.cp_plans) == count(text, "ChildProtectionPlans")
    assert len(cin.cp_reviews) == count(text, "CPPreviewDate")
    assert len(cin.disabilities) == count(text, "Disability")
    assert len(cin.pre_proceedings) == count(text, "PreProceedingsandFGDM")
    ref = re.search(r"<ReferenceDate>(.*?)</ReferenceDate>", text).group(1)
    assert cin.returns["reference_date"].tolist() == [ts(ref)]
    assert cin.returns["la_code"].tolist() == [re.search(r"<LEA>(.*?)</LEA>", text).group(1)]
    # Values kept as sent: Sex "M" and a 2028 assessment start are validation's business.
    assert cin.children["Sex"].notna().all()


def test_shared_2021_file_refused_for_an_unholdable_date():
    # Its ExpectedPersonBirthDate is 1066-04-13: no datetime64[ns] can hold it.
    f = need_shared(*CIN, "CIN_Census_2021.xml")
    with pytest.raises(PmfError, match="date out of range: '1066-04-13'") as e:
        read_cin_census([f])
    assert e.value.file == str(f)
    assert e.value.field == "ExpectedPersonBirthDate"
    assert e.value.location.startswith("Child[1]/ChildIdentifiers, line ")


def test_shared_cin_files_merge():
    files = [need_shared(*CIN, n) for n in ("cin-2022_liiatools_sample.xml", "CIN_Census_2024.xml")]
    cin = read_cin_census(files)
    # DfEX0000001 is in both: one child row, from the 2024 file; its referrals differ
    # (1970 and 2022 dates) so both are kept, plus the 2024 file's second child.
    assert cin.children["LAchildID"].tolist().count("DfEX0000001") == 1
    assert cin.children.set_index("LAchildID").loc["DfEX0000001", "collection_year"] == 2024
    assert len(cin.referrals) == 3


# ---- several files read side by side ---------------------------------------------------
def test_files_read_in_worker_processes_give_the_same_history(tmp_path):
    files = [
        write(tmp_path / "a.xml", message("2024-03-31", child("A1", referral("2023-05-01")))),
        write(tmp_path / "b.xml", message("2025-03-31", child("A1", referral("2024-06-02")))),
        write(tmp_path / "c.xml", message("2026-03-31", child("B1", referral("2025-07-03")))),
    ]
    one = read_cin_census(files)
    two = read_cin_census(files, workers=2)
    for name in CIN_COLUMNS:
        pd.testing.assert_frame_equal(two.tables[name], one.tables[name], check_exact=True)
    pd.testing.assert_frame_equal(two.returns, one.returns, check_exact=True)
    # A1 from 2025 (the later year), B1 from 2026; one referral per file.
    assert one.children["collection_year"].tolist() == [2025, 2026]
    assert len(one.referrals) == 3


def test_worker_processes_report_the_first_bad_file_in_order(tmp_path):
    good = write(tmp_path / "a.xml", message("2025-03-31", child("A1", referral("2024-05-01"))))
    bad1 = write(tmp_path / "b.xml", message("2026-03-31", child("B1", referral("2025-13-01"))))
    bad2 = write(tmp_path / "c.xml", "<Message><Children>")
    with pytest.raises(PmfError, match="not a date: '2025-13-01'") as e:
        read_cin_census([good, bad1, bad2], workers=2)
    assert e.value.file == str(bad1)
    assert e.value.field == "CINreferralDate"


# ---- the fast path gives the element reader's tables ---------------------------------
def _same_tables(a, b):
    for name in CIN_COLUMNS:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], check_exact=True, obj=name)
    assert (a.collection_year, a.reference_date, a.la_code, a.rows) == (
        b.collection_year,
        b.reference_date,
        b.la_code,
        b.rows,
    )


PLAIN_FULL = FULL.replace(
    "<FactorsIdentifiedAtAssessment/>",
    "<FactorsIdentifiedAtAssessment>\n</FactorsIdentifiedAtAssessment>",
)
PLAIN_CASES = {
    "every block": message("2025-03-31", PLAIN_FULL),
    "declaration, namespace, CRLF": (
        "<?xml version='1.0' encoding='UTF-8'?>\r\n"
        + message("2025-03-31", PLAIN_FULL).replace("<Message>", '<Message xmlns="urn:x">')
    ).replace("\n", "\r\n"),
    # GenderCurrent then Sex; UASC in the characteristics; empty and blank values
    "sex, uasc, empty values": message(
        "2026-10-31",
        child("A1", referral("2026-05-01", nfa="true"), sex="<GenderCurrent>1</GenderCurrent>")
        + child("B2", "", sex="<Sex> 2 </Sex><UPN></UPN><FormerUPN>  </FormerUPN>").replace(
            "<Ethnicity>WBRI</Ethnicity>", "<Ethnicity>WBRI</Ethnicity><UASC>1</UASC>"
        ),
    ),
    # non-ASCII text, Python's whitespace (no-break space) around a value, '>' in text
    "text": message(
        "2025-03-31",
        child("Ä1", referral("01/05/2024", nfa="\u00a0yes\u00a0"), extra="<UPN>a>b</UPN>"),
    ),
    # list items of any name; fields below unknown elements or misplaced blocks ignored
    "lists and misplaced blocks": message(
        "2025-03-31",
        child(
            "C3",
            referral(
                "2024-06-01",
                "<Assessments><FactorsIdentifiedAtAssessment><X>2A</X><AssessmentFactors>"
                "</AssessmentFactors><Y> 3B </Y></FactorsIdentifiedAtAssessment></Assessments>"
                "<Unknown><CINPlanDates><CINPlanStartDate>2024-07-01</CINPlanStartDate>"
                "</CINPlanDates></Unknown>",
            )
            + "<Assessments><AssessmentActualStartDate>2024-01-01</AssessmentActualStartDate>"
            "</Assessments>",
        ).replace(
            "</ChildCharacteristics>",
            "<Disabilities><Disability>HAND</Disability><Other>HEAR</Other><Disability>"
            "</Disability></Disabilities></ChildCharacteristics>",
        ),
    ),
    "2025-26 pre-proceedings": message(
        "2026-03-31",
        child(
            "D4",
            referral(
                "2025-05-01",
                "<PreProceedingsandFGDM><PPStartDate>2025-06-01</PPStartDate>"
                "<FGDMMeetingOffer>false</FGDMMeetingOffer><ReviewMeetingsCount> 3 "
                "</ReviewMeetingsCount><PPOutcome>PPO1</PPOutcome></PreProceedingsandFGDM>",
            ),
        ),
    ),
    "no header": (
        "<Message><Children>" + child("E5", referral("2024-06-01")) + "</Children></Message>"
    ),
}


@pytest.mark.parametrize("case", PLAIN_CASES)
@pytest.mark.parametrize("block", [64, 1 << 23])
def test_fast_path_gives_the_element_readers_tables(tmp_path, monkeypatch, case, block):
    # 64-byte blocks: every <Child> is met across several reads of the file
    from pmf_lib.read import cin_census as mod

    monkeypatch.setattr(mod, "_BLOCK", block)
    p = tmp_path / "cin_census_2025.xml"
    p.write_bytes(PLAIN_CASES[case].encode())
    fast = mod._read_file_fast(p)
    assert fast is not None
    _same_tables(fast, mod._read_file_lxml(p))


NOT_FAST = {
    "comment": ("<Sex>2</Sex>", "<Sex>2</Sex><!-- c -->"),
    "entity": ("<Ethnicity>WBRI", "<Ethnicity>W&amp;B"),
    "CDATA": ("<Ethnicity>WBRI", "<Ethnicity><![CDATA[WBRI]]>"),
    "empty-element tag": ("<Sex>2</Sex>", "<Sex>2</Sex><UPN/>"),
    "attribute": ("<Child>", '<Child id="1">'),
    "prefixed namespace": ("<Sex>2</Sex>", '<Sex>2</Sex><x:UPN xmlns:x="urn:x">U</x:UPN>'),
    "field twice in a block": ("<Sex>2</Sex>", "<Sex>2</Sex><Sex>1</Sex>"),
    "second ChildIdentifiers": (
        "<ChildCharacteristics>",
        "<ChildIdentifiers><LAchildID>A2</LAchildID></ChildIdentifiers><ChildCharacteristics>",
    ),
    "carriage return inside a value": ("<Ethnicity>WBRI", "<Ethnicity>WB\rRI"),
    "Latin-1 file": ("<Message>", "<?xml version='1.0' encoding='ISO-8859-1'?><Message>"),
    "not a Child in Children": ("<Children>\n", "<Children>\n<Other>x</Other>"),
}


@pytest.mark.parametrize("case", NOT_FAST)
def test_what_the_fast_path_leaves_to_the_element_reader(tmp_path, case):
    from pmf_lib.read import cin_census as mod

    old, new = NOT_FAST[case]
    text = message("2025-03-31", child("A1", referral("2024-06-01")))
    assert old in text
    p = tmp_path / "cin_census_2025.xml"
    p.write_text(text.replace(old, new, 1), encoding="latin-1")
    assert mod._read_file_fast(p) is None
    # read_cin_census falls back to the element reader and reads the file
    cin = read_cin_census([p])
    assert len(cin.children) >= 1
    _same_tables(mod._read_file(p), mod._read_file_lxml(p))


@pytest.mark.parametrize(
    "old, new, error",
    [
        ("2024-06-01", "2024-06-31", "not a date: '2024-06-31'"),
        ("<LAchildID>A1</LAchildID>", "", "LAchildID"),
        ("<CINreferralDate>2024-06-01</CINreferralDate>", "", "CINreferralDate"),
        ("</Children>", "", "not well-formed"),
    ],
)
def test_a_fault_gets_the_element_readers_error(tmp_path, old, new, error):
    # the fast path gives up on a faulty file and the element reader names the fault
    # (element path and line), as before the fast path existed
    from pmf_lib.read import cin_census as mod

    text = message("2025-03-31", child("A1", referral("2024-06-01")))
    p = write(tmp_path / "cin_census_2025.xml", text.replace(old, new, 1))
    assert mod._read_file_fast(p) is None
    with pytest.raises(PmfError, match=error) as e:
        read_cin_census([p])
    with pytest.raises(PmfError) as again:
        mod._read_file_lxml(p)
    assert str(e.value) == str(again.value)


def test_demo_files_fast_path_equals_element_reader(demo_dir):
    # the demo's annual return and year-to-date extract: the fast path reads both, and
    # the merged history is the element reader's, exactly
    from pmf_lib.read import cin_census as mod
    from pmf_lib.read._parse import merge_history

    files = [demo_dir / "cin_census" / f"cin_census_{y}.xml" for y in (2026, 2027)]
    fast = [mod._read_file_fast(p) for p in files]
    assert all(r is not None for r in fast)
    slow = [mod._read_file_lxml(p) for p in files]
    for a, b in zip(fast, slow, strict=True):
        _same_tables(a, b)
    merged = merge_history(fast, mod.CIN_COLUMNS, mod.CIN_KEYS)
    cin = read_cin_census(files)
    for name in CIN_COLUMNS:
        pd.testing.assert_frame_equal(merged[name], cin.tables[name], check_exact=True)
