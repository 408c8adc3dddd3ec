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
by :data:`AREA_HEADINGS`; a council may place its areas itself in the config
(``ilacs:``, area id -> heading keys, :func:`area_headings`); an area neither
names is placed under the impact of leaders (:data:`DEFAULT_HEADINGS`), where
the leaders' knowledge of their services is judged.

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
from pmf_lib.read.benchmarks import ENGLAND, REGION_NAMES, BenchmarkStore

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
    h = history[history["kpi_id"].isin(list(metas))]
    h = h.assign(period_end=pd.to_datetime(h["period_end"]).dt.normalize())
    h = h[h["period_end"].isin(ends)]
    sup = h["suppressed"] if "suppressed" in h.columns else pd.Series(False, index=h.index)
    cols = [
        h[c] if c in h.columns else pd.Series(np.nan, index=h.index)
        for c in ("value", "numerator", "denominator")
    ]
    found = {}
    for key, v, n, d, s in zip(
        zip(h["kpi_id"], h["window"], h["period_end"], strict=True), *cols, sup, strict=True
    ):
        found.setdefault(key, (float(v), float(n), float(d), _bool(s)))
    rows = []
    for kpi_id, meta in metas.items():
        window = annual_window(meta)
        for end in ends:
            value, num, den, withheld = found.get((kpi_id, window, end), (np.nan,) * 3 + (False,))
            if withheld:
                value = num = den = float("nan")
            rows.append(
                {
                    "kpi_id": kpi_id,
                    "year_end": end,
                    "year": year_label(end),
                    "window": window,
                    "value": value,
                    "numerator": num,
                    "denominator": den,
                    "suppressed": withheld,
                }
            )
    return with_travel(pd.DataFrame(rows, columns=list(POINT_COLUMNS[:8])), metas)


def with_travel(points: pd.DataFrame, metas: Mapping[str, KpiMeta]) -> pd.DataFrame:
    """The points with each year's ``previous_value``, ``change`` and ``travel`` on the year before.

    The first year of each KPI has none ("Not available"); a missing or withheld
    figure gives none either, for itself and the year after it.
    """
    out = points.sort_values(["kpi_id", "year_end"], kind="stable").copy()
    previous = out.groupby("kpi_id", sort=False)["value"].shift(1)
    labels, symbols, changes = [], [], []
    for kpi_id, latest, earlier in zip(out["kpi_id"], out["value"], previous, strict=True):
        meta = metas[kpi_id]
        t = direction(
            latest,
            earlier,
            unit=meta.unit,
            polarity=meta.polarity,
            decimals=DISPLAY_DECIMALS.get(meta.unit),
        )
        labels.append(t.label)
        symbols.append(t.symbol)
        changes.append(t.change)
    out["previous_value"] = previous.astype(float)
    out["change"] = changes
    out["travel"] = labels
    out["travel_symbol"] = symbols
    order = {k: i for i, k in enumerate(metas)}
    out["_order"] = out["kpi_id"].map(order)
    out = out.sort_values(["_order", "year_end"], kind="stable")
    return out.reset_index(drop=True)[list(POINT_COLUMNS)]


def suppress_annual(
    points: pd.DataFrame,
    shown_history: pd.DataFrame,
    metas: Mapping[str, KpiMeta],
    max_count: int,
) -> pd.DataFrame:
    """The annual points as members and the public may see them.

    A year's figure is withheld (blank, ``suppressed`` True, and no change on
    either side of it) when

    * its own numerator or denominator is 1 to ``max_count``
      (:func:`pmf_lib.assess.disclosure.row_is_suppressed`); or
    * any figure the audience's published history withholds for the KPI falls in
      that year (its headline window ending after the year before's end and by the
      year's end): the year's total less the shown months' would give it away;
    * it is a count nested in another (``subset_of``) and the parent's year is 1 to
      ``max_count`` more (:func:`pmf_lib.assess.disclosure.suppress_subsets`).

    Parameters
    ----------
    points : pandas.DataFrame
        :func:`annual_points` of the full (internal) history.
    shown_history : pandas.DataFrame
        The audience's published history (with its ``suppressed`` flags:
        :func:`pmf_lib.assess.disclosure.published_tables`).

    Examples
    --------
    >>> from pmf_lib.compute.registry import all_kpis
    >>> m = {"referrals_count": all_kpis()["referrals_count"].meta}
    >>> p = pd.DataFrame({"kpi_id": "referrals_count", "window": "rolling_12m",
    ...     "year_end": pd.to_datetime(["2025-03-31", "2026-03-31"]), "year": ["a", "b"],
    ...     "value": [480.0, 500.0], "numerator": [480.0, 500.0], "denominator": float("nan"),
    ...     "suppressed": False})
    >>> shown = pd.DataFrame({"kpi_id": "referrals_count", "window": "month",
    ...     "period_end": pd.to_datetime(["2025-03-31", "2025-08-31"]),
    ...     "suppressed": [False, True]})
    >>> # August 2025's month is withheld, so the year to March 2026 is withheld too
    >>> suppress_annual(p, shown, m, 4)[["value", "suppressed", "travel"]].values.tolist()
    [[480.0, False, 'Not available'], [nan, True, 'Not available']]
    """
    from pmf_lib.assess.disclosure import row_is_suppressed, suppress_subsets

    out = points.copy()
    h = shown_history
    hidden = h[h["suppressed"].astype(bool)] if "suppressed" in h.columns else h.iloc[0:0]
    hidden_ends = {
        k: pd.to_datetime(g["period_end"]).dt.normalize().to_numpy()
        for k, g in hidden.groupby("kpi_id")
    }
    withheld = []
    for kpi_id, end, num, den, sup in zip(
        out["kpi_id"],
        out["year_end"],
        out["numerator"],
        out["denominator"],
        out["suppressed"],
        strict=True,
    ):
        meta = metas[kpi_id]
        small = bool(row_is_suppressed(num, den, meta.unit, max_count))
        end = pd.Timestamp(end)
        start = end - pd.DateOffset(years=1)
        ends = hidden_ends.get(kpi_id)
        inside = ends is not None and bool(((ends > start) & (ends <= end)).any())
        withheld.append(bool(sup) or small or inside)
    mask = np.array(withheld, dtype=bool)
    out.loc[mask, ["value", "numerator", "denominator"]] = np.nan
    out["suppressed"] = mask
    # The nesting rule on the years' counts, as on the months' (a subset's year 1 to
    # max_count short of its parent's states that difference)
    nested = suppress_subsets(out.rename(columns={"year_end": "period_end"}), metas, max_count)
    out = nested.rename(columns={"period_end": "year_end"})
    return with_travel(out[list(POINT_COLUMNS[:8])], metas)


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
    blank = {
        "measure": None,
        "benchmark_year": None,
        "benchmark_year_end": pd.NaT,
        "england": np.nan,
        "region_name": None,
        "region": np.nan,
        "sn": np.nan,
        "quartile": None,
        "rank": pd.NA,
        "rank_of": np.nan,
        "previous_quartile": None,
        "quartile_movement": NOT_AVAILABLE,
    }
    extra = [dict(blank) for _ in range(len(points))]
    sns: list[int] = []
    if codes:
        from pmf_lib.assess.comparators import neighbours_of

        sns = neighbours_of(store, la_code, sn_model)
    kpi_ids = points["kpi_id"].to_numpy()
    ends = pd.to_datetime(points["year_end"]).to_numpy()
    own = points["value"].astype(float).to_numpy()
    order = np.argsort(ends, kind="stable")
    for kpi_id, code in codes.items():
        rows = values[values["measure"] == code]
        one = replace(store, values=rows)  # own_position then filters this measure's rows only
        region_code = region_for(one, la_code, code)
        region_name = REGION_NAMES.get(region_code) if region_code else None
        years = rows[["year_end", "year", "level"]].drop_duplicates()
        labels, year_ends_ = years["year"].astype(str), pd.to_datetime(years["year_end"])
        year_end_of = dict(zip(labels, year_ends_, strict=True))
        by_year = {y: r for y, r in rows.groupby("year")}
        previous = None
        for i in order[kpi_ids[order] == kpi_id]:
            e = extra[i]
            e["measure"] = code
            e["previous_quartile"] = previous
            year = benchmark_year(years, ends[i])
            if year is None:
                previous = None
                continue
            year_end = year_end_of[year]
            at = by_year[year]
            sn_vals = at.loc[at["la_code"].isin(sns), "value"].dropna().to_numpy()
            quartile, rank, rank_of = own_position(one, la_code, code, float(own[i]), year)
            e.update(
                benchmark_year=year,
                benchmark_year_end=year_end,
                england=_value(at, ENGLAND, year),
                region_name=region_name,
                region=_value(at, region_code, year) if region_code else np.nan,
                quartile=quartile,
                rank=rank,
                rank_of=rank_of,
                quartile_movement=quartile_movement(quartile, previous),
            )
            if sn_vals.size:
                e["sn"] = float(np.mean(sn_vals) if sn_stat == "mean" else np.median(sn_vals))
            previous = quartile
    out = pd.concat(
        [points.reset_index(drop=True), pd.DataFrame(extra, columns=list(COMPARATOR_COLUMNS))],
        axis=1,
    )
    out["rank"] = pd.array(out["rank"], dtype="Int64")
    out["benchmark_year_end"] = pd.to_datetime(out["benchmark_year_end"])
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


def annual_points_for_config(config, history: pd.DataFrame, month: str) -> pd.DataFrame:
    """Every configured KPI's annual points from the month's (full) KPI history.

    The month build publishes them as ``annual.parquet`` (for members or the
    public through :func:`suppress_annual`), and the packs read them.
    """
    from pmf_lib.assess.pipeline import configured_kpis

    return annual_points(history, configured_kpis(config), month)


def annual_table(config, points: pd.DataFrame, store=None) -> pd.DataFrame:
    """The published annual points with their comparators and quartile movement.

    The benchmarks are the config's store (default: the shipped snapshot), its
    statistical neighbour model and statistic (:func:`annual_comparators`).
    """
    from pmf_lib.assess.pipeline import configured_kpis
    from pmf_lib.read.benchmarks import load_benchmarks

    if store is None:
        where = config.resolve(config.benchmarks.store) if config.benchmarks.store else None
        store = load_benchmarks(where)
    points = points[list(POINT_COLUMNS)].assign(year_end=pd.to_datetime(points["year_end"]))
    return annual_comparators(
        points,
        configured_kpis(config),
        store,
        config.council.code,
        sn_model=config.benchmarks.sn_model,
        sn_stat=config.benchmarks.sn_stat,
    )
