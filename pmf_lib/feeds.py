"""What a KPI reads: a :class:`Feed` per table, declared on the KPI's decorator.

Every registered KPI declares its inputs on ``@kpi(..., inputs=(Feed(...), ...))``
(:mod:`pmf_lib.compute.registry`). From that one declaration

* data quality confidence (:mod:`pmf_lib.validate.confidence`) takes the
  records feeding the KPI: the rows of each feed's table its dating selects;
* breakdowns (:mod:`pmf_lib.compute.breakdowns`) restrict exactly the declared
  tables to each group's records;
* a KPI declaring a local dataset that is not configured (or was read without a
  required column) is missing, never 0, and is not broken down.

A feed names a ``source``: ``cin_census`` or ``ssda903`` (canonical tables, see
:mod:`pmf_lib.read.tables`) or ``local`` (``table`` is then a local dataset name
as in ``pmf_lib/read/schemas/<name>.yml``, or ``workforce_monthly``), and how
its records are dated for the KPI (``kind``):

* ``flow``: records whose ``date`` falls in the KPI's windows (``windows``, by
  default the month and the rolling 12 months ending the period end);
* ``stock``: records open at the period end (``date`` on or before it and
  ``end`` empty or after it);
* ``overlap``: records open at any time in the 12 months ending the period end;
* ``latest_return``: records of the latest annual return (``collection_year``)
  whose 31 March is on or before the period end (the 903 OC2 and OC3 tables);
* ``all``: every record of the table (a log read as it stands).

``fields`` lists the other columns of the table the KPI reads, besides the
feed's date columns (:meth:`Feed.reading`; shown in the generated KPI docs, and
checked against what each KPI reads by ``tests/compute/test_inputs_declared.py``).
A CIN or 903 KPI may also look up its children's characteristics (age, sex) in
the child-level table of its source (CIN ``children``, 903 ``header``); those
are not feeds, since confidence already counts a record in error when its
child's child-level row is.

This module imports no pipeline stage (``tests/test_layering.py``).

Examples
--------
>>> f = Feed("cin_census", "referrals", "CINreferralDate")
>>> f.kind, f.windows, f.describe()
('flow', ('month', 'rolling_12m'), 'CIN census `referrals`: dated by `CINreferralDate` in the \
window (month, rolling_12m)')
>>> Feed("cin_census", "cp_plans", kind="stock")
Traceback (most recent call last):
...
ValueError: a stock feed needs a date column (cp_plans)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

MONTH_12M = ("month", "rolling_12m")
QUARTER_12M = ("quarter", "rolling_12m")
R12 = ("rolling_12m",)

SOURCES = ("cin_census", "ssda903", "local")
KINDS = ("flow", "stock", "overlap", "latest_return", "all")
SOURCE_TEXT = {"cin_census": "CIN census", "ssda903": "SSDA903", "local": "local dataset"}


@dataclass(frozen=True)
class Feed:
    """The records a KPI reads: a table, its dating and (optionally) the fields read.

    ``source`` is ``cin_census`` or ``ssda903`` (canonical tables) or ``local``
    (``table`` is then a local dataset name or ``workforce_monthly``).
    """

    source: Literal["cin_census", "ssda903", "local"]
    table: str
    date: str | None = None
    kind: Literal["flow", "stock", "overlap", "latest_return", "all"] = "flow"
    end: str | None = None
    windows: tuple[str, ...] = MONTH_12M
    fields: tuple[str, ...] = ()

    def __post_init__(self):
        if self.source not in SOURCES:
            raise ValueError(f"unknown feed source {self.source!r} ({self.table})")
        if self.kind not in KINDS:
            raise ValueError(f"unknown feed kind {self.kind!r} ({self.table})")
        if self.kind in ("flow", "stock", "overlap") and not self.date:
            raise ValueError(f"a {self.kind} feed needs a date column ({self.table})")
        object.__setattr__(self, "windows", tuple(self.windows))
        object.__setattr__(self, "fields", tuple(self.fields))

    def reading(self, *fields: str) -> Feed:
        """This feed, declaring the fields the KPI reads (besides its date columns).

        Examples
        --------
        >>> Feed("cin_census", "referrals", "CINreferralDate").reading("ReferralNFA").fields
        ('ReferralNFA',)
        """
        return replace(self, fields=tuple(fields))

    @property
    def is_local(self) -> bool:
        """Whether the feed is a local dataset (or the monthly workforce data)."""
        return self.source == "local"

    def describe(self) -> str:
        """One line for the KPI docs: the table and how its records are dated.

        Examples
        --------
        >>> Feed("ssda903", "episodes", "DECOM", "stock", "DEC").describe()
        'SSDA903 `episodes`: open at the period end (`DECOM` to `DEC`)'
        >>> Feed("local", "lado", kind="all", fields=("received_date",)).describe()
        'local dataset `lado`: every record; fields `received_date`'
        """
        where = f"{SOURCE_TEXT[self.source]} `{self.table}`"
        if self.kind == "flow":
            how = f"dated by `{self.date}` in the window ({', '.join(self.windows)})"
        elif self.kind == "stock":
            how = f"open at the period end (`{self.date}` to `{self.end}`)"
            if not self.end:
                how = f"dated by `{self.date}` on or before the period end"
        elif self.kind == "overlap":
            how = f"open in the 12 months ending the period end (`{self.date}` to `{self.end}`)"
        elif self.kind == "latest_return":
            how = "the latest annual return as at the period end"
        else:
            how = "every record"
        text = f"{where}: {how}"
        if self.fields:
            text += "; fields " + ", ".join(f"`{f}`" for f in self.fields)
        return text
