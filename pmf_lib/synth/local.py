"""The demo council's seven local datasets, consistent with the simulated children.

Each file is written in the column layout of its packaged schema
(``pmf_lib/read/schemas/<name>.yml``: the schema's headings, in order, its
canonical codes and ISO dates), covering :attr:`Span.first` to the end of the
data (twelve months before the first reported month, so rolling 12-month
figures exist from the first report). Volumes scale with ``children``; per
100,000 children a year:

* **contacts** (about 4.5 per CIN referral): every CIN referral in the span
  has its contact (same child, the referral's source - 5D, early help, as 5B
  while the schema has no 5D - decision ``referral``
  on the referral date, received 0-5 working days before it); the other
  contacts (early help, information and advice, no further action, another
  service) are for children already known or new to the council. About 90 %
  are decided within one working day; weekend contacts go to the emergency
  duty team.
* **early_help** (about 2,000 episodes): taken up after an early help contact,
  or stepping down from a CIN episode closed "referred to early help" (RC8);
  an episode ends ``stepped_up`` on the date its child is next referred.
* **complaints** (about 200 complaints over stages 1-3, about 100
  compliments): about 78 % of stage 1 responses within 10 working days, 75 %
  of stage 2 and 70 % of stage 3 within 20.
* **lado** (about 330 referrals): about 70 % closed within a month, fewer in
  the school holidays.
* **conferencing**: one row per ICPC and review conference in the CIN census
  (``DateOfInitialCPC``, ``CPPreviewDate``) and per SSDA903 looked-after child
  review (``REVIEW``), with due dates (ICPC: the census's 15-working-day
  target; first review conference 3 months after the plan, then 6-monthly;
  first CLA review 20 working days after care starts, the second 3 months on,
  then 6-monthly), chairs and outcomes.
* **qa_audits** (about 50 a month, fewer in August and December): cases open
  at the month end, graded about 62 % good or better, with the holding team.
* **improvement_actions** (30 rows): actions against the thirteen core KPIs,
  with owners, the dates each was created, is due and was completed or
  cancelled, and statuses as at the end of the data.

Due dates (conferencing, improvement actions) are planned dates: some fall after
the end of the data, as they would in a real extract.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pmf_lib.dates import bank_holidays
from pmf_lib.errors import PmfError
from pmf_lib.read.local import LOCAL_DATASETS, load_schema
from pmf_lib.synth.days import OPEN, SEASON, YEAR, add_years, as_dates, busday_add, months_of
from pmf_lib.synth.draws import zfill
from pmf_lib.synth.model import World
from pmf_lib.synth.referrals import REF_SOURCE
from pmf_lib.synth.teams import LOCALITIES, TEAMS, localities
from pmf_lib.synth.write import iso

#: The deliberate data-quality issues, one row each: (file, field, rule, what).
#: Rules are those of ``pmf validate`` (S02 required value missing, S03 not a
#: valid code, S04 not a readable date, S05 not a readable number, S07
#: duplicate key, L07 early help episode ends before it starts).
DQ_ISSUES = (
    ("local/contacts.csv", "contact_date", "S04", "one contact dated 31 February (DD/MM/YYYY)"),
    (
        "local/early_help.csv",
        "start_date,end_date",
        "L07",
        "one closed episode with its start and end dates swapped",
    ),
    ("local/complaints.csv", "outcome", "S03", "one complaint outcome 'Resolved informally'"),
    ("local/lado.csv", "outcome", "S02", "one closed referral with no outcome"),
    ("local/conferencing.csv", "chair", "S02", "one looked-after child review with no chair"),
    ("local/qa_audits.csv", "audit_id", "S07", "one audit row entered twice"),
    (
        "workforce/workforce_monthly.csv",
        "sickness_days",
        "S05",
        "one team's sickness days in the first month given as 'n/k'",
    ),
)
BAD_OUTCOME = "Resolved informally"
LOCAL_FILES = LOCAL_DATASETS  # one CSV per local dataset, in template order

CONTACT_DECISIONS = (["early_help", "info_advice", "nfa", "other_service"], [0.24, 0.3, 0.31, 0.15])
EH_REASONS = (["needs_met", "disengaged", "moved", "other"], [0.6, 0.2, 0.06, 0.14])
OUTCOME_1 = (["upheld", "partly_upheld", "not_upheld", "withdrawn"], [0.2, 0.3, 0.42, 0.08])
OUTCOME_2 = (["upheld", "partly_upheld", "not_upheld", "withdrawn"], [0.15, 0.3, 0.5, 0.05])
LADO_OUTCOMES = (
    ["substantiated", "unsubstantiated", "unfounded", "false", "malicious", "no_further_action"],
    [0.22, 0.2, 0.1, 0.05, 0.02, 0.41],
)
SECTORS = (
    [
        "Education",
        "Early years",
        "Residential care",
        "Foster care",
        "Health",
        "Faith groups",
        "Sport and leisure",
        "Transport",
        "Police",
        "Social care",
        "Other",
    ],
    [0.4, 0.1, 0.1, 0.1, 0.07, 0.03, 0.05, 0.03, 0.02, 0.05, 0.05],
)
GRADES = (
    ["outstanding", "good", "requires_improvement", "inadequate"],
    [0.07, 0.55, 0.31, 0.07],
)
# School holidays: LADO referrals (mostly from schools) dip in August, at Christmas and Easter.
LADO_SEASON = np.array([1.05, 1.1, 1.1, 0.85, 1.1, 1.05, 1.0, 0.45, 1.0, 1.15, 1.15, 0.8])
AUDIT_SEASON = np.array([1.05, 1.05, 1.1, 1.0, 1.05, 1.0, 1.0, 0.7, 1.05, 1.05, 1.1, 0.8])

# Per 10,000 children a year.
COMPLAINTS_10K = 17.0
COMPLIMENTS_10K = 10.0
LADO_10K = 33.0
AUDITS_10K_MONTH = 5.0
OTHER_CONTACTS_PER_REFERRAL = 3.5


@dataclass(frozen=True)
class Span:
    """The days the local datasets cover and their month ends (day numbers)."""

    first: int  # first day (a month start)
    end: int  # last day of data (a month end)
    detail_from: int  # first day of the model's deterioration
    month_ends: np.ndarray  # every month end from first to end

    @property
    def years(self) -> float:
        return (self.end - self.first + 1) / YEAR


# ---- helpers -------------------------------------------------------------------------
def _pick(rng, codes_p, n) -> np.ndarray:
    codes, p = codes_p
    p = np.asarray(p, float)
    return np.asarray(codes, dtype=object)[rng.choice(len(codes), size=n, p=p / p.sum())]


def arrivals(rng, start: int, stop: int, per_year: float, season, weekend: float) -> np.ndarray:
    """Sorted Poisson arrival days in ``[start, stop)``, weighted by calendar month and
    by working day (``weekend`` is the relative weight of weekends and bank holidays).

    Examples
    --------
    >>> d = arrivals(np.random.default_rng(1), 0, 3653, 1000.0, np.ones(12), 1.0)
    >>> 9_000 < len(d) < 11_000, bool((np.diff(d) >= 0).all())
    (True, True)
    """
    days = np.arange(start, stop, dtype=np.int64)
    if not len(days):
        return days
    weight = np.asarray(season, float)[months_of(days) - 1]
    workday = np.is_busday(as_dates(days), holidays=bank_holidays())
    weight = weight * np.where(workday, 1.0, weekend)
    n = rng.poisson(per_year * len(days) / YEAR)
    return np.sort(rng.choice(days, size=n, p=weight / weight.sum()))


def add_months(days: np.ndarray, months) -> np.ndarray:
    """The same day ``months`` calendar months on (clipped to the month's last day).

    Examples
    --------
    >>> from pmf_lib.synth.model import day
    >>> iso(add_months(np.array([day("2024-01-31"), day("2024-08-31")]), [1, 6])).tolist()
    ['2024-02-29', '2025-02-28']
    """
    d = as_dates(days)
    m = d.astype("datetime64[M]")
    dom = (d - m.astype("datetime64[D]")).astype(np.int64)
    target = m + np.asarray(months, dtype=np.int64).astype("timedelta64[M]")
    month_len = (
        (target + np.timedelta64(1, "M")).astype("datetime64[D]") - target.astype("datetime64[D]")
    ).astype(np.int64)
    return target.astype("datetime64[D]").astype(np.int64) + np.minimum(dom, month_len - 1)


def _month_index(span: Span, days: np.ndarray) -> np.ndarray:
    """Index into ``span.month_ends`` of the month each day falls in."""
    return np.searchsorted(span.month_ends, days, side="left")


def open_children(rng, teams: np.ndarray, month: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A random child with an open case at the end of each ``month`` and its team.

    ``teams`` is :func:`~pmf_lib.synth.teams.case_teams` for the span's months.
    Returns ``(child, team)``, ``-1`` where no case was open that month.
    """
    child = np.full(len(month), -1, np.int64)
    team = np.full(len(month), -1, np.int64)
    for k in np.unique(month):
        rows = np.flatnonzero(month == k)
        cand = np.flatnonzero(teams[k] >= 0)
        if not len(cand):
            continue
        pick = cand[rng.integers(0, len(cand), len(rows))]
        child[rows] = pick
        team[rows] = teams[k][pick]
    return child, team


def write_table(path: Path, name: str, frame: dict[str, np.ndarray]) -> int:
    """Write ``frame`` (canonical column name -> values) under the schema's headings.

    Every schema column is written, in schema order; a required column the
    generator does not fill is an error (a non-required one is left blank).
    """
    schema = load_schema(name)
    n = len(next(iter(frame.values())))
    cols = {}
    for c in schema.columns:
        if c.name in frame:
            cols[c.header] = pd.Series(frame[c.name], dtype=object)
        elif c.required:
            raise PmfError(f"the demo generator writes no {c.name!r}", file=path, field=c.name)
        else:
            cols[c.header] = pd.Series([""] * n, dtype=object)
    pd.DataFrame(cols).to_csv(path, index=False, lineterminator="\n")
    return n


def zpad(prefix: str, numbers, width: int) -> np.ndarray:
    """``prefix`` and each number zero-padded to ``width`` digits (empty-safe).

    Examples
    --------
    >>> zpad("CT", [7, 12], 3).tolist(), zpad("CT", [], 3).tolist()
    (['CT007', 'CT012'], [])
    """
    numbers = np.asarray(numbers, dtype=np.int64)
    if not len(numbers):
        return np.zeros(0, dtype=object)
    return np.char.add(prefix, zfill(numbers, width)).astype(object)


def _ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    return zpad(prefix, numbers, width)


def _order(*keys) -> np.ndarray:
    """Stable order by the keys, the first most significant."""
    return np.lexsort(tuple(reversed(keys)))


# ---- the datasets ----------------------------------------------------------------------
@dataclass
class People:
    """Child ids: the simulated children first, then children known only locally."""

    ids: np.ndarray
    locality: np.ndarray
    n_sim: int


def contacts(rng, w: World, span: Span, seed: int) -> tuple[dict, People]:
    """Contacts: every CIN referral's, and about 3.5 times as many others."""
    R, C = w.referrals, w.children
    n_sim = len(C["id"])
    idx = np.flatnonzero((R["ref"] >= span.first) & (R["ref"] <= span.end))
    ref = R["ref"][idx]
    lag = rng.choice([0, 1, 2, 3, 5], size=len(idx), p=[0.72, 0.18, 0.05, 0.03, 0.02])
    r_day = np.where(lag > 0, busday_add(ref, -lag), ref)

    o_day = arrivals(
        rng,
        span.first,
        span.end + 1,
        OTHER_CONTACTS_PER_REFERRAL * len(idx) / span.years,
        SEASON,
        0.3,
    )
    n = len(o_day)
    o_lag = rng.choice([0, 1, 2, 3, 4, 6], size=n, p=[0.62, 0.27, 0.06, 0.03, 0.01, 0.01])
    o_dec = np.minimum(np.where(o_lag > 0, busday_add(o_day, o_lag), o_day), span.end)
    # A third are about children the council already knows (alive and under 18 then).
    order = np.argsort(C["created"], kind="stable")
    known_by = np.searchsorted(C["created"][order], o_day, side="right")
    pick = np.minimum((rng.random(n) * known_by).astype(np.int64), max(n_sim - 1, 0))
    cand = order[pick] if n_sim else np.zeros(n, np.int64)
    dob = C["dob"][cand] if n_sim else np.zeros(n, np.int64)
    known = (known_by > 0) & (rng.random(n) < 0.35) & (dob <= o_day)
    known &= add_years(dob, 18) > o_day
    pool = max(1, round(0.8 * int((~known).sum())))
    o_child = np.where(known, cand, n_sim + rng.integers(0, pool, n))
    width = max(7, len(C["id"][0]) - 2) if n_sim else 7
    people = People(
        ids=np.concatenate([C["id"], _ids("DC", np.arange(n_sim + 1, n_sim + pool + 1), width)]),
        locality=localities(seed, n_sim + pool),
        n_sim=n_sim,
    )
    day = np.r_[r_day, o_day]
    dec_day = np.r_[ref, o_dec]
    child = np.r_[R["child"][idx], o_child]
    decision = np.r_[np.full(len(idx), "referral", dtype=object), _pick(rng, CONTACT_DECISIONS, n)]
    source = np.r_[R["source"][idx], _pick(rng, REF_SOURCE, n)].astype(object)
    # The contacts schema may lack a census source code (5D, LA early help): the nearest it has.
    known_codes = {c.code for c in load_schema("contacts").column("contact_source").codes}
    if "5D" not in known_codes:
        source[source == "5D"] = "5B"
    o = _order(day, rng.random(len(day)))
    day, dec_day, child, decision, source = (a[o] for a in (day, dec_day, child, decision, source))
    workday = np.is_busday(as_dates(day), holidays=bank_holidays())
    frame = {
        "contact_id": _ids("CT", np.arange(1, len(day) + 1), 7),
        "child_id": people.ids[child],
        "contact_date": iso(day),
        "contact_source": source.astype(object),
        "decision": decision,
        "decision_date": iso(dec_day),
        "team": np.where(workday, "MASH", "Emergency Duty Team").astype(object),
        # kept for early help (not written)
        "_child": child,
        "_decided": dec_day,
    }
    return frame, people


def early_help(rng, w: World, span: Span, ct: dict, people: People) -> dict:
    """Early help episodes: after an early help contact, or stepping down from CIN (RC8)."""
    R = w.referrals
    eh = np.flatnonzero((ct["decision"] == "early_help") & (rng.random(len(ct["decision"])) < 0.32))
    a_child = ct["_child"][eh]
    a_start = ct["_decided"][eh] + rng.integers(3, 21, len(eh))
    down = np.flatnonzero(
        (R["reason"] == "RC8") & (R["closure"] >= span.first - 30) & (R["closure"] <= span.end)
    )
    down = down[rng.random(len(down)) < 0.45]
    b_child = R["child"][down]
    b_start = R["closure"][down] + rng.integers(1, 15, len(down))
    child = np.r_[a_child, b_child]
    start = np.r_[a_start, b_start]
    keep = (start >= span.first) & (start <= span.end)
    child, start = child[keep], start[keep]
    n = len(child)
    end = start + np.maximum(14, rng.lognormal(np.log(130), 0.6, n)).astype(np.int64)
    reason = _pick(rng, EH_REASONS, n)
    # Stepped up: the child is referred to children's social care before the episode ends.
    step = OPEN + 1
    keys = np.sort(R["child"] * step + R["ref"])
    pos = np.searchsorted(keys, child * step + start, side="right")
    nxt = keys[np.minimum(pos, len(keys) - 1)] if len(keys) else np.zeros(n, np.int64)
    up = (pos < len(keys)) & (nxt // step == child) & (nxt % step < end)
    end = np.where(up, nxt % step, end)
    reason = np.where(up, "stepped_up", reason).astype(object)
    closed = end <= span.end
    o = _order(start, people.ids[child])
    child, start, end, reason, closed = (a[o] for a in (child, start, end, reason, closed))
    return {
        "episode_id": _ids("EH", np.arange(1, n + 1), 6),
        "child_id": people.ids[child],
        "start_date": iso(start),
        "end_date": iso(end, closed),
        "closure_reason": np.where(closed, reason, "").astype(object),
        "team": np.char.add(
            "Early Help ", np.asarray(LOCALITIES, dtype=str)[people.locality[child]]
        ).astype(object),
    }


def _responses(rng, received, p_timely, timely, late) -> np.ndarray:
    n = len(received)
    wd = np.where(
        rng.random(n) < p_timely, rng.integers(*timely, size=n), rng.integers(*late, size=n)
    )
    return busday_add(received, wd)


def complaints(rng, span: Span, children: int, teams: np.ndarray, people: People) -> dict:
    """Complaints at stages 1-3 (escalations of earlier stages) and compliments."""
    scale = children / 10_000
    d1 = arrivals(rng, span.first, span.end + 1, COMPLAINTS_10K * scale, SEASON, 0.1)
    n1 = len(d1)
    child1, team1 = open_children(rng, teams, _month_index(span, d1))
    no_child = rng.random(n1) < 0.25
    team1 = np.where(team1 < 0, rng.integers(0, len(TEAMS), n1), team1)
    child1 = np.where(no_child, -1, child1)
    resp1 = _responses(rng, d1, 0.78, (2, 11), (11, 26))
    out1 = _pick(rng, OUTCOME_1, n1)
    fam = np.arange(1, n1 + 1)
    stages = [(np.full(n1, 1), fam, d1, resp1, out1, child1, team1)]
    prev = stages[0]
    for stage, p_up, p_timely, late in ((2, 0.25, 0.75, (21, 46)), (3, 0.3, 0.7, (21, 41))):
        _, f, _, resp, out, ch, tm = prev
        go = (
            (resp <= span.end)
            & np.isin(out, ["not_upheld", "partly_upheld"])
            & (rng.random(len(resp)) < p_up)
        )
        recv = resp[go] + rng.integers(5, 31, go.sum())
        ok = recv <= span.end
        recv = recv[ok]
        sel = np.flatnonzero(go)[ok]
        lo = 8 if stage == 2 else 10
        resp_n = _responses(rng, recv, p_timely, (lo, 21), late)
        prev = (
            np.full(len(sel), stage),
            f[sel],
            recv,
            resp_n,
            _pick(rng, OUTCOME_2, len(sel)),
            ch[sel],
            tm[sel],
        )
        stages.append(prev)
    stage, fam, recv, resp, out, child, team = (
        np.concatenate(x) for x in zip(*stages, strict=True)
    )
    responded = resp <= span.end
    cid = np.char.add(np.char.add(_ids("CO", fam, 5).astype(str), "-S"), stage.astype(str)).astype(
        object
    )

    dc = arrivals(rng, span.first, span.end + 1, COMPLIMENTS_10K * scale, SEASON, 0.1)
    nc = len(dc)
    c_child, c_team = open_children(rng, teams, _month_index(span, dc))
    c_team = np.where(c_team < 0, rng.integers(0, len(TEAMS), nc), c_team)
    c_child = np.where(rng.random(nc) < 0.6, -1, c_child)

    all_child = np.r_[child, c_child]
    kind = np.r_[np.full(len(recv), "complaint"), np.full(nc, "compliment")].astype(object)
    ids = np.r_[cid, _ids("CM", np.arange(1, nc + 1), 5)]
    rec = np.r_[recv, dc]
    o = _order(rec, ids)
    has_child = all_child >= 0
    frame = {
        "complaint_id": ids,
        "child_id": np.where(has_child, people.ids[np.maximum(all_child, 0)], "").astype(object),
        "kind": kind,
        "stage": np.r_[stage.astype(str), np.full(nc, "")].astype(object),
        "received_date": iso(rec),
        "responded_date": iso(np.r_[resp, np.zeros(nc, np.int64)], np.r_[responded, [False] * nc]),
        "outcome": np.r_[np.where(responded, out, ""), np.full(nc, "")].astype(object),
        "team": np.asarray(TEAMS, dtype=object)[np.r_[team, c_team]],
    }
    return {k: v[o] for k, v in frame.items()}


def lado(rng, span: Span, children: int) -> dict:
    """LADO referrals: about 70 % closed within a month, the rest within about a year."""
    d = arrivals(rng, span.first, span.end + 1, LADO_10K * children / 10_000, LADO_SEASON, 0.15)
    n = len(d)
    quick = rng.random(n) < 0.7
    dur = np.where(
        quick, rng.integers(1, 29, n), 31 + rng.lognormal(np.log(40), 0.7, n).astype(np.int64)
    )
    closed = d + dur
    shut = closed <= span.end
    return {
        "lado_id": _ids("LADO", np.arange(1, n + 1), 5),
        "received_date": iso(d),
        "outcome": np.where(shut, _pick(rng, LADO_OUTCOMES, n), "ongoing").astype(object),
        "closed_date": iso(closed, shut),
        "employment_sector": _pick(rng, SECTORS, n),
    }


def conferencing(rng, w: World, span: Span, locality: np.ndarray) -> dict:
    """ICPCs and review conferences from the CIN census, CLA reviews from the SSDA903."""
    R, C, P = w.referrals, w.children, w.periods
    nr = len(R["ref"])
    # Conference chairs: three per locality, one per child protection case.
    chair_of = (3 * locality[R["child"]] + rng.integers(0, 3, nr)).astype(np.int64) + 1
    icpc = np.flatnonzero(R["icpc"] < OPEN)
    has_plan = R["cpp_start"][icpc] < OPEN
    parts = [
        {
            "row": icpc,
            "type": np.full(len(icpc), "ICPC", dtype=object),
            "due": R["icpc_target"][icpc],
            "day": R["icpc"][icpc],
            "chair": chair_of[icpc],
            "outcome": np.where(has_plan, "CP plan made", "No CP plan").astype(object),
            "child": R["child"][icpc],
        }
    ]
    # Review conferences: the first 3 months after the plan starts, then 6-monthly.
    rv_row, rv_day = w.cp_reviews["row"], w.cp_reviews["CPPreviewDate"]
    o = np.lexsort((rv_day, rv_row))
    rv_row, rv_day = rv_row[o], rv_day[o]
    first = np.r_[True, rv_row[1:] != rv_row[:-1]] if len(rv_row) else np.zeros(0, bool)
    last = np.r_[rv_row[1:] != rv_row[:-1], True] if len(rv_row) else np.zeros(0, bool)
    prev = np.r_[0, rv_day[:-1]] if len(rv_day) else rv_day
    due = np.where(
        first, add_months(R["cpp_start"][rv_row], 3), add_months(np.where(first, 0, prev), 6)
    )
    ends = last & (R["cpp_end"][rv_row] <= rv_day + 31)
    parts.append(
        {
            "row": rv_row,
            "type": np.full(len(rv_row), "RCPC", dtype=object),
            "due": due,
            "day": rv_day,
            "chair": chair_of[rv_row],
            "outcome": np.where(ends, "CP plan ended", "CP plan continued").astype(object),
            "child": R["child"][rv_row],
        }
    )
    # CLA reviews: matched to their period of care (the latest to start before the review).
    keep = ~P["short_break"]
    pc, ps = P["child"][keep], P["start"][keep]
    step = OPEN + 1
    pk = pc * step + ps
    po = np.argsort(pk, kind="stable")
    pk, ps = pk[po], ps[po]
    iro_of = rng.integers(1, 13, len(pk))
    cr = w.cla_reviews
    o = np.lexsort((cr["REVIEW"], cr["child"]))
    c_child, c_day = cr["child"][o], cr["REVIEW"][o]
    per = np.searchsorted(pk, c_child * step + c_day, side="right") - 1
    per = np.maximum(per, 0)
    new = np.r_[True, per[1:] != per[:-1]] if len(per) else np.zeros(0, bool)
    seq = np.arange(len(per)) - np.maximum.accumulate(np.where(new, np.arange(len(per)), 0))
    prev = np.r_[0, c_day[:-1]] if len(c_day) else c_day
    due = np.select(
        [seq == 0, seq == 1],
        [busday_add(ps[per], np.full(len(per), 20)), add_months(prev, 3)],
        add_months(prev, 6),
    )
    parts.append(
        {
            "row": np.full(len(per), -1),
            "type": np.full(len(per), "CLA_REVIEW", dtype=object),
            "due": due,
            "day": c_day,
            "chair": 100 + iro_of[per],
            "outcome": np.full(len(per), "Care plan endorsed", dtype=object),
            "child": c_child,
        }
    )
    m = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    sel = (m["day"] >= span.first) & (m["day"] <= span.end)
    m = {k: v[sel] for k, v in m.items()}
    ids = C["id"][m["child"]]
    o = _order(m["day"], ids, m["type"])
    m = {k: v[o] for k, v in m.items()}
    chair = np.where(
        m["chair"] > 100,
        zpad("IRO ", m["chair"] - 100, 2),
        zpad("CP Chair ", m["chair"], 2),
    ).astype(object)
    return {
        "meeting_id": _ids("MT", np.arange(1, len(m["day"]) + 1), 7),
        "child_id": C["id"][m["child"]],
        "meeting_type": m["type"],
        "due_date": iso(m["due"]),
        "meeting_date": iso(m["day"]),
        "chair": chair,
        "outcome": m["outcome"],
    }


def qa_audits(rng, span: Span, children: int, teams: np.ndarray, people: People) -> dict:
    """About 50 case audits a month per 100,000 children, on working days, by team."""
    months = as_dates(span.month_ends).astype("datetime64[M]")
    first_days = months.astype("datetime64[D]").astype(np.int64)
    lam = AUDITS_10K_MONTH * children / 10_000 * AUDIT_SEASON[months.astype(np.int64) % 12]
    count = rng.poisson(lam)
    k = np.repeat(np.arange(len(months)), count)
    lo = np.maximum(first_days[k], span.first)
    d = lo + (rng.random(len(k)) * (span.month_ends[k] - lo + 1)).astype(np.int64)
    d = np.busday_offset(as_dates(d), 0, roll="forward", holidays=bank_holidays()).astype(np.int64)
    over = d > span.month_ends[k]
    back = np.busday_offset(
        as_dates(span.month_ends[k]), 0, roll="backward", holidays=bank_holidays()
    ).astype(np.int64)
    d = np.where(over, back, d)
    child, team = open_children(rng, teams, k)
    ok = child >= 0
    d, child, team, k = d[ok], child[ok], team[ok], k[ok]
    n = len(d)
    o = _order(d, rng.random(n))
    d, child, team = d[o], child[o], team[o]
    return {
        "audit_id": _ids("QA", np.arange(1, n + 1), 6),
        "child_id": people.ids[child],
        "audit_date": iso(d),
        "team": np.asarray(TEAMS, dtype=object)[team],
        "grade": _pick(rng, GRADES, n),
        "auditor": zpad("QA Officer ", rng.integers(1, 9, n), 2),
    }


# (kpi_id, area, action, owner); the last four answer the recent fall in timeliness.
ACTIONS = (
    ("referrals_count", "front_door", "Review MASH threshold guidance with partner agencies",
     "Head of Service, Front Door"),
    ("referrals_count", "front_door", "Audit police notifications converted to referrals",
     "MASH Team Manager"),
    ("referrals_rate_10k", "front_door", "Compare referral rates with statistical neighbours",
     "Performance Manager"),
    ("referrals_rate_10k", "front_door", "Launch early help consultation line for schools",
     "Early Help Service Manager"),
    ("rereferrals_12m_pct", "front_door", "Dip-sample re-referrals within 12 months",
     "Principal Social Worker"),
    ("rereferrals_12m_pct", "front_door", "Strengthen step-down plans to early help",
     "Early Help Service Manager"),
    ("rereferrals_12m_pct", "front_door", "Add closure summary check to case closure",
     "Head of Service, Front Door"),
    ("assessments_completed_count", "assessment", "Rebalance assessment allocations by locality",
     "Head of Service, Assessment"),
    ("assessments_completed_count", "assessment", "Weekly assessment tracker for team managers",
     "Performance Manager"),
    ("assessments_45wd_pct", "assessment", "Introduce 30-day assessment progress reviews",
     "Head of Service, Assessment"),
    ("assessments_45wd_pct", "assessment", "Recruit two permanent assessment social workers",
     "Workforce Lead"),
    ("s47_count", "protection", "Joint review of strategy discussions with police",
     "Head of Service, Safeguarding"),
    ("s47_count", "protection", "Audit section 47 enquiries ending without conference",
     "Principal Social Worker"),
    ("icpc_15wd_pct", "protection", "Ring-fence conference slots for new enquiries",
     "Conference and Review Manager"),
    ("icpc_15wd_pct", "protection", "Report ICPC bookings weekly to service managers",
     "Performance Manager"),
    ("cp_plans_rate_10k", "protection", "Review plans open longer than 15 months",
     "Conference and Review Manager"),
    ("cp_plans_rate_10k", "protection", "Mid-point reviews for all child protection plans",
     "Head of Service, Safeguarding"),
    ("cp_second_subsequent_pct", "protection", "Audit repeat child protection plans",
     "Principal Social Worker"),
    ("cp_second_subsequent_pct", "protection", "Step-down support offer at plan end",
     "Family Safeguarding Service Manager"),
    ("cla_count", "children_looked_after", "Edge of care panel for all care entries",
     "Head of Service, Children in Care"),
    ("cla_count", "children_looked_after", "Review children placed with parents",
     "Children in Care Service Manager"),
    ("cla_rate_10k", "children_looked_after", "Reunification practice framework",
     "Head of Service, Children in Care"),
    ("cla_3plus_placements_pct", "children_looked_after", "Placement stability meetings at 2 moves",
     "Children in Care Service Manager"),
    ("cla_3plus_placements_pct", "children_looked_after", "Recruit 20 more in-house foster carers",
     "Fostering Service Manager"),
    ("cla_3plus_placements_pct", "children_looked_after", "Therapeutic support for carers",
     "Head of Service, Children in Care"),
    ("cla_long_term_stability_pct", "children_looked_after", "Match long-term fostering sooner",
     "Fostering Service Manager"),
    ("assessments_45wd_pct", "assessment", "Daily assessment huddles in every locality",
     "Head of Service, Assessment"),
    ("assessments_45wd_pct", "assessment", "Temporary agency cover for assessment teams",
     "Workforce Lead"),
    ("icpc_15wd_pct", "protection", "Extra conference chair for three months",
     "Conference and Review Manager"),
    ("icpc_15wd_pct", "protection", "Escalate enquiries not booked by day 10",
     "Head of Service, Safeguarding"),
)  # fmt: skip


def improvement_actions(rng, span: Span) -> dict:
    """The action log as at the end of the data (30 actions), with each action's history.

    Every action has the date it was agreed (``created_date``) and its due date;
    a completed or cancelled one also has the date it closed (``completed_date``,
    on or before the end of the data), so past months' open and overdue actions
    can be worked out. About 78 % of the actions already due are complete (some
    after their due date), 17 % overdue and 5 % cancelled; the rest are not yet due.
    """
    n = len(ACTIONS)
    # The last four answer the recent fall in timeliness; six more are recent and not yet due.
    recent = np.arange(n) >= n - 4
    current = np.isin(np.arange(n), rng.choice(n - 4, size=6, replace=False))
    created = np.select(
        [recent, current],
        [span.detail_from + rng.integers(20, 120, n), span.end - rng.integers(30, 150, n)],
        span.first + (rng.random(n) * max(span.end - 120 - span.first, 1)).astype(np.int64),
    )
    created = np.clip(created, span.first, span.end)
    due = created + np.where(current, rng.integers(150, 300, n), rng.integers(45, 200, n))
    u = rng.random(n)
    past = due <= span.end
    status = np.where(
        past,
        np.select([u < 0.78, u < 0.95], ["complete", "overdue"], "cancelled"),
        np.where(u < 0.7, "in_progress", "not_started"),
    ).astype(object)
    # Completed from 60 days early to 40 days late; cancelled part-way to the due date;
    # never before the day after creation nor after the end of the data.
    done = due + rng.integers(-60, 41, n)
    dropped = created + ((np.minimum(due, span.end) - created) * rng.uniform(0.3, 0.9, n)).astype(
        np.int64
    )
    closed = np.where(status == "cancelled", dropped, done)
    closed = np.clip(closed, created + 1, span.end)
    is_closed = np.isin(status, ["complete", "cancelled"])
    o = _order(created, np.arange(n))
    kpi, area, action, owner = (np.asarray(c, dtype=object)[o] for c in zip(*ACTIONS, strict=True))
    return {
        "action_id": _ids("IA-", np.arange(1, n + 1), 3),
        "kpi_id": kpi,
        "area": area,
        "action": action,
        "owner": owner,
        "created_date": iso(created[o]),
        "due_date": iso(due[o]),
        "completed_date": iso(closed[o], is_closed[o]),
        "status": status[o],
    }


# ---- deliberate data-quality issues ------------------------------------------------------
def _inject(rng, frames: dict[str, dict]) -> None:
    """Apply :data:`DQ_ISSUES` to the local frames (each where the file has a fitting row)."""

    def one(mask) -> int | None:
        rows = np.flatnonzero(mask)
        return int(rows[rng.integers(0, len(rows))]) if len(rows) else None

    c = frames["contacts"]
    i = one(np.ones(len(c["contact_id"]), bool))
    if i is not None:
        c["contact_date"][i] = f"31/02/{c['contact_date'][i][:4]}"
    e = frames["early_help"]
    i = one(e["end_date"] != "")
    if i is not None:
        e["start_date"][i], e["end_date"][i] = e["end_date"][i], e["start_date"][i]
    p = frames["complaints"]
    i = one(p["outcome"] != "")
    if i is not None:
        p["outcome"][i] = BAD_OUTCOME
    la = frames["lado"]
    i = one(la["closed_date"] != "")
    if i is not None:
        la["outcome"][i] = ""
    m = frames["conferencing"]
    i = one(m["meeting_type"] == "CLA_REVIEW")
    if i is not None:
        m["chair"][i] = ""
    q = frames["qa_audits"]
    i = one(np.ones(len(q["audit_id"]), bool))
    if i is not None:
        frames["qa_audits"] = {k: np.insert(v, i + 1, v[i]) for k, v in q.items()}


def write_local(
    folder: Path,
    w: World,
    span: Span,
    children: int,
    teams: np.ndarray,
    seed: int,
) -> dict[str, int]:
    """Write the seven local datasets into ``folder``; returns rows per dataset.

    ``teams`` is :func:`~pmf_lib.synth.teams.case_teams` at ``span.month_ends``
    (with localities from the same ``seed``).
    """
    folder.mkdir(parents=True)
    rng = lambda k: np.random.default_rng([seed, 500 + k])  # noqa: E731
    ct, people = contacts(rng(1), w, span, seed)
    frames = {
        "early_help": early_help(rng(2), w, span, ct, people),
        "complaints": complaints(rng(3), span, children, teams, people),
        "lado": lado(rng(4), span, children),
        "conferencing": conferencing(rng(5), w, span, people.locality),
        "qa_audits": qa_audits(rng(6), span, children, teams, people),
        "improvement_actions": improvement_actions(rng(7), span),
    }
    frames = {"contacts": {k: v for k, v in ct.items() if not k.startswith("_")}, **frames}
    frames = {
        k: {c: np.asarray(v, dtype=object).copy() for c, v in f.items()} for k, f in frames.items()
    }
    from pmf_lib.synth.voice import complaint_themes  # issue 16: its own random stream

    frames["complaints"]["theme"] = complaint_themes(seed, frames["complaints"]["kind"])
    _inject(rng(8), frames)
    return {name: write_table(folder / f"{name}.csv", name, f) for name, f in frames.items()}
