"""Stage 1 — read: national returns and local files into canonical tables.

Readers return the dataclasses of :mod:`pmf_lib.read.tables`. A file that cannot
be read whole raises :class:`~pmf_lib.errors.PmfError` naming the file, the row
or element and the field; nothing from it is used.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pmf_lib.config import Config
from pmf_lib.read.cin_census import read_cin_census
from pmf_lib.read.population import read_population
from pmf_lib.read.ssda903 import read_ssda903
from pmf_lib.read.tables import CinCensus, Population, Ssda903


@dataclass
class SourceData:
    """Everything read for one council."""

    cin: CinCensus
    cla: Ssda903
    population: Population
    local: dict[str, pd.DataFrame] = field(default_factory=dict)


def read_local_sources(config: Config) -> dict[str, pd.DataFrame]:
    """The configured local datasets and monthly workforce data, one frame each.

    Keys are the dataset names of :data:`pmf_lib.read.local.LOCAL_DATASETS` plus
    ``workforce_monthly``; a dataset the council does not supply is absent. A
    required column missing from a file is an error, unless the config's
    ``data_quality.missing_columns`` is ``run_anyway``: the frame's
    ``attrs["missing_columns"]`` then names it (its KPIs are made missing).
    """
    from pmf_lib.read.local import concat_tables, read_local
    from pmf_lib.read.workforce import read_workforce_monthly

    strict = config.data_quality.missing_columns == "error"
    local = {}
    for source in config.optional_sources():
        if source.startswith("local."):
            name = source.removeprefix("local.")
            local[name] = concat_tables(
                read_local(name, config.files(source), strict_columns=strict)
            )
        elif source == "workforce_monthly":
            local[source] = concat_tables(
                read_workforce_monthly(config.files(source), strict_columns=strict)
            )
    return local


def load_sources(config: Config) -> SourceData:
    """Read every configured source of a council."""
    return SourceData(
        cin=read_cin_census(config.files("cin_census")),
        cla=read_ssda903(config.files("ssda903")),
        population=read_population(config.population_file, la_code=config.council.code),
        local=read_local_sources(config),
    )


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
