"""Builders for tiny canonical inputs (via ``pmf_lib.read.tables.conform``)."""

from __future__ import annotations

import pandas as pd
import pytest

from pmf_lib.compute.registry import KpiInputs
from pmf_lib.read.tables import (
    CIN_COLUMNS,
    S903_COLUMNS,
    CinCensus,
    Population,
    Ssda903,
    conform,
)


def dates(*values) -> pd.Series:
    """Dates from ISO strings (``None`` for missing)."""
    return pd.Series(pd.to_datetime(list(values)), dtype="datetime64[ns]")


class Build:
    """Turn lists of row dicts into canonical tables and wrap them as ``KpiInputs``."""

    @staticmethod
    def frame(rows: list[dict], columns: dict[str, str]) -> pd.DataFrame:
        df = pd.DataFrame(rows)
        for col, dtype in columns.items():
            if col in df and dtype.startswith("datetime"):
                df[col] = pd.to_datetime(df[col])
        return conform(df, columns)

    @classmethod
    def cin(cls, population: dict | None = None, **tables: list[dict]) -> KpiInputs:
        cin = CinCensus()
        for name, rows in tables.items():
            cin.tables[name] = cls.frame(rows, CIN_COLUMNS[name])
        return KpiInputs(cin=cin, population=Population(pd.Series(population or {}, dtype=float)))

    @classmethod
    def cla(cls, population: dict | None = None, **tables: list[dict]) -> KpiInputs:
        cla = Ssda903()
        for name, rows in tables.items():
            cla.tables[name] = cls.frame(rows, S903_COLUMNS[name])
        return KpiInputs(cla=cla, population=Population(pd.Series(population or {}, dtype=float)))


@pytest.fixture(scope="session")
def build() -> type[Build]:
    return Build
