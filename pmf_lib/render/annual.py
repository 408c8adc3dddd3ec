"""The annual self-evaluation evidence pack of one service area (``annual_evidence_pack.ipynb``).

Once a year, in the month the reporting schedule names for the ``annual`` kind
(the demo: June, when the year to 31 March is in), the batch publishes one pack
per service area. It follows Ofsted's ILACS self-evaluation headings, so each
section can be lifted into the council's self-evaluation, and its first section
(the council's year by heading) makes it the framework's annual report too:

* the ILACS heading(s) the area's evidence is under;
* the council's year: per heading, how many measures improved, worsened or
  moved quartile;
* three-year trends at annual cadence (the years to 31 March);
* the position against England, the region and the statistical neighbours,
  with the quartile band each year and its movement;
* the year's audit findings (the QA audit measures and their team breakdown);
* the improvement actions completed in the year, with their linked measure's
  movement over it;
* the year's twelve months of the Head of Service's commentary.

Every figure and verdict is made by :mod:`pmf_lib.assess.annual` from the
month's published tables as the audience sees them (members and the public: the
suppressed view, so a withheld figure reads the configured wording and has no
verdict); this module lays them out.

Examples
--------
>>> year_months("2026-03-31")[0], year_months("2026-03-31")[-1], len(year_months("2026-03-31"))
('2025-04', '2026-03', 12)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from pmf_lib.assess.annual import (
    AUDIT_AREA,
    ILACS_HEADINGS,
    actions_impact,
    annual_points_for_config,
    annual_table,
    area_headings,
    heading_summary,
    year_label,
)
from pmf_lib.errors import PmfError
from pmf_lib.render.commentary import Commentary, read_commentary
from pmf_lib.render.format import format_change, format_date, format_month_long, format_value
from pmf_lib.render.month import MonthData, render
from pmf_lib.render.month_data import read_table

_MONTH_DIR = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
TEMPLATE = "annual.html.j2"
#: The published annual points beside the month's KPI history (the month build writes it).
ANNUAL_TABLE = "annual.parquet"


def year_months(year_end) -> list[str]:
    """The twelve months (``YYYY-MM``) of the year to ``year_end``, April first."""
    end = pd.Timestamp(year_end)
    return [(end - pd.DateOffset(months=11 - i)).strftime("%Y-%m") for i in range(12)]


def commentary_root(commentary_dir: str | Path | None) -> Path | None:
    """The folder of the months' commentary folders, given one month's (or the root itself).

    Examples
    --------
    >>> commentary_root("parameters/commentary/2026-06").as_posix()
    'parameters/commentary'
    >>> commentary_root("parameters/commentary").as_posix(), commentary_root("")
    ('parameters/commentary', None)
    """
    if not commentary_dir:
        return None
    p = Path(commentary_dir)
    return p.parent if _MONTH_DIR.fullmatch(p.name) else p


@dataclass
class AnnualPack:
    """An area's annual self-evaluation evidence pack."""

    data: MonthData
    area: str
    #: :func:`pmf_lib.assess.annual.annual_for_config`: every configured KPI's years.
    table: pd.DataFrame
    commentary_root: Path | None = None
    headings_map: dict = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        config_path: str | Path,
        area: str,
        month: str,
        kpi_table: str | Path = "",
        assessed_table: str | Path = "",
        commentary_dir: str | Path = "",
    ) -> AnnualPack:
        """Load the month's published tables (:meth:`MonthData.load`) for one area's pack.

        The annual points are the month's ``annual.parquet`` beside ``kpi_table``
        (published by every ``pmf run``; for members or the public, suppressed).
        """
        data = MonthData.load(config_path, month, kpi_table, assessed_table, commentary_dir)
        folder = Path(kpi_table).parent if kpi_table else data.config.outputs_dir / data.month
        points = read_table(folder / ANNUAL_TABLE, "annual points table")
        return cls.from_data(data, area, commentary_dir, points=points)

    @classmethod
    def from_data(
        cls,
        data: MonthData,
        area: str,
        commentary_dir: str | Path = "",
        *,
        points: pd.DataFrame | None = None,
        store=None,
    ) -> AnnualPack:
        """The pack from a month already loaded.

        ``points``: the published annual points (default, for an internal audience
        only: made now from the month's history, as the build makes them);
        ``store``: a benchmark store (default: the config's).
        """
        data.area_kpis(area)  # an unknown area fails here, naming the configured ones
        if points is None:
            if data.suppressing:
                raise PmfError(
                    "a members' or public pack needs the published annual points "
                    f"({ANNUAL_TABLE}, suppressed by the month build)",
                    field="annual",
                )
            points = annual_points_for_config(data.config, data.history_full, data.month)
        table = annual_table(data.config, points, store)
        return cls(data, area, table, commentary_root(commentary_dir), dict(data.config.ilacs))

    # ---- facts ------------------------------------------------------------------
    @property
    def title(self) -> str:
        return self.data.area_title(self.area)

    @property
    def kpis(self) -> list[str]:
        return self.data.area_kpis(self.area)

    @property
    def year_ends(self) -> list[pd.Timestamp]:
        return sorted(pd.to_datetime(self.table["year_end"]).unique())

    @property
    def year_end(self) -> pd.Timestamp:
        return self.year_ends[-1]

    @property
    def year(self) -> str:
        """The pack's year (``2025-26``)."""
        return year_label(self.year_end)

    @property
    def headings(self) -> list[str]:
        return [ILACS_HEADINGS[h] for h in area_headings(self.area, self.headings_map)]

    def _rows(self, kpi_id: str) -> pd.DataFrame:
        t = self.table
        return t[t["kpi_id"] == kpi_id].sort_values("year_end")

    def _value(self, r: pd.Series, unit: str) -> str:
        if bool(r["suppressed"]):
            return self.data.withheld_text
        return format_value(r["value"], unit)

    # ---- blocks -------------------------------------------------------------------
    def title_block(self) -> HTML:
        facts = {
            "Service area": self.title,
            "Year": f"{self.year} (to {format_date(self.year_end)})",
            "ILACS": "; ".join(self.headings),
        }
        hos = self.data.config.areas[self.area].head_of_service
        if hos:
            facts["Head of service"] = hos
        return self.data.title_block(
            f"{self.title}: annual self-evaluation evidence {self.year}",
            f"The year to {format_date(self.year_end)} and the two years before it, under "
            f"Ofsted's ILACS self-evaluation headings; published {self.data.month_long}.",
            facts,
            areas=[self.area],
        )

    def headings_block(self) -> HTML:
        """The ILACS heading(s) this area's evidence is under."""
        return render(
            TEMPLATE,
            section="headings",
            area_title=self.title,
            year=self.year,
            headings=self.headings,
        )

    def summary(self) -> HTML:
        """The council's year by ILACS heading (the framework's annual report)."""
        areas = {a: list(x.kpis) for a, x in self.data.config.areas.items()}
        s = heading_summary(self.table, self.data.metas, areas, self.headings_map)
        last = self.table[pd.to_datetime(self.table["year_end"]) == self.year_end]
        moves = []
        for _, r in last.drop_duplicates("kpi_id").iterrows():
            if str(r["quartile_movement"]).startswith("Moved"):
                m = self.data.metas[r["kpi_id"]]
                moves.append(
                    f"{m.title}: {r['quartile_movement'].lower()} "
                    f"({r['previous_quartile']} to {r['quartile']})"
                )
        return render(
            TEMPLATE,
            section="summary",
            rows=s.to_dict("records"),
            caption=f"{self.data.config.council.name}: {self.year} on the year before, by "
            "ILACS heading",
            note="Every service area's measures, counted under each ILACS heading their area "
            "is placed under (a measure counts once per heading). Improving and worsening: the "
            "year's figure on the year before, by the monthly reports' direction of travel "
            "rules; measures with no better direction are counted in neither. Quartile: A "
            "best to D worst among English councils.",
            moves=moves,
        )

    def trends(self, kpi_ids: list[str] | None = None, caption: str = "") -> HTML:
        """Each measure's figure for each of the three years, and its change on the year."""
        rows = []
        for k in kpi_ids if kpi_ids is not None else self.kpis:
            m = self.data.metas[k]
            r = self._rows(k)
            if r.empty:
                continue
            last = r.iloc[-1]
            change = (
                "" if last["travel"] == "Not available" else format_change(last["change"], m.unit)
            )
            rows.append(
                {
                    "title": m.title,
                    "window": "year to 31 March"
                    if last["window"] == "rolling_12m"
                    else "at 31 March",
                    "values": [self._value(x, m.unit) for _, x in r.iterrows()],
                    "travel": f"{last['travel_symbol']} {last['travel']}",
                    "change": change,
                }
            )
        return render(
            TEMPLATE,
            section="trends",
            rows=rows,
            years=[year_label(y) for y in self.year_ends],
            caption=caption or f"{self.title}: the years to 31 March",
            note=self.data.suppressed_note([self.area]) if self.data.suppressing else "",
            empty="No measures.",
        )

    def comparators(self) -> HTML:
        """The year's figure against England, region and neighbours; quartiles and movement."""
        rows = []
        for k in self.kpis:
            r = self._rows(k)
            if r.empty or r["measure"].isna().all():
                continue
            m = self.data.metas[k]
            last = r.iloc[-1]

            rows.append(
                {
                    "title": m.title,
                    "value": self._value(last, m.unit),
                    "benchmark_year": f"DfE's {format_date(last['benchmark_year_end'])} figures"
                    if pd.notna(last["benchmark_year_end"])
                    else "no published figures",
                    "england": format_value(last["england"], m.unit),
                    "region": format_value(last["region"], m.unit),
                    "sn": format_value(last["sn"], m.unit),
                    "quartiles": [q if isinstance(q, str) else "–" for q in r["quartile"]],
                    "movement": last["quartile_movement"],
                }
            )
        region = next((x for x in self.table["region_name"] if isinstance(x, str)), "Region")
        c = self.data.config.benchmarks
        return render(
            TEMPLATE,
            section="comparators",
            rows=rows,
            year=self.year,
            years=[year_label(y) for y in self.year_ends],
            caption=f"{self.title}: {self.year} against England, {region} and the "
            "statistical neighbours",
            note="Each year is set beside the latest year DfE has published that ended by "
            "then (shown under each measure). Neighbours: the "
            f"{c.sn_stat} of the council's statistical neighbours ({c.sn_model} model). "
            "Quartile: where the council's own figure for the year falls among every "
            "English council's published figures (A best, D worst); movement is on the year "
            "before. Only measures DfE publishes for every council, and not raw counts, are "
            "compared.",
            empty="None of this area's measures has a published national comparator.",
        )

    def audits(self) -> HTML:
        """The year's audit findings: the QA audit measures and their breakdown by team."""
        areas = self.data.config.areas
        qa = list(areas[AUDIT_AREA].kpis) if AUDIT_AREA in areas else []
        if not qa:
            return HTML('<p class="pmf-muted">The config has no quality assurance audits area.</p>')
        parts = []
        if self.area != AUDIT_AREA:  # the audit area's own trends are above
            caption = f"Case audits: the years to 31 March ({self.year} last)"
            parts.append(self.trends(qa, caption=caption).data)
        b = self.data.month_breakdowns()
        if not b.empty:
            b = b[
                b["kpi_id"].isin(qa) & (b["window"] == "rolling_12m") & (b["dimension"] == "team")
            ]
        columns = [k for k in qa if not b.empty and k in set(b["kpi_id"])]
        rows = []
        for group in sorted(set(b["group"])) if columns else []:
            values = []
            for k in columns:
                hit = b[(b["kpi_id"] == k) & (b["group"] == group)]
                if hit.empty:
                    values.append("–")
                    continue
                h = hit.iloc[0]
                withheld = bool(h.get("suppressed", False)) if "suppressed" in b.columns else False
                values.append(
                    self.data.withheld_text
                    if withheld
                    else format_value(h["value"], self.data.metas[k].unit)
                )
            rows.append({"group": group, "values": values})
        parts.append(
            render(
                TEMPLATE,
                section="breakdown",
                rows=rows,
                columns=[self.data.metas[k].title for k in columns],
                caption=f"Case audits by team, 12 months to {self.data.month_long}",
                empty="No breakdown of the audits by team is published this month.",
            ).data
        )
        return HTML("\n".join(parts))

    def actions(self) -> HTML:
        """The improvement actions completed in the year, with their measure's movement."""
        before_year = year_label(self.year_ends[-2]) if len(self.year_ends) > 1 else "Year before"
        if not self.data.config.data.local.improvement_actions:
            note = "The config names no improvement actions log."
            return render(
                TEMPLATE,
                section="actions",
                rows=[],
                note=note,
                year=self.year,
                before_year=before_year,
                caption="",
            )
        t = self.data.actions_table
        if t is None and self.data.actions_path is not None:
            t = read_table(self.data.actions_path, "improvement actions table")
        done = actions_impact(t, self.table, self.data.metas, self.year_end, self.area, self.kpis)
        if self.data.suppressing:  # members and the public are never shown a completed action
            done = done.iloc[0:0]  # (their tables hold none: pmf_lib.assess.actions)
        rows = []
        for _, a in done.iterrows():
            m = self.data.metas.get(a["kpi_id"])
            unit = m.unit if m else "count"
            rows.append(
                {
                    "action": a["action"],
                    "action_id": a["action_id"],
                    "owner": a["owner"] if isinstance(a["owner"], str) else "–",
                    "completed": format_date(a["completed_date"]),
                    "due": format_date(a["due_date"]) if pd.notna(a["due_date"]) else "no due date",
                    "on_time": bool(a["on_time"]),
                    "kpi": m.title if m else str(a["kpi_id"]),
                    "before": format_value(a["before"], unit),
                    "after": format_value(a["after"], unit),
                    "impact": a["impact"],
                }
            )
        if self.data.suppressing:
            note = (
                "Completed improvement actions are listed in the internal edition of this pack "
                "only: the tables published for members and the public hold open and overdue "
                "actions alone."
            )
        elif not rows:
            note = f"No improvement action of this area was completed in {self.year}."
        else:
            note = (
                "The measure's movement is its figure for the year on the year before, by the "
                "monthly reports' direction of travel rules: it shows what happened over the "
                "year the action was completed in, not that the action caused it."
            )
        return render(
            TEMPLATE,
            section="actions",
            rows=rows,
            note=note,
            year=self.year,
            before_year=before_year,
            caption=f"{self.title}: improvement actions completed in {self.year}",
        )

    def commentary(self) -> HTML:
        """The Head of Service's commentary of each month of the year, where written."""
        written, missing = [], []
        for month in year_months(self.year_end):
            folder = self.commentary_root / month if self.commentary_root else None
            c: Commentary = read_commentary(folder, self.area, month)
            long = format_month_long(pd.Timestamp(f"{month}-01"))
            if c.filled:
                written.append(
                    {
                        "month_long": long,
                        "commentary": c,
                        "sections": [s for s in c.sections if s.filled],
                    }
                )
            else:
                missing.append(long)
        return render(
            TEMPLATE,
            section="commentary",
            written=written,
            missing=missing,
            area_title=self.title,
        )

    def definitions(self) -> HTML:
        return self.data.definitions(self.kpis)
