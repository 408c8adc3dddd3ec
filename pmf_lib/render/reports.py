"""The report kinds a month's batch publishes, each a few HTML blocks for its notebook.

* :class:`ServiceAreaReport` — an area's monthly report: tiles, SPC charts with
  target and comparator lines, commentary, actions, breakdowns, definitions;
* :class:`Dashboard` — every KPI of every area on one page, with a summary;
* :class:`ExceptionsReport` — exceptions and good practice across areas, for the board;
* :class:`HighlightReport` — an area's exceptions with its Head of Service's commentary;
* :class:`QuarterlyReport` — an area's quarterly KPIs (LADO, complaints, ...).

The reporting schedule's page is :mod:`pmf_lib.render.schedule`.

Each notebook builds its object with ``.load(config_path, month, kpi_table,
assessed_table, ...)`` and shows one block per cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from IPython.display import HTML
from markupsafe import Markup

from pmf_lib.assess.exceptions import FLAG_LABELS
from pmf_lib.render.month import MonthData, render


def _load(config_path, month, kpi_table, assessed_table, commentary_dir="") -> MonthData:
    return MonthData.load(config_path, month, kpi_table, assessed_table, commentary_dir)


@dataclass
class ServiceAreaReport:
    """An area's monthly report."""

    data: MonthData
    area: str

    @classmethod
    def load(
        cls,
        config_path: str | Path,
        area: str,
        month: str,
        kpi_table: str | Path = "",
        assessed_table: str | Path = "",
        commentary_dir: str | Path = "",
    ) -> ServiceAreaReport:
        """Load the month (see :meth:`MonthData.load`) for one area."""
        data = _load(config_path, month, kpi_table, assessed_table, commentary_dir)
        data.area_kpis(area)  # an unknown area fails here, naming the configured ones
        return cls(data, area)

    @property
    def kpis(self) -> list[str]:
        return self.data.area_kpis(self.area)

    @property
    def title(self) -> str:
        return self.data.config.areas[self.area].title

    def title_block(self) -> HTML:
        hos = self.data.config.areas[self.area].head_of_service
        facts = {"Service area": self.title, "Measures": str(len(self.kpis))}
        if hos:
            facts["Head of service"] = hos
        return self.data.title_block(
            self.title,
            f"Monthly performance report for {self.data.month_long}.",
            facts,
            areas=[self.area],
        )

    def tiles(self) -> HTML:
        return self.data.tiles(self.kpis)

    def table(self) -> HTML:
        """Every measure's row, then the figures the dashboard's scorecard leaves out
        (numerator, denominator, neighbours' median, rank; the region is in the row)."""
        from pmf_lib.render.scorecard import detail_row

        figures = render(
            "area_figures.html.j2",
            rows=[detail_row(self.data, k) for k in self.kpis],
            caption=f"{self.title}: the counts behind each measure, the statistical "
            f"neighbours' median and the rank, {self.data.month_long}",
            note="Rank: 1 is the best of the English councils with a figure.",
        )
        table = self.data.kpi_table(
            self.kpis, f"{self.title}: every measure for {self.data.month_long}"
        )
        return HTML(table.data + "\n" + figures.data)

    def charts(self) -> HTML:
        return self.data.charts(self.kpis)

    def commentary(self) -> HTML:
        return self.data.commentary_block(self.area)

    def actions(self) -> HTML:
        return self.data.actions_block(self.area)

    def breakdowns(self) -> HTML:
        """The area's KPIs by age band, sex, ethnicity and team, where they have them."""
        return self.data.breakdowns_block(self.kpis)

    def definitions(self) -> HTML:
        return self.data.definitions(self.kpis)


@dataclass
class Dashboard:
    """Every KPI of every area on one page (the Children's Social Care Indicators report)."""

    data: MonthData

    @classmethod
    def load(cls, config_path, month, kpi_table="", assessed_table="", commentary_dir=""):
        """Load the month (see :meth:`MonthData.load`)."""
        return cls(_load(config_path, month, kpi_table, assessed_table, commentary_dir))

    def title_block(self) -> HTML:
        c = self.data.config
        n = sum(len(a.kpis) for a in c.areas.values())
        return self.data.title_block(
            "Children's Social Care Indicators",
            f"Every measure of every service area for {self.data.month_long}.",
            {"Service areas": str(len(c.areas)), "Measures": str(n)},
        )

    def scorecard(self) -> HTML:
        """The SLT's overview: counts of reds, exceptions and good practice, then every
        KPI on one line, grouped by service area (see :mod:`pmf_lib.render.scorecard`).
        """
        from pmf_lib.render.scorecard import SPARK_POINTS, scorecard_areas

        reds, exceptions, good = self.data.flagged()
        stats = [
            {"n": len(reds), "label": "rated Red against target", "href": "flagged-red"},
            {"n": len(exceptions), "label": "exceptions", "href": "flagged-exceptions"},
            {"n": len(good), "label": "good practice", "href": "flagged-good"},
        ]
        note = (
            "Each measure's name links to its chart, and \u201cdefinition\u201d to its "
            "definition, in its service area's report, which also gives the regional figure, "
            "the neighbours' median, the rank and the numerator and denominator. "
            "RAG: Red, Amber or Green against target. Quartile: A best to D worst among "
            "English councils. The line shows the last "
            f"{SPARK_POINTS} points, the latest marked."
        )
        if self.data.suppressing:
            note += " " + self.data.suppressed_note()
        return render(
            "scorecard.html.j2",
            stats=stats,
            areas=scorecard_areas(self.data),
            points=SPARK_POINTS,
            caption=f"Scorecard: every measure by service area, {self.data.month_long}",
            note=note,
        )

    def summary(self) -> HTML:
        """The reds, exceptions and good practice in a sentence each."""
        reds, exceptions, good = self.data.flagged()
        parts = []
        for heading, anchor, items, empty, flags, good_ in (
            ("Rated Red", "flagged-red", reds, "No measure is rated Red this month.", False, False),
            (
                "Exceptions",
                "flagged-exceptions",
                exceptions,
                "No exceptions this month.",
                True,
                False,
            ),
            (
                "Good practice",
                "flagged-good",
                good,
                "No good practice flagged this month.",
                False,
                True,
            ),
        ):
            parts.append(f'<h3 id="{anchor}">{heading} ({len(items)})</h3>')
            parts.append(
                render(
                    "flagged.html.j2",
                    items=items,
                    empty=empty,
                    show_flags=flags,
                    show_good=good_,
                ).data
            )
        return HTML("\n".join(parts))

    def areas(self) -> HTML:
        """A table per area, each headed by the area's name."""
        parts = []
        for area_id, area in self.data.config.areas.items():
            parts.append(f'<h3 id="area-{area_id}">{Markup.escape(area.title)}</h3>')
            parts.append(
                self.data.kpi_table(area.kpis, f"{area.title}, {self.data.month_long}").data
            )
        return HTML("\n".join(parts))

    def commentary(self) -> HTML:
        """Each area's commentary, where one was written."""
        parts = []
        for area_id, area in self.data.config.areas.items():
            c = self.data.commentary(area_id)
            if c.filled:
                parts.append(f"<h3>{Markup.escape(area.title)}</h3>")
                parts.append(self.data.commentary_block(area_id, heading_level=4).data)
        if not parts:
            parts.append("<p>No commentary has been written this month.</p>")
        return HTML("\n".join(parts))


def kpi_links(area: str, kpi_id: str) -> dict[str, str]:
    """Where a KPI's chart and definition are in its service area report.

    The area report gives each chart the id ``chart-<kpi_id>`` and each definition
    ``definition-<kpi_id>`` (the dashboard's scorecard links to the same anchors).

    Examples
    --------
    >>> kpi_links("front_door", "referrals_count")["definition_href"]
    'front_door.html#definition-referrals_count'
    """
    return {
        "chart_href": f"{area}.html#chart-{kpi_id}",
        "definition_href": f"{area}.html#definition-{kpi_id}",
    }


def _exception_items(data: MonthData, items: list[dict], kind: str) -> list[dict]:
    out = []
    for f in items:
        chart = data.chart(f["kpi_id"])
        labels = f["flags"] if kind == "exception" else f["good_flags"]
        out.append(
            {
                **f,
                **kpi_links(f["area"], f["kpi_id"]),
                "kind_label": "Why it is an exception" if kind == "exception" else "Why",
                "labels": labels,
                "img": Markup(chart.to_html()) if chart else None,
            }
        )
    return out


@dataclass
class ExceptionsReport:
    """Exceptions and good practice across areas, each with its sentence and chart."""

    data: MonthData

    @classmethod
    def load(cls, config_path, month, kpi_table="", assessed_table="", commentary_dir=""):
        """Load the month (see :meth:`MonthData.load`)."""
        return cls(_load(config_path, month, kpi_table, assessed_table, commentary_dir))

    def title_block(self) -> HTML:
        _, exceptions, good = self.data.flagged()
        return self.data.title_block(
            "Exceptions and good practice",
            f"For the performance board: {self.data.month_long}.",
            {"Exceptions": str(len(exceptions)), "Good practice": str(len(good))},
        )

    def exceptions(self) -> HTML:
        _, exceptions, _ = self.data.flagged()
        return render(
            "exception_items.html.j2",
            items=_exception_items(self.data, exceptions, "exception"),
            empty="No exceptions this month.",
            prefix="exception",
        )

    def good_practice(self) -> HTML:
        _, _, good = self.data.flagged()
        return render(
            "exception_items.html.j2",
            items=_exception_items(self.data, good, "good"),
            empty="No good practice flagged this month.",
            prefix="good",
        )

    def flag_definitions(self) -> HTML:
        items = "".join(f"<li>{Markup.escape(v)}</li>" for v in FLAG_LABELS.values())
        return HTML(f'<ul class="pmf-note">{items}</ul>')

    def shown_kpis(self) -> list[str]:
        """The KPIs this report shows (exceptions, then good practice), each once."""
        _, exceptions, good = self.data.flagged()
        return list(dict.fromkeys(f["kpi_id"] for f in exceptions + good))

    def definitions(self) -> HTML:
        """The definition of each KPI the report shows (the registry's words, as in the
        area reports), or a sentence when it shows none."""
        kpis = self.shown_kpis()
        if not kpis:
            return HTML("<p>No measure is flagged this month, so none is defined here.</p>")
        return self.data.definitions(kpis)


@dataclass
class HighlightReport:
    """An area's highlight report: tiles, exceptions and the Head of Service's commentary."""

    data: MonthData
    area: str

    @classmethod
    def load(cls, config_path, area, month, kpi_table="", assessed_table="", commentary_dir=""):
        """Load the month (see :meth:`MonthData.load`) for one area."""
        data = _load(config_path, month, kpi_table, assessed_table, commentary_dir)
        data.area_kpis(area)
        return cls(data, area)

    @property
    def title(self) -> str:
        return self.data.config.areas[self.area].title

    def title_block(self) -> HTML:
        c = self.data.commentary(self.area)
        facts = {"Service area": self.title, "Commentary": "Written" if c.filled else "Not written"}
        return self.data.title_block(
            f"{self.title}: highlight report",
            f"Highlights for {self.data.month_long}.",
            facts,
            areas=[self.area],
        )

    def tiles(self) -> HTML:
        return self.data.tiles(self.data.area_kpis(self.area))

    def exceptions(self) -> HTML:
        _, exceptions, good = self.data.flagged([self.area])
        items = _exception_items(self.data, exceptions, "exception") + _exception_items(
            self.data, good, "good"
        )
        return render(
            "exception_items.html.j2",
            items=items,
            empty="No exceptions or good practice flagged for this area this month.",
            prefix="highlight",
        )

    def commentary(self) -> HTML:
        return self.data.commentary_block(self.area)

    def actions(self) -> HTML:
        return self.data.actions_block(self.area)

    def definitions(self) -> HTML:
        """A link to each of the area's KPI definitions in its service area report."""
        links = [
            Markup('<a href="{}">{}</a>').format(
                kpi_links(self.area, k)["definition_href"], self.data.metas[k].title
            )
            for k in self.data.area_kpis(self.area)
        ]
        return HTML(
            Markup("<p>How each measure is calculated is in the {} report: {}.</p>").format(
                self.title, Markup("; ").join(links)
            )
        )


@dataclass
class QuarterlyReport:
    """An area's quarterly report: its KPIs over the quarter and the rolling 12 months."""

    data: MonthData
    area: str

    @classmethod
    def load(cls, config_path, area, month, kpi_table="", assessed_table="", commentary_dir=""):
        """Load the month (see :meth:`MonthData.load`) for one area."""
        data = _load(config_path, month, kpi_table, assessed_table, commentary_dir)
        data.area_kpis(area)
        return cls(data, area)

    @property
    def title(self) -> str:
        return self.data.config.areas[self.area].title

    def title_block(self) -> HTML:
        end = self.data.period_end
        q = (end.month - 4) % 12 // 3 + 1
        fy = end.year if end.month >= 4 else end.year - 1
        return self.data.title_block(
            f"{self.title}: quarterly report",
            f"Quarter {q} of {fy}-{str(fy + 1)[2:]}, the three months to {self.data.month_long}.",
            {"Service area": self.title, "Measures": str(len(self.data.area_kpis(self.area)))},
            areas=[self.area],
        )

    def tiles(self) -> HTML:
        return self.data.tiles(self.data.area_kpis(self.area))

    def table(self) -> HTML:
        return self.data.kpi_table(
            self.data.area_kpis(self.area), f"{self.title}: the quarter to {self.data.month_long}"
        )

    def charts(self) -> HTML:
        return self.data.charts(self.data.area_kpis(self.area), months=36)

    def commentary(self) -> HTML:
        return self.data.commentary_block(self.area)

    def definitions(self) -> HTML:
        return self.data.definitions(self.data.area_kpis(self.area))
