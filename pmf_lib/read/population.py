"""Read the ONS mid-year estimates of children aged 0 to 17 for one council.

The file is the DfE/ONS CSV layout (``ons_mid-year_population_estimates_2012_to_2024.csv``):
``time_period, geographic_level, ..., old_la_code, ..., age_group, population_estimate``.
Rows for the council are those with ``geographic_level`` "Local authority",
``old_la_code`` equal to the council's DfE number and an ``age_group`` of 0 to 17.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from pmf_lib.errors import PmfError
from pmf_lib.read._parse import read_csv
from pmf_lib.read.tables import Population

REQUIRED = ("time_period", "geographic_level", "old_la_code", "age_group", "population_estimate")
_AGE_0_17 = re.compile(r"(?<!\d)0\s*(to|-)\s*17(?!\d)")


def read_population(path: Path, la_code: int) -> Population:
    """The council's population aged 0-17 by calendar year.

    Parameters
    ----------
    path : Path
        The ONS-format CSV.
    la_code : int
        The council's DfE local authority number (old LA code), e.g. 938.

    Returns
    -------
    Population
        ``by_year``: estimates indexed by int year, ascending.

    Raises
    ------
    PmfError
        If the file cannot be read, a required column is missing, the council
        has no 0-17 rows, a year or an estimate is not a number, or a year is
        given twice with different estimates.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "pop.csv"
    >>> _ = p.write_text(
    ...     "time_period,geographic_level,old_la_code,age_group,population_estimate\\n"
    ...     "2024,Local authority,938,Children aged 0 to 17 years,250100\\n"
    ...     "2023,Local authority,938,Children aged 0 to 17 years,249000\\n"
    ...     "2024,Local authority,201,Children aged 0 to 17 years,847\\n")
    >>> read_population(p, 938).by_year.to_dict()
    {2023: 249000, 2024: 250100}
    """
    path = Path(path)
    data = read_csv(path)
    cols = {c.lower(): c for c in data.columns}
    for need in REQUIRED:
        if need not in cols:
            raise PmfError(
                f"required column missing (columns found: {', '.join(data.columns)})",
                file=path,
                location=f"row {data.header_line}",
                field=need,
            )

    def col(name: str) -> list[str | None]:
        return data.columns[cols[name]]

    level, code, age = col("geographic_level"), col("old_la_code"), col("age_group")
    years, values = col("time_period"), col("population_estimate")
    found: dict[int, int] = {}
    wanted = str(int(la_code))
    for i, line in enumerate(data.lines):
        if (level[i] or "").lower() != "local authority" or (code[i] or "") != wanted:
            continue
        if not _AGE_0_17.search(age[i] or ""):
            continue
        year_text = years[i] or ""
        if not re.fullmatch(r"\d{4}", year_text):
            raise PmfError(
                f"not a year: {year_text!r}",
                file=path,
                location=f"row {line}",
                field="time_period",
            )
        value_text = (values[i] or "").replace(",", "")
        try:
            value = float(value_text)
        except ValueError:
            value = float("nan")
        if not value_text or value != value or value < 0 or value != int(value):
            raise PmfError(
                f"not a population count: {values[i]!r}",
                file=path,
                location=f"row {line}",
                field="population_estimate",
            )
        year = int(year_text)
        if year in found and found[year] != int(value):
            raise PmfError(
                f"two different 0-17 estimates for council {wanted} in {year}",
                file=path,
                location=f"row {line}",
                field="population_estimate",
            )
        found[year] = int(value)
    if not found:
        raise PmfError(
            f"council {wanted} is not in the file (no 'Local authority' rows with "
            f"old_la_code {wanted} and age group 0 to 17)",
            file=path,
            field="old_la_code",
        )
    series = pd.Series(found, dtype="int64").sort_index()
    series.index = series.index.astype("int64")
    series.index.name = "year"
    series.name = "population"
    return Population(by_year=series)
