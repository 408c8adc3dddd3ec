"""KPI breakdowns by age band, sex, ethnicity and team, so reports can show disproportionality.

A breakdown re-runs a KPI's own function on inputs restricted to one group's
records, so every group's figure follows the KPI's definition exactly (a
re-referral is still judged against the same child's earlier referrals, which
stay in the group with it):

* **age band, sex, ethnicity** (child characteristics): each child is placed
  in one group, and every table the KPI reads keeps only the rows of that
  group's children. CIN census tables are matched on ``LAchildID`` against
  the CIN ``children`` table; SSDA903 tables on ``CHILD`` against the 903
  ``header``; a local dataset on its child id column (from its schema)
  against both (CIN first). A record whose child is not found, or whose
  characteristic is missing or not a recognised code, lands in "Not known",
  so the groups of a count KPI add up to its total.
* **team**, and any other dimension that names a column of a local dataset
  (``stage``, ``chair``, ``contact_source``, ...): the rows of each local
  dataset the KPI reads are split on that column's values; a missing value
  is "Not known". When the KPI also reads a table without that column (any
  CIN or 903 table, say) the breakdown is not computed: its figures could
  not be correct.

Which tables a KPI reads is what it declares on its decorator (``inputs``, a
:class:`~pmf_lib.feeds.Feed` per table: :func:`declared_tables`); exactly those
are restricted. The child-level tables (CIN ``children``, 903 ``header``) are
where a child's group is looked up, and stay whole. A KPI declaring a local
dataset that is not supplied (not configured, or read without a required
column) is not broken down: it has no figures to split.

Only ``count`` and ``percent`` KPIs are broken down. A ``rate_10k`` KPI needs
the population of each group (children of that age, sex or ethnicity in the
council), which the inputs do not hold, so it is skipped; so are means, days,
ratios and FTE figures.

Age is taken at the period end (the same for every window ending then), in
the DfE bands ``Under 1``, ``1 to 4``, ``5 to 9``, ``10 to 15`` and ``16 and
over``; a child whose birthday falls on the period end has that age.

Examples
--------
>>> import pandas as pd
>>> from pmf_lib.read.tables import CIN_COLUMNS, CinCensus, conform
>>> cin = CinCensus()
>>> cin.tables["children"] = conform(pd.DataFrame({"LAchildID": ["a", "b"],
...     "Sex": ["1", "2"]}), CIN_COLUMNS["children"])
>>> cin.tables["referrals"] = conform(pd.DataFrame({"LAchildID": ["a", "a", "b"],
...     "CINreferralDate": pd.to_datetime(["2025-03-01", "2025-03-02", "2025-03-03"])}),
...     CIN_COLUMNS["referrals"])
>>> t = compute_breakdowns(KpiInputs(cin=cin), "2025-03-31", ["referrals_count"])
>>> t[(t["dimension"] == "sex") & (t["window"] == "month")][["group", "value"]].to_dict("list")
{'group': ['Male', 'Female', 'Not known'], 'value': [2.0, 1.0, 0.0]}
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pmf_lib.age import age_on
from pmf_lib.codes import ETHNICITY_GROUPS, NOT_KNOWN, SEX_GROUPS
from pmf_lib.compute.registry import KpiInputs, KpiMeta, all_kpis, unsupplied
from pmf_lib.dates import Window
from pmf_lib.read.tables import CinCensus, Ssda903

BREAKDOWN_COLUMNS = [
    "kpi_id",
    "period_end",
    "window",
    "dimension",
    "group",
    "value",
    "numerator",
    "denominator",
]

#: Units a breakdown is computed for (a rate needs each group's population).
BREAKDOWN_UNITS = ("count", "percent")


#: Child-characteristic dimensions and their groups, in report order.
CHILD_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "age_band": ("Under 1", "1 to 4", "5 to 9", "10 to 15", "16 and over", NOT_KNOWN),
    "sex": (*SEX_GROUPS.values(), NOT_KNOWN),
    # the DfE major groups in the DfE's order, "Not known" (REFU, NOBT) last
    "ethnicity": tuple(dict.fromkeys(ETHNICITY_GROUPS.values())),
}

# lower bounds (completed years) of the DfE age bands
_AGE_EDGES = (0, 1, 5, 10, 16)


def age_band(birth: pd.Series, on) -> pd.Series:
    """The DfE age band on date ``on`` for each birth date ("Not known" if missing or after).

    Examples
    --------
    >>> b = pd.Series(pd.to_datetime(["2025-01-01", "2024-03-31", "2009-03-31", None]))
    >>> age_band(b, "2025-03-31").tolist()
    ['Under 1', '1 to 4', '16 and over', 'Not known']
    """
    age = age_on(birth, on).to_numpy()
    labels = np.array(CHILD_DIMENSIONS["age_band"][:-1] + (NOT_KNOWN,), dtype=object)
    idx = np.searchsorted(np.array(_AGE_EDGES), np.nan_to_num(age, nan=-1.0), side="right") - 1
    idx = np.where(np.isnan(age) | (age < 0), len(labels) - 1, idx)
    return pd.Series(labels[idx], index=birth.index, dtype=object)


def sex_group(codes: pd.Series) -> pd.Series:
    """``1`` Male, ``2`` Female, anything else "Not known".

    Examples
    --------
    >>> sex_group(pd.Series(["1", "2", "9", None], dtype="string")).tolist()
    ['Male', 'Female', 'Not known', 'Not known']
    """
    s = codes.astype("string").str.strip()
    return s.map(SEX_GROUPS).astype(object).where(s.isin(list(SEX_GROUPS)), NOT_KNOWN)


def ethnicity_group(codes: pd.Series) -> pd.Series:
    """DfE ethnicity code to its major group; unrecognised, refused or missing is "Not known".

    Examples
    --------
    >>> ethnicity_group(pd.Series(["WBRI", "bafr", "REFU", "XXXX", None])).tolist()
    ['White', 'Black or Black British', 'Not known', 'Not known', 'Not known']
    """
    s = codes.astype("string").str.strip().str.upper()
    known = s.isin(list(ETHNICITY_GROUPS))
    return s.map(ETHNICITY_GROUPS).astype(object).where(known, NOT_KNOWN)


def _child_groups(people: pd.DataFrame, id_col: str, dimension: str, period_end) -> pd.Series:
    """Group of each child (index: child id) from a table of child characteristics."""
    if people is None or people.empty or id_col not in people.columns:
        return pd.Series(dtype=object)
    if dimension == "age_band":
        col = "PersonBirthDate" if id_col == "LAchildID" else "DOB"
        g = age_band(people[col], period_end)
    elif dimension == "sex":
        g = sex_group(people["Sex" if id_col == "LAchildID" else "SEX"])
    else:
        g = ethnicity_group(people["Ethnicity" if id_col == "LAchildID" else "ETHNIC"])
    ids = people[id_col].astype("string")
    known = ids.notna().to_numpy()
    # plain object index: hashing Python strings is much faster than Arrow-backed isin
    g = pd.Series(g.to_numpy()[known], index=pd.Index(ids[known].to_numpy(dtype=object)))
    return g[~g.index.duplicated(keep="last")]


_SOURCE_KEYS = {"cin_census": "cin", "ssda903": "cla", "local": "local"}


def declared_tables(meta: KpiMeta) -> set[tuple[str, str]]:
    """The ``(source, table)`` pairs a KPI declares it reads (source cin, cla or local).

    Examples
    --------
    >>> from pmf_lib.compute.registry import all_kpis
    >>> sorted(declared_tables(all_kpis()["conf_cla_reviews_timely_pct"].meta))
    [('cla', 'episodes'), ('local', 'conferencing')]
    """
    return {(_SOURCE_KEYS[f.source], f.table) for f in meta.inputs}


def _local_child_column(name: str, df: pd.DataFrame) -> str | None:
    from pmf_lib.read.local import load_schema

    try:
        col = load_schema(name).child_id
    except Exception:  # noqa: BLE001 - a dataset without a schema has no known child id
        col = None
    if col is None and "child_id" in df.columns:
        col = "child_id"
    return col if col is not None and col in df.columns else None


@dataclass
class _Split:
    """For one dimension: each table's row labels, so a group is a cheap boolean mask."""

    groups: tuple[str, ...]
    labels: dict[tuple[str, str], np.ndarray]
    # restricted inputs per group, shared by the KPIs reading the same tables (the
    # same frame objects also let the KPIs' memo_on_frame caches work across them)
    _restricted: dict[str, KpiInputs] = field(default_factory=dict)

    def restrict(self, inputs: KpiInputs, group: str) -> KpiInputs:
        if group not in self._restricted:
            self._restricted[group] = self._restrict(inputs, group)
        return self._restricted[group]

    def _restrict(self, inputs: KpiInputs, group: str) -> KpiInputs:
        cin = dict(inputs.cin.tables)
        cla = dict(inputs.cla.tables)
        local = dict(inputs.local)
        for (source, name), lab in self.labels.items():
            target = {"cin": cin, "cla": cla, "local": local}[source]
            target[name] = target[name].loc[lab == group]
        return KpiInputs(
            cin=CinCensus(cin, inputs.cin.returns),
            cla=Ssda903(cla, inputs.cla.returns),
            population=inputs.population,
            local=local,
            settings=inputs.settings,
        )


def _label(ids: pd.Series, groups: pd.Series) -> np.ndarray:
    out = pd.Series(ids.astype(object).to_numpy()).map(groups)
    return out.fillna(NOT_KNOWN).to_numpy(dtype=object)


def _child_split(
    inputs: KpiInputs, dimension: str, period_end, needed: set[tuple[str, str]], cache: dict
) -> _Split:
    if dimension not in cache:
        cache[dimension] = (
            _child_groups(inputs.cin.tables.get("children"), "LAchildID", dimension, period_end),
            _child_groups(inputs.cla.tables.get("header"), "CHILD", dimension, period_end),
        )
    cin_groups, cla_groups = cache[dimension]
    both = None
    labels = {}
    for source, name in needed:
        if source == "cin":
            df = inputs.cin.tables[name]
            labels[(source, name)] = _label(df["LAchildID"], cin_groups)
        elif source == "cla":
            df = inputs.cla.tables[name]
            labels[(source, name)] = _label(df["CHILD"], cla_groups)
        else:
            df = inputs.local[name]
            col = _local_child_column(name, df)
            if both is None:  # CIN first, then 903 children not in the CIN census
                extra = ~cla_groups.index.isin(cin_groups.index)
                both = pd.concat([cin_groups, cla_groups[extra]])
            labels[(source, name)] = _label(df[col], both)
    return _Split(CHILD_DIMENSIONS[dimension], labels)


def _column_split(inputs: KpiInputs, dimension: str, needed: set[tuple[str, str]]) -> _Split:
    labels, seen = {}, set()
    for source, name in needed:
        col = inputs.local[name][dimension].astype("string").str.strip()
        col = col.mask(col == "")
        seen.update(col.dropna().unique().tolist())
        labels[(source, name)] = col.fillna(NOT_KNOWN).to_numpy(dtype=object)
    return _Split(tuple(sorted(seen - {NOT_KNOWN})) + (NOT_KNOWN,), labels)


def _splittable(inputs: KpiInputs, dimension: str, needed: set[tuple[str, str]]) -> bool:
    """Whether every table the KPI reads can be restricted for ``dimension``."""
    present = {
        (s, n)
        for s, n in needed
        if n in {"cin": inputs.cin.tables, "cla": inputs.cla.tables, "local": inputs.local}[s]
    }
    needed.intersection_update(present)  # absent datasets stay absent in every group
    if not needed:
        return False
    if dimension in CHILD_DIMENSIONS:
        for source, name in needed:
            if source == "cin" and "LAchildID" not in inputs.cin.tables[name].columns:
                return False
            if source == "cla" and "CHILD" not in inputs.cla.tables[name].columns:
                return False
            if source == "local" and _local_child_column(name, inputs.local[name]) is None:
                return False
        return True
    return all(s == "local" and dimension in inputs.local[n].columns for s, n in needed)


def compute_breakdowns(
    inputs: KpiInputs, period_end, kpi_ids: Iterable[str] | None = None
) -> pd.DataFrame:
    """Each count and percent KPI that declares breakdowns, by group, at one period end.

    Parameters
    ----------
    inputs : KpiInputs
        Canonical tables (as for :func:`~pmf_lib.compute.engine.compute_kpi_table`).
    period_end : date
        The month end (each KPI's windows ending then are computed).
    kpi_ids : iterable of str, optional
        Restrict to these KPIs (default: every registered KPI with breakdowns).

    Returns
    -------
    pandas.DataFrame
        Columns ``BREAKDOWN_COLUMNS``: one row per KPI, window, dimension and
        group. A KPI or dimension that cannot be broken down correctly (a rate,
        a dimension its tables do not carry, a dataset not supplied) has no rows.

    Examples
    --------
    >>> compute_breakdowns(KpiInputs(), "2025-03-31", ["referrals_count"]).shape[1]
    8
    """
    registry = all_kpis()
    if kpi_ids is None:
        wanted = [k for k in registry.values() if k.meta.breakdowns]
    else:
        unknown = [k for k in kpi_ids if k not in registry]
        if unknown:
            raise KeyError(f"unknown KPI id(s): {', '.join(unknown)}")
        wanted = [registry[k] for k in kpi_ids]
    end = pd.Timestamp(period_end).normalize()
    splits: dict[tuple[str, frozenset], _Split] = {}
    child_groups: dict[str, tuple[pd.Series, pd.Series]] = {}
    rows = []
    for k in wanted:
        if k.meta.unit not in BREAKDOWN_UNITS or not k.meta.breakdowns:
            continue
        if unsupplied(k.meta, inputs):  # a dataset not supplied: no figures to split
            continue
        windows = [Window.of(kind, end) for kind in k.meta.windows]
        needed = declared_tables(k.meta)
        for dimension in k.meta.breakdowns:
            dim_needed = set(needed)
            if not _splittable(inputs, dimension, dim_needed):
                continue
            key = (dimension, frozenset(dim_needed))
            if key not in splits:
                splits[key] = (
                    _child_split(inputs, dimension, end, dim_needed, child_groups)
                    if dimension in CHILD_DIMENSIONS
                    else _column_split(inputs, dimension, dim_needed)
                )
            split = splits[key]
            for group in split.groups:
                sub = split.restrict(inputs, group)
                for kind, w in zip(k.meta.windows, windows, strict=True):
                    fig = k(sub, w)
                    rows.append(
                        (
                            k.meta.id,
                            end,
                            kind,
                            dimension,
                            group,
                            k.meta.value(fig),
                            float(fig.numerator) if fig.numerator is not None else np.nan,
                            float(fig.denominator) if fig.denominator is not None else np.nan,
                        )
                    )
    table = pd.DataFrame(rows, columns=BREAKDOWN_COLUMNS)
    table["period_end"] = pd.to_datetime(table["period_end"])
    for col in ("kpi_id", "window", "dimension", "group"):
        table[col] = table[col].astype("string")
    for col in ("value", "numerator", "denominator"):
        table[col] = table[col].astype(float)
    return table
