"""Statistical neighbour readers: model years, bad layouts and how files are combined."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from pmf_lib.errors import PmfError
from pmf_lib.read.benchmarks.neighbours import combine_neighbours, read_sn_csv, read_sn_xlsx

WIDE = (
    "old_la_code,la_name,region_ind,region_name,"
    + ",".join(f"SN_{k}" for k in range(1, 11))
    + ","
    + ",".join(f"SN_{k}P" for k in range(1, 11))
)


def _wide_row(la, name, neighbours, closeness="Close"):
    sns = [str(n) for n in neighbours]
    return f"{la},{name},6,South East," + ",".join(sns) + "," + ",".join([closeness] * 10)


def _frame(la, neighbours, model="2025", name="X"):
    return pd.DataFrame(
        {
            "model": model,
            "la_code": la,
            "la_name": name,
            "region": "R",
            "sn_rank": range(1, len(neighbours) + 1),
            "neighbour": list(neighbours),
            "closeness": "Close",
        }
    )


def test_the_model_year_is_the_last_year_in_the_name_unless_given(tmp_path):
    p = tmp_path / "sn_2021_revised_2025.csv"
    p.write_text(WIDE + "\n" + _wide_row(938, "West Sussex", range(801, 811)) + "\n")
    assert read_sn_csv(p)["model"].unique().tolist() == ["2025"]
    assert read_sn_csv(p, model="2021")["model"].unique().tolist() == ["2021"]
    q = tmp_path / "sn_latest.csv"
    q.write_text(p.read_text())
    with pytest.raises(PmfError, match="cannot tell the statistical neighbour model's year"):
        read_sn_csv(q)


@pytest.mark.parametrize(
    "text, words",
    [
        ("a,b,c\n1,2,3\n", "expected an 'old_la_code' or 'LA num' column"),
        (WIDE.replace(",SN_7P", ",SN_7Q") + "\n", "row 1: no SN_7 / SN_7P column"),
        (
            WIDE + "\n" + _wide_row("93B", "West Sussex", range(801, 811)),
            "row 2, field old_la_code",
        ),
        (
            WIDE + "\n" + _wide_row(938, "West Sussex", [801, "Kent"] + list(range(803, 811))),
            "row 2, field SN2: not an LA number: 'Kent'",
        ),
    ],
)
def test_bad_csv_layouts_and_cells(tmp_path, text, words):
    p = tmp_path / "sn_2025.csv"
    p.write_text(text)
    with pytest.raises(PmfError, match=words):
        read_sn_csv(p)


def test_xlsx_without_its_header_or_a_column(tmp_path):
    p = tmp_path / "sn_2021.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["not", "a", "header"])
    wb.save(p)
    with pytest.raises(PmfError, match="no header row starting 'LA num' in the first 10 rows"):
        read_sn_xlsx(p)
    wb = openpyxl.Workbook()
    wb.active.append(["LA num", "LA Name", "GOReg"] + [f"SN{k}" for k in range(1, 10)])
    wb.save(p)
    with pytest.raises(PmfError, match="row 1: no SN10 column"):
        read_sn_xlsx(p)
    p.write_text("not a workbook")
    with pytest.raises(PmfError, match="cannot read the workbook"):
        read_sn_xlsx(p)


def test_combining_files_lists_each_la_once_and_names_neighbours(tmp_path):
    a = _frame(938, [886, 850], name="West Sussex")
    b = pd.concat([_frame(938, [886, 850], name="West Sussex"), _frame(886, [938], name="Kent")])
    n = combine_neighbours([(tmp_path / "a.csv", a), (tmp_path / "b.csv", b)])
    # the same list in two files is one list; a neighbour listed as an LA gets its name
    assert n["la_code"].tolist() == [886, 938, 938]
    assert n.loc[n["la_code"] == 938, "neighbour_name"].tolist() == ["Kent", None]
    assert n["inherited_from"].isna().all() and str(n["inherited_from"].dtype) == "Int64"


def test_a_successor_with_its_own_list_keeps_it_and_an_inherited_list_drops_siblings(tmp_path):
    # Northamptonshire (928) lists North Northamptonshire (940) as a neighbour;
    # West Northamptonshire (941) has no list of its own, 940 has its own
    pred = _frame(928, [940, 871, 872], model="2021", name="Northamptonshire")
    own = _frame(940, [871, 873], model="2021", name="North Northamptonshire")
    n = combine_neighbours([(tmp_path / "a.csv", pred), (tmp_path / "b.csv", own)])
    west = n[n["la_code"] == 941]
    # 941 takes 928's list without its own sibling 940 (a successor is not its neighbour)
    assert west["neighbour"].tolist() == [871, 872] and set(west["inherited_from"]) == {928}
    north = n[n["la_code"] == 940]
    assert north["neighbour"].tolist() == [871, 873] and north["inherited_from"].isna().all()


def test_no_files_gives_an_empty_table_with_the_columns():
    n = combine_neighbours([])
    assert n.empty and "inherited_from" in n.columns
