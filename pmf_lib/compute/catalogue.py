"""The analyst-editable KPI catalogue (``parameters/kpis.yaml``), cross-checked with the registry.

Calculations live in the library (:mod:`pmf_lib.compute.kpis`); what an analyst
may change lives in ``parameters/``: each KPI's displayed title here, and which
areas show it, in what order, in ``config.yaml``. Loading the catalogue checks
the two against each other and names every KPI defined in one and not the other.

The file maps each KPI id to its settings::

    referrals_count:
      title: Referrals received      # shown in every report
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from pmf_lib.compute.registry import KpiMeta, all_kpis
from pmf_lib.errors import PmfError
from pmf_lib.textio import load_yaml, short_repr


class CatalogueEntry(BaseModel):
    """What an analyst may set for one KPI."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str


def _some(ids: list[str], n: int = 5) -> str:
    """At most ``n`` ids, and how many more (an error message stays one short line).

    Examples
    --------
    >>> _some(["a", "b"]), _some(list("abcdefg"), 3)
    ('a, b', 'a, b, c and 4 more')
    """
    shown = ", ".join(short_repr(str(i))[1:-1] for i in ids[:n])
    return shown + (f" and {len(ids) - n} more" if len(ids) > n else "")


def load_catalogue(path: str | Path) -> dict[str, KpiMeta]:
    """Every registered KPI's metadata with the catalogue's titles applied.

    Raises
    ------
    PmfError
        For an unreadable file, an unknown setting, or any KPI that is in the
        catalogue but not the library, or in the library but not the catalogue
        (all such ids are named).

    Examples
    --------
    >>> metas = load_catalogue("parameters/kpis.yaml")
    >>> metas["referrals_count"].id
    'referrals_count'
    """
    path = Path(path)
    if not path.is_file():
        raise PmfError("KPI catalogue not found", file=path)
    raw = load_yaml(path) or {}
    if not isinstance(raw, dict):
        raise PmfError("expected a mapping of KPI id to settings", file=path)
    registry = all_kpis()
    only_here = sorted(set(raw) - set(registry))
    only_library = sorted(set(registry) - set(raw))
    if only_here or only_library:
        parts = []
        if only_here:
            parts.append(f"in the catalogue but not defined in pmf_lib: {_some(only_here)}")
        if only_library:
            parts.append(f"defined in pmf_lib but missing here: {_some(only_library)}")
        raise PmfError("; ".join(parts), file=path)
    out = {}
    for kpi_id, kpi in registry.items():
        try:
            entry = CatalogueEntry(**(raw[kpi_id] or {}))
        except (ValidationError, TypeError) as e:
            err = e.errors()[0] if isinstance(e, ValidationError) else {"loc": (), "msg": str(e)}
            key = ".".join([kpi_id, *map(str, err["loc"])])
            msg = "unknown key" if err.get("type") == "extra_forbidden" else err["msg"]
            raise PmfError(msg, file=path, field=key) from None
        out[kpi_id] = dataclasses.replace(kpi.meta, title=entry.title)
    return out


def write_catalogue(path: str | Path, existing: dict[str, KpiMeta] | None = None) -> Path:
    """Write a catalogue listing every registered KPI (keeping titles already set)."""
    path = Path(path)
    lines = [
        "# KPI catalogue: the title each KPI shows in reports. Analysts may edit titles;",
        "# the calculations and definitions live in pmf_lib (docs/kpis.md). Every KPI the",
        "# library defines must be listed here, and nothing else: pmf checks both ways.",
        "# Which areas show a KPI, and in what order, is set in config.yaml.",
        "",
    ]
    by_area: dict[str, list] = {}
    for _, kpi in sorted(all_kpis().items()):
        by_area.setdefault(kpi.meta.area, []).append(kpi)
    for area in sorted(by_area):
        lines.append(f"# --- {area}")
        for kpi in by_area[area]:
            title = (existing or {}).get(kpi.meta.id, kpi.meta).title
            lines.append(f"{kpi.meta.id}:")
            entry = yaml.safe_dump({"title": title}, width=1000, allow_unicode=True).strip()
            lines.append(f"  {entry}")
        lines.append("")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    tmp.replace(path)
    return path
