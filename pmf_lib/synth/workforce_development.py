"""The demo council's workforce development snapshot: one row per social worker per month.

It follows the employed social workers the workforce model simulates
(:func:`pmf_lib.synth.workforce.simulate_workforce`: their team, FTE, role, start
and leaving dates), so its teams, starters and leavers agree with the monthly
workforce return. Everything else is drawn from its own random stream
(``np.random.default_rng([seed, STREAM])``), so every other demo file is unchanged:

* **ASYE**: a newly qualified social worker (the September and October intakes)
  starts the Assessed and Supported Year in Employment on their first day; about
  one in twenty does not pass, the others complete about a year later; one who
  leaves first ends it not completed on the leaving date.
* **Mandatory training**: six modules due (seven for team managers); about 85 % of
  workers have every module complete, fewer in the model's last six months.
* **Supervision**: most are supervised within the 28 days before the month end;
  about one in ten is late (29 to 75 days), more in the last six months and in
  two teams under strain; a worker who started in the month may have none yet.
* **Cases**: each team's cases held (the monthly return's) less the agency
  workers' share are allocated among its case-holding social workers by FTE,
  ASYEs on a protected caseload (about half).

The file is clean: it carries no deliberate data-quality issue.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pmf_lib.synth.days import OPEN, as_dates
from pmf_lib.synth.local import Span, write_table, zpad
from pmf_lib.synth.teams import TEAMS
from pmf_lib.synth.workforce import CASE_ROLES, Workforce
from pmf_lib.synth.write import iso

#: This module's random stream (``default_rng([seed, STREAM])``).
STREAM = 700
#: CSWW OrgRole code -> the schema's role code.
ROLE_CODES = {
    "1": "team_manager",
    "2": "team_manager",
    "3": "team_manager",
    "4": "senior_practitioner",
    "5": "social_worker",
    "6": "other",
}
ASYE_DAYS = 365
ASYE_FAIL = 0.05
ASYE_LOAD = 0.55  # an ASYE's caseload weight against a full-time social worker's
TRAINING_DUE = 6
TRAINING_OK = 0.86
SUPERVISION_LATE = 0.1
STRAINED_TEAMS = ("Family Safeguarding West", "Children in Care North")


def _month_start(me: int) -> int:
    return int(as_dates([me]).astype("datetime64[M]").astype("datetime64[D]")[0].astype(int))


def simulate_development(seed: int, wf: Workforce, span: Span) -> dict[str, np.ndarray]:
    """The snapshot's columns (canonical names) for every month end of ``span``.

    Examples
    --------
    >>> from pmf_lib.synth import local_span
    >>> from pmf_lib.synth.workforce import simulate_workforce
    >>> span, months = local_span("2024-01", 3)
    >>> cases = np.full((len(months), len(TEAMS)), 150)
    >>> wf = simulate_workforce(1, months, cases, span.detail_from)
    >>> cols = simulate_development(1, wf, span)
    >>> sorted(set(cols["month"]))[:2], len(cols["worker_id"]) == len(cols["cases_held"])
    (['2023-01-31', '2023-02-28'], True)
    """
    rng = np.random.default_rng([int(seed), STREAM])
    W = wf.workers
    n = len(W["team"])
    strained = np.isin(np.asarray(TEAMS, dtype=object), STRAINED_TEAMS)
    # ASYE: newly qualified starters; outcome a year on, or not completed on leaving
    asye = W["origin"] == "1"
    planned = W["start"] + ASYE_DAYS + rng.integers(-10, 45, n)
    fails = rng.random(n) < ASYE_FAIL
    asye_end = np.where(W["end"] < planned, W["end"], planned)
    asye_done = asye & (W["end"] >= planned) & ~fails
    cols: dict[str, list] = {c: [] for c in _COLUMNS}
    for me in span.month_ends:
        k = int(np.searchsorted(wf.month_ends, me))
        ms = _month_start(me)
        ramp = float(np.clip((me - span.detail_from + 30) / 150.0, 0.0, 1.0))
        rows = np.flatnonzero((W["start"] <= me) & (W["end"] >= ms))
        rows = rows[np.argsort(W["id"][rows], kind="stable")]
        m = len(rows)
        team = W["team"][rows]
        left = W["end"][rows] <= me
        role = np.array([ROLE_CODES.get(r, "other") for r in W["role"][rows]], dtype=object)
        # ASYE status as at the month end (or the leaving date)
        started = asye[rows]
        ended = started & (asye_end[rows] <= me)
        status = np.where(
            ~started,
            "",
            np.where(
                ~ended, "in_programme", np.where(asye_done[rows], "completed", "not_completed")
            ),
        ).astype(object)
        # mandatory training
        due = np.full(m, TRAINING_DUE) + (role == "team_manager")
        ok = rng.random(m) < TRAINING_OK - 0.12 * ramp
        done = np.where(ok, due, np.maximum(due - rng.integers(1, 4, m), 0))
        # supervision: days before the month end
        p_late = SUPERVISION_LATE * (1 + 1.2 * ramp) * np.where(strained[team], 1.8, 1.0)
        gap = np.where(
            rng.random(m) < p_late, rng.integers(29, 76, m), rng.integers(0, 28, m)
        ).astype(np.int64)
        last = me - gap
        since_start = W["start"][rows]
        none_yet = last < since_start
        # cases: the team's employed share, by FTE, ASYEs protected
        cases = np.zeros(m, np.int64)
        holds = np.isin(W["role"][rows], CASE_ROLES) & ~left
        weight = W["fte"][rows] * np.where(status == "in_programme", ASYE_LOAD, 1.0)
        weight = weight * rng.gamma(10.0, 1 / 10.0, m)
        for t in range(len(TEAMS)):
            mine = np.flatnonzero(holds & (team == t))
            if not len(mine):
                continue
            emp, agency = wf.fte_in_post[k, t], wf.agency_fte[k, t]
            share = emp / (emp + agency) if emp + agency > 0 else 0.0
            total = int(round(wf.cases_held[k, t] * share))
            p = weight[mine] / weight[mine].sum()
            cases[mine] = rng.multinomial(total, p)
        cols["month"].append(iso(np.full(m, me)))
        cols["worker_id"].append(zpad("E", W["id"][rows], 5))
        cols["team"].append(np.asarray(TEAMS, dtype=object)[team])
        cols["role"].append(role)
        cols["start_date"].append(iso(W["start"][rows]))
        cols["leaving_date"].append(iso(W["end"][rows], left & (W["end"][rows] < OPEN)))
        cols["asye_status"].append(status)
        cols["asye_start_date"].append(iso(W["start"][rows], started))
        cols["asye_end_date"].append(iso(asye_end[rows], ended))
        cols["training_due"].append(due.astype(str).astype(object))
        cols["training_completed"].append(done.astype(str).astype(object))
        cols["last_supervision_date"].append(iso(last, ~none_yet))
        cols["cases_held"].append(cases.astype(str).astype(object))
    return {c: np.concatenate(v) if v else np.zeros(0, dtype=object) for c, v in cols.items()}


_COLUMNS = (
    "month",
    "worker_id",
    "team",
    "role",
    "start_date",
    "leaving_date",
    "asye_status",
    "asye_start_date",
    "asye_end_date",
    "training_due",
    "training_completed",
    "last_supervision_date",
    "cases_held",
)


def write_workforce_development(local_dir: Path, wf: Workforce, span: Span, seed: int) -> dict:
    """Write ``local_dir/workforce_development.csv``; returns ``{"local/...": rows}``."""
    rows = write_table(
        Path(local_dir) / "workforce_development.csv",
        "workforce_development",
        simulate_development(seed, wf, span),
    )
    return {"local/workforce_development": rows}
