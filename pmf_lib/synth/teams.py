"""The demo council's social work teams and which team holds each child's case, month by month.

Twelve case-holding teams: three localities (North, South, West) each with an
assessment team and a family safeguarding team, two children-in-care teams, a
children-with-disabilities team, an adolescent service, a permanence team and
a leaving care team. A child's case sits with exactly one team at a month end:

* looked after (not short breaks only): leaving care from 16; permanence for a
  child on the adoption path after four months in care or heading for special
  guardianship after six; otherwise children in care (North for the North and
  West localities, South for the South);
* a care leaver aged 18-20 who left care at 18: leaving care;
* otherwise, an open CIN episode: children with disabilities (primary need N2),
  family safeguarding (a child protection plan, or a CIN plan under 13),
  the adolescent service (a CIN plan at 13 or over) or, while being assessed,
  the locality's assessment team.
"""

from __future__ import annotations

import numpy as np

from pmf_lib.synth.days import OPEN, YEAR, add_years
from pmf_lib.synth.model import World

LOCALITIES = ("North", "South", "West")
LOCALITY_P = (0.38, 0.34, 0.28)
TEAMS = (
    "Assessment North",
    "Assessment South",
    "Assessment West",
    "Family Safeguarding North",
    "Family Safeguarding South",
    "Family Safeguarding West",
    "Children in Care North",
    "Children in Care South",
    "Children with Disabilities",
    "Adolescent Service",
    "Permanence",
    "Leaving Care",
)
ASSESS, SAFEGUARD, CIC_N, CIC_S, CWD, ADOLESCENT, PERMANENCE, LEAVING = 0, 3, 6, 7, 8, 9, 10, 11


def localities(seed: int, n: int) -> np.ndarray:
    """Locality index (0 North, 1 South, 2 West) of children ``0 .. n-1``.

    Drawn from its own stream so that a child keeps its locality however many
    children are added after it.

    Examples
    --------
    >>> a, b = localities(1, 5), localities(1, 8)
    >>> bool((a == b[:5]).all()), set(b.tolist()) <= {0, 1, 2}
    (True, True)
    """
    rng = np.random.default_rng([seed, 77])
    u = rng.random(n)
    return np.searchsorted(np.cumsum(LOCALITY_P)[:-1], u, side="right").astype(np.int8)


def case_teams(w: World, days: np.ndarray, locality: np.ndarray) -> np.ndarray:
    """Team index holding each child's case at each of ``days`` (-1: no open case).

    Returns an ``int8`` array of shape ``(len(days), children)``.
    """
    C, R, P = w.children, w.referrals, w.periods
    n = len(C["id"])
    dob = C["dob"]
    loc = locality[:n].astype(np.int64)
    rc = R["child"]
    r_age_dob = dob[rc]
    disabled = R["need"] == "N2"
    keep = ~P["short_break"]
    pc, ps, pe = P["child"][keep], P["start"][keep], P["end"][keep]
    p_dob = P["dob"][keep]
    p16 = add_years(p_dob, 16)
    p18 = add_years(p_dob, 18)
    p21 = add_years(p_dob, 21)
    path = P["path"][keep]
    perm_from = np.select([path == "adopt", path == "sgo"], [ps + 120, ps + 180], OPEN)
    left_at_18 = pe >= p18 - 1
    out = np.full((len(days), n), -1, dtype=np.int8)
    for k, m in enumerate(np.asarray(days, dtype=np.int64)):
        team = out[k]
        op = (R["ref"] <= m) & (R["closure"] > m)
        cp = op & (R["cpp_start"] <= m) & (R["cpp_end"] > m)
        plan = op & (R["plan_start"] <= m) & (R["plan_end"] > m)
        teen = (m - r_age_dob) / YEAR >= 13
        t = np.select(
            [disabled, cp, plan & teen, plan],
            [CWD, SAFEGUARD + loc[rc], ADOLESCENT, SAFEGUARD + loc[rc]],
            ASSESS + loc[rc],
        )
        team[rc[op]] = t[op]
        lc = left_at_18 & (pe <= m) & (p21 > m)
        team[pc[lc]] = LEAVING
        cla = (ps <= m) & (pe > m)
        t = np.select([p16 <= m, perm_from <= m, loc[pc] == 1], [LEAVING, PERMANENCE, CIC_S], CIC_N)
        team[pc[cla]] = t[cla]
    return out
