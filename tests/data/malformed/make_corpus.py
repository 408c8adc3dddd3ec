# ruff: noqa: E501  (the corpus files are written out as literals, one per line)
"""Write the malformed-input corpus (``python tests/data/malformed/make_corpus.py``).

Every file is tiny and synthetic (no real child data). The files are committed;
this script documents how the ones that cannot be typed (NUL bytes, UTF-16,
Windows-1252, binary) were made, and rewrites them all. ``cases.yaml`` (the
manifest: file, config slot, expected message) is written by hand.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE = HERE / "base"

EP_HEAD = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
EP_ROW = "T001,01/05/2023,S,C2,N1,U1,PR1,,,,,,\n"
CIN_HEAD = (
    "<Message>\n<Header><CollectionDetails><Collection>CIN</Collection><Year>2024</Year>"
    "<ReferenceDate>2024-03-31</ReferenceDate></CollectionDetails>\n"
    "<Source><SourceLevel>L</SourceLevel><LEA>938</LEA></Source></Header>\n<Children>\n"
)
CIN_TAIL = "</Children>\n</Message>\n"


def cin_child(cid="T009", dob="2016-02-03", referral="2023-06-01", extra="", ids_extra=""):
    lachild = f"<LAchildID>{cid}</LAchildID>" if cid is not None else ""
    ref = f"<CINreferralDate>{referral}</CINreferralDate>" if referral is not None else ""
    return (
        f"<Child>\n<ChildIdentifiers>{lachild}<PersonBirthDate>{dob}</PersonBirthDate>"
        f"<Sex>1</Sex>{ids_extra}</ChildIdentifiers>\n"
        "<ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>\n"
        f"<CINdetails>\n{ref}<ReferralSource>1A</ReferralSource>"
        f"<PrimaryNeedCode>N1</PrimaryNeedCode>\n<ReferralNFA>0</ReferralNFA>\n{extra}"
        "</CINdetails>\n</Child>\n"
    )


def cin(*children: str) -> str:
    return CIN_HEAD + "".join(children) + CIN_TAIL


S903_XML_OK = (
    "<?xml version='1.0' encoding='us-ascii'?>\n<EXPSSDA903>\n"
    "<CHILD><HEADER><CHILDID>T005</CHILDID><SEX>1</SEX><DOB>05/06/2012</DOB>"
    "<ETHNIC>WBRI</ETHNIC></HEADER>\n"
    "<EPISODE><DECOM>{decom}</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL>"
    "<PLACE_PROVIDER>PR1</PLACE_PROVIDER></EPISODE></CHILD>\n</EXPSSDA903>\n"
)

CSWW_OK = (
    "<?xml version='1.0' encoding='utf-8'?>\n<Message><Header><CollectionDetails>"
    "<Collection>CSWW</Collection><Year>2024</Year><ReferenceDate>2023-09-30</ReferenceDate>"
    "</CollectionDetails><Source><SourceLevel>L</SourceLevel><LEA>938</LEA></Source></Header>\n"
    "<LALevelVacancies><NumberOfVacancies>3.0</NumberOfVacancies><NoAgencyFTE>1.0</NoAgencyFTE>"
    "<NoAgencyHeadcount>1</NoAgencyHeadcount></LALevelVacancies>\n"
    "<CSWWWorker><AgencyWorker>0</AgencyWorker><SWENo>SW0000000001</SWENo><FTE>1.0</FTE>"
    "<PersonBirthDate>1980-01-01</PersonBirthDate><GenderCurrent>2</GenderCurrent>"
    "<Ethnicity>WBRI</Ethnicity><OrgRole>5</OrgRole><RoleStartDate>2015-04-01</RoleStartDate>"
    "</CSWWWorker>\n</Message>\n"
)

WF_HEAD = (
    "Month,Team,FTE in post,Agency FTE,Vacancies FTE,Starters,Leavers,Sickness days,Cases held\n"
)
POP_HEAD = (BASE / "population.csv").read_text().splitlines()[0] + "\n"
POP_ROW = (BASE / "population.csv").read_text().splitlines()[2]

CONFIG_HEAD = (
    "council: {code: 938, name: Malformed Test Council}\n"
    "data: {ssda903: ssda903, cin_census: cin_census/*.xml, population: population.csv}\n"
    "outputs: outputs\n"
)
AREAS = "areas:\n  front_door: {title: Front door, kpis: [referrals_count]}\n"
BOMB = "".join(
    [
        "a: &a [x, x, x, x, x, x, x, x, x]\n",
        *(
            f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
            for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)

FILES: dict[str, bytes | str] = {
    # ---- SSDA903 CSV -------------------------------------------------------------
    "ssda903/episodes_impossible_date.csv": EP_HEAD
    + EP_ROW
    + "T002,31/02/2024,S,V2,N2,U3,PR4,,,,,,\n",
    "ssda903/episodes_missing_decom.csv": "CHILD,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC\n"
    "T001,S,C2,N1,U1,PR1,,\n",
    "ssda903/episodes_ragged_row.csv": EP_HEAD
    + EP_ROW
    + "T002,15/09/2023,S,V2,N2,U3,PR4,,,,,,,extra\n",
    "ssda903/episodes_bad_quoting.csv": EP_HEAD
    + EP_ROW
    + 'T002,"15/09/2023,S,V2,N2,U3,PR4,,,,,,\n',
    "ssda903/episodes_utf16.csv": (EP_HEAD + EP_ROW).encode("utf-16"),
    "ssda903/episodes_nul_bytes.csv": (
        EP_HEAD + "T001,01/05/2023,S,C2\x00\x00,N1,U1,PR1,,,,,,\n"
    ).encode(),
    "ssda903/episodes_empty.csv": b"",
    "ssda903/episodes_control_character.csv": EP_HEAD
    + "T001,01/05/2023,S,C2,N1,U1\x01,PR1,,,,,,\n",
    "ssda903/episodes_bad_encoding.csv": (
        EP_HEAD.encode() + b"T001,01/05/2023,S,C2,N1,U1,PR1,,,,\x81,,\n"
    ),
    "ssda903/episodes_duplicate_column.csv": "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DECOM\n"
    "T001,01/05/2023,S,C2,N1,U1,PR1,01/05/2023\n",
    "ssda903/header_bad_dob.csv": "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nT001,1,2012-13-45,WBRI,,,\n",
    "ssda903/header_missing_child.csv": "SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n1,05/06/2012,WBRI,,,\n",
    "ssda903/unknown_table.csv": "CHILD,NAME,FAVOURITE_COLOUR\nT001,Test,blue\n",
    "ssda903/not_a_table.txt": "this is a note, not an SSDA903 table\n",
    "ssda903/episodes_header_only_binary.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    # ---- SSDA903 XML -------------------------------------------------------------
    "ssda903/export_truncated.xml": S903_XML_OK.format(decom="01/05/2023")[:150],
    "ssda903/export_wrong_root.xml": "<Message><CHILD>T005</CHILD></Message>\n",
    "ssda903/export_no_header.xml": "<EXPSSDA903><CHILD>T005</CHILD></EXPSSDA903>\n",
    "ssda903/export_impossible_date.xml": S903_XML_OK.format(decom="30/02/2023"),
    "ssda903/export_no_children.xml": "<EXPSSDA903>\n</EXPSSDA903>\n",
    "ssda903/export_empty.xml": b"",
    # ---- CIN census XML ------------------------------------------------------------
    "cin_census/truncated.xml": cin(cin_child())[:400],
    "cin_census/wrong_root.xml": "<CINcensus><Children/></CINcensus>\n",
    "cin_census/impossible_date.xml": cin(cin_child(referral="2024-02-30")),
    "cin_census/empty.xml": b"",
    "cin_census/nul_bytes.xml": cin(cin_child()).replace("<Sex>1", "<Sex>\x00\x001").encode(),
    "cin_census/missing_lachildid.xml": cin(cin_child(cid=None)),
    "cin_census/missing_referral_date.xml": cin(cin_child(referral=None)),
    "cin_census/not_a_whole_number.xml": cin(
        cin_child(
            extra="<ChildProtectionPlans><CPPstartDate>2023-07-01</CPPstartDate>"
            "<InitialCategoryOfAbuse>PHY</InitialCategoryOfAbuse>"
            "<LatestCategoryOfAbuse>PHY</LatestCategoryOfAbuse>"
            "<NumberOfPreviousCPP>two</NumberOfPreviousCPP></ChildProtectionPlans>\n"
        )
    ),
    "cin_census/no_children.xml": CIN_HEAD + CIN_TAIL,
    "cin_census/entity_bomb.xml": '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n"
    + cin(cin_child(cid="&lol9;")),
    "cin_census/impossible_birth_date.xml": cin(cin_child(dob="2016-02-30")),
    # ---- Annex A -------------------------------------------------------------------
    "annex_a/annex_a_text_renamed.xlsx": "List 1,Contacts\nT001,2023-05-01\n",
    "annex_a/annex_a_empty.xlsx": b"",
    "annex_a/annex_a.csv": "List 1,Contacts\nT001,2023-05-01\n",
    # ---- CSWW workforce census XML -------------------------------------------------------
    "csww/csww_truncated.xml": CSWW_OK[:300],
    "csww/csww_wrong_root.xml": "<CSWW><Worker/></CSWW>\n",
    "csww/csww_empty.xml": b"",
    "csww/csww_nul_bytes.xml": CSWW_OK.replace("<FTE>1.0", "<FTE>\x001.0").encode(),
    # ---- monthly workforce CSV -------------------------------------------------------
    "workforce/workforce_missing_month.csv": "Team,FTE in post\nAssessment North,10.1\n",
    "workforce/workforce_text_renamed.xlsx": WF_HEAD,
    "workforce/workforce_binary.csv": b"PK\x03\x04\x00\x00\x00\x00binary",
    "workforce/workforce_empty.csv": b"",
    "workforce/workforce_utf16.csv": (
        WF_HEAD + "2023-05-31,Assessment North,10.1,2.7,3.4,0,0,8.0,224\n"
    ).encode("utf-16"),
    # ---- local datasets ------------------------------------------------------------
    "local/contacts_missing_contact_date.csv": "Contact ID,Child ID,Contact source,Decision,Decision date,Team\n"
    "CT1,T001,6,referral,2023-05-02,MASH\n",
    "local/contacts_binary.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "local/contacts_empty.csv": b"",
    "local/early_help_missing_start_date.csv": "Episode ID,Child ID,End date,Closure reason,Team\n"
    "EH1,T001,2023-06-01,other,Early Help North\n",
    "local/lado_missing_outcome.txt": "LADO referral ID,Date received\nL1,2023-05-01\n",
    "local/complaints_missing_columns.csv": "Complaint ID,Type\nCO1,complaint\n",
    "local/lado_utf16.csv": "LADO referral ID,Date received,Outcome,Date closed,Employment sector\n"
    "L1,2023-05-01,substantiated,2023-05-14,Social care\n".encode("utf-16"),
    "local/conferencing_nul_bytes.csv": b"Meeting ID,Child ID,Meeting type,Due date,Meeting date,Chair,Outcome\n"
    b"MT1,T001,CLA_REVIEW,2023-05-08,2023-05-01,IRO\x00,ok\n",
    "local/qa_audits_empty_header.csv": b"\n\n\n",
    "local/improvement_actions_text_renamed.xlsx": "Action ID,KPI\nIA-1,referrals_count\n",
    # ---- population ----------------------------------------------------------------
    "population/population_missing_column.csv": "time_period,old_la_code\n2023,938\n",
    "population/population_other_council.csv": POP_HEAD + POP_ROW.replace(",938,", ",999,"),
    "population/population_bad_number.csv": POP_HEAD + POP_ROW.rsplit(",", 1)[0] + ",lots\n",
    "population/population_empty.csv": b"",
    # ---- config --------------------------------------------------------------------
    "config/unknown_key.yaml": CONFIG_HEAD + AREAS + "colour: blue\n",
    "config/area_id_traversal.yaml": CONFIG_HEAD
    + "areas:\n  ./../../../x: {title: Escape, kpis: [referrals_count]}\n",
    "config/kpi_listed_twice.yaml": CONFIG_HEAD
    + "areas:\n  front_door: {title: Front door, kpis: [referrals_count, referrals_count]}\n",
    "config/unknown_area_kpi.yaml": CONFIG_HEAD
    + "areas:\n  front_door: {title: Front door, kpis: [referals_count]}\n",
    "config/impossible_rebase_date.yaml": CONFIG_HEAD
    + AREAS
    + "spc:\n  rebase: {referrals_count: [2022-13-01]}\n",
    "config/alias_bomb.yaml": BOMB
    + CONFIG_HEAD.replace("name: Malformed Test Council", "name: *i")
    + AREAS,
    "config/yaml_syntax.yaml": CONFIG_HEAD
    + "areas:\n  front_door: {title: Front door, kpis: [referrals_count}\n",
    "config/council_id_not_a_slug.yaml": "councils:\n  North Side:\n    code: 938\n    name: North\n"
    "    data: {ssda903: ssda903, cin_census: cin_census/*.xml, population: population.csv}\n"
    + AREAS,
    "config/logo_not_an_image.yaml": CONFIG_HEAD.replace(
        "name: Malformed Test Council", "name: Malformed Test Council, logo: population.csv"
    )
    + AREAS,
    "config/utf16.yaml": (CONFIG_HEAD + AREAS).encode("utf-16"),
    "config/top_level_list.yaml": "- council\n- data\n",
    "config/wrong_type.yaml": CONFIG_HEAD.replace("code: 938", "code: nine-three-eight") + AREAS,
    "config/missing_data_file.yaml": CONFIG_HEAD.replace("population.csv", "no_such_population.csv")
    + AREAS,
    # ---- targets -------------------------------------------------------------------
    "targets/unknown_kpi.yaml": "referals_count:\n  - {from: 2023-04-01, target: 10}\n",
    "targets/impossible_date.yaml": "rereferrals_12m_pct:\n  - {from: 2024-02-30, target: 20}\n",
    "targets/dates_not_increasing.yaml": "rereferrals_12m_pct:\n  - {from: 2024-04-01, target: 20}\n"
    "  - {from: 2023-04-01, target: 22}\n",
    "targets/unknown_key.yaml": "rereferrals_12m_pct:\n  - {from: 2023-04-01, target: 20, colour: red}\n",
    "targets/alias_bomb.yaml": BOMB + "rereferrals_12m_pct:\n  - {from: 2023-04-01, target: *i}\n",
    "targets/not_a_number.yaml": "rereferrals_12m_pct:\n  - {from: 2023-04-01, target: twenty}\n",
    # ---- schedule ------------------------------------------------------------------
    "schedule/month_13.yaml": "reports:\n  - {kind: quarterly, area: front_door, "
    "title: Front door quarterly, frequency: quarterly, months: [3, 6, 9, 13]}\n",
    "schedule/unknown_key.yaml": "meetings: {}\nreport: []\n",
    "schedule/yaml_syntax.yaml": "quarterly:\n  months: [3, 6, 9, 12\n",
    "schedule/nul_bytes.yaml": b"quarterly:\n  months: [3, \x006]\n",
    # ---- KPI catalogue -------------------------------------------------------------
    "kpis/a_list.yaml": "- referrals_count\n- cla_count\n",
    "kpis/yaml_syntax.yaml": "referrals_count: {title: Referrals\n",
    # ---- commentary ----------------------------------------------------------------
    "commentary/front_matter_yaml.md.txt": "---\nauthor: [unclosed\n---\nReferrals fell this month.\n",
    "commentary/utf16.md.txt": "Referrals fell this month.\n".encode("utf-16"),
}


def main() -> None:
    for rel, content in FILES.items():
        p = HERE / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            p.write_bytes(content.encode("utf-8"))
        else:
            p.write_bytes(content)
    print(f"{len(FILES)} files written under {HERE}")


if __name__ == "__main__":
    main()
