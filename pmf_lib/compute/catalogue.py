"""Optional local overrides of the library's KPI wording (``parameters/kpis.yaml``).

Calculations, titles and definitions live in the library
(:mod:`pmf_lib.compute.kpis`, listed in ``docs/kpis.md``). A council may
override, per KPI, what its reports call it and add its own wording; it need
list only the KPIs it changes. A KPI the library defines and the file does not
list is shown with the library's title, so a library upgrade that adds a KPI
needs no edit here. A KPI the file names and the library does not define is an
error naming it (a misspelt id would otherwise be silently ignored).

The file maps each KPI id to its settings, all optional::

    referrals_count:
      title: Referrals received              # shown in every report
      local_note: Includes referrals from the out-of-hours team.   # after the definition

The KPIs the file lists come first, in the file's order, then the library's
others in the library's order (which areas show a KPI, and in what order, is
set in ``config.yaml``).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from pmf_lib.compute.registry import KpiMeta, all_kpis
from pmf_lib.errors import PmfError
from pmf_lib.textio import load_yaml, short_repr
from pmf_lib.yamlio import UNKNOWN_KEY, pydantic_message, validation_error


def _wording(err: dict) -> str:
    return pydantic_message(err, UNKNOWN_KEY)


class CatalogueEntry(BaseModel):
    """What a council may set for one KPI (every setting optional)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str | None = None
    local_note: str | None = None

    def apply(self, meta: KpiMeta) -> KpiMeta:
        """``meta`` with this entry's title and local note.

        Examples
        --------
        >>> from pmf_lib.compute.registry import all_kpis
        >>> lib = all_kpis()["referrals_count"].meta
        >>> CatalogueEntry().apply(lib) == lib
        True
        >>> m = CatalogueEntry(title="Referrals received", local_note="Local.").apply(lib)
        >>> m.title, m.definition.endswith(" Local note: Local."), m.unit == lib.unit
        ('Referrals received', True, True)
        """
        changes: dict[str, str] = {}
        if self.title is not None:
            changes["title"] = self.title
        if self.local_note:
            changes["definition"] = f"{meta.definition} Local note: {self.local_note}"
        return dataclasses.replace(meta, **changes) if changes else meta


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
    """Every registered KPI's metadata with the file's overrides applied.

    Raises
    ------
    PmfError
        For an unreadable file, a value that is not a mapping, an unknown
        setting (naming ``<kpi id>.<key>``), or a KPI the file lists that the
        library does not define (naming it as the field; any others follow).

    Examples
    --------
    >>> metas = load_catalogue("parameters/kpis.yaml")
    >>> from pmf_lib.compute.registry import all_kpis
    >>> set(metas) == set(all_kpis())
    True
    """
    path = Path(path)
    if not path.is_file():
        raise PmfError("KPI catalogue not found", file=path)
    raw = load_yaml(path) or {}
    if not isinstance(raw, dict):
        raise PmfError("expected a mapping of KPI id to settings", file=path)
    registry = all_kpis()
    unknown = [str(k) for k in raw if k not in registry]
    if unknown:
        others = f" (also {_some(unknown[1:])})" if len(unknown) > 1 else ""
        raise PmfError(
            "KPI not defined in pmf_lib (docs/kpis.md lists the KPIs; "
            f"an override must name one of them){others}",
            file=path,
            field=short_repr(unknown[0])[1:-1],
        )
    out: dict[str, KpiMeta] = {}
    for kpi_id, settings in raw.items():
        if not isinstance(settings or {}, dict):
            raise PmfError(
                "expected a mapping of settings (title, local_note)", file=path, field=kpi_id
            )
        try:
            entry = CatalogueEntry.model_validate(settings or {})
        except ValidationError as e:
            raise validation_error(e, path, prefix=kpi_id, message=_wording) from None
        out[kpi_id] = entry.apply(registry[kpi_id].meta)
    for kpi_id, kpi in registry.items():
        out.setdefault(kpi_id, kpi.meta)
    return out
