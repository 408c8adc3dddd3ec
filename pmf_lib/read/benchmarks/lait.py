"""LAIT, the Local Authority Interactive Tool: its data dictionary and long data set.

The **LAIT** "big data set" in long format (``bds_long*.parquet``) and its data
dictionary (``*data_dictionary*.csv``) are read for the children's social care
topics only (:data:`CSC_TOPICS`), so the store stays small. The dictionary gives
the ``measures`` rows (:func:`read_lait_dictionary`), the data set the ``values``
rows of those measures (:func:`read_lait_long`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from pmf_lib.errors import PmfError
from pmf_lib.read.benchmarks.areas import level_of
from pmf_lib.read.benchmarks.values import (
    MEASURE_COLUMNS,
    check_unique,
    parse_series,
    read_published_csv,
    require_columns,
    tidy_values,
    year_end,
)

CSC_TOPICS = (
    "Children in Need",
    "Child Protection",
    "Children Looked After",
    "Children's Services Workforce",
    "Adoption",
    "Youth Offending",
    "Children's Service Finance",
)
"""LAIT topics imported: children's social care (with its S251 finance measures, issue 16)."""


def read_lait_dictionary(path: str | Path, topics: Iterable[str] = CSC_TOPICS) -> pd.DataFrame:
    """The ``measures`` table from LAIT's data dictionary (CSV), for the given topics.

    A measure listed under several topics (LAIT repeats some) is kept once, its
    topics joined with `` / `` as LAIT shows them; discontinued measures are left
    out as LAIT leaves them out.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "dict.csv"
    >>> _ = p.write_text("Measure_code,Topic,Measure,Chart_title,Measure_short,Polarity,"
    ...     "y_axis_name,Table_status,Year_Type,No_Quartile,dps\\n"
    ...     "271,Child Protection,Re-referrals,Re-referrals (%),ReReferral,Low,%,c1,"
    ...     "Financial Year,,1\\n")
    >>> read_lait_dictionary(p)[["code", "polarity", "no_quartile"]].to_dict("records")
    [{'code': 'ReReferral', 'polarity': 'Low', 'no_quartile': False}]
    """
    path = Path(path)
    d = read_published_csv(path, "the LAIT data dictionary")
    need = [
        "Topic",
        "Measure",
        "Chart_title",
        "Measure_short",
        "Polarity",
        "y_axis_name",
        "Table_status",
        "Year_Type",
        "No_Quartile",
    ]
    require_columns(d, need, path)
    d = d.assign(Measure_short=d["Measure_short"].str.strip(), Topic=d["Topic"].str.strip())
    d = d[~d["Table_status"].str.contains("DISCONTINUE", case=False)]
    topics = list(topics)
    wanted = d[d["Topic"].isin(topics)]
    rows = []
    for code, group in wanted.groupby("Measure_short", sort=True):
        if not code:
            continue
        first = group.iloc[0]
        all_topics = d.loc[d["Measure_short"] == code, "Topic"].drop_duplicates().tolist()
        polarity = first["Polarity"].strip()
        if polarity not in ("High", "Low"):
            polarity = "-"
        dps = pd.to_numeric(first.get("dps", ""), errors="coerce")
        rows.append(
            {
                "code": code,
                "title": first["Chart_title"].strip() or first["Measure"].strip(),
                "measure": first["Measure"].strip(),
                "topic": " / ".join(all_topics),
                "polarity": polarity,
                "unit": first["y_axis_name"].strip(),
                "source_table": first["Table_status"].strip(),
                "year_type": first["Year_Type"].strip(),
                "no_quartile": first["No_Quartile"].strip().upper() == "N",
                "dps": float(dps) if pd.notna(dps) else float("nan"),
                "source": "LAIT",
            }
        )
    return pd.DataFrame(rows, columns=MEASURE_COLUMNS)


def read_lait_long(path: str | Path, measures: pd.DataFrame) -> pd.DataFrame:
    """The ``values`` rows of LAIT's long data set for the measures given.

    A bad row is named by its row in the file (the first row is row 1).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "bds.parquet"
    >>> pd.DataFrame({"Short Desc": ["CIN", "CIN"], "Data item": ["x", "x"],
    ...     "Years": ["2025", "2025"], "LA and Regions": ["England", "Kent"],
    ...     "Values": ["330.3", "-"], "LA Number": [970.0, 886.0],
    ...     "Region": ["NA", "South East"]}).to_parquet(p)
    >>> m = pd.DataFrame([{"code": "CIN", "year_type": "Annual"}])
    >>> read_lait_long(p, m)[["la_code", "value", "suppression"]].to_dict("records")
    [{'la_code': 886, 'value': nan, 'suppression': '-'}, {'la_code': 970, 'value': 330.3, \
'suppression': None}]
    """
    path = Path(path)
    cols = ["Short Desc", "Years", "LA and Regions", "Values", "LA Number", "Region"]
    try:
        raw = pd.read_parquet(path, columns=cols)
    except Exception as e:  # pyarrow raises several types for bad files
        raise PmfError(f"cannot read the LAIT long data set: {e}", file=path) from None
    raw = raw.assign(**{"Short Desc": raw["Short Desc"].astype("string").str.strip()})
    raw = raw.reset_index(drop=True)  # the index is the file's row number less one
    raw = raw[raw["Short Desc"].isin(measures["code"])]
    if raw["LA Number"].isna().any():
        row = int(raw.index[raw["LA Number"].isna().to_numpy()][0]) + 1
        raise PmfError("missing LA number", file=path, location=f"row {row}", field="LA Number")
    if raw["Years"].isna().any():
        raw = raw[raw["Years"].notna()]  # LAIT drops rows without a year too
    value, supp = parse_series(
        raw["Values"], file=path, field="Values", rows=raw.index.to_numpy() + 1
    )
    year_types = measures.set_index("code")["year_type"]
    la_code = raw["LA Number"].astype(int).to_numpy()
    level = np.array([level_of(c) for c in la_code], dtype=object)
    region = raw["Region"].astype("string").str.strip()
    region = region.where(~region.isin(["NA", ""]) & (level == "LA"), None)
    out = pd.DataFrame(
        {
            "measure": raw["Short Desc"].astype(str).to_numpy(),
            "year": raw["Years"].astype(str).str.strip().to_numpy(),
            "level": level,
            "la_code": la_code,
            "name": raw["LA and Regions"].astype(str).str.strip().to_numpy(),
            "region": region.astype(object).to_numpy(),
            "value": value,
            "suppression": supp,
            "source": "LAIT",
        }
    )
    out["region"] = out["region"].where(out["level"] != "Region", out["name"])
    out["year_end"] = _year_ends(out, year_types)
    check_unique(out, path)
    return tidy_values(out)


def _year_ends(values: pd.DataFrame, year_types: pd.Series) -> pd.Series:
    pairs = values[["year", "measure"]].drop_duplicates()
    ends = {(y, m): year_end(y, year_types.get(m)) for y, m in pairs.itertuples(index=False)}
    return pd.Series(
        [ends[(y, m)] for y, m in zip(values["year"], values["measure"], strict=True)],
        index=values.index,
        dtype="datetime64[s]",
    )
