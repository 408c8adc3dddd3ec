"""The finance reports (issue 16): "Finance and performance" and the high-cost placements review.

* :class:`FinanceReport` -- the monthly report to the Directorate Leadership
  Team's "finance and performance" meeting (kind ``finance``): budget against
  forecast outturn by service line, the forecast variance, placement spend and
  average weekly costs with the S251 unit costs of England, the region and the
  statistical neighbours, beside the performance measures of children looked
  after. Every audience; its figures come from the published (for members and
  the public, suppressed) tables, and it shows no placement or child.
* :class:`HighCostReport` -- the bi-monthly high-cost placements review (kind
  ``high_cost_placements``), INTERNAL ONLY: each placement over the weekly
  threshold with its cost, start date, next review, type and provider, as
  :mod:`pmf_lib.assess.finance` listed it. Loading it for a members' or public
  config is an error, and a members' build publishes no list to load.

Render draws; the budget lines, the variance and which placements are high cost
are decided in :mod:`pmf_lib.assess.finance` and the KPIs.

Examples
--------
>>> signed_percent(16.21), signed_percent(-0.24), signed_percent(0.01)
('+16.2%', '-0.2%', '0.0%')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from pmf_lib.errors import PmfError
from pmf_lib.formatting import MISSING, format_change, format_value, is_missing, round_decimal
from pmf_lib.render.format import format_date
from pmf_lib.render.month import MonthData, render
from pmf_lib.render.month_data import published_tables, read_table

FINANCE_AREA = "finance"
CLA_AREA = "children_looked_after"
VARIANCE_KPIS = ("fin_forecast_variance_gbp", "fin_forecast_variance_pct")
PLACEMENT_KPIS = (
    "fin_placement_spend_gbp",
    "fin_spend_per_cla_gbp",
    "fin_weekly_cost_all_gbp",
    "fin_weekly_cost_fostering_gbp",
    "fin_weekly_cost_residential_gbp",
    "fin_weekly_cost_supported_gbp",
    "fin_high_cost_pct",
)
BUDGET_TABLE = "finance_budget.parquet"
HIGH_COST_TABLE = "high_cost_placements.parquet"


def signed_percent(value) -> str:
    """A percentage with its sign (``+16.2%``); nothing that rounds to zero is signed."""
    if is_missing(value):
        return MISSING
    text = format_value(value, "percent")
    return "+" + text if round_decimal(value, 1) > 0 else text


def _folder(config_path, month: str, kpi_table) -> Path:
    """The published month's folder, as :meth:`MonthData.load` finds it."""
    if kpi_table:
        return Path(kpi_table).parent
    from pmf_lib.config import load_config

    found, _ = published_tables(load_config(config_path, check_files=False), month)
    return Path(found).parent


def _configured(data: MonthData, area: str, wanted) -> list[str]:
    """The KPIs of ``wanted`` that ``area`` shows, in the area's order (none: no area)."""
    if area not in data.config.areas:
        return []
    return [k for k in data.area_kpis(area) if k in wanted]


def budget_rows(budget: pd.DataFrame) -> list[dict]:
    """The budget table's rows as shown: pounds, signed variance, the Total row marked.

    Examples
    --------
    >>> b = pd.DataFrame({"service_line": ["Placements", "Total"], "budget": [100.0, 100.0],
    ...     "actual_to_date": [60.0, 60.0], "forecast_outturn": [110.0, 110.0],
    ...     "variance": [10.0, 10.0], "variance_pct": [10.0, 10.0]})
    >>> r = budget_rows(b)
    >>> r[0]["budget"], r[0]["variance"], r[0]["variance_pct"], r[1]["total"]
    ('£100', '+£10', '+10.0%', True)
    """
    return [
        {
            "service_line": str(r["service_line"]),
            "total": str(r["service_line"]) == "Total",
            "budget": format_value(r["budget"], "gbp"),
            "actual_to_date": format_value(r["actual_to_date"], "gbp"),
            "forecast_outturn": format_value(r["forecast_outturn"], "gbp"),
            "variance": format_change(r["variance"], "gbp"),
            "variance_pct": signed_percent(r["variance_pct"]),
        }
        for _, r in budget.iterrows()
    ]


@dataclass
class FinanceReport:
    """The monthly "Finance and performance" report (every audience)."""

    data: MonthData
    budget: pd.DataFrame | None

    @classmethod
    def load(
        cls,
        config_path: str | Path,
        month: str,
        kpi_table: str | Path = "",
        assessed_table: str | Path = "",
    ) -> FinanceReport:
        """Load the published month (:meth:`MonthData.load`) and its budget lines."""
        data = MonthData.load(config_path, month, kpi_table, assessed_table)
        path = _folder(config_path, month, kpi_table) / BUDGET_TABLE
        budget = read_table(path, "finance budget table") if path.is_file() else None
        return cls(data, budget)

    @property
    def finance_kpis(self) -> list[str]:
        return _configured(self.data, FINANCE_AREA, VARIANCE_KPIS + PLACEMENT_KPIS)

    def title_block(self) -> HTML:
        return self.data.title_block(
            "Finance and performance",
            f"Budget, forecast outturn and placement costs beside the performance of "
            f"children looked after, {self.data.month_long}.",
            {"Meeting": "Directorate Leadership Team: finance and performance"},
            areas=[a for a in (FINANCE_AREA, CLA_AREA) if a in self.data.config.areas],
        )

    def budget_table(self) -> HTML:
        """Budget, actual to date and forecast outturn by service line, with the variance."""
        if self.budget is None or self.budget.empty:
            return HTML(
                '<p class="pmf-note">No budget monitoring for this month: the config names '
                "no budget_monitoring file, or it has no rows for the month.</p>"
            )
        return render(
            "finance_budget.html.j2",
            rows=budget_rows(self.budget),
            caption=f"Budget monitoring by service line, {self.data.month_long} (pounds)",
            note="Forecast variance is the forecast outturn less the budget: a positive "
            "figure is a forecast overspend. Actual to date is the financial year's spend "
            "to the month end. A line without a budget or a forecast is left out of the "
            "total.",
        )

    def variance(self) -> HTML:
        """The forecast variance measures as tiles."""
        ids = [k for k in self.finance_kpis if k in VARIANCE_KPIS]
        return self.data.tiles(ids) if ids else HTML("")

    def placements(self) -> HTML:
        """Placement spend and average weekly costs, with England, region and neighbours."""
        ids = [k for k in self.finance_kpis if k in PLACEMENT_KPIS]
        if not ids:
            return HTML("")
        table = self.data.kpi_table(
            ids,
            f"Placement spend and average weekly costs, {self.data.month_long}; England, "
            "region and neighbours: S251 outturn weekly unit costs",
        )
        note = (
            '<p class="pmf-note">England, region and neighbours show the S251 outturn weekly '
            "unit cost (LAIT, Children's Service Finance) of the latest financial year: a "
            "year's gross spend per day of care times 7, overheads included. The council's "
            "figure is the average weekly cost of the placements open at the month end, so "
            "the comparison is context, not like for like.</p>"
        )
        return HTML(table.data + "\n" + note)

    def performance(self) -> HTML:
        """The children looked after measures beside the money."""
        if CLA_AREA not in self.data.config.areas:
            return HTML('<p class="pmf-note">The config shows no children looked after area.</p>')
        ids = self.data.area_kpis(CLA_AREA)
        return self.data.kpi_table(
            ids, f"Children looked after: performance measures, {self.data.month_long}"
        )

    def charts(self) -> HTML:
        return self.data.charts(self.finance_kpis)

    def definitions(self) -> HTML:
        return self.data.definitions(self.finance_kpis)


@dataclass
class HighCostReport:
    """The bi-monthly high-cost placements review (internal only)."""

    data: MonthData
    placements: pd.DataFrame | None

    @classmethod
    def load(
        cls,
        config_path: str | Path,
        month: str,
        kpi_table: str | Path = "",
        assessed_table: str | Path = "",
    ) -> HighCostReport:
        """Load the published month and its high-cost list.

        Raises
        ------
        PmfError
            For a members' or public config: the list is internal only.
        """
        data = MonthData.load(config_path, month, kpi_table, assessed_table)
        if data.suppressing:
            raise PmfError(
                f"the high-cost placements review is internal only (it lists placements "
                f"and children); this config's audience is {data.config.audience}",
                file=config_path,
                field="audience",
            )
        path = _folder(config_path, month, kpi_table) / HIGH_COST_TABLE
        placements = read_table(path, "high-cost placements list") if path.is_file() else None
        return cls(data, placements)

    @property
    def threshold(self) -> float | None:
        return self.data.config.finance.high_cost_weekly_threshold

    def title_block(self) -> HTML:
        facts = {"Meeting": "Directorate Leadership Team: high-cost placements review"}
        if self.threshold is not None:
            facts["Threshold"] = f"{format_value(self.threshold, 'gbp')} a week"
        return self.data.title_block(
            "High-cost placements review",
            f"Placements costing more than the high-cost threshold, open at the end of "
            f"{self.data.month_long}. INTERNAL ONLY.",
            facts,
            areas=[FINANCE_AREA] if FINANCE_AREA in self.data.config.areas else None,
        )

    def summary(self) -> HTML:
        """The share of placements above the threshold, as a tile."""
        ids = _configured(self.data, FINANCE_AREA, ("fin_high_cost_pct",))
        return self.data.tiles(ids) if ids else HTML("")

    def placements_table(self) -> HTML:
        """Each high-cost placement: cost, start date, next review, type and provider."""
        internal = (
            "This list names placements and children: it is never published to members "
            "or the public."
        )
        if self.threshold is None or self.placements is None:
            summary = (
                "No list: the config sets no finance.high_cost_weekly_threshold, or names "
                "no placement_costs file."
            )
            rows = []
        else:
            p = self.placements
            total = format_value(float(p["weekly_cost"].sum()), "gbp")
            overdue = int(p["review_overdue"].sum())
            summary = (
                f"{len(p)} placements open at {format_date(self.data.period_end)} cost more "
                f"than {format_value(self.threshold, 'gbp')} a week, {total} a week "
                f"between them; next review missing or already past: {overdue}."
            )
            rows = [
                {
                    "placement_id": r["placement_id"],
                    "child_id": r["child_id"],
                    "weekly_cost": format_value(r["weekly_cost"], "gbp"),
                    "start_date": format_date(r["start_date"]),
                    "next_review": MISSING
                    if is_missing(r["next_review_date"])
                    else format_date(r["next_review_date"]),
                    "review_overdue": bool(r["review_overdue"]),
                    "placement_type": f"{r['placement_type']}: {r['placement_type_label']}",
                    "provider": r["provider"],
                }
                for _, r in p.iterrows()
            ]
        return render(
            "finance_high_cost.html.j2",
            internal_note=internal,
            summary=summary,
            rows=rows,
            caption=f"High-cost placements open at {format_date(self.data.period_end)}, "
            "costliest first",
        )

    def definitions(self) -> HTML:
        ids = _configured(self.data, FINANCE_AREA, ("fin_high_cost_pct",))
        return self.data.definitions(ids) if ids else HTML("")
