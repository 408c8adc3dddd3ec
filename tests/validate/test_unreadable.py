"""An unreadable file: ``pmf validate`` and ``pmf run`` say the same one line and exit 2.

Each case writes a tiny council (one CIN census return, a two-table SSDA903
return) into ``tmp_path`` and spoils one file. ``pmf run`` stops at the file with
``pmf: error: <file>, <row or element>, field <field>: <fault>``; ``pmf validate``
still checks everything else, lists the file in ``data_quality.html`` and ends
with that same line on stderr and exit status 2.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import pytest

from pmf_lib.cli import main

CIN = """<Message>
  <Header><CollectionDetails><Collection>CIN</Collection><Year>2022</Year>
  <ReferenceDate>2022-03-31</ReferenceDate></CollectionDetails>
  <Source><SourceLevel>L</SourceLevel><LEA>938</LEA><SoftwareCode>x</SoftwareCode>
  <Release>1</Release><SerialNo>1</SerialNo><DateTime>2022-05-01T00:00:00</DateTime></Source>
  </Header>
  <Children>
    <Child>
      <ChildIdentifiers><LAchildID>C1</LAchildID><PersonBirthDate>2015-03-24</PersonBirthDate>
      <GenderCurrent>1</GenderCurrent></ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2022-01-06</CINreferralDate><ReferralSource>1A</ReferralSource>
        <PrimaryNeedCode>N4</PrimaryNeedCode><ReferralNFA>0</ReferralNFA>
      </CINdetails>
    </Child>
  </Children>
</Message>
"""
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n101,1,01/01/2012,WBRI,A123456789012,,\n"
EPISODES_HEAD = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
    "PL_POST,URN\n"
)
EPISODES = EPISODES_HEAD + "101,15/02/2021,S,C2,N1,U1,PR1,,,,,,\n"
CONTACTS = "Contact ID,Child ID,Contact date,Decision\nK1,C1,2022-01-05,referral\n"
CONFIG = """council: {code: 938, name: Test}
data:
  ssda903: s903
  cin_census: cin/*.xml
  population: pop.csv
  local: {contacts: contacts.csv}
outputs: out
areas: {front_door: {title: Front door, kpis: [referrals_count, contacts_count]}}
"""


def _council(tmp_path: Path) -> Path:
    (tmp_path / "cin").mkdir()
    (tmp_path / "cin" / "cin_2022.xml").write_text(CIN, encoding="utf-8")
    (tmp_path / "s903" / "2022").mkdir(parents=True)
    (tmp_path / "s903" / "2022" / "header.csv").write_text(HEADER)
    (tmp_path / "s903" / "2022" / "episodes.csv").write_text(EPISODES)
    (tmp_path / "contacts.csv").write_text(CONTACTS)
    (tmp_path / "pop.csv").write_text(
        "time_period,geographic_level,old_la_code,age_group,population_estimate\n"
        "2021,Local authority,938,0-17,100000\n"
    )
    (tmp_path / "config.yaml").write_text(CONFIG)
    return tmp_path / "config.yaml"


# (case, file spoilt, its bytes, the fault expected in the message, where it is)
CASES = [
    ("truncated XML", "cin/cin_2022.xml", CIN[:700].encode(), "not well-formed XML", "line "),
    (
        "wrong root element",
        "cin/cin_2022.xml",
        CIN.replace("Message>", "Messages>").encode(),
        "root element is <Messages>",
        "line 1",
    ),
    (
        "impossible date",
        "cin/cin_2022.xml",
        CIN.replace("2022-01-06", "2022-02-30").encode(),
        "not a date: '2022-02-30'",
        "field CINreferralDate",
    ),
    ("0-byte XML", "cin/cin_2022.xml", b"", "the file is empty", ".xml:"),
    (
        "NUL bytes",
        "s903/2022/header.csv",
        HEADER.replace("SEX", "SE\x00X").encode(),
        "NUL bytes",
        "header.csv:",
    ),
    ("UTF-16 CSV", "s903/2022/header.csv", HEADER.encode("utf-16"), "NUL bytes", "header.csv:"),
    (
        "ragged rows",
        "s903/2022/episodes.csv",
        (EPISODES_HEAD + "101,15/02/2021,S,C2,N1,U1,PR1,,,,,,,,extra\n").encode(),
        "15 fields where the header has 13",
        "row 2",
    ),
    (
        "bad quoting",
        "s903/2022/episodes.csv",
        (EPISODES_HEAD + '101,"15/02/2021,S,C2,N1,U1,PR1,,,,,,\n').encode(),
        "not a readable CSV",
        "row 2",
    ),
    (
        "impossible date in a CSV",
        "s903/2022/episodes.csv",
        EPISODES.replace("15/02/2021", "31/02/2021").encode(),
        "not a date: '31/02/2021'",
        "row 2, field DECOM",
    ),
    (
        "local dataset lacking a required column",
        "contacts.csv",
        b"Contact ID,Child ID,Decision\nK1,C1,referral\n",
        "required column 'Contact date' is missing",
        "header, field contact_date",
    ),
    ("0-byte local CSV", "contacts.csv", b"", "the file is empty", "contacts.csv:"),
]


def _errors(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.startswith("pmf: error: ")]


@pytest.mark.parametrize("case, name, blob, fault, where", CASES, ids=[c[0] for c in CASES])
def test_validate_and_run_say_the_same_line(tmp_path, capsys, case, name, blob, fault, where):
    config = _council(tmp_path)
    bad = tmp_path / name
    bad.write_bytes(blob)

    assert main(["validate", "--config", str(config), "--month", "2022-03"]) == 2
    said_by_validate = _errors(capsys.readouterr().err)
    assert main(["run", "--config", str(config), "--month", "2022-03", "--quiet"]) == 2
    said_by_run = _errors(capsys.readouterr().err)

    # one line each, the same line, naming the file, where in it, and the fault
    assert said_by_validate == said_by_run
    (line,) = said_by_run
    assert line.startswith(f"pmf: error: {bad}") and where in line and fault in line
    # validate still wrote its report, listing the file with that message
    page = (tmp_path / "out" / "2022-03" / "data_quality.html").read_text(encoding="utf-8")
    assert html.escape(line.removeprefix("pmf: error: ")) in page
    issues = pd.read_csv(tmp_path / "out" / "2022-03" / "data_quality_issues.csv", dtype=str)
    rule = "S01" if "required column" in fault else "S00"
    assert (issues.loc[issues["file"] == str(bad), "rule"] == rule).all()
    assert (issues["file"] == str(bad)).sum() == 1


def test_kpis_fed_by_an_unreadable_file_are_rated_low(tmp_path, capsys):
    config = _council(tmp_path)
    (tmp_path / "contacts.csv").write_bytes(b"")
    assert main(["validate", "--config", str(config), "--month", "2022-03"]) == 2
    capsys.readouterr()
    conf = pd.read_csv(tmp_path / "out" / "2022-03" / "data_quality_confidence.csv")
    at = conf[conf["period_end"] == "2022-03-31"].set_index("kpi_id")
    # contacts.csv could not be read: nothing of it was checked, so no share and Low,
    # never "0 % in error, High"; the CIN referral KPIs are unaffected.
    assert at.loc["contacts_count", "dq_confidence"] == "Low"
    assert pd.isna(at.loc["contacts_count", "dq_error_share"])
    assert at.loc["referrals_count", "dq_confidence"] == "High"


def test_a_clean_council_validates_with_exit_0(tmp_path, capsys):
    config = _council(tmp_path)
    assert main(["validate", "--config", str(config), "--month", "2022-03"]) == 0
    assert _errors(capsys.readouterr().err) == []
    page = (tmp_path / "out" / "2022-03" / "data_quality.html").read_text(encoding="utf-8")
    assert "None: every configured file was read." in page


def test_latest_month_with_every_dated_return_unreadable(tmp_path, capsys):
    # The only CIN return is truncated and both 903 tables are empty: no return dates
    # the data, so there is no "latest" month to report on. Validate says each
    # file's line (run stops at the first, the CIN file) and writes no report.
    config = _council(tmp_path)
    bad = tmp_path / "cin" / "cin_2022.xml"
    bad.write_bytes(CIN[:700].encode())
    (tmp_path / "s903" / "2022" / "header.csv").write_bytes(b"")
    (tmp_path / "s903" / "2022" / "episodes.csv").write_bytes(b"")
    assert main(["run", "--config", str(config), "--quiet"]) == 2
    said_by_run = _errors(capsys.readouterr().err)
    status = main(["validate", "--config", str(config)])
    said_by_validate = _errors(capsys.readouterr().err)
    assert status == 2 and len(said_by_validate) == 3
    assert said_by_run[0] in said_by_validate and str(bad) in said_by_run[0]
    assert not list((tmp_path / "out").rglob("data_quality.html"))
