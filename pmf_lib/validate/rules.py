"""Validation rules: one decorated function per rule, returning the rows at fault.

A rule reads the canonical tables through a :class:`Context` and returns the
rows of its ``table`` that break it (a subset of that table, original index
kept). Its metadata travels with it: the rule code (DfE's own code for DfE
rules), message, affected fields, severity (``error`` or ``warning``; DfE
"query" rules are warnings), the source (``ssda903``, ``cin_census``) and kind
(``dfe``, ``logic``).

Examples
--------
>>> import pandas as pd
>>> from pmf_lib.read.tables import CIN_COLUMNS, conform
>>> @rule("X1", "Referral date missing", source="cin_census", table="referrals",
...       fields=("CINreferralDate",), register=False)
... def x1(ctx):
...     r = ctx.table("referrals")
...     return r[r["CINreferralDate"].isna()]
>>> refs = conform(pd.DataFrame({"LAchildID": ["a", "b"],
...                              "CINreferralDate": [pd.Timestamp("2024-05-01"), pd.NaT]}),
...                CIN_COLUMNS["referrals"])
>>> from pmf_lib.read.tables import CinCensus
>>> cin = CinCensus(); cin.tables["referrals"] = refs
>>> x1(Context(cin=cin))["LAchildID"].tolist()
['b']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from pmf_lib.age import age_on
from pmf_lib.read.tables import CinCensus, Ssda903

Severity = Literal["error", "warning"]
SOURCES = ("ssda903", "cin_census")
CHILD_ID = {"ssda903": "CHILD", "cin_census": "LAchildID"}


@dataclass
class Context:
    """What rules read: the canonical tables and the date validation runs on."""

    cin: CinCensus = field(default_factory=CinCensus)
    cla: Ssda903 = field(default_factory=Ssda903)
    as_of: pd.Timestamp = field(default_factory=lambda: pd.Timestamp.today().normalize())

    def table(self, name: str, source: str = "cin_census") -> pd.DataFrame:
        """A canonical table (``source`` is ``cin_census`` or ``ssda903``)."""
        data = self.cin if source == "cin_census" else self.cla
        return data.tables[name]

    def census_period(self, df: pd.DataFrame, source: str = "cin_census"):
        """Start and end of each row's collection year, as two Series.

        The year runs from 1 April to the return's reference date (31 March for
        an annual return; the extract date for a year-to-date extract), found
        from the row's ``source_file`` in the returns table, else 31 March of
        its ``collection_year``.
        """
        year = pd.to_numeric(df["collection_year"], errors="coerce")
        start = (
            pd.to_datetime({"year": year - 1, "month": 4, "day": 1}, errors="coerce")
            if len(df)
            else pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
        )
        end = (
            pd.to_datetime({"year": year, "month": 3, "day": 31}, errors="coerce")
            if len(df)
            else pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
        )
        returns = (self.cin if source == "cin_census" else self.cla).returns
        if len(df) and len(returns) and "reference_date" in returns:
            refs = returns.dropna(subset=["reference_date"]).drop_duplicates("source_file")
            ref = df["source_file"].map(refs.set_index("source_file")["reference_date"])
            end = pd.to_datetime(ref).fillna(end)
        start.index = end.index = df.index
        return start.astype("datetime64[ns]"), end.astype("datetime64[ns]")


RuleFunction = Callable[[Context], pd.DataFrame]


@dataclass(frozen=True)
class Rule:
    """A validation rule and its metadata."""

    code: str
    message: str
    source: str
    table: str
    fields: tuple[str, ...]
    severity: Severity
    kind: str
    func: RuleFunction

    def __call__(self, ctx: Context) -> pd.DataFrame:
        return self.func(ctx)

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.code)


RULES: dict[tuple[str, str], Rule] = {}


def rule(
    code: str,
    message: str,
    *,
    source: str,
    table: str,
    fields: tuple[str, ...],
    severity: Severity = "error",
    kind: str = "dfe",
    register: bool = True,
) -> Callable[[RuleFunction], Rule]:
    """Decorate ``f(ctx) -> offending rows of table`` as a validation rule."""
    if severity not in ("error", "warning"):
        raise ValueError(f"rule {code}: severity must be 'error' or 'warning'")

    def wrap(func: RuleFunction) -> Rule:
        r = Rule(code, message, source, table, tuple(fields), severity, kind, func)
        if register:
            if r.key in RULES and RULES[r.key].func.__qualname__ != func.__qualname__:
                raise ValueError(f"rule {source} {code} is defined twice")
            RULES[r.key] = r
        return r

    return wrap


def all_rules() -> dict[tuple[str, str], Rule]:
    """Every registered rule (importing the rule modules first)."""
    from pmf_lib.validate import dfe_903, dfe_cin, logic  # noqa: F401  (register on import)

    return dict(RULES)


# ---- helpers shared by rule modules -------------------------------------------


def invalid_code(df: pd.DataFrame, col: str, codes, *, required: bool) -> pd.DataFrame:
    """Rows whose ``col`` is not one of ``codes`` (or is missing, when required)."""
    v = df[col].astype("string").str.strip()
    bad = ~v.isin(list(codes)).fillna(False).astype(bool)
    if not required:
        bad &= v.notna()
    return df[bad.to_numpy()]


def years_between(earlier: pd.Series, later: pd.Series) -> pd.Series:
    """Whole years from ``earlier`` to ``later`` (:func:`pmf_lib.age.age_on`), NA where missing.

    Examples
    --------
    >>> b = pd.Series(pd.to_datetime(["2008-02-29", "2008-02-29", None]))
    >>> years_between(b, pd.Series(pd.to_datetime(["2025-02-28", "2025-03-01", "2025-03-01"])))
    0      16
    1      17
    2    <NA>
    dtype: Int64
    """
    return age_on(earlier, later).astype("Int64")


def with_child(df: pd.DataFrame, other: pd.DataFrame, key: str, cols: list[str]) -> pd.DataFrame:
    """``df`` with ``cols`` of ``other`` (one row per ``key``) attached, index kept."""
    lookup = other.drop_duplicates(key)[[key, *cols]]
    joined = df[[key]].merge(lookup, on=key, how="left")  # keeps the lookup's dtypes
    out = df.copy()
    for c in cols:
        out[f"_{c}"] = joined[c].to_numpy()
    return out


def mask(df: pd.DataFrame, m) -> pd.DataFrame:
    """Rows of ``df`` where the boolean (possibly nullable) mask ``m`` is True."""
    return df[pd.Series(m, index=df.index).fillna(False).astype(bool).to_numpy()]
