"""The synthetic demo council ("Demo County", LA 938): its returns in the national formats.

``generate`` simulates a county's children's social care (see
:mod:`pmf_lib.synth.model`) and writes, under ``out/``::

    ssda903/<YYYY>/{header,episodes,reviews,uasc,oc2,oc3,missing,ad1,
                    placed_for_adoption,previous_permanence}.csv
    cin_census/cin_census_<YYYY>.xml
    population.csv
    local/{contacts,early_help,complaints,lado,conferencing,qa_audits,
           improvement_actions}.csv
    workforce/workforce_monthly.csv
    workforce/csww_<YYYY>.xml
    annex_a/annex_a_<YYYY-MM>.xlsx
    .complete

``YYYY`` is the year a collection ends (2025 for 1 April 2024 - 31 March 2025);
the last year is a year-to-date return up to the last month end of the data.
The local datasets and the monthly workforce return cover the twelve months
before the first reported month and the reported months
(:mod:`pmf_lib.synth.local`, :mod:`pmf_lib.synth.workforce`), each in the
layout of its schema in ``pmf_lib/read/schemas/``; there is one workforce
census (CSWW) per 30 September in that span. Nothing in it is real.

The local and workforce files are clean except for these deliberate
data-quality issues, one row each, so that validation has something real
to show (rule codes as ``pmf validate`` reports them):

* ``local/contacts.csv``: one contact dated ``31/02/YYYY`` -> S04 ``contact_date``;
* ``local/early_help.csv``: one closed episode with its start and end dates
  swapped -> L07 ``start_date,end_date``;
* ``local/complaints.csv``: one complaint's outcome is ``Resolved informally``
  (not a code) -> S03 ``outcome``;
* ``local/lado.csv``: one closed referral with no outcome -> S02 ``outcome``;
* ``local/conferencing.csv``: one looked-after child review with no chair -> S02
  ``chair``;
* ``local/qa_audits.csv``: one audit row entered twice (the copy directly below
  it) -> S07 ``audit_id`` on both rows;
* ``workforce/workforce_monthly.csv``: one team's sickness days in the file's
  first month (twelve months before the first reported month) is ``n/k`` -> S05
  ``sickness_days``.

They are listed in :data:`pmf_lib.synth.local.DQ_ISSUES` too.

``annex_a/`` holds the council's Ofsted Annex A workbook for the twelve months to
the data's last day, from the same simulated records
(:mod:`pmf_lib.synth.annex_a`); the shipped config does not name it.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from pmf_lib.atomic import atomic_dir
from pmf_lib.dates import month_end
from pmf_lib.errors import PmfError
from pmf_lib.synth.annex_a import write_annex_a
from pmf_lib.synth.finance import write_finance
from pmf_lib.synth.local import DQ_ISSUES, LOCAL_FILES, Span, write_local
from pmf_lib.synth.model import Horizon, day, simulate
from pmf_lib.synth.teams import TEAMS, case_teams, localities
from pmf_lib.synth.voice import write_voice
from pmf_lib.synth.workforce import (
    census_years,
    simulate_workforce,
    write_csww,
    write_workforce_monthly,
)
from pmf_lib.synth.workforce_development import write_workforce_development
from pmf_lib.synth.write import S903_FILES, write_903_year, write_cin_year, write_population

__all__ = [
    "DQ_ISSUES",
    "LOCAL_FILES",
    "S903_FILES",
    "collection_years",
    "generate",
    "horizon",
    "local_span",
]

LOOKBACK_MONTHS = 30  # 2.5 years of CLA history before the first reported month


def _collection_year(ts: pd.Timestamp) -> int:
    return ts.year + 1 if ts.month >= 4 else ts.year


def horizon(start: str, months: int) -> tuple[Horizon, list[int]]:
    """The simulated span and the collection years written for ``months`` from ``start``.

    Examples
    --------
    >>> h, years = horizon("2023-11", 36)
    >>> years
    [2022, 2023, 2024, 2025, 2026, 2027]
    >>> from pmf_lib.synth.model import as_dates
    >>> str(as_dates([h.end])[0]), str(as_dates([h.detail_from])[0])
    ('2026-10-31', '2026-05-01')
    """
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(start)):
        raise PmfError(f"start must be a month YYYY-MM, got {start!r}", field="start")
    if int(months) < 1:
        raise PmfError(f"months must be at least 1, got {months}", field="months")
    first = pd.Timestamp(f"{start}-01")
    end = month_end(first + pd.DateOffset(months=int(months) - 1))
    years = list(
        range(
            _collection_year(first - pd.DateOffset(months=LOOKBACK_MONTHS)),
            _collection_year(end) + 1,
        )
    )
    cin_from = pd.Timestamp(year=years[0] - 4, month=4, day=1)
    h = Horizon(
        cla_from=day(cin_from - pd.DateOffset(years=18)),
        cin_from=day(cin_from),
        end=day(end),
        detail_from=day((end.replace(day=1) - pd.DateOffset(months=5)).normalize()),
    )
    return h, years


def local_span(start: str, months: int) -> tuple[Span, np.ndarray]:
    """The span of the local datasets and the month ends the workforce is simulated over.

    The local files start twelve months before ``start``; the workforce
    simulation twelve months before that (its first year is burn-in, so the
    first census has a year of leavers).

    Examples
    --------
    >>> span, wf_months = local_span("2024-01", 3)
    >>> from pmf_lib.synth.model import as_dates
    >>> str(as_dates([span.first])[0]), len(span.month_ends), len(wf_months)
    ('2023-01-01', 15, 27)
    """
    h, _ = horizon(start, months)
    first = pd.Timestamp(f"{start}-01") - pd.DateOffset(months=12)
    ends = pd.date_range(
        first - pd.DateOffset(months=12), month_end(_last(start, months)), freq="ME"
    )
    days = np.array([day(d) for d in ends], dtype=np.int64)
    span = Span(first=day(first), end=h.end, detail_from=h.detail_from, month_ends=days[12:])
    return span, days


def collection_years(start: str = "2023-11", months: int = 36) -> list[int]:
    """The collection years ``generate`` writes.

    Examples
    --------
    >>> collection_years("2025-01", 3)
    [2023, 2024, 2025]
    """
    return horizon(start, months)[1]


def generate(
    out: Path, start: str = "2023-11", months: int = 36, seed: int = 938, children: int = 100_000
) -> str:
    """Simulate the demo council and write its returns into ``out`` (replacing it).

    Same arguments, byte-identical files. Everything is written into a temporary
    sibling directory which is renamed into place only when complete (with
    ``.complete`` as its last file), so ``out`` is never half-written.

    Parameters
    ----------
    out : directory to (re)create
    start : first reported month, ``YYYY-MM``
    months : number of reported months (the data end at the last one's month end)
    seed : random seed
    children : population aged 0-17 (volumes scale linearly)

    Returns
    -------
    A short summary: years written and rows per table.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "demo"
    >>> print(generate(d, "2024-01", 3, children=2_000).splitlines()[0])
    Demo County (synthetic): Jan 2024 to Mar 2024, collection years 2022-2024
    >>> sorted(p.name for p in d.iterdir())
    ['.complete', 'annex_a', 'cin_census', 'local', 'population.csv', 'ssda903', 'workforce']
    """
    out = Path(out)
    if int(children) < 1:
        raise PmfError(f"children must be at least 1, got {children}", field="children")
    h, years = horizon(start, months)
    rng = np.random.default_rng(int(seed))
    world = simulate(rng, h, int(children))

    totals: dict[str, int] = {}
    try:
        with atomic_dir(out) as tmp:
            (tmp / "cin_census").mkdir()
            end = h.end
            for y in years:
                ys = day(f"{y - 1}-04-01")
                ref = min(day(f"{y}-03-31"), end)
                counts = write_903_year(tmp / "ssda903" / str(y), world, h, y, ys, ref, int(seed))
                counts["cin_children"] = write_cin_year(
                    tmp / "cin_census" / f"cin_census_{y}.xml", world, y, ys, ref
                )
                for k, v in counts.items():
                    totals[k] = totals.get(k, 0) + v
            cal_years = list(
                range(years[0] - 1, pd.Timestamp(month_end(_last(start, months))).year + 1)
            )
            write_population(
                tmp / "population.csv",
                int(children),
                cal_years,
                pd.Timestamp(f"{start}-01").year,
                int(seed),
            )
            extra = _write_local_and_workforce(tmp, world, start, months, int(seed), int(children))
            annual = [y for y in years if min(day(f"{y}-03-31"), end) == day(f"{y}-03-31")]
            oc3 = tmp / "ssda903" / str(annual[-1]) / "oc3.csv" if annual else None
            lists = write_annex_a(
                tmp
                / "annex_a"
                / f"annex_a_{pd.Timestamp(month_end(_last(start, months))):%Y-%m}.xlsx",
                world,
                end,
                localities(int(seed), len(world.children["id"])),
                tmp / "local" / "contacts.csv",
                oc3,
            )
            extra.update({f"annex_a/{k}": v for k, v in lists.items()})
            (tmp / ".complete").write_text(
                f"pmf synth --start {start} --months {months} --seed {seed} --children {children}\n"
            )
    except OSError as e:
        raise PmfError(f"could not write the demo data: {e}", file=str(out)) from e

    first = pd.Timestamp(f"{start}-01")
    last = _last(start, months)
    lines = [
        f"Demo County (synthetic): {first:%b %Y} to {last:%b %Y}, "
        f"collection years {years[0]}-{years[-1]}",
        f"  CIN census children (summed over years): {totals['cin_children']:,}",
    ]
    lines += [f"  ssda903 {k}: {totals[k]:,} rows" for k in S903_FILES]
    lines += [f"  {k}: {v:,} rows" for k, v in extra.items()]
    lines.append(f"  written to {out}")
    return "\n".join(lines)


def _write_local_and_workforce(
    tmp: Path, world, start: str, months: int, seed: int, children: int
) -> dict[str, int]:
    span, wf_months = local_span(start, months)
    teams = case_teams(world, wf_months, localities(seed, len(world.children["id"])))
    counts = {
        f"local/{k}": v
        for k, v in write_local(tmp / "local", world, span, children, teams[12:], seed).items()
    }
    cases = np.stack([np.bincount(t[t >= 0], minlength=len(TEAMS)) for t in teams])
    wf = simulate_workforce(seed, wf_months, cases, span.detail_from)
    (tmp / "workforce").mkdir()
    # In the file's first month: a missing value blanks that month's workforce figures,
    # and this month is in no reported month's 12-month window.
    bad = int(np.random.default_rng([seed, 509]).integers(0, len(TEAMS)))
    counts["workforce/workforce_monthly"] = write_workforce_monthly(
        tmp / "workforce" / "workforce_monthly.csv", wf, span.month_ends[0], bad
    )
    workers = 0
    for y in census_years(span.first, span.end):
        workers += write_csww(tmp / "workforce" / f"csww_{y}.xml", wf, y, seed)
    counts["workforce/csww workers (summed over years)"] = workers
    counts.update(write_finance(tmp / "local", tmp / "ssda903", span, seed))  # issue 16
    counts.update(write_workforce_development(tmp / "local", wf, span, seed))  # issue 16
    counts.update(write_voice(tmp / "local", span, seed))  # issue 16
    return counts


def _last(start: str, months: int) -> pd.Timestamp:
    return pd.Timestamp(f"{start}-01") + pd.DateOffset(months=int(months) - 1)
