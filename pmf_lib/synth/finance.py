"""The demo council's finance files: budget monitoring and placement costs (issue 16).

Both are written into ``local/`` in the layout of their schemas
(``pmf_lib/read/schemas/{budget_monitoring,placement_costs}.yml``) and drawn
from this module's own random stream (``np.random.default_rng([seed, 1600])``),
so every other demo file is unchanged by them.

* ``placement_costs.csv`` follows the demo's SSDA903 episodes as written (the
  latest return's version of each episode): one row per episode open at any
  time from the start of the financial year holding the local datasets' first
  day to the data's last day, with the
  episode's child (``CHILD``), placement type (``PLACE``), start (``DECOM``) and
  end (``DEC``), a provider named from its ``PLACE_PROVIDER``, a weekly cost
  drawn by placement type and provider (children's homes run by private
  providers cost most, about £6,500 a week), and, while open, the next cost
  review: the first 13-week anniversary of its start after the data's last day
  (for about one in twelve, the one before: a review overdue).
* ``budget_monitoring.csv`` has one row per service line per month. The
  placements line is coherent with the placement costs: its actual to date is
  the cost of the placements' days in the financial year to the month end, its
  forecast outturn that plus the weekly cost of the placements open at the month
  end for the rest of the year, and its budget the year's first forecast less
  about 4%. The other lines are drawn: a budget per year, a forecast that drifts
  from it month by month, and an actual to date near the forecast's share of
  the year elapsed.

Nothing in it is real; the provider names are made up.

Examples
--------
>>> weekly_cost_mean("K2", "PR4"), weekly_cost_mean("U4", "PR1"), weekly_cost_mean("P1", "PR0")
(6500.0, 480.0, 0.0)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pmf_lib.synth.local import Span, write_table, zpad
from pmf_lib.synth.model import as_dates

#: This module's random stream: ``np.random.default_rng([seed, RNG_STREAM])``.
RNG_STREAM = 1600

#: Mean weekly cost (GBP) by placement type when provided by the council (PR0/PR1).
_IN_HOUSE = {
    "U1": 310.0,
    "U2": 310.0,
    "U3": 330.0,
    "U4": 480.0,
    "U5": 480.0,
    "U6": 500.0,
    "K1": 8200.0,
    "K2": 4600.0,
    "H5": 1100.0,
    "R3": 3400.0,
    "S1": 3900.0,
    "A3": 240.0,
    "A4": 240.0,
    "A5": 240.0,
    "A6": 240.0,
    "Z1": 700.0,
    "R1": 1500.0,
}
#: The same for external providers (other councils, private and voluntary, PR2-PR5).
_EXTERNAL = {
    **_IN_HOUSE,
    "U4": 950.0,
    "U5": 950.0,
    "U6": 980.0,
    "K1": 9000.0,
    "K2": 6500.0,
    "H5": 1700.0,
    "S1": 4800.0,
}
#: Placement types the council does not pay a placement cost for.
_NO_COST = ("P1", "P2", "P3", "R2", "R5", "T0", "T1", "T2", "T3", "T4")

COUNCIL = "Demo County Council"
#: Made-up providers by PLACE_PROVIDER: (foster placements, other placements).
_PROVIDERS = {
    "PR2": (
        ["Northshire County Council", "Eastbury Borough Council"],
        ["Northshire County Council", "Westvale City Council"],
    ),
    "PR3": (["Southdown NHS Trust"], ["Southdown NHS Trust", "Regional Secure Services"]),
    "PR4": (
        ["Brightwater Fostering Ltd", "Silverbirch Fostering Agency", "Harbour Fostering Group"],
        [
            "Kestrel Care Homes Ltd",
            "Meadowbank Children's Services Ltd",
            "Lanterns Residential Ltd",
        ],
    ),
    "PR5": (
        ["Haven Family Fostering"],
        ["Oakfield Children's Trust", "St Brigid's Foundation"],
    ),
}
_FOSTER = ("U1", "U2", "U3", "U4", "U5", "U6")


#: Service lines other than placements: (name, budget in the first year, yearly growth).
SERVICE_LINES = (
    ("Care leavers", 3_400_000.0, 0.04),
    ("Social work staffing", 19_500_000.0, 0.03),
    ("Agency social workers", 2_100_000.0, 0.0),
    ("Early help", 4_600_000.0, 0.02),
    ("Children with disabilities", 6_200_000.0, 0.03),
    ("Adoption and special guardianship", 3_100_000.0, 0.03),
)
PLACEMENTS_LINE = "Children looked after placements"


def weekly_cost_mean(place: str, provider: str) -> float:
    """The mean weekly cost (GBP) the demo draws a placement's cost around."""
    if place in _NO_COST:
        return 0.0
    table = _IN_HOUSE if provider in ("PR0", "PR1") else _EXTERNAL
    return table.get(place, 700.0)


def _episodes(ssda903: Path) -> pd.DataFrame:
    """Each episode once (its latest return's row), dated, in start order."""
    frames = []
    for year_dir in sorted(ssda903.iterdir(), key=lambda p: p.name):
        f = year_dir / "episodes.csv"
        if f.is_file():
            frames.append(pd.read_csv(f, dtype=str, keep_default_na=False))
    ep = pd.concat(frames, ignore_index=True)
    ep = ep.drop_duplicates(["CHILD", "DECOM"], keep="last")
    for c in ("DECOM", "DEC"):
        ep[c] = pd.to_datetime(ep[c].replace("", None), format="%d/%m/%Y")
    return ep.sort_values(["DECOM", "CHILD"], kind="stable").reset_index(drop=True)


def placement_costs(rng, ssda903: Path, span: Span) -> dict[str, np.ndarray]:
    """The placement cost rows (canonical columns) for the episodes in the span."""
    last = as_dates([span.end])[0]
    first = _fy_start(pd.Timestamp(as_dates([span.first])[0]))  # the first year's costs whole
    ep = _episodes(ssda903)
    ep = ep[(ep["DECOM"] <= last) & (ep["DEC"].isna() | (ep["DEC"] > first))]
    ep = ep.reset_index(drop=True)
    n = len(ep)
    means = np.array(
        [weekly_cost_mean(p, r) for p, r in zip(ep["PLACE"], ep["PLACE_PROVIDER"], strict=True)]
    )
    cost = np.round(means * rng.lognormal(0.0, 0.3, n) / 5.0) * 5.0  # to the nearest £5
    provider = np.empty(n, dtype=object)
    pick = rng.integers(0, 60, n)
    for i, (code, place) in enumerate(zip(ep["PLACE_PROVIDER"], ep["PLACE"], strict=True)):
        pair = _PROVIDERS.get(code)
        names = pair[0 if place in _FOSTER else 1] if pair else None
        provider[i] = names[pick[i] % len(names)] if names else COUNCIL
    start = ep["DECOM"]
    open_ = ep["DEC"].isna() | (ep["DEC"] > last)
    # the first 13-week anniversary of the start after the data's last day; about one
    # placement in twelve that began over 13 weeks before is late: its review is the one before
    late = rng.random(n) < 1 / 12
    weeks = ((last - start).dt.days // 91 + 1) * 91
    weeks = weeks.where(~(late & (weeks > 91)), weeks - 91)
    review = (start + pd.to_timedelta(weeks, unit="D")).where(open_)
    return {
        "placement_id": zpad("PC", np.arange(1, n + 1), 5),
        "child_id": ep["CHILD"].to_numpy(dtype=object),
        "placement_type": ep["PLACE"].to_numpy(dtype=object),
        "provider": provider,
        "start_date": start.dt.strftime("%Y-%m-%d").to_numpy(dtype=object),
        "end_date": ep["DEC"].dt.strftime("%Y-%m-%d").fillna("").to_numpy(dtype=object),
        "weekly_cost": np.array([f"{c:.2f}" for c in cost], dtype=object),
        "next_review_date": review.dt.strftime("%Y-%m-%d").fillna("").to_numpy(dtype=object),
        "_start": start.to_numpy(),
        "_end": ep["DEC"].to_numpy(),
        "_cost": cost,
    }


def cost_between(start, end, weekly, a: pd.Timestamp, b: pd.Timestamp) -> float:
    """The cost of the placements' days from ``a`` to ``b`` inclusive (none from an end day).

    Examples
    --------
    >>> s = np.array(["2025-04-01"], dtype="datetime64[ns]")
    >>> e = np.array(["NaT"], dtype="datetime64[ns]")
    >>> cost_between(s, e, np.array([700.0]), pd.Timestamp("2025-04-01"),
    ...              pd.Timestamp("2025-04-14"))
    1400.0
    """
    s = np.maximum(start, np.datetime64(a, "ns"))
    stop = np.datetime64(b + pd.Timedelta(days=1), "ns")
    e = np.where(np.isnat(end), stop, np.minimum(end, stop))
    days = np.clip((e - s).astype("timedelta64[D]").astype(np.int64), 0, None)
    return float(np.sum(days * weekly / 7.0))


def _fy_start(month_end: pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(month_end.year - (month_end.month < 4), 4, 1)


def budget_monitoring(rng, span: Span, pc: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The monthly budget monitoring rows (canonical columns)."""
    start, end, cost = pc["_start"], pc["_end"], pc["_cost"]
    rows: list[tuple] = []
    drift: dict[tuple, float] = {}
    budgets: dict[pd.Timestamp, float] = {}
    for me in as_dates(span.month_ends):
        me = pd.Timestamp(me)
        fy = _fy_start(me)
        fy_end = pd.Timestamp(fy.year + 1, 3, 31)
        to_date = cost_between(start, end, cost, fy, me)
        open_now = (start <= np.datetime64(me, "ns")) & (
            np.isnat(end) | (end > np.datetime64(me, "ns"))
        )
        remaining = (fy_end - me).days * float(cost[open_now].sum()) / 7.0
        forecast = to_date + remaining
        if fy not in budgets:
            first_forecast = forecast if me.month == 4 else forecast * 1.01
            budgets[fy] = round(first_forecast * (0.96 + rng.normal(0, 0.01)), -3)
        rows.append((me, PLACEMENTS_LINE, budgets[fy], to_date, forecast))
        elapsed = (me - fy).days + 1
        share = elapsed / ((fy_end - fy).days + 1)
        for name, base, growth in SERVICE_LINES:
            budget = round(base * (1 + growth) ** (fy.year - 2022), -3)
            key = (fy, name)
            drift[key] = drift.get(key, rng.normal(0, 0.01)) + rng.normal(0, 0.004)
            fc = budget * (1 + drift[key])
            actual = fc * share * (1 + rng.normal(0, 0.01))
            rows.append((me, name, budget, actual, fc))
    return {
        "month": np.array([r[0].strftime("%Y-%m-%d") for r in rows], dtype=object),
        "service_line": np.array([r[1] for r in rows], dtype=object),
        "budget": np.array([f"{r[2]:.0f}" for r in rows], dtype=object),
        "actual_to_date": np.array([f"{r[3]:.0f}" for r in rows], dtype=object),
        "forecast_outturn": np.array([f"{r[4]:.0f}" for r in rows], dtype=object),
    }


def write_finance(folder: Path, ssda903: Path, span: Span, seed: int) -> dict[str, int]:
    """Write ``budget_monitoring.csv`` and ``placement_costs.csv`` into ``folder``.

    ``ssda903`` is the folder of the SSDA903 returns already written (one
    sub-folder per collection year); returns rows written per file.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([int(seed), RNG_STREAM])
    pc = placement_costs(rng, Path(ssda903), span)
    bm = budget_monitoring(rng, span, pc)
    table = {k: v for k, v in pc.items() if not k.startswith("_")}
    return {
        "local/budget_monitoring": write_table(
            folder / "budget_monitoring.csv", "budget_monitoring", bm
        ),
        "local/placement_costs": write_table(
            folder / "placement_costs.csv", "placement_costs", table
        ),
    }
