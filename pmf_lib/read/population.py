"""Read the ONS mid-year estimates of children aged 0 to 17: the one reader of that file.

The file is the DfE/ONS CSV layout (``ons_mid-year_population_estimates_2012_to_2024.csv``):
``time_period, geographic_level, ..., old_la_code, ..., age_group, population_estimate``.
:func:`read_ons_rows` reads it (decoded by :mod:`pmf_lib.textio`, each row with its
line number) and keeps the rows of children aged 0 to 17; both uses read it so:

* :func:`read_population` -- one council's estimates by year (rates per 10,000):
  the ``geographic_level`` "Local authority" rows whose ``old_la_code`` is the
  council's DfE number;
* :func:`pmf_lib.read.benchmarks.read_ons_population` -- every area's, for the
  benchmarks (England, regions and councils).

**The age-group rule** (:func:`is_aged_0_to_17`): a row is children aged 0 to 17
when its ``age_group`` contains "0 to 17" or "0-17" as whole numbers (any case),
as the published "Children aged 0 to 17 years" does; "10 to 17", "0 to 4" or a
single year of age are not.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from pmf_lib.errors import PmfError
from pmf_lib.read._parse import read_csv
from pmf_lib.read.tables import Population

REQUIRED = ("time_period", "geographic_level", "old_la_code", "age_group", "population_estimate")
_AGE_0_17 = re.compile(r"(?<!\d)0\s*(to|-)\s*17(?!\d)", re.IGNORECASE)


def is_aged_0_to_17(age_group: str | None) -> bool:
    """Whether an ``age_group`` cell is children aged 0 to 17 (the module's rule).

    Examples
    --------
    >>> [is_aged_0_to_17(a) for a in ("Children aged 0 to 17 years", "0-17", "AGED 0 TO 17")]
    [True, True, True]
    >>> [is_aged_0_to_17(a) for a in ("10 to 17", "0 to 4", "17", None)]
    [False, False, False, False]
    """
    return bool(_AGE_0_17.search(age_group or ""))


def read_ons_rows(path: Path, required=REQUIRED) -> list[tuple[int, dict[str, str]]]:
    """The rows of children aged 0 to 17: ``(line number, {column: text})`` in file order.

    Column names match in any case; each value is stripped text ("" when empty).

    Raises
    ------
    PmfError
        If the file cannot be read or a ``required`` column is missing.

    Examples
    --------
    >>> import tempfile
    >>> text = ("TIME_PERIOD,Geographic_Level,old_la_code,age_group,population_estimate\\n"
    ...         "2024,Local authority,938,Children aged 0 to 4 years,60000\\n"
    ...         "2024,Local authority,938,Children aged 0 to 17 years,250100\\n")
    >>> p = Path(tempfile.mkdtemp()) / "pop.csv"
    >>> read_ons_rows(p) if p.write_text(text) else None  # doctest: +NORMALIZE_WHITESPACE
    [(3, {'time_period': '2024', 'geographic_level': 'Local authority', 'old_la_code': '938',
          'age_group': 'Children aged 0 to 17 years', 'population_estimate': '250100'})]
    """
    path = Path(path)
    data = read_csv(path)
    cols = {c.lower(): c for c in data.columns}
    for need in required:
        if need not in cols:
            raise PmfError(
                f"required column missing (columns found: {', '.join(data.columns)})",
                file=path,
                location=f"row {data.header_line}",
                field=need,
            )
    values = {name: data.columns[cols[name]] for name in required}
    age = data.columns[cols["age_group"]]
    return [
        (line, {name: v[i] or "" for name, v in values.items()})
        for i, line in enumerate(data.lines)
        if is_aged_0_to_17(age[i])
    ]


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
    found: dict[int, int] = {}
    wanted = str(int(la_code))
    for line, r in read_ons_rows(path):
        if r["geographic_level"].lower() != "local authority" or r["old_la_code"] != wanted:
            continue
        year_text = r["time_period"]
        if not re.fullmatch(r"\d{4}", year_text):
            raise PmfError(
                f"not a year: {year_text!r}",
                file=path,
                location=f"row {line}",
                field="time_period",
            )
        value_text = r["population_estimate"].replace(",", "")
        try:
            value = float(value_text)
        except ValueError:
            value = float("nan")
        if not value_text or value != value or value < 0 or value != int(value):
            raise PmfError(
                f"not a population count: {r['population_estimate']!r}",
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
