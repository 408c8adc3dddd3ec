"""Explore Education Statistics CSVs, and the ONS population estimates in their layout.

* **Explore Education Statistics** CSVs (``b1_*``, ``c1_*``, ``d3_*``, ``d5_*``,
  ``cla_number_and_rate_*``, ``csww_indicators_*``, ``la_cla_placement_stability*``):
  the columns in :data:`~pmf_lib.read.benchmarks.columns.EES_COLUMNS` (the data
  file ``ees_columns.yaml``), each mapped to a measure code
  (:func:`read_ees_csv`, :func:`ees_measures`).
* The **ONS mid-year population** estimates of children aged 0 to 17, published
  in the same geographic layout (``time_period, geographic_level, region_name,
  old_la_code, la_name``): every area's, by :func:`read_ons_population`, which
  reads the file with :func:`pmf_lib.read.population.read_ons_rows`, the one
  reader of that file.

National rows become England (970), regional rows LAIT's region numbers and
local authority rows their old LA number (:mod:`~pmf_lib.read.benchmarks.areas`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from pmf_lib.errors import PmfError
from pmf_lib.read.benchmarks.areas import ENGLAND, REGION_NAMES, region_code
from pmf_lib.read.benchmarks.columns import EES_COLUMNS, EesColumn
from pmf_lib.read.benchmarks.values import (
    MEASURE_COLUMNS,
    POPULATION_COLUMNS,
    VALUE_COLUMNS,
    check_unique,
    parse_series,
    parse_value,
    read_published_csv,
    require_columns,
    tidy_values,
    year_end,
)
from pmf_lib.read.population import read_ons_rows


def read_ees_csv(path: str | Path, columns: Iterable[EesColumn] | None = None) -> pd.DataFrame:
    """The ``values`` rows of one Explore Education Statistics CSV.

    ``columns`` defaults to the :data:`EES_COLUMNS` whose file prefix matches
    the file's name. National rows become England (970), regional rows LAIT's
    region numbers, local authority rows their old LA number.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "b1_children_in_need.csv"
    >>> _ = p.write_text("time_period,geographic_level,region_name,old_la_code,la_name,"
    ...     "At31_episodes,Started_episodes,awaiting_assessment\\n"
    ...     "2025,National,,,,402400,396870,16290\\n"
    ...     "2025,Local authority,South East,938,West Sussex,x,4000,k\\n")
    >>> v = read_ees_csv(p)
    >>> v.query("measure == 'EES_CIN_At31'")[["la_code", "value", "suppression"]].to_dict("records")
    [{'la_code': 938, 'value': nan, 'suppression': 'x'}, {'la_code': 970, 'value': 402400.0, \
'suppression': None}]
    """
    path = Path(path)
    if columns is None:
        columns = [c for c in EES_COLUMNS if path.name.startswith(c.file)]
    columns = list(columns)
    if not columns:
        raise PmfError("no columns of this file are mapped to benchmark measures", file=path)
    d = read_published_csv(path)
    d.columns = [c.strip() for c in d.columns]
    base = ["time_period", "geographic_level", "old_la_code", "la_name", "region_name"]
    require_columns(
        d,
        base + sorted({c.column for c in columns} | {w for c in columns for w, _ in c.where}),
        path,
    )
    level_map = {"National": "England", "Regional": "Region", "Local authority": "LA"}
    d = d[d["geographic_level"].isin(level_map)].copy()
    d["_row"] = d.index + 2
    # geography: one row per LA code (a joint "940 / 941" row is given to each)
    codes = []
    for row, lvl, old, region in zip(
        d["_row"], d["geographic_level"], d["old_la_code"], d["region_name"], strict=True
    ):
        if lvl == "National":
            codes.append([ENGLAND])
        elif lvl == "Regional":
            codes.append([region_code(region, file=path, location=f"row {row}")])
        else:
            parts = [p.strip() for p in old.split("/")]
            if not all(p.isdigit() for p in parts):
                raise PmfError(
                    f"not an LA number: {old!r}",
                    file=path,
                    location=f"row {row}",
                    field="old_la_code",
                )
            codes.append([int(p) for p in parts])
    d["la_code"] = codes
    d = d.explode("la_code")
    d["la_code"] = d["la_code"].astype(int)
    names = d["la_name"].str.split("/")
    parts = d.groupby(level=0)["la_code"].transform("size")
    d["name"] = [
        n[i].strip() if len(n) == k else "/".join(n).strip()
        for n, i, k in zip(names, d.groupby(level=0).cumcount(), parts, strict=True)
    ]
    d["level"] = d["geographic_level"].map(level_map)
    d.loc[d["level"] == "England", "name"] = "England"
    d.loc[d["level"] == "Region", "name"] = d.loc[d["level"] == "Region", "la_code"].map(
        REGION_NAMES
    )
    d["region"] = d["region_name"].str.strip().where(d["level"] == "LA", None)
    d.loc[d["level"] == "Region", "region"] = d.loc[d["level"] == "Region", "name"]
    frames = []
    for col in columns:
        sub = d
        for wcol, wval in col.where:
            sub = sub[sub[wcol].str.strip() == wval]
        if sub.empty:
            continue
        value, supp = parse_series(
            sub[col.column], file=path, field=col.column, rows=sub["_row"].to_numpy()
        )
        frames.append(
            pd.DataFrame(
                {
                    "measure": col.code,
                    "year": sub["time_period"].str.strip().to_numpy(),
                    "year_end": [year_end(y, col.year_type) for y in sub["time_period"]],
                    "level": sub["level"].to_numpy(),
                    "la_code": sub["la_code"].to_numpy(),
                    "name": sub["name"].to_numpy(),
                    "region": sub["region"].to_numpy(),
                    "value": value,
                    "suppression": supp,
                    "source": path.stem,
                }
            )
        )
    if not frames:
        return tidy_values(pd.DataFrame(columns=VALUE_COLUMNS))
    out = pd.concat(frames, ignore_index=True)
    check_unique(out, path)
    return tidy_values(out)


def ees_measures(columns: Iterable[EesColumn] = EES_COLUMNS) -> pd.DataFrame:
    """The ``measures`` rows for EES columns (used where LAIT's dictionary has no entry)."""
    rows, seen = [], set()
    for c in columns:
        if c.code in seen:
            continue
        seen.add(c.code)
        rows.append(
            {
                "code": c.code,
                "title": c.title,
                "measure": c.title,
                "topic": "Explore Education Statistics",
                "polarity": c.polarity,
                "unit": c.unit,
                "source_table": c.file.rstrip("_"),
                "year_type": c.year_type,
                "no_quartile": False,
                "dps": float("nan"),
                "source": "EES",
            }
        )
    return pd.DataFrame(rows, columns=MEASURE_COLUMNS)


def read_ons_population(path: str | Path) -> pd.DataFrame:
    """ONS mid-year estimates of children aged 0 to 17 for England, regions and councils.

    The file is read by :func:`pmf_lib.read.population.read_ons_rows`, as the
    council's own estimates are, so both keep the same rows (its age-group rule).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "ons.csv"
    >>> _ = p.write_text("time_period,geographic_level,region_name,old_la_code,la_name,"
    ...     "age_group,population_estimate\\n"
    ...     "2024,National,,,,Children aged 0 to 17 years,12183016\\n"
    ...     "2024,Local authority,South East,938,West Sussex,Children aged 0 to 17 years,"
    ...     "181943\\n")
    >>> read_ons_population(p).to_dict("records")[0]
    {'year': 2024, 'level': 'LA', 'la_code': 938, 'name': 'West Sussex', 'children': 181943.0}
    """
    path = Path(path)
    need = (
        "time_period",
        "geographic_level",
        "region_name",
        "old_la_code",
        "la_name",
        "age_group",
        "population_estimate",
    )
    found = read_ons_rows(path, need)
    if not found:
        raise PmfError("no rows for 'Children aged 0 to 17 years'", file=path, field="age_group")
    rows = []
    for line, r in found:
        loc = f"row {line}"
        lvl = r["geographic_level"]
        if lvl == "National":
            code, level, name = ENGLAND, "England", "England"
        elif lvl == "Regional":
            code = region_code(r["region_name"], file=path, location=loc)
            level, name = "Region", REGION_NAMES[code]
        elif lvl == "Local authority":
            if not r["old_la_code"].isdigit():
                raise PmfError(
                    f"not an LA number: {r['old_la_code']!r}",
                    file=path,
                    location=loc,
                    field="old_la_code",
                )
            code, level, name = int(r["old_la_code"]), "LA", r["la_name"]
        else:
            continue
        if not r["time_period"].isdigit():
            raise PmfError(
                f"not a year: {r['time_period']!r}", file=path, location=loc, field="time_period"
            )
        value, _ = parse_value(
            r["population_estimate"], file=path, location=loc, field="population_estimate"
        )
        rows.append(
            {
                "year": int(r["time_period"]),
                "level": level,
                "la_code": code,
                "name": name,
                "children": value,
            }
        )
    p = pd.DataFrame(rows, columns=POPULATION_COLUMNS)
    dup = p.duplicated(["year", "la_code"], keep=False)
    if dup.any():
        first = p[dup].iloc[0]
        raise PmfError(
            f"year {first['year']} is given more than once for {first['name']}", file=path
        )
    p = p.sort_values(["year", "la_code"]).reset_index(drop=True)
    p["children"] = p["children"].astype("float64")
    return p
