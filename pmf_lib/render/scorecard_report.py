"""A quarterly scorecard report (``scorecards:`` in the config): quarters as columns.

The report a meeting reads (West Sussex's Practice Improvement Scorecard at the
DLT, Kent's quarterly balanced scorecard at the CMT and Cabinet): a row per KPI,
optionally under group headings, with its current target, then for each of the
last quarter ends (and the quarter to date) the figure, its RAG against the target
in force then (in words beside the colour, so it reads printed in greyscale) and
its direction against the column before, then the latest England, region and
statistical neighbours' figures.

It draws the month's published scorecard table (``scorecard.parquet``, made once by
:mod:`pmf_lib.assess.scorecard`) and decides nothing. For members and the public
it reads that table through the same suppression decision as every other table
(:func:`pmf_lib.assess.scorecard.suppress_scorecard` over the members' suppressed
history the dashboard reads): a withheld figure reads the configured wording and
its RAG and direction read "Withheld". Not to be confused with
:mod:`pmf_lib.render.scorecard`, the dashboard's one-line-per-KPI scorecard, whose
pieces (links to each KPI's chart, the RAG and travel badges) it reuses.

Examples
--------
>>> column_heading("2026-09-30", False)
('Sep 2026', 'Q2 2026-27')
>>> column_heading("2026-10-31", True)
('Oct 2026', 'Q3 2026-27 to date')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from pmf_lib.assess.scorecard import suppress_scorecard
from pmf_lib.config import Scorecard
from pmf_lib.errors import PmfError
from pmf_lib.render.blocks import TRAVEL_CLASSES, rag_class, render, value_text
from pmf_lib.render.format import (
    MISSING,
    MISSING_NOTE,
    format_month,
    format_value,
    is_missing,
)
from pmf_lib.render.month import MonthData
from pmf_lib.render.month_data import published_tables, read_table
from pmf_lib.render.scorecard import area_report
from pmf_lib.render.suppress import WITHHELD

#: The published table this report draws (beside ``kpi_history.parquet``).
SCORECARD_TABLE = "scorecard.parquet"

#: What a column's figure covers, by the KPI's headline window.
WINDOW_WORDS = {
    "month": "in the column's month",
    "snapshot": "at the column's month end",
    "quarter": "3 months to the column's month",
    "rolling_12m": "12 months to the column's month",
    "fytd": "financial year to the column's month",
}


def financial_quarter(period_end) -> tuple[int, str]:
    """The financial quarter (1: April to June ... 4: January to March) and year of a date.

    Examples
    --------
    >>> financial_quarter("2026-06-30"), financial_quarter("2027-03-31")
    ((1, '2026-27'), (4, '2026-27'))
    """
    end = pd.Timestamp(period_end)
    start = end.year if end.month >= 4 else end.year - 1
    return (end.month - 4) % 12 // 3 + 1, f"{start}-{(start + 1) % 100:02d}"


def column_heading(period_end, to_date: bool) -> tuple[str, str]:
    """A column's heading: its month and its financial quarter (``to date`` for the current)."""
    q, year = financial_quarter(period_end)
    return format_month(period_end), f"Q{q} {year}" + (" to date" if to_date else "")


def _text(value, default: str = "") -> str:
    """A text cell of the table as read back (a blank is None or NaN after a round trip).

    Examples
    --------
    >>> _text(float("nan"), "none"), _text("↑"), _text(None)
    ('none', '↑', '')
    """
    return default if is_missing(value) or value == "" else str(value)


def _comparator(value, unit: str, year) -> dict:
    if is_missing(value):
        return {"value": MISSING, "year": ""}
    return {"value": format_value(value, unit), "year": "" if is_missing(year) else str(year)}


@dataclass
class ScorecardReport:
    """One scorecard of the config for a month, from its published table."""

    data: MonthData
    scorecard_id: str
    #: The scorecard's rows of the published table, as the audience may see them.
    table: pd.DataFrame

    @classmethod
    def load(
        cls,
        config_path: str | Path,
        scorecard: str,
        month: str,
        kpi_table: str | Path = "",
        assessed_table: str | Path = "",
    ) -> ScorecardReport:
        """Load the month (:meth:`MonthData.load`) and its scorecard table for ``scorecard``.

        Raises
        ------
        PmfError
            For a scorecard the config does not name (naming those it does), or a
            scorecard table not published (or without the scorecard: the month was
            published before it was configured) beside the KPI history.
        """
        data = MonthData.load(config_path, month, kpi_table, assessed_table)
        cards = data.config.scorecards
        if scorecard not in cards:
            have = ", ".join(cards) or "none (add scorecards: to the config)"
            raise PmfError(
                f"unknown scorecard {scorecard!r}; the config has {have}", field="scorecard"
            )
        if not kpi_table:
            kpi_table, _ = published_tables(data.config, data.month)
        path = Path(kpi_table).parent / SCORECARD_TABLE
        table = read_table(path, "scorecard table")
        return cls.from_table(data, scorecard, table, source=path)

    @classmethod
    def from_table(
        cls, data: MonthData, scorecard: str, table: pd.DataFrame, *, source=None
    ) -> ScorecardReport:
        """From a scorecard table in memory (:func:`pmf_lib.assess.scorecard.scorecard_table`).

        For members and the public the rows are read through
        :func:`~pmf_lib.assess.scorecard.suppress_scorecard` with the month's
        suppressed history (a table published suppressed gives itself back).
        """
        rows = table[table["scorecard"] == scorecard].copy()
        for col in ("period_end", "previous_end"):
            rows[col] = pd.to_datetime(rows[col]).dt.normalize()
        if rows.empty or rows["period_end"].max() != data.period_end:
            raise PmfError(
                f"the scorecard table has no figures of scorecard {scorecard!r} for "
                f"{data.month} (run `pmf run --month {data.month} --force` to publish it)",
                file=source,
                field="scorecard",
            )
        want = data.config.scorecards[scorecard].kpi_ids()
        have = list(dict.fromkeys(rows.sort_values("position")["kpi_id"]))
        if have != want:
            raise PmfError(
                f"the scorecard table's KPIs for {scorecard!r} differ from the config's "
                f"(run `pmf run --month {data.month} --force` to publish it again)",
                file=source,
                field="scorecard",
            )
        if data.rules is not None:
            rows = suppress_scorecard(rows, data.history)
        elif "suppressed" not in rows.columns:
            rows = rows.assign(suppressed=False)
        return cls(data, scorecard, rows.sort_values(["position", "column"]))

    # ---- facts -------------------------------------------------------------------
    @property
    def card(self) -> Scorecard:
        return self.data.config.scorecards[self.scorecard_id]

    @property
    def kpis(self) -> list[str]:
        return self.card.kpi_ids()

    @property
    def columns(self) -> list[dict]:
        """The columns in order: ``period_end``, ``to_date``, ``month`` and ``quarter``."""
        cols = self.table.drop_duplicates("column").sort_values("column")
        out = []
        for when, to_date in zip(cols["period_end"], cols["to_date"], strict=True):
            month, quarter = column_heading(when, bool(to_date))
            out.append(
                {"period_end": when, "to_date": bool(to_date), "month": month, "quarter": quarter}
            )
        return out

    def _areas(self) -> list[str]:
        """The configured areas that show the scorecard's KPIs (for the suppression note)."""
        ks = set(self.kpis)
        return [a for a, area in self.data.config.areas.items() if ks & set(area.kpis)]

    def _cell(self, r: pd.Series, current_target) -> dict:
        unit = str(r["unit"])
        sup = bool(r.get("suppressed", False))
        target = r.get("target")
        differs = not is_missing(target) and (
            is_missing(current_target) or float(target) != float(current_target)
        )
        label = _text(r.get("travel_label"), "Not available")
        rag = _text(r.get("rag"), "No target")
        cell = {
            "value": value_text(self.data, r["value"], unit, sup),
            "rag": rag,
            "rag_class": rag_class(rag),
            "travel": label,
            "travel_class": TRAVEL_CLASSES.get(label, "na"),
            "travel_symbol": _text(r.get("travel_symbol")),
            "travel_change": "",
            "target_note": f"target {format_value(target, unit)}" if differs else "",
            "to_date": bool(r["to_date"]),
            "withheld": sup,
        }
        if sup:
            cell.update(
                rag=WITHHELD,
                rag_class="withheld",
                travel=WITHHELD,
                travel_class="na",
                travel_symbol="",
            )
        return cell

    def rows(self) -> list[dict]:
        """The scorecard's groups (``heading`` None without groups), each with its KPI lines."""
        groups = []
        for heading, kpi_ids in self.card.sections():
            lines = []
            for kpi_id in kpi_ids:
                rs = self.table[self.table["kpi_id"] == kpi_id].sort_values("column")
                last = rs.iloc[-1]
                m = self.data.metas[kpi_id]
                unit = m.unit
                cells = [self._cell(r, last["target"]) for _, r in rs.iterrows()]
                sup_last = bool(last.get("suppressed", False))
                lines.append(
                    {
                        "kpi_id": kpi_id,
                        "title": m.title,
                        "window": WINDOW_WORDS.get(str(last["window"]), str(last["window"])),
                        "chart_href": f"{area_report(m.area)}#chart-{kpi_id}",
                        "target": MISSING
                        if is_missing(last["target"])
                        else format_value(last["target"], unit),
                        "rag_class": "withheld"
                        if sup_last
                        else rag_class(_text(last.get("rag"), "No target")),
                        "cells": cells,
                        "england": _comparator(last["england"], unit, last["england_year"]),
                        "region": _comparator(last["region"], unit, last["region_year"]),
                        "region_name": ""
                        if is_missing(last["region_name"])
                        else last["region_name"],
                        "sn": _comparator(last["sn"], unit, last["sn_year"]),
                    }
                )
            groups.append({"heading": heading, "rows": lines})
        return groups

    # ---- blocks ------------------------------------------------------------------
    def title_block(self) -> HTML:
        cols = self.columns
        quarter_ends = [c for c in cols if not c["to_date"]]
        span = f"{quarter_ends[0]['month']} to {quarter_ends[-1]['month']}"
        if cols[-1]["to_date"]:
            span += f", and {cols[-1]['month']} (the quarter to date)"
        return self.data.title_block(
            self.card.title,
            f"{self.card.meeting}: each measure at the last {len(quarter_ends)} quarter ends"
            + (" and the quarter to date" if cols[-1]["to_date"] else "")
            + f", to {self.data.month_long}.",
            {"Meeting": self.card.meeting, "Measures": str(len(self.kpis)), "Quarters": span},
            areas=self._areas(),
        )

    def scorecard(self) -> HTML:
        """The table: a row per KPI, a column per quarter end, then the comparators."""
        sn_stat = self.table["sn_stat"].dropna()
        stat = str(sn_stat.iloc[0]) if len(sn_stat) else "mean"
        note = (
            "Each quarter's cell: the measure's figure at the quarter's last month end (as "
            "its row's window says), its RAG rating (Red, Amber or Green, in words) against "
            "the target in force at that date (a cell names its target where it differs from "
            "the current one), and its direction of travel against the column before. "
            f"England, region and statistical neighbours ({stat}): the latest published "
            "figures, with their year. Each measure's name links to its chart in its service "
            f"area's report. {MISSING_NOTE}"
        )
        if self.data.suppressing:
            note += " " + self.data.suppressed_note(kpi_ids=self.kpis)
        return render(
            "scorecard_report.html.j2",
            caption=f"{self.card.title}: each measure by quarter, to {self.data.month_long}",
            columns=self.columns,
            groups=self.rows(),
            note=note,
        )

    def definitions(self) -> HTML:
        """Each measure's definition (the registry's words)."""
        return self.data.definitions(self.kpis)
