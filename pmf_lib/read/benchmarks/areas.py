"""The areas benchmarks are published for: England, regions, councils and reorganisations.

Areas are numbered as LAIT numbers them: England is :data:`ENGLAND` (970), the
regions 980-990 (:data:`REGION_NAMES`; London also split Inner/Outer) and a
council by its old LA number.

Reorganised councils (:data:`REORGANISATIONS`): Northamptonshire (928) was
replaced by North (940) and West (941) Northamptonshire on 1 April 2021, and
Cumbria (909) by Cumberland (942) and Westmorland and Furness (943) on 1 April
2023 (how each table treats them: :mod:`pmf_lib.read.benchmarks`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pmf_lib.errors import PmfError

ENGLAND = 970
REGION_CODES: dict[str, int] = {
    "north east": 980,
    "north west": 981,
    "yorkshire and the humber": 982,
    "east midlands": 983,
    "west midlands": 984,
    "east of england": 985,
    "london": 986,
    "inner london": 987,
    "london (inner)": 987,
    "outer london": 988,
    "london (outer)": 988,
    "south east": 989,
    "south west": 990,
}
"""Region names (any case, either London spelling) to LAIT's region numbers."""

REGION_NAMES: dict[int, str] = {
    980: "North East",
    981: "North West",
    982: "Yorkshire and the Humber",
    983: "East Midlands",
    984: "West Midlands",
    985: "East of England",
    986: "London",
    987: "London (Inner)",
    988: "London (Outer)",
    989: "South East",
    990: "South West",
}


@dataclass(frozen=True)
class Reorganisation:
    """A council replaced by its successors on a date."""

    predecessor: int
    successors: tuple[int, ...]
    effective: dt.date


REORGANISATIONS = (
    Reorganisation(928, (940, 941), dt.date(2021, 4, 1)),
    Reorganisation(909, (942, 943), dt.date(2023, 4, 1)),
)
"""Northamptonshire (2021) and Cumbria (2023)."""


def level_of(code: int) -> str:
    """The level of an area number: ``England``, ``Region`` or ``LA``.

    Examples
    --------
    >>> [level_of(c) for c in (970, 989, 938)]
    ['England', 'Region', 'LA']
    """
    if code == ENGLAND:
        return "England"
    if code in REGION_NAMES:
        return "Region"
    return "LA"


def region_code(name: str, *, file: str | Path, location: str) -> int:
    """LAIT's number for a published region name (:data:`REGION_CODES`).

    Raises
    ------
    PmfError
        For a name that is not a region, naming the file, row and ``region_name``.

    Examples
    --------
    >>> region_code(" Outer London ", file="f.csv", location="row 3")
    988
    >>> try:
    ...     region_code("Wessex", file="f.csv", location="row 3")
    ... except PmfError as e:
    ...     print(e)
    f.csv, row 3, field region_name: unknown region 'Wessex'
    """
    code = REGION_CODES.get(name.strip().lower())
    if code is None:
        raise PmfError(
            f"unknown region {name!r}", file=file, location=location, field="region_name"
        )
    return code


def successor_of(la_code: int) -> Reorganisation | None:
    """The reorganisation that created ``la_code``, if it is a successor council.

    Examples
    --------
    >>> successor_of(942).predecessor, successor_of(938)
    (909, None)
    """
    return next((r for r in REORGANISATIONS if la_code in r.successors), None)
