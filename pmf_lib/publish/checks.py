"""Checks a month's batch makes before any work: areas, KPI ids and report notebooks.

papermill only logs a misspelt parameter and runs the notebook's default, so
every distinct notebook's ``parameters`` cell is inspected before anything
runs (:func:`check_specs`); an unknown area or KPI id is refused likewise
(:func:`check_areas`). Each failure is one :class:`~pmf_lib.errors.PmfError`
naming the file and the field.
"""

from __future__ import annotations

from pathlib import Path

from pmf_lib.config import Config
from pmf_lib.errors import PmfError
from pmf_lib.publish.plan import COMMON_PARAMETERS, ReportSpec

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "service_area_report.ipynb"
#: The parameters of the service area notebook (checked by ``tests/test_notebooks.py``).
NOTEBOOK_PARAMETERS = ("area", "month", "config_path", "kpi_table")
#: Common parameters every report notebook must declare. The rest of
#: :data:`~pmf_lib.publish.plan.COMMON_PARAMETERS` (``assessed_table``) is passed
#: to the notebooks that declare it.
REQUIRED_PARAMETERS = ("month", "config_path", "kpi_table")


def check_areas(config: Config, areas: list[str] | None) -> list[str]:
    """The areas to run (all by default), each checked against the config and the registry.

    Raises
    ------
    PmfError
        Naming an unknown area, or an area's KPI id that is not in the registry.

    Examples
    --------
    >>> from pmf_lib.config import Area, Config, Council, DataSources
    >>> c = Config(council=Council(code=938, name="D"),
    ...            data=DataSources(ssda903="a", cin_census="b", population="p.csv"),
    ...            areas={"front_door": Area(title="F", kpis=["referrals_count"])})
    >>> check_areas(c, None)
    ['front_door']
    >>> try:
    ...     check_areas(c, ["front_dor"])
    ... except PmfError as e:
    ...     print(e)
    field areas: unknown service area(s) front_dor; the config has front_door
    """
    from pmf_lib.compute.registry import all_kpis

    if areas is None:
        chosen = list(config.areas)
    else:
        chosen = list(dict.fromkeys(a.strip() for a in areas if a and a.strip()))
        if not chosen:
            raise PmfError("no service areas given", field="areas")
        unknown = [a for a in chosen if a not in config.areas]
        if unknown:
            raise PmfError(
                f"unknown service area(s) {', '.join(unknown)}; the config has "
                f"{', '.join(config.areas)}",
                field="areas",
            )
    registry = all_kpis()
    for a in config.areas:  # every area: the assessed table covers them all
        bad = [k for k in config.areas[a].kpis if k not in registry]
        if bad:
            raise PmfError(
                f"unknown KPI id(s) {', '.join(bad)} (not in the KPI registry; `pmf docs` "
                "lists them)",
                field=f"areas.{a}.kpis",
            )
    return chosen


def notebook_parameters(notebook: Path) -> dict:
    """The parameters a notebook declares (``papermill.inspect_notebook``).

    Raises
    ------
    PmfError
        When the notebook is missing, unreadable or has no ``parameters`` cell.

    Examples
    --------
    >>> {"month", "config_path", "kpi_table"} <= set(notebook_parameters(NOTEBOOK))
    True
    """
    import papermill

    notebook = Path(notebook)
    if not notebook.is_file():
        raise PmfError("report notebook not found", file=notebook)
    try:
        declared = papermill.inspect_notebook(str(notebook))
    except Exception as e:  # papermill raises several types for a broken notebook
        raise PmfError(f"cannot read the notebook's parameters ({e})", file=notebook) from None
    if not declared:
        raise PmfError("no cell tagged 'parameters'", file=notebook)
    return declared


def check_notebook_parameters(notebook: Path, names=NOTEBOOK_PARAMETERS) -> None:
    """Check the notebook declares every name in ``names``.

    Raises
    ------
    PmfError
        When the notebook is missing, has no ``parameters`` cell or lacks a name.

    Examples
    --------
    >>> check_notebook_parameters(NOTEBOOK)  # the report notebook declares them all
    >>> try:
    ...     check_notebook_parameters(NOTEBOOK, names=("area", "colour"))
    ... except PmfError as e:
    ...     print(e.field)
    colour
    """
    declared = notebook_parameters(notebook)
    missing = [n for n in names if n not in declared]
    if missing:
        raise PmfError(
            f"the parameters cell does not declare {', '.join(missing)} (it declares "
            f"{', '.join(declared)}); papermill would silently ignore "
            f"{'it' if len(missing) == 1 else 'them'}",
            file=notebook,
            field=missing[0],
        )


def check_specs(specs: list[ReportSpec]) -> dict[Path, tuple[str, ...]]:
    """Check every spec against its notebook before any work.

    Each distinct notebook is inspected once. It must declare
    :data:`REQUIRED_PARAMETERS` and every parameter of each spec that runs it;
    report ids must be unique.

    Returns
    -------
    dict
        Per notebook, the :data:`~pmf_lib.publish.plan.COMMON_PARAMETERS` it declares.

    Raises
    ------
    PmfError
        Naming the notebook and the parameter (or the duplicated report id).
    """
    seen: set[str] = set()
    for s in specs:
        if s.id in seen:
            raise PmfError(f"two reports have the id {s.id!r}", field="reports")
        seen.add(s.id)
    common: dict[Path, tuple[str, ...]] = {}
    for s in specs:
        nb = Path(s.notebook).resolve()
        if nb not in common:
            check_notebook_parameters(nb, REQUIRED_PARAMETERS)
            declared = notebook_parameters(nb)
            common[nb] = tuple(n for n in COMMON_PARAMETERS if n in declared)
            common_declared = declared
        else:
            common_declared = notebook_parameters(nb)
        extra = [p for p in s.parameters if p not in common_declared]
        if extra:
            raise PmfError(
                f"report {s.id!r} passes {', '.join(extra)}, which the notebook's parameters "
                f"cell does not declare (it declares {', '.join(common_declared)})",
                file=nb,
                field=extra[0],
            )
        clash = [p for p in s.parameters if p in COMMON_PARAMETERS]
        if clash:
            raise PmfError(
                f"report {s.id!r} sets {', '.join(clash)}, which the batch fills for every report",
                file=nb,
                field=clash[0],
            )
    return common
