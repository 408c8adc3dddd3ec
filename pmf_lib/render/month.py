"""A month's figures as every report reads them: the object the report notebooks use.

:class:`MonthData` is the month's published tables
(:class:`~pmf_lib.render.month_data.MonthTables`: loading them and selecting
rows for a KPI or an area) with the shared HTML blocks
(:mod:`pmf_lib.render.blocks`) as methods, so a report calls
``data.tiles(kpi_ids)`` or ``data.actions_block(area)``. It adds nothing of its
own: every method hands over to one function of those modules.

Examples
--------
>>> rag_class("Red"), rag_class("No target")
('red', 'no-target')
>>> variation_badge("special cause concern")["text"]
'Special cause concern'
"""

from __future__ import annotations

from IPython.display import HTML

from pmf_lib.render import blocks
from pmf_lib.render.blocks import (  # noqa: F401 (the names reports and notebooks import)
    ASSURANCE_BADGES,
    DIMENSION_LABELS,
    ETHNICITY_REFERENCE_KPI,
    TEMPLATES,
    TRAVEL_CLASSES,
    VARIATION_BADGES,
    assurance_badge,
    rag_class,
    render,
    variation_badge,
)
from pmf_lib.render.month_data import CHART_MONTHS, MonthTables, published_tables  # noqa: F401


class MonthData(MonthTables):
    """The config and tables of one month, with the blocks reports show them in.

    Build it with :meth:`~pmf_lib.render.month_data.MonthTables.load` (the
    published tables) or
    :meth:`~pmf_lib.render.month_data.MonthTables.from_tables`.
    """

    def suppressed_note(
        self, areas: list[str] | None = None, kpi_ids: list[str] | None = None
    ) -> str:
        """:func:`pmf_lib.render.blocks.suppressed_note`."""
        return blocks.suppressed_note(self, areas, kpi_ids)

    def kpi_facts(self, kpi_id: str) -> dict:
        """:func:`pmf_lib.render.blocks.kpi_facts`."""
        return blocks.kpi_facts(self, kpi_id)

    def flagged(self, areas: list[str] | None = None) -> tuple[list[dict], list[dict], list[dict]]:
        """:func:`pmf_lib.render.blocks.flagged`."""
        return blocks.flagged(self, areas)

    def chart(self, kpi_id: str, *, months: int = CHART_MONTHS):
        """:func:`pmf_lib.render.blocks.chart`."""
        return blocks.chart(self, kpi_id, months=months)

    def chart_caption(self, kpi_id: str) -> str:
        """:func:`pmf_lib.render.blocks.chart_caption`."""
        return blocks.chart_caption(self, kpi_id)

    def title_block(
        self,
        title: str,
        subtitle: str,
        facts: dict[str, str] | None = None,
        areas: list[str] | None = None,
    ) -> HTML:
        """:func:`pmf_lib.render.blocks.title_block`."""
        return blocks.title_block(self, title, subtitle, facts, areas)

    def tiles(self, kpi_ids: list[str]) -> HTML:
        """:func:`pmf_lib.render.blocks.tiles`."""
        return blocks.tiles(self, kpi_ids)

    def kpi_table(self, kpi_ids: list[str], caption: str) -> HTML:
        """:func:`pmf_lib.render.blocks.kpi_table`."""
        return blocks.kpi_table(self, kpi_ids, caption)

    def charts(self, kpi_ids: list[str], *, months: int = CHART_MONTHS) -> HTML:
        """:func:`pmf_lib.render.blocks.charts`."""
        return blocks.charts(self, kpi_ids, months=months)

    def commentary_block(self, area: str, *, heading_level: int = 3) -> HTML:
        """:func:`pmf_lib.render.blocks.commentary_block`."""
        return blocks.commentary_block(self, area, heading_level=heading_level)

    def actions(self, area: str) -> dict:
        """:func:`pmf_lib.render.blocks.actions`."""
        return blocks.actions(self, area)

    def actions_block(self, area: str) -> HTML:
        """:func:`pmf_lib.render.blocks.actions_block`."""
        return blocks.actions_block(self, area)

    def definitions(self, kpi_ids: list[str]) -> HTML:
        """:func:`pmf_lib.render.blocks.definitions`."""
        return blocks.definitions(self, kpi_ids)

    def breakdown_items(self, kpi_ids: list[str]) -> list[dict]:
        """:func:`pmf_lib.render.blocks.breakdown_items`."""
        return blocks.breakdown_items(self, kpi_ids)

    def breakdowns_block(self, kpi_ids: list[str]) -> HTML:
        """:func:`pmf_lib.render.blocks.breakdowns_block`."""
        return blocks.breakdowns_block(self, kpi_ids)
