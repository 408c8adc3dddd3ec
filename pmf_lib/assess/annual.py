"""The annual self-evaluation evidence pack: each KPI's year, its comparators and its verdicts.

Once a year (in the month ``parameters/schedule.yaml`` names for the ``annual``
kind; the demo: June, when the year to 31 March is in) pmf publishes one pack
per service area, laid out under Ofsted's ILACS self-evaluation headings so it
can be lifted into the council's self-evaluation. This module makes every
figure and judgement the pack shows; :mod:`pmf_lib.render.annual` only draws
them.

**ILACS headings.** The inspection of local authority children's services
(ILACS) judges, since January 2023, four areas besides overall effectiveness
(:data:`ILACS_HEADINGS`). Each service area is placed under one or more of them
by :data:`AREA_HEADINGS` (a council may pass its own mapping,
:func:`area_headings`); an area the table does not name is placed under the
impact of leaders (:data:`DEFAULT_HEADINGS`), where the leaders' knowledge of
their services is judged.

===============================  =========================================
area                             heading(s)
===============================  =========================================
front_door, early_help,          children who need help and protection
assessment, children_in_need,
protection, lado
children_with_disabilities,      help and protection; children in care
adolescents, conferencing
children_looked_after, adoption  children in care
care_leavers                     care leavers
voice                            children in care; care leavers; leaders
workforce, improvement_actions,  the impact of leaders
complaints, quality_assurance,
finance
===============================  =========================================

**Annual points** (:func:`annual_points`). The years are the years to 31 March
(:func:`year_ends`): the last :data:`YEARS` whose end is on or before the pack's
month end. A KPI's figure for a year is its 12-month figure at 31 March (the
``rolling_12m`` window: the year to 31 March) or, for a stock, its figure at
31 March (``snapshot``: as DfE's returns count at 31 March), taken from the KPI
history as published (for members or the public, the suppressed view: a
withheld figure stays withheld and gets no verdict). The change on the year
before is judged by :func:`pmf_lib.assess.travel.direction` on the figures as
shown (the monthly reports' thresholds), so "Improving" means the same here.

**Comparators and quartile movement** (:func:`annual_comparators`). Only KPIs
with a DfE measure and a unit that compares across councils (not a raw count),
as in the monthly reports. Each year's figure is set beside the latest
published benchmark year that ended on or before it (so the year to 31 March
2026 is compared with 2024-25 when 2025-26 is not yet published; the year used
is shown): England, the region and the statistical neighbours (the config's
model and statistic), and the quartile band and rank of the council's own
figure in that year's published distribution of councils
(:func:`pmf_lib.assess.comparators.own_position`). The band's movement on the
year before (:func:`quartile_movement`): "Moved up a quartile" (nearer A, the
best), "Moved up two quartiles", "Moved down a quartile", ..., "Stayed in
quartile B", or "Not available" when either band is missing.

**Improvement actions and their impact** (:func:`actions_impact`). The actions
of the log completed in the year (``completed_date`` within it, closed as
complete by the month end) for the area (its ``area``, or a KPI of the area;
the improvement actions area has every action). Each action's impact is the
direction of travel of its linked KPI's annual figure from the year before to
the year (:func:`annual_points`): "Improving", "Worsening", "No change", "Up" /
"Down" (a KPI with no better direction) or "Not available". This is the KPI's
movement over the year the action was completed in, not proof that the action
caused it. Members' and the public's action tables hold no completed actions
(:mod:`pmf_lib.assess.actions`), so their packs list none.

Examples
--------
>>> [str(d.date()) for d in year_ends("2026-06")]
['2024-03-31', '2025-03-31', '2026-03-31']
>>> year_label("2026-03-31")
'2025-26'
>>> quartile_movement("B", "C"), quartile_movement("D", "B"), quartile_movement("B", "B")
('Moved up a quartile', 'Moved down two quartiles', 'Stayed in quartile B')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from pmf_lib.assess.comparators import own_position, region_for
from pmf_lib.assess.exceptions import QUARTILE_BANDS
from pmf_lib.assess.travel import NOT_AVAILABLE, direction
from pmf_lib.compute.registry import KpiMeta
from pmf_lib.dates import month_end
from pmf_lib.errors import PmfError
from pmf_lib.formatting import DISPLAY_DECIMALS
from pmf_lib.read.benchmarks import ENGLAND, BenchmarkStore

#: How many years to 31 March the pack shows.
YEARS = 3
#: The month the years end in (31 March: the financial year, as DfE's returns).
YEAR_END_MONTH = 3

#: Ofsted's ILACS judgement areas (evaluation criteria since January 2023), by key.
ILACS_HEADINGS = {
    "help_and_protection": "The experiences and progress of children who need help and protection",
    "children_in_care": "The experiences and progress of children in care",
    "care_leavers": "The experiences and progress of care leavers",
    "leaders": "The impact of leaders on social work practice with children and families",
}

#: Each service area's ILACS heading(s), in the order the pack shows them.
AREA_HEADINGS: dict[str, tuple[str, ...]] = {
    "front_door": ("help_and_protection",),
    "early_help": ("help_and_protection",),
    "assessment": ("help_and_protection",),
    "children_in_need": ("help_and_protection",),
    "protection": ("help_and_protection",),
    "lado": ("help_and_protection",),
    "children_with_disabilities": ("help_and_protection", "children_in_care"),
    "adolescents": ("help_and_protection", "children_in_care"),
    "conferencing": ("help_and_protection", "children_in_care"),
    "children_looked_after": ("children_in_care",),
    "adoption": ("children_in_care",),
    "care_leavers": ("care_leavers",),
    "voice": ("children_in_care", "care_leavers", "leaders"),
    "workforce": ("leaders",),
    "improvement_actions": ("leaders",),
    "complaints": ("leaders",),
    "quality_assurance": ("leaders",),
    "finance": ("leaders",),
}
#: The heading of an area :data:`AREA_HEADINGS` does not name.
DEFAULT_HEADINGS = ("leaders",)

#: The area whose KPIs are the year's audit findings.
AUDIT_AREA = "quality_assurance"

#: Columns of :func:`annual_points`.
POINT_COLUMNS = (
    "kpi_id",
    "year_end",
    "year",
    "window",
    "value",
    "numerator",
    "denominator",
    "suppressed",
    "previous_value",
    "change",
    "travel",
    "travel_symbol",
)
#: Columns :func:`annual_comparators` adds.
COMPARATOR_COLUMNS = (
    "measure",
    "benchmark_year",
    "benchmark_year_end",
    "england",
    "region_name",
    "region",
    "sn",
    "quartile",
    "rank",
    "rank_of",
    "previous_quartile",
    "quartile_movement",
)


def area_headings(area: str, mapping: Mapping[str, Sequence[str]] | None = None) -> list[str]:
    """The ILACS heading keys an area's pack is placed under.

    Parameters
    ----------
    area : str
        A service area id.
    mapping : mapping of area id to heading keys, optional
        A council's own placing of its areas; areas it does not name fall back to
        :data:`AREA_HEADINGS`, then :data:`DEFAULT_HEADINGS`.

    Raises
    ------
    PmfError
        For a heading key that is not one of :data:`ILACS_HEADINGS`.

    Examples
    --------
    >>> area_headings("adolescents")
    ['help_and_protection', 'children_in_care']
    >>> area_headings("my_new_area")
    ['leaders']
    >>> area_headings("front_door", {"front_door": ["leaders"]})
    ['leaders']
    """
    chosen = (mapping or {}).get(area) or AREA_HEADINGS.get(area) or DEFAULT_HEADINGS
    unknown = [h for h in chosen if h not in ILACS_HEADINGS]
    if unknown:
        raise PmfError(
            f"unknown ILACS heading {unknown[0]!r} for area {area!r}; "
            f"the headings are {', '.join(ILACS_HEADINGS)}",
            field=f"ilacs.{area}",
        )
    return list(dict.fromkeys(chosen))


def year_ends(month: str, years: int = YEARS) -> list[pd.Timestamp]:
    """The ends (31 March) of the last ``years`` years on or before the month's end, oldest first.

    Examples
    --------
    >>> [d.year for d in year_ends("2026-03")], [d.year for d in year_ends("2026-02", 2)]
    ([2024, 2025, 2026], [2024, 2025])
    """
    end = month_end(month)
    last = end.year if end.month >= YEAR_END_MONTH else end.year - 1
    return [month_end(f"{y}-{YEAR_END_MONTH:02d}") for y in range(last - years + 1, last + 1)]


def year_label(year_end) -> str:
    """A year to 31 March as councils write it (``2025-26``).

    Examples
    --------
    >>> year_label(pd.Timestamp("2024-03-31"))
    '2023-24'
    """
    y = pd.Timestamp(year_end).year
    return f"{y - 1}-{str(y)[2:]}"


def annual_window(meta: KpiMeta) -> str | None:
    """The window a KPI's annual figure is read from: its year to 31 March, else its stock.

    Examples
    --------
    >>> from pmf_lib.compute.registry import all_kpis
    >>> k = all_kpis()
    >>> annual_window(k["referrals_count"].meta), annual_window(k["cla_count"].meta)
    ('rolling_12m', 'snapshot')
    """
    for kind in ("rolling_12m", "snapshot"):
        if kind in meta.windows:
            return kind
    return None


def _bool(v) -> bool:
    return False if v is None or (isinstance(v, float) and np.isnan(v)) else bool(v)


def annual_points(
    history: pd.DataFrame, metas: Mapping[str, KpiMeta], month: str, years: int = YEARS
) -> pd.DataFrame:
    """Each KPI's figure for each year to 31 March, with its direction on the year before.

    Parameters
    ----------
    history : pandas.DataFrame
        The tidy KPI history (``kpi_id``, ``period_end``, ``window``, ``value``,
        ``numerator``, ``denominator``; optionally ``suppressed``, as the
        members' and public view has it).
    metas : mapping of KPI id to KpiMeta
        The KPIs to give (in this order).
    month : str
        The pack's month (``YYYY-MM``).

    Returns
    -------
    pandas.DataFrame
        :data:`POINT_COLUMNS`, one row per KPI and year (oldest first). A year the
        history has no figure for has a missing ``value``; a withheld figure has
        ``suppressed`` True, no value and no travel.

    Examples
    --------
    >>> from pmf_lib.compute.registry import all_kpis
    >>> m = all_kpis()["cla_count"].meta
    >>> h = pd.DataFrame({"kpi_id": "cla_count", "window": "snapshot",
    ...     "period_end": pd.to_datetime(["2024-03-31", "2025-03-31", "2025-04-30", "2026-03-31"]),
    ...     "value": [500.0, 520.0, 999.0, 530.0], "numerator": [500.0, 520.0, 999.0, 530.0],
    ...     "denominator": float("nan")})
    >>> p = annual_points(h, {"cla_count": m}, "2026-06")
    >>> p[["year", "value", "travel"]].values.tolist()  # April's 999 is not a year end
    [['2023-24', 500.0, 'Not available'], ['2024-25', 520.0, 'Up'], ['2025-26', 530.0, 'No change']]
    """
    ends = year_ends(month, years)
    h = history.assign(period_end=pd.to_datetime(history["period_end"]).dt.normalize())
    h = h[h["period_end"].isin(ends)]
    rows = []
    for kpi_id, meta in metas.items():
        window = annual_window(meta)
        mine = h[(h["kpi_id"] == kpi_id) & (h["window"] == window)].set_index("period_end")
        previous = float("nan")
        for i, end in enumerate(ends):
            if end in mine.index:
                r = mine.loc[end]
                if isinstance(r, pd.DataFrame):
                    r = r.iloc[0]
                value, num, den = (
                    float(r.get(c, np.nan)) for c in ("value", "numerator", "denominator")
                )
                sup = _bool(r.get("suppressed", False))
            else:
                value, num, den, sup = (float("nan"),) * 3 + (False,)
            if sup:
                value = num = den = float("nan")
            t = direction(
                value,
                previous if i else float("nan"),
                unit=meta.unit,
                polarity=meta.polarity,
                decimals=DISPLAY_DECIMALS.get(meta.unit),
            )
            rows.append(
                {
                    "kpi_id": kpi_id,
                    "year_end": end,
                    "year": year_label(end),
                    "window": window,
                    "value": value,
                    "numerator": num,
                    "denominator": den,
                    "suppressed": sup,
                    "previous_value": previous if i else float("nan"),
                    "change": t.change,
                    "travel": t.label,
                    "travel_symbol": t.symbol,
                }
            )
            previous = value
    return pd.DataFrame(rows, columns=list(POINT_COLUMNS))


_STEPS = {1: "a quartile", 2: "two quartiles", 3: "three quartiles"}


def quartile_movement(band, previous_band) -> str:
    """The quartile band's movement from the year before (A is the best band).

    Examples
    --------
    >>> quartile_movement("A", "D"), quartile_movement("C", "B"), quartile_movement(None, "B")
    ('Moved up three quartiles', 'Moved down a quartile', 'Not available')
    """
    bands = []
    for b in (band, previous_band):
        if b is None or (isinstance(b, float) and np.isnan(b)) or str(b).strip() == "":
            return NOT_AVAILABLE
        s = str(b).strip().upper()
        if s not in QUARTILE_BANDS:
            raise ValueError(f"quartile bands are A-D (got {band!r} and {previous_band!r})")
        bands.append(QUARTILE_BANDS.index(s))
    now, before = bands
    if now == before:
        return f"Stayed in quartile {QUARTILE_BANDS[now]}"
    word = "up" if now < before else "down"
    return f"Moved {word} {_STEPS[abs(now - before)]}"


def benchmark_year(rows: pd.DataFrame, year_end) -> str | None:
    """The latest published year of a measure ending on or before ``year_end`` (None: none).

    ``rows`` are the measure's rows of the benchmark store's ``values``.

    Examples
    --------
    >>> v = pd.DataFrame({"year": ["2024", "2025"], "level": "LA",
    ...                   "year_end": pd.to_datetime(["2024-03-31", "2025-03-31"])})
    >>> [benchmark_year(v, f"{y}-03-31") for y in (2026, 2024, 2023)]
    ['2025', '2024', None]
    """
    la = rows[
        (rows["level"] == "LA") & (pd.to_datetime(rows["year_end"]) <= pd.Timestamp(year_end))
    ]
    if la.empty:
        return None
    return str(la.sort_values(["year_end", "year"]).iloc[-1]["year"])


def _value(rows: pd.DataFrame, code, year: str) -> float:
    hit = rows[(rows["la_code"] == code) & (rows["year"] == year)]
    return float(hit["value"].iloc[0]) if len(hit) else float("nan")


def annual_comparators(
    points: pd.DataFrame,
    metas: Mapping[str, KpiMeta],
    store: BenchmarkStore,
    la_code: int,
    *,
    sn_model: str = "2025",
    sn_stat: str = "mean",
) -> pd.DataFrame:
    """The annual points with England, region, neighbours, quartile band and its movement.

    See the module's docstring for the rules. KPIs without a comparable DfE
    measure keep their rows with the comparator columns missing and the
    movement "Not available".

    Examples
    --------
    >>> from pmf_lib.read.benchmarks import load_benchmarks
    >>> from pmf_lib.compute.registry import all_kpis
    >>> m = {"rereferrals_12m_pct": all_kpis()["rereferrals_12m_pct"].meta}
    >>> p = pd.DataFrame({"kpi_id": "rereferrals_12m_pct", "value": [99.0, 0.0],
    ...                   "year_end": pd.to_datetime(["2025-03-31", "2026-03-31"])})
    >>> t = annual_comparators(p, m, load_benchmarks(), 938)
    >>> t[["benchmark_year", "quartile", "quartile_movement"]].values.tolist()
    [['2025', 'D', 'Not available'], ['2025', 'A', 'Moved up three quartiles']]
    """
    codes = {k: m.comparator for k, m in metas.items() if m.comparator and m.unit != "count"}
    values = store.values[store.values["measure"].isin(set(codes.values()))]
    small = replace(store, values=values)
    out = points.copy()
    for c in COMPARATOR_COLUMNS:
        out[c] = None if c in ("measure", "benchmark_year", "region_name", "quartile") else np.nan
    out["benchmark_year_end"] = pd.NaT
    out["previous_quartile"] = None
    out["quartile_movement"] = NOT_AVAILABLE
    out["rank"] = pd.array([pd.NA] * len(out), dtype="Int64")
    sns: list[int] = []
    if codes:
        from pmf_lib.assess.comparators import neighbours_of

        sns = neighbours_of(store, la_code, sn_model)
    region_name = None
    for kpi_id, code in codes.items():
        rows = values[values["measure"] == code]
        region_code = region_for(small, la_code, code)
        if region_code is not None:
            from pmf_lib.read.benchmarks import REGION_NAMES

            region_name = REGION_NAMES.get(region_code)
        previous = None
        for i in out.index[out["kpi_id"] == kpi_id]:
            year = benchmark_year(rows, out.at[i, "year_end"])
            out.at[i, "measure"] = code
            out.at[i, "previous_quartile"] = previous
            if year is None:
                previous = None
                continue
            at = rows[rows["year"] == year]
            sn_vals = at.loc[at["la_code"].isin(sns), "value"].dropna().to_numpy()
            quartile, rank, rank_of = own_position(
                small, la_code, code, float(out.at[i, "value"]), year
            )
            out.at[i, "benchmark_year"] = year
            out.at[i, "benchmark_year_end"] = pd.Timestamp(at["year_end"].iloc[0])
            out.at[i, "england"] = _value(rows, ENGLAND, year)
            out.at[i, "region_name"] = region_name
            out.at[i, "region"] = _value(rows, region_code, year) if region_code else np.nan
            if sn_vals.size:
                out.at[i, "sn"] = float(
                    np.mean(sn_vals) if sn_stat == "mean" else np.median(sn_vals)
                )
            out.at[i, "quartile"] = quartile
            out.at[i, "rank"] = rank
            out.at[i, "rank_of"] = rank_of
            out.at[i, "quartile_movement"] = quartile_movement(quartile, previous)
            previous = quartile
    return out


#: Columns of :func:`actions_impact`.
ACTION_COLUMNS = (
    "action_id",
    "action",
    "owner",
    "kpi_id",
    "area",
    "due_date",
    "completed_date",
    "on_time",
    "before",
    "after",
    "impact",
)


def actions_impact(
    actions: pd.DataFrame | None,
    points: pd.DataFrame,
    metas: Mapping[str, KpiMeta],
    year_end,
    area: str | None = None,
    area_kpis: Sequence[str] = (),
) -> pd.DataFrame:
    """The improvement actions completed in the year to ``year_end``, each with its impact.

    Parameters
    ----------
    actions : pandas.DataFrame or None
        The month's published action table (:mod:`pmf_lib.assess.actions`); None: no log.
    points : pandas.DataFrame
        :func:`annual_points` (of every KPI an action may link to).
    year_end : date
        The end of the year (31 March).
    area : str, optional
        Only the actions of this area (its ``area``, or a KPI in ``area_kpis``);
        None or the improvement actions area: every action.

    Examples
    --------
    >>> from pmf_lib.compute.registry import all_kpis
    >>> m = {"rereferrals_12m_pct": all_kpis()["rereferrals_12m_pct"].meta}
    >>> p = pd.DataFrame({"kpi_id": "rereferrals_12m_pct", "value": [24.0, 21.0],
    ...                   "year_end": pd.to_datetime(["2025-03-31", "2026-03-31"])})
    >>> a = pd.DataFrame({"action_id": ["A1", "A2"], "action": ["x", "y"], "owner": "o",
    ...     "kpi_id": "rereferrals_12m_pct", "area": "front_door", "state": "complete",
    ...     "due_date": pd.to_datetime(["2025-06-30", "2025-06-30"]),
    ...     "completed_date": pd.to_datetime(["2025-07-10", "2025-03-10"])})
    >>> t = actions_impact(a, p, m, "2026-03-31", "front_door")
    >>> # A2 was completed in the year before; A1 late, and re-referrals fell 24% -> 21%
    >>> t[["action_id", "on_time", "before", "after", "impact"]].values.tolist()
    [['A1', False, 24.0, 21.0, 'Improving']]
    """
    if actions is None or actions.empty or "completed_date" not in actions.columns:
        return pd.DataFrame(columns=list(ACTION_COLUMNS))
    end = pd.Timestamp(year_end)
    start = end - pd.DateOffset(years=1)
    done = pd.to_datetime(actions["completed_date"])
    t = actions[(actions["state"] == "complete") & (done > start) & (done <= end)]
    if area is not None and area != "improvement_actions":
        mine = (t["area"].astype("string") == area).fillna(False) | t["kpi_id"].isin(
            list(area_kpis)
        )
        t = t[mine.astype(bool)]
    t = t.sort_values(["completed_date", "action_id"], kind="stable")
    p = points.assign(year_end=pd.to_datetime(points["year_end"]))
    rows = []
    for _, a in t.iterrows():
        kpi_id = a["kpi_id"]
        meta = metas.get(kpi_id) if isinstance(kpi_id, str) else None
        mine = p[p["kpi_id"] == kpi_id].set_index("year_end")["value"] if meta else pd.Series()
        after = float(mine.get(end, np.nan))
        before = float(mine.get(month_end(start), np.nan))
        if meta is None:
            impact = NOT_AVAILABLE
        else:
            impact = direction(
                after,
                before,
                unit=meta.unit,
                polarity=meta.polarity,
                decimals=DISPLAY_DECIMALS.get(meta.unit),
            ).label
        due = a.get("due_date")
        rows.append(
            {
                "action_id": a["action_id"],
                "action": a["action"],
                "owner": a.get("owner"),
                "kpi_id": kpi_id,
                "area": a.get("area"),
                "due_date": due,
                "completed_date": a["completed_date"],
                "on_time": bool(pd.notna(due) and a["completed_date"] <= due),
                "before": before,
                "after": after,
                "impact": impact,
            }
        )
    return pd.DataFrame(rows, columns=list(ACTION_COLUMNS))


def heading_summary(
    table: pd.DataFrame,
    metas: Mapping[str, KpiMeta],
    areas: Mapping[str, Sequence[str]],
    mapping: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """The council's year in counts of measures, per ILACS heading (the annual report's summary).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`annual_comparators` of every configured KPI.
    areas : mapping of area id to its KPI ids
        The configured areas.

    Returns
    -------
    pandas.DataFrame
        One row per heading with measures: ``heading``, ``title``, ``measures``,
        ``improving``, ``worsening``, ``no_change`` (latest year on the one before,
        of the measures with a better direction), ``quartile_up``, ``quartile_down``.
        A measure under two headings counts under each; a measure shown in two
        areas of one heading counts once.

    Examples
    --------
    >>> t = pd.DataFrame({"kpi_id": ["a", "a", "b", "b"], "year_end": pd.to_datetime(
    ...     ["2025-03-31", "2026-03-31"] * 2), "travel": ["Not available", "Improving",
    ...     "Not available", "Up"], "quartile_movement": ["Not available",
    ...     "Moved up a quartile", "Not available", "Not available"]})
    >>> s = heading_summary(t, {}, {"front_door": ["a", "b"], "care_leavers": ["b"]})
    >>> s[["heading", "measures", "improving", "quartile_up"]].values.tolist()
    [['help_and_protection', 2, 1, 1], ['care_leavers', 1, 0, 0]]
    """
    latest = pd.to_datetime(table["year_end"]).max()
    last = table[pd.to_datetime(table["year_end"]) == latest].drop_duplicates("kpi_id")
    last = last.set_index("kpi_id")
    members: dict[str, list[str]] = {h: [] for h in ILACS_HEADINGS}
    for area, kpis in areas.items():
        for h in area_headings(area, mapping):
            members[h] += [k for k in kpis if k in last.index and k not in members[h]]
    rows = []
    for h, kpis in members.items():
        if not kpis:
            continue
        r = last.loc[kpis]
        directed = [k for k in kpis if _has_direction(metas, k)]
        rows.append(
            {
                "heading": h,
                "title": ILACS_HEADINGS[h],
                "measures": len(kpis),
                "improving": int((r["travel"] == "Improving").sum()),
                "worsening": int((r["travel"] == "Worsening").sum()),
                "no_change": int((r.loc[directed, "travel"] == "No change").sum()),
                "quartile_up": int(r["quartile_movement"].str.startswith("Moved up").sum()),
                "quartile_down": int(r["quartile_movement"].str.startswith("Moved down").sum()),
            }
        )
    return pd.DataFrame(rows)


def _has_direction(metas: Mapping[str, KpiMeta], kpi_id: str) -> bool:
    m = metas.get(kpi_id)
    return m is not None and m.polarity != "neutral"


def annual_for_config(config, history: pd.DataFrame, month: str, store=None) -> pd.DataFrame:
    """Every configured KPI's annual points with comparators and verdicts (the pack's table).

    ``history`` is the KPI history as the audience sees it (for members or the
    public the suppressed view, whose withheld figures get no verdict); the
    benchmarks are the config's store (default: the shipped snapshot), its
    statistical neighbour model and statistic.
    """
    from pmf_lib.assess.pipeline import configured_kpis
    from pmf_lib.read.benchmarks import load_benchmarks

    metas = configured_kpis(config)
    if store is None:
        where = config.resolve(config.benchmarks.store) if config.benchmarks.store else None
        store = load_benchmarks(where)
    points = annual_points(history, metas, month)
    return annual_comparators(
        points,
        metas,
        store,
        config.council.code,
        sn_model=config.benchmarks.sn_model,
        sn_stat=config.benchmarks.sn_stat,
    )
