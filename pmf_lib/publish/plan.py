"""Which reports a month's batch produces: the plan the batch runner executes.

Each :class:`ReportSpec` is one notebook run and one published HTML file. The
batch runner (:mod:`pmf_lib.publish.batch`) knows nothing of report kinds: it
executes every spec of :func:`plan_reports` with the common parameters
(:data:`COMMON_PARAMETERS`) plus the spec's own, and lists the results in the
month's index grouped by ``kind``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pmf_lib.config import Config
from pmf_lib.errors import PmfError

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"

#: Parameters every report notebook declares; the batch fills them for each run:
#: ``month`` (YYYY-MM), ``config_path`` (the month's resolved config copy),
#: ``kpi_table`` (the tidy KPI history, ``kpi_history.parquet``) and
#: ``assessed_table`` (the month's assessed table, ``kpis.parquet``).
COMMON_PARAMETERS = ("month", "config_path", "kpi_table", "assessed_table")


@dataclass(frozen=True)
class ReportSpec:
    """One report of a month's batch.

    Attributes
    ----------
    id : str
        File stem of the outputs (``<id>.html``, ``<id>.ipynb``); unique in a month.
    title : str
        Shown in the month's index.
    kind : str
        ``area``, ``dashboard``, ``exceptions``, ``highlight``, ``quarterly`` or
        ``schedule`` (the index groups by it).
    notebook : Path
        The notebook to run.
    parameters : dict
        Parameters beyond :data:`COMMON_PARAMETERS` (e.g. ``{"area": "front_door"}``).
    """

    id: str
    title: str
    kind: str
    notebook: Path
    parameters: dict = field(default_factory=dict)


def area_reports(config: Config, areas: list[str] | None = None) -> list[ReportSpec]:
    """One service area report per configured area (or per id in ``areas``).

    Examples
    --------
    >>> from pmf_lib.config import load_config
    >>> c = load_config("parameters/config.yaml", check_files=False)
    >>> [s.id for s in area_reports(c, ["front_door"])]
    ['front_door']
    """
    ids = list(config.areas) if areas is None else areas
    unknown = [a for a in ids if a not in config.areas]
    if unknown:
        raise PmfError(
            f"unknown area(s) {', '.join(unknown)}; configured: {', '.join(config.areas)}",
            field="areas",
        )
    return [
        ReportSpec(
            id=a,
            title=config.areas[a].title,
            kind="area",
            notebook=NOTEBOOKS / "service_area_report.ipynb",
            parameters={"area": a},
        )
        for a in ids
    ]


def plan_reports(config: Config, month: str, areas: list[str] | None = None) -> list[ReportSpec]:
    """Every report of the month's batch, in index order."""
    return area_reports(config, areas)
