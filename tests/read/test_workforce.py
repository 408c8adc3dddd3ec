"""Workforce census XML and the monthly workforce CSV."""

from __future__ import annotations

import pandas as pd
import pytest

from pmf_lib.errors import PmfError
from pmf_lib.read.workforce import read_workforce_census, read_workforce_monthly
from tests.conftest import need_shared


def test_liiatools_sample_census():
    path = need_shared("data", "synthetic", "csww_sample_2022_liiatools.xml")
    c = read_workforce_census(path)
    assert len(c.workers) == 30  # 30 <CSWWWorker> elements in the sample
    assert c.la_level.loc[0, "NumberOfVacancies"] == pytest.approx(79.68)
    assert c.la_level.loc[0, "la_code"] == "301"
    first = c.workers.iloc[0]
    assert first["SWENo"] == "Oz2054309383" and first["AgencyWorker"] == "1"
    assert first["FTE"] == pytest.approx(0.521371)
    assert first["reference_date"] == pd.Timestamp("2022-09-30")


CENSUS = """<Message><Header><CollectionDetails><Year>2024</Year>
<ReferenceDate>2024-09-30</ReferenceDate></CollectionDetails><Source><LEA>938</LEA></Source></Header>
<LALevelVacancies><NumberOfVacancies>2</NumberOfVacancies><NoAgencyFTE>1.5</NoAgencyFTE>
<NoAgencyHeadcount>2</NoAgencyHeadcount></LALevelVacancies>
<CSWWWorker><AgencyWorker>0</AgencyWorker><SWENo>A</SWENo><FTE>1</FTE><OrgRole>5</OrgRole></CSWWWorker>
<CSWWWorker><AgencyWorker>7</AgencyWorker><SWENo>B</SWENo><FTE>x</FTE>
<RoleStartDate>2024-13-01</RoleStartDate></CSWWWorker>
</Message>"""


def test_bad_values_kept_raw_with_element(tmp_path):
    p = tmp_path / "c.xml"
    p.write_text(CENSUS)
    c = read_workforce_census(p)
    assert c.workers["element"].tolist() == ["CSWWWorker[1]", "CSWWWorker[2]"]
    b = c.workers.iloc[1]
    assert pd.isna(b["AgencyWorker"]) and c.raw.loc[1, "AgencyWorker"] == "7"
    assert pd.isna(b["FTE"]) and c.raw.loc[1, "FTE"] == "x"
    assert pd.isna(b["RoleStartDate"]) and c.raw.loc[1, "RoleStartDate"] == "2024-13-01"


@pytest.mark.parametrize(
    "content, fault",
    [
        ("<Message><CSWWWorker>", "not well-formed XML"),
        ("<Children/>", "not a workforce census"),
        (CENSUS.replace("2024-09-30", "30/09/2024"), "reference date"),
    ],
)
def test_unreadable_census(tmp_path, content, fault):
    p = tmp_path / "bad.xml"
    p.write_text(content)
    with pytest.raises(PmfError, match=fault) as e:
        read_workforce_census(p)
    assert e.value.file == str(p)


def test_monthly_csv(tmp_path):
    p = tmp_path / "wf.csv"
    p.write_text(
        "Team,Month,FTE in post,Agency FTE,Vacancies,Starters,Leavers,Sickness days,Cases held\n"
        "Duty,15/03/2025,10.5,2,1.5,1,0,4.5,180\n"
        "CIC,2025-03-31,8,n/a,0,,,,\n"
    )
    t = read_workforce_monthly(p)[0]
    assert t.data["month"].tolist() == [pd.Timestamp("2025-03-31")] * 2
    assert t.data["fte_in_post"].tolist() == [10.5, 8.0]
    assert t.data.loc[0, "sickness_days"] == 4.5 and t.data.loc[0, "cases_held"] == 180
    assert pd.isna(t.data.loc[1, "agency_fte"]) and t.raw.loc[1, "agency_fte"] == "n/a"
