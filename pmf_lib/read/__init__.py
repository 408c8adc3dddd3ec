"""Stage 1 — read: national returns and local files into canonical tables.

Readers return the dataclasses of :mod:`pmf_lib.read.tables`. A file that cannot
be read whole raises :class:`~pmf_lib.errors.PmfError` naming the file, the row
or element and the field; nothing from it is used. A council's sources are read
once per command, by the month's build (:func:`pmf_lib.assess.build.read_month`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pmf_lib.read.cin_census import read_cin_census
from pmf_lib.read.population import read_population
from pmf_lib.read.ssda903 import read_ssda903
from pmf_lib.read.tables import CinCensus, Population, Ssda903

__all__ = [
    "SourceData",
    "latest_complete_month",
    "read_cin_census",
    "read_population",
    "read_ssda903",
]


@dataclass
class SourceData:
    """Everything read for one council."""

    cin: CinCensus
    cla: Ssda903
    population: Population
    local: dict[str, pd.DataFrame] = field(default_factory=dict)


def latest_complete_month(data: SourceData) -> str:
    """The latest month the data fully covers, as ``YYYY-MM``.

    The latest CIN census reference date (the extract date of a year-to-date
    extract, 31 March for an annual return) if it is a month end, otherwise the
    month before it.

    Examples
    --------
    >>> import pandas as pd
    >>> from pmf_lib.read.tables import CinCensus, Ssda903, Population
    >>> cin = CinCensus()
    >>> cin.returns = pd.DataFrame({"reference_date": pd.to_datetime(["2026-03-31", "2026-11-03"])})
    >>> latest_complete_month(SourceData(cin, Ssda903(), Population(pd.Series(dtype=float))))
    '2026-10'
    """
    dates = pd.concat([data.cin.returns["reference_date"], data.cla.returns["reference_date"]])
    ref = pd.to_datetime(dates).max()
    if pd.isna(ref):
        from pmf_lib.errors import PmfError

        raise PmfError("cannot tell the latest complete month: no reference dates in the data")
    month_end = ref + pd.offsets.MonthEnd(0)
    last = ref if ref == month_end else ref.replace(day=1) - pd.Timedelta(days=1)
    return last.strftime("%Y-%m")
