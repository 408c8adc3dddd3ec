"""The demo council's simulation: children's journeys as vectorised event tables.

Everything here is synthetic. Dates are whole days since 1970-01-01 held in
``int64`` arrays; an event that has not happened (an open episode's end, an
ICPC that was never held) is dated :data:`OPEN`, far in the future, so the
writers only need "is it on or before the reference date?" to decide what a
return shows.

The model, per county of ``children`` aged 0-17 (all volumes scale linearly):

* **Referral chains.** A child's first referral arrives as a seasonal Poisson
  process (fewer in August and December and at weekends). Each referral is
  assessed or not, may lead to a section 47 enquiry, an initial child
  protection conference (ICPC), a child protection (CP) plan, a child in need
  (CIN) plan or a period of care; when its episode closes the child may be
  referred again, soon (re-referral) or years later.
* **Periods of care.** Looked-after children come from CP plans and
  assessments (and unaccompanied asylum-seeking children arrive directly);
  each period follows a path (return home, adoption, special guardianship,
  looked after until 18, remand, police protection) with legal-status changes
  and placement moves. A burn-in of periods that started up to 18 years before
  the CIN burn-in supplies the long-term stock.
* **Timeliness.** Assessment and ICPC durations are drawn in England & Wales
  working days (``pmf_lib.dates.bank_holidays``). A deterioration built into
  the last six reported months lowers assessments within 45 working days from
  about 85 % to about 60 % and ICPCs within 15 working days from about 80 % to
  about 68 %.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pmf_lib.dates import bank_holidays

OPEN = 10**7  # a day number far beyond any date written (year ~29,000)
YEAR = 365.25

# Per 10,000 children per year, the rates the model is tuned to reproduce.
FIRST_REFERRALS_10K = 335.0  # first referrals of a chain; re-referrals bring the total to ~550
UASC_10K = 1.6
BURN_IN_CLA_10K = 25.0

SEASON = np.array([1.03, 1.04, 1.06, 0.99, 1.05, 1.05, 1.02, 0.78, 1.03, 1.07, 1.07, 0.81])
WEEKEND_FACTOR = 0.3

# Need, sources and codes (CIN census and SSDA903 code lists).
NEED = (
    ["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9", "N0"],
    [0.55, 0.07, 0.03, 0.08, 0.15, 0.03, 0.005, 0.04, 0.035, 0.01],
)
REF_SOURCE = (
    [
        "1A",
        "1B",
        "1C",
        "1D",
        "2A",
        "2B",
        "3A",
        "3B",
        "3C",
        "3D",
        "3E",
        "3F",
        "4",
        "5A",
        "5B",
        "5C",
        "5D",
        "6",
        "7",
        "8",
        "9",
        "10",
    ],
    [
        0.05,
        0.01,
        0.01,
        0.01,
        0.19,
        0.01,
        0.06,
        0.02,
        0.03,
        0.02,
        0.01,
        0.01,
        0.04,
        0.05,
        0.02,
        0.01,
        0.01,
        0.29,
        0.03,
        0.06,
        0.01,
        0.04,
    ],
)
ABUSE = (["NEG", "EMO", "PHY", "SAB", "MUL"], [0.50, 0.36, 0.07, 0.04, 0.03])
FACTORS = [
    "3A",
    "3B",
    "4B",
    "1B",
    "2B",
    "16A",
    "17A",
    "18C",
    "4A",
    "14A",
    "10A",
    "24A",
    "11A",
    "5B",
    "6B",
    "2A",
    "9A",
    "20",
    "22A",
    "15A",
]
FACTOR_P = np.array(
    [
        0.14,
        0.16,
        0.14,
        0.06,
        0.07,
        0.07,
        0.07,
        0.04,
        0.05,
        0.03,
        0.02,
        0.02,
        0.02,
        0.02,
        0.02,
        0.02,
        0.01,
        0.03,
        0.005,
        0.005,
    ]
)
# Share of each DfE ethnicity code (pmf_lib.codes) among the simulated children, in the
# order the generator draws them (the order fixes the demo data).
ETHNIC_SHARES = {
    "WBRI": 0.74,
    "WOTH": 0.05,
    "WIRI": 0.005,
    "WIRT": 0.003,
    "WROM": 0.007,
    "MWBC": 0.02,
    "MWBA": 0.01,
    "MWAS": 0.015,
    "MOTH": 0.02,
    "AIND": 0.01,
    "APKN": 0.015,
    "ABAN": 0.005,
    "AOTH": 0.01,
    "BCRB": 0.01,
    "BAFR": 0.02,
    "BOTH": 0.005,
    "CHNE": 0.002,
    "OOTH": 0.01,
    "REFU": 0.003,
    "NOBT": 0.005,
}
ETHNIC = (list(ETHNIC_SHARES), list(ETHNIC_SHARES.values()))
DISAB = ["MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON", "AUT", "DDA"]
# Age (whole years) at a first referral.
AGE_P = np.array([9.0, 4.5, 4.5, 4.5, 4.5, 5, 5, 5, 5, 5, 6.3, 6.3, 6.3, 6.3, 6.3, 6.3, 5.5, 4.5])


@dataclass(frozen=True)
class Horizon:
    """The simulated span, as day numbers (days since 1970-01-01)."""

    cla_from: int  # burn-in periods of care start from here
    cin_from: int  # referral chains start from here
    end: int  # last day of data (a month end)
    detail_from: int  # first day of the deterioration (six months before the end month)


@dataclass
class World:
    """The simulated council: one column dict (numpy arrays) per table."""

    children: dict[str, np.ndarray] = field(default_factory=dict)
    referrals: dict[str, np.ndarray] = field(default_factory=dict)
    cp_reviews: dict[str, np.ndarray] = field(default_factory=dict)
    periods: dict[str, np.ndarray] = field(default_factory=dict)
    episodes: dict[str, np.ndarray] = field(default_factory=dict)
    cla_reviews: dict[str, np.ndarray] = field(default_factory=dict)
    missing: dict[str, np.ndarray] = field(default_factory=dict)


# ---- small vectorised helpers ------------------------------------------------
def day(ts) -> int:
    """Day number of a date.

    Examples
    --------
    >>> day("1970-01-02")
    1
    """
    return int(np.datetime64(pd.Timestamp(ts).date(), "D").astype(np.int64))


def zfill(values: np.ndarray, width: int) -> np.ndarray:
    """Strings of ``values`` zero-padded to ``width`` (``np.char.zfill``, safe when empty).

    Examples
    --------
    >>> zfill(np.array([7]), 3).tolist(), zfill(np.array([], dtype=int), 3).tolist()
    (['007'], [])
    """
    values = np.asarray(values).astype(str)
    return np.char.zfill(values, width) if len(values) else values


def as_dates(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]")


def busday_add(days: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The date ``n`` working days after ``days``: ``working_days_between`` of the pair is ``n``."""
    out = np.busday_offset(
        as_dates(days), np.asarray(n, dtype=np.int64), roll="forward", holidays=bank_holidays()
    )
    return out.astype(np.int64)


def add_years(days: np.ndarray, years: int) -> np.ndarray:
    """Calendar-exact anniversaries (29 February maps to 28 February)."""
    d = as_dates(days)
    m = d.astype("datetime64[M]")
    dom = (d - m.astype("datetime64[D]")).astype(np.int64)
    target = m + np.timedelta64(12 * years, "M")
    month_len = (
        (target + np.timedelta64(1, "M")).astype("datetime64[D]") - target.astype("datetime64[D]")
    ).astype(np.int64)
    return target.astype("datetime64[D]").astype(np.int64) + np.minimum(dom, month_len - 1)


def months_of(days: np.ndarray) -> np.ndarray:
    """Calendar month 1-12 of each day."""
    return as_dates(days).astype("datetime64[M]").astype(np.int64) % 12 + 1


def _choice(rng, codes_p, n):
    codes, p = codes_p
    p = np.asarray(p, dtype=float)
    return np.asarray(codes, dtype=object)[rng.choice(len(codes), size=n, p=p / p.sum())]


def _seasonal_days(rng, start: int, stop: int, expected: float) -> np.ndarray:
    """Poisson arrival days in ``[start, stop)`` thinned by month and weekday (sorted)."""
    days = np.arange(start, stop, dtype=np.int64)
    weight = SEASON[months_of(days) - 1]
    workday = np.is_busday(as_dates(days), holidays=bank_holidays())
    weight = weight * np.where(workday, 1.0, WEEKEND_FACTOR)
    weight = weight / weight.mean()
    n = rng.poisson(expected * len(days) / YEAR)
    return np.sort(rng.choice(days, size=n, p=weight / weight.sum()))


# ---- children ----------------------------------------------------------------
class ChildRegistry:
    """Children created as the simulation needs them (arrays grown in blocks)."""

    def __init__(self) -> None:
        self.dob: list[np.ndarray] = []
        self.created: list[np.ndarray] = []
        self.n = 0

    def add(self, dob: np.ndarray, created: np.ndarray) -> np.ndarray:
        idx = np.arange(self.n, self.n + len(dob), dtype=np.int64)
        self.dob.append(np.asarray(dob, dtype=np.int64))
        self.created.append(np.asarray(created, dtype=np.int64))
        self.n += len(dob)
        return idx

    def finish(self, rng) -> dict[str, np.ndarray]:
        dob = np.concatenate(self.dob) if self.dob else np.zeros(0, np.int64)
        created = np.concatenate(self.created) if self.created else np.zeros(0, np.int64)
        n = len(dob)
        sex = np.where(rng.random(n) < 0.52, "1", "2").astype(object)
        ethnic = _choice(rng, ETHNIC, n)
        # 8% of children have a disability, one or two codes.
        disab_1 = np.where(rng.random(n) < 0.08, rng.choice(DISAB, size=n), "NONE").astype(object)
        disab_2 = np.where(
            (disab_1 != "NONE") & (rng.random(n) < 0.3), rng.choice(DISAB, size=n), ""
        ).astype(object)
        disab_2 = np.where(disab_2 == disab_1, "", disab_2).astype(object)
        # Ids follow first appearance, so numbering is stable and readable.
        order = np.lexsort((np.arange(n), created))
        rank = np.empty(n, np.int64)
        rank[order] = np.arange(1, n + 1)
        width = max(7, len(str(n)))
        ids = np.char.add("DC", zfill(rank, width)).astype(object)
        upn = _fake_upns(rng, n)
        return {
            "id": ids,
            "dob": dob,
            "created": created,
            "sex": sex,
            "ethnic": ethnic,
            "disab_1": disab_1,
            "disab_2": disab_2,
            "upn": upn,
        }


def _fake_upns(rng, n: int) -> np.ndarray:
    """UPN-shaped fakes: a check letter, LA 938, establishment 99xx, year and serial.

    The check letter follows the DfE algorithm (weights 2-13 on the 12 digits,
    sum mod 23 into ``ABCDEFGHJKLMNPQRTUVWXYZ``), so validators accept them.
    """
    digits = np.zeros((n, 12), dtype=np.int64)
    digits[:, 0:3] = [9, 3, 8]
    digits[:, 3:5] = 9
    digits[:, 5:12] = rng.integers(0, 10, size=(n, 7))
    check = (digits * np.arange(2, 14)).sum(axis=1) % 23
    letters = np.array(list("ABCDEFGHJKLMNPQRTUVWXYZ"), dtype=object)
    number = (digits * (10 ** np.arange(11, -1, -1, dtype=np.int64))).sum(axis=1)
    body = zfill(number, 12).astype(object)
    return (letters[check] + body).astype(object)


# ---- timeliness ----------------------------------------------------------------
def _p45(days: np.ndarray, h: Horizon) -> np.ndarray:
    """Share of assessments authorised within 45 working days, by authorisation date."""
    ramp = np.clip((days - h.detail_from + 20) / 60.0, 0.0, 1.0)
    return 0.85 - 0.25 * ramp


def _p15(days: np.ndarray, h: Horizon) -> np.ndarray:
    """Share of ICPCs held within 15 working days of the S47 start, by ICPC date."""
    ramp = np.clip((days - h.detail_from + 30) / 150.0, 0.0, 1.0)
    return 0.80 - 0.12 * ramp


def _timed(rng, start, fast, slow, p_of, h):
    """Dates ``fast`` or ``slow`` working days after ``start``, timely with probability
    ``p_of`` judged at the late date (so a deterioration shows by completion month)."""
    u = rng.random(len(start))
    late = busday_add(start, slow)
    return np.where(u < p_of(late, h), busday_add(start, fast), late)


# ---- referrals -------------------------------------------------------------------
def _referral_outcomes(rng, h: Horizon, ref, dob, prev_cpp) -> dict[str, np.ndarray]:
    n = len(ref)
    age = (ref - dob) / YEAR
    has_prev = prev_cpp > 0
    r = {"ref": ref, "need": _choice(rng, NEED, n), "source": _choice(rng, REF_SOURCE, n)}
    nfa = rng.random(n) < 0.05
    assessed = ~nfa
    a_start = ref + rng.choice([0, 0, 0, 0, 1, 1, 2, 3, 5, 8], size=n)
    fast = np.clip(np.round(rng.triangular(3, 25, 46, n)), 1, 45).astype(np.int64)
    slow = (46 + np.round(rng.gamma(2.0, 8.0, n))).astype(np.int64)
    auth = _timed(rng, a_start, fast, slow, _p45, h)
    review = np.where(rng.random(n) < 0.6, np.maximum(a_start, auth - rng.integers(1, 8, n)), OPEN)
    r["a_start"] = np.where(assessed, a_start, OPEN)
    r["a_review"] = np.where(assessed, review, OPEN)
    r["auth"] = np.where(assessed, auth, OPEN)
    nf = rng.integers(1, 4, n)
    for k in range(3):
        f = rng.choice(len(FACTORS), size=n, p=FACTOR_P / FACTOR_P.sum())
        r[f"factor{k}"] = np.where(nf > k, f, -1)

    s47 = assessed & (rng.random(n) < np.where(has_prev, 0.42, 0.325))
    s47_start = a_start + rng.integers(0, 6, n)
    icpc = s47 & (rng.random(n) < np.where(has_prev, 0.46, 0.355))
    i_fast = np.clip(np.round(rng.triangular(3, 11, 16, n)), 1, 15).astype(np.int64)
    i_slow = (16 + np.round(rng.gamma(1.5, 5.0, n))).astype(np.int64)
    icpc_day = _timed(rng, s47_start, i_fast, i_slow, _p15, h)
    r["s47_start"] = np.where(s47, s47_start, OPEN)
    r["icpc_target"] = np.where(s47, busday_add(s47_start, np.full(n, 15)), OPEN)
    r["icpc"] = np.where(icpc, icpc_day, OPEN)
    # An enquiry without a conference is concluded "ICPC not required" a few weeks on.
    r["s47_decided"] = np.where(s47 & ~icpc, s47_start + rng.integers(5, 30, n), OPEN)

    cpp = icpc & (rng.random(n) < np.where(has_prev, 0.76, 0.68))
    dur = np.maximum(30, rng.lognormal(np.log(280), 0.75, n)).astype(np.int64)
    cpp_start = icpc_day
    care_cp = cpp & (rng.random(n) < np.where(age < 1, 0.40, 0.24))
    care_cp_day = cpp_start + np.maximum(5, rng.uniform(0.05, 0.9, n) * dur).astype(np.int64)
    cpp_end = np.where(care_cp, care_cp_day, cpp_start + dur)
    r["cpp_start"] = np.where(cpp, cpp_start, OPEN)
    r["cpp_end"] = np.where(cpp, cpp_end, OPEN)
    r["abuse0"] = _choice(rng, ABUSE, n)
    r["abuse1"] = np.where(rng.random(n) < 0.85, r["abuse0"], _choice(rng, ABUSE, n))
    r["prev_cpp"] = prev_cpp

    care_a = assessed & ~cpp & (rng.random(n) < np.where(age >= 12, 0.055, 0.015))
    care_a_day = a_start + rng.integers(0, 35, n)
    cinp = assessed & ~cpp & ~care_a & (rng.random(n) < 0.42)
    p1 = auth + rng.integers(0, 10, n)
    p1_end = p1 + np.maximum(20, rng.lognormal(np.log(170), 0.7, n)).astype(np.int64)
    step = cpp & ~care_cp & (rng.random(n) < 0.55)
    p2_end = cpp_end + np.maximum(20, rng.lognormal(np.log(100), 0.6, n)).astype(np.int64)
    r["plan_start"] = np.where(cinp, p1, np.where(step, cpp_end, OPEN))
    r["plan_end"] = np.where(cinp, p1_end, np.where(step, p2_end, OPEN))
    # Short breaks: some disabled children on a CIN plan (looked after under V3/V4 only).
    r["short_break"] = cinp & (r["need"] == "N2") & (rng.random(n) < 0.35)

    care = care_cp | care_a
    r["care"] = care
    r["care_day"] = np.where(care_cp, care_cp_day, np.where(care_a, care_a_day, OPEN))
    r["care_route"] = np.where(care_cp, "cp", "cin").astype(object)
    r["nfa"] = nfa
    # Closure (care closures are filled in once the period of care is drawn).
    done = np.where(
        assessed,
        # An episode stays open until its enquiry is concluded or its conference held.
        np.maximum(auth, np.where(s47 & ~icpc, r["s47_decided"], np.where(icpc, icpc_day, 0))),
        ref + rng.integers(0, 4, n),
    )
    closure = done + rng.integers(0, 6, n)
    reason = np.where(rng.random(n) < 0.6, "RC8", "RC9").astype(object)
    planned = r["plan_end"] < OPEN
    closure = np.where(planned, np.maximum(closure, r["plan_end"]), closure)
    closure = np.where(cpp & ~care_cp, np.maximum(closure, cpp_end), closure)
    leave = rng.choice(["RC7", "RC5", "RC3", "RC6"], size=n, p=[0.86, 0.07, 0.03, 0.04])
    leave = np.where((leave == "RC6") & (age < 16.5), "RC7", leave)
    reason = np.where(planned | cpp, leave, reason)
    r["closure"] = closure
    r["reason"] = reason.astype(object)
    return r


def _gap(rng, n: int) -> np.ndarray:
    """Days from a closure to the child's next referral."""
    soon = rng.random(n) < 0.70
    return np.where(soon, 1 + rng.exponential(85, n), rng.uniform(250, 1500, n)).astype(np.int64)


def _nudge_season(rng, days: np.ndarray) -> np.ndarray:
    """Re-referrals follow the season too: some in August or December slip a month."""
    slip = np.isin(months_of(days), [8, 12]) & (rng.random(len(days)) < 0.22)
    days = np.where(slip, days + 31, days)
    weekend = ~np.is_busday(as_dates(days), holidays=bank_holidays())
    move = weekend & (rng.random(len(days)) < 0.65)
    return np.where(move, busday_add(days, np.zeros(len(days), np.int64)), days)


# ---- periods of care ----------------------------------------------------------------
PATHS = ["home", "adopt", "sgo", "lt18", "other"]
PATH_P = {  # by age band at entry: <1, 1-4, 5-9, 10-15, 16-17
    0: [0.20, 0.38, 0.22, 0.15, 0.05],
    1: [0.27, 0.25, 0.22, 0.20, 0.06],
    2: [0.40, 0.00, 0.15, 0.38, 0.07],
    3: [0.48, 0.00, 0.06, 0.38, 0.08],
    4: [0.50, 0.00, 0.00, 0.43, 0.07],
}
REC_AT_18 = (["E17", "E5", "E6", "E8", "E13", "E7"], [0.16, 0.36, 0.15, 0.10, 0.18, 0.05])
REC_HOME = (["E4A", "E13", "E4B"], [0.6, 0.25, 0.15])
REC_SGO = (["E45", "E46", "E47", "E48", "E41"], [0.25, 0.15, 0.2, 0.1, 0.3])
REC_OTHER = (["E3", "E8", "E16", "E9", "E2", "E7", "E13"], [0.3, 0.25, 0.1, 0.1, 0.02, 0.03, 0.2])
PLACE_YOUNG = (
    ["U4", "U5", "U6", "U1", "U2", "U3", "P1", "K2", "R3", "Z1"],
    [0.30, 0.15, 0.15, 0.08, 0.06, 0.08, 0.09, 0.03, 0.04, 0.02],
)
PLACE_TEEN = (
    ["U4", "U5", "U6", "U1", "U2", "U3", "K2", "H5", "S1", "P1", "K1"],
    [0.22, 0.12, 0.10, 0.04, 0.03, 0.04, 0.25, 0.12, 0.02, 0.05, 0.01],
)
PLACE_UASC = (["H5", "U4", "K2", "U6"], [0.45, 0.3, 0.15, 0.1])
PLACE_REMAND = (["K1", "R5", "K2"], [0.5, 0.3, 0.2])
# Placement moves per year in the first year of care and afterwards, by stability class.
MOVE_CLASSES = ([0.62, 0.28, 0.10], [0.5, 1.45, 3.6], [0.05, 0.30, 1.9])


def _band(age: np.ndarray) -> np.ndarray:
    return np.digitize(age, [1, 5, 10, 16])


def _draw_periods(rng, h: Horizon, child, dob, entry, route, need) -> dict[str, np.ndarray]:
    """One row per period of care: path, end, reason, legal-status timetable, move rates."""
    n = len(entry)
    age = (entry - dob) / YEAR
    band = _band(age)
    path = np.empty(n, dtype=object)
    for b, p in PATH_P.items():
        m = band == b
        path[m] = np.asarray(PATHS, dtype=object)[rng.choice(5, size=m.sum(), p=p)]
    uasc = route == "uasc"
    path[uasc] = np.where(rng.random(uasc.sum()) < 0.85, "lt18", "other")
    remand = (route == "cin") & (age >= 12) & (rng.random(n) < 0.10)
    path[remand] = "remand"
    eighteen = add_years(dob, 18)
    u = rng.random(n)
    c2 = np.full(n, OPEN)
    e1 = np.full(n, OPEN)
    placed = np.full(n, OPEN)
    end = np.full(n, OPEN)
    rec = np.empty(n, dtype=object)

    m = path == "home"
    end[m] = entry[m] + np.where(
        rng.random(m.sum()) < 0.8, 2 + rng.exponential(150, m.sum()), rng.uniform(200, 700, m.sum())
    ).astype(np.int64)
    rec[m] = _choice(rng, REC_HOME, m.sum())
    m = path == "adopt"
    k = m.sum()
    c2[m] = entry[m] + rng.integers(150, 300, k)
    e1[m] = c2[m] + rng.integers(20, 120, k)
    placed[m] = e1[m] + rng.integers(60, 250, k)
    end[m] = placed[m] + rng.integers(150, 360, k)
    rec[m] = np.where(rng.random(k) < 0.4, "E11", "E12")
    m = path == "sgo"
    end[m] = entry[m] + rng.integers(250, 1100, m.sum())
    rec[m] = _choice(rng, REC_SGO, m.sum())
    m = path == "lt18"
    early = m & (age < 15.5) & (rng.random(n) < 0.08)
    end[m] = eighteen[m]
    rec[m] = _choice(rng, REC_AT_18, m.sum())
    end[early] = np.maximum(entry[early] + 30, eighteen[early] - rng.integers(30, 700, early.sum()))
    rec[early] = np.where(rng.random(early.sum()) < 0.5, "E5", "E13")
    m = path == "other"
    end[m] = entry[m] + rng.integers(30, 800, m.sum())
    rec[m] = _choice(rng, REC_OTHER, m.sum())
    m = (path == "other") & uasc
    end[m] = entry[m] + rng.integers(20, 200, m.sum())
    rec[m] = "E15"
    m = path == "remand"
    end[m] = entry[m] + rng.integers(10, 120, m.sum())
    rec[m] = np.where(rng.random(m.sum()) < 0.7, "E14", "E9")
    capped = end >= eighteen
    end = np.minimum(end, eighteen)
    rec[capped & (path != "lt18")] = _choice(rng, REC_AT_18, (capped & (path != "lt18")).sum())
    end = np.maximum(end, entry + 1)

    ls0 = np.where(
        u
        < np.select(
            [
                path == "home",
                path == "adopt",
                path == "sgo",
                (path == "lt18") & (age < 10),
                path == "lt18",
            ],
            [0.3, 0.85, 0.7, 0.75, 0.45],
            0.4,
        ),
        "C1",
        "V2",
    ).astype(object)
    ls0[uasc] = "V2"
    ls0[path == "remand"] = "J1"
    # Interim care orders become full care orders if the period lasts.
    c2_any = (ls0 == "C1") & (path != "adopt")
    c2[c2_any] = entry[c2_any] + rng.integers(150, 330, c2_any.sum())
    c2 = np.where(c2 < end, c2, OPEN)
    e1 = np.where(e1 < end, e1, OPEN)
    placed = np.where(placed < end, placed, OPEN)
    police = (~uasc) & (path != "remand") & (rng.random(n) < 0.06)
    cls = rng.choice(3, size=n, p=MOVE_CLASSES[0])
    return {
        "child": child,
        "dob": dob,
        "start": entry,
        "end": end,
        "rec": rec,
        "path": path,
        "ls0": ls0,
        "c2": c2,
        "e1": e1,
        "placed": placed,
        "police": police,
        "move_class": cls,
        "uasc": uasc,
        "need": need,
        "short_break": np.zeros(n, bool),
    }


def _short_breaks(rng, child, dob, plan_start, plan_end, need) -> dict[str, np.ndarray]:
    """Short-break-only care (V3 single breaks or a V4 agreement) during a CIN plan."""
    n = len(child)
    v4 = rng.random(n) < 0.5
    # V3: a 2-4 day break about monthly; V4: one agreement episode for the plan.
    n_breaks = np.where(v4, 1, np.maximum(1, (plan_end - plan_start - 30) // 30))
    idx = np.repeat(np.arange(n), n_breaks)
    k = np.arange(len(idx)) - np.repeat(np.cumsum(n_breaks) - n_breaks, n_breaks)
    s = plan_start[idx] + 20 + 30 * k + rng.integers(0, 20, len(idx))
    e = np.where(v4[idx], plan_end[idx] - 5, s + rng.integers(2, 5, len(idx)))
    e = np.maximum(e, s + 1)
    ok = s < plan_end[idx]
    idx, s, e = idx[ok], s[ok], e[ok]
    m = len(idx)
    return {
        "child": child[idx],
        "dob": dob[idx],
        "start": s,
        "end": e,
        "rec": np.full(m, "E13", dtype=object),
        "path": np.full(m, "short", dtype=object),
        "ls0": np.where(v4[idx], "V4", "V3").astype(object),
        "c2": np.full(m, OPEN),
        "e1": np.full(m, OPEN),
        "placed": np.full(m, OPEN),
        "police": np.zeros(m, bool),
        "move_class": np.zeros(m, np.int64),
        "uasc": np.zeros(m, bool),
        "need": need[idx],
        "short_break": np.ones(m, bool),
    }


PLACE_CHANGE = (
    [
        "CARPL",
        "CLOSE",
        "ALLEG",
        "STAND",
        "APPRR",
        "CREQB",
        "CREQO",
        "CHILD",
        "LAREQ",
        "PLACE",
        "CUSTOD",
        "OTHER",
    ],
    [0.25, 0.08, 0.03, 0.15, 0.05, 0.10, 0.07, 0.12, 0.08, 0.05, 0.01, 0.01],
)
PROVIDER = {
    "U1": ("PR1",),
    "U2": ("PR1",),
    "U3": ("PR1",),
    "U4": ("PR1", "PR4"),
    "U5": ("PR1", "PR4"),
    "U6": ("PR1", "PR4"),
    "K2": ("PR4", "PR1", "PR5"),
    "K1": ("PR2",),
    "H5": ("PR4",),
    "P1": ("PR0",),
    "A5": ("PR1", "PR5"),
    "A6": ("PR1",),
    "R3": ("PR3",),
    "R5": ("PR3",),
    "S1": ("PR5",),
    "Z1": ("PR4",),
}


def _placements(rng, age, kind) -> np.ndarray:
    n = len(age)
    out = np.where(age < 12, _choice(rng, PLACE_YOUNG, n), _choice(rng, PLACE_TEEN, n))
    out = np.where((out == "H5") & (age < 16), "U4", out)
    out = np.where(kind == "uasc", _choice(rng, PLACE_UASC, n), out)
    out = np.where(kind == "remand", _choice(rng, PLACE_REMAND, n), out)
    out = np.where(kind == "short", np.where(rng.random(n) < 0.6, "K2", "U4"), out)
    return out.astype(object)


def _episodes(rng, h: Horizon, P: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Split periods of care into 903 episodes at each legal-status or placement change."""
    n = len(P["start"])
    pid = np.arange(n)
    start, end, dob = P["start"], P["end"], P["dob"]
    kind = np.where(P["uasc"], "uasc", P["path"]).astype(object)
    span = np.minimum(end, h.end + 1) - start
    first_year = np.minimum(span, 365)
    later = np.maximum(span - 365, 0)
    movable = ~P["short_break"] & (P["path"] != "remand")
    k1 = np.where(
        movable, rng.poisson(np.array(MOVE_CLASSES[1])[P["move_class"]] * first_year / YEAR), 0
    )
    k2 = np.where(
        movable, rng.poisson(np.array(MOVE_CLASSES[2])[P["move_class"]] * later / YEAR), 0
    )
    total = k1 + k2
    midx = np.repeat(pid, total)
    j = np.arange(len(midx)) - np.repeat(np.cumsum(total) - total, total)
    early = j < k1[midx]
    t = np.where(
        early,
        1 + rng.random(len(midx)) * np.maximum(first_year[midx] - 1, 0),
        365 + rng.random(len(midx)) * later[midx],
    )
    mday = start[midx] + t.astype(np.int64)

    ev = []  # (pid, day, legal, place, ls, code, same_carer)

    def add(p, d, legal, place, ls, code, same):
        m = len(p)
        ev.append(
            pd.DataFrame(
                {
                    "pid": p,
                    "day": d,
                    "legal": np.full(m, legal),
                    "place": np.full(m, place),
                    "ls": pd.Series(ls, dtype=object),
                    "code": pd.Series(code, dtype=object),
                    "same": np.broadcast_to(np.asarray(same, dtype=bool), (m,)).copy(),
                }
            )
        )

    ls_start = np.where(P["police"], "L1", P["ls0"]).astype(object)
    add(pid, start, True, True, ls_start, _placements(rng, (start - dob) / YEAR, kind), False)
    for moved in (False, True):
        pol = pid[P["police"] & ((rng.random(n) < 0.3) == moved)]
        code = (
            _placements(rng, (start[pol] - dob[pol]) / YEAR, kind[pol])
            if moved
            else [None] * len(pol)
        )
        add(pol, start[pol] + rng.integers(1, 4, len(pol)), True, moved, P["ls0"][pol], code, False)
    v2c1 = pid[(P["path"] == "adopt") & (P["ls0"] == "V2")]
    add(
        v2c1,
        start[v2c1] + rng.integers(20, 90, len(v2c1)),
        True,
        False,
        ["C1"] * len(v2c1),
        [None] * len(v2c1),
        False,
    )
    for col, code in (("c2", "C2"), ("e1", "E1")):
        p = pid[P[col] < OPEN]
        add(p, P[col][p], True, False, [code] * len(p), [None] * len(p), False)
    p = pid[P["placed"] < OPEN]
    a6 = rng.random(len(p)) < 0.3
    add(
        p, P["placed"][p], False, True, [None] * len(p), np.where(a6, "A6", "A5").astype(object), a6
    )
    keep = mday < np.minimum(P["placed"][midx], end[midx])
    midx, mday = midx[keep], mday[keep]
    add(
        midx,
        mday,
        False,
        True,
        [None] * len(midx),
        _placements(rng, (mday - dob[midx]) / YEAR, kind[midx]),
        rng.random(len(midx)) < 0.05,
    )

    e = pd.concat(ev, ignore_index=True)
    e = e[(e["day"] < end[e["pid"].to_numpy()]) | (e["day"] == start[e["pid"].to_numpy()])]
    e = e[e["day"] <= h.end]
    e = (
        e.groupby(["pid", "day"], sort=True)
        .agg(
            legal=("legal", "max"),
            place=("place", "max"),
            ls=("ls", "last"),
            code=("code", "last"),
            same=("same", "max"),
        )
        .reset_index()
    )
    e[["ls", "code"]] = e.groupby("pid")[["ls", "code"]].ffill()
    p = e["pid"].to_numpy()
    d = e["day"].to_numpy()
    legal = e["legal"].to_numpy()
    place = e["place"].to_numpy()
    same = e["same"].to_numpy()
    first = np.r_[True, p[1:] != p[:-1]]
    last = np.r_[p[1:] != p[:-1], True]
    rne = np.select(
        [first, legal & place & same, legal & place, place & same, place],
        ["S", "B", "T", "U", "P"],
        "L",
    ).astype(object)
    nxt_day = np.r_[d[1:], 0]
    dec = np.where(last, end[p], nxt_day)
    rec = np.where(last, P["rec"][p], "X1").astype(object)
    nxt_place = np.r_[place[1:], False]
    rpc = np.where(~last & nxt_place, _choice(rng, PLACE_CHANGE, len(p)), "").astype(object)
    code = e["code"].to_numpy().astype(object)
    nxt_code = np.concatenate([code[1:], np.array([""], dtype=object)])
    rpc = np.where(~last & np.isin(nxt_code, ["A5", "A6"]), "CARPL", rpc).astype(object)
    provider = np.array(
        [
            PROVIDER.get(c, ("PR1",))[i % len(PROVIDER.get(c, ("PR1",)))]
            for c, i in zip(code, rng.integers(0, 6, len(code)), strict=True)
        ],
        dtype=object,
    )
    urn = np.where(
        np.isin(code, ["K1", "K2", "H5", "S1"]),
        np.char.add("SC", zfill(rng.integers(1, 999_999, len(p)), 6)),
        "XXXXXXX",
    ).astype(object)
    home = _postcodes(rng, n)
    return {
        "pid": p,
        "child": P["child"][p],
        "DECOM": d,
        "RNE": rne,
        "LS": e["ls"].to_numpy().astype(object),
        "CIN": P["cin_code"][p],
        "PLACE": code,
        "PLACE_PROVIDER": provider,
        "DEC": dec,
        "REC": rec,
        "REASON_PLACE_CHANGE": rpc,
        "HOME_POST": home[p],
        "PL_POST": _postcodes(rng, len(p)),
        "URN": urn,
    }


def _postcodes(rng, n: int) -> np.ndarray:
    """Postcode-shaped fakes in West-Sussex-like areas (not looked up anywhere)."""
    area = np.array(["RH", "BN", "PO", "GU"], dtype=object)[rng.integers(0, 4, n)]
    district = rng.integers(10, 21, n).astype(str)
    sector = rng.integers(1, 10, n).astype(str)
    unit = np.char.add(
        np.array(list("ABDEFGHJLNPQRSTUWXYZ"))[rng.integers(0, 20, n)],
        np.array(list("ABDEFGHJLNPQRSTUWXYZ"))[rng.integers(0, 20, n)],
    )
    return (
        area + district.astype(object) + " " + sector.astype(object) + unit.astype(object)
    ).astype(object)


def _repeat_dates(first, step, stop):
    """Rows (i, first_i + k*step) for k = 0, 1, ... while the date is before ``stop_i``."""
    count = np.where(first < stop, (stop - first - 1) // step + 1, 0)
    idx = np.repeat(np.arange(len(first)), count)
    k = np.arange(len(idx)) - np.repeat(np.cumsum(count) - count, count)
    return idx, first[idx] + k * step


def _cla_reviews(rng, h, P):
    """Looked-after child reviews, each booked from the one before: the first due 20
    working days after care starts, the second 3 months after the first, then every 6
    months. About 90 % are held in time (up to two weeks early), the rest 1-21 days late."""
    n = len(P["start"])
    stop = np.where(P["short_break"], P["start"], np.minimum(P["end"], h.end + 1))
    span = np.maximum(stop - P["start"], 0)
    count = np.where(span > 0, span // 170 + 3, 0)  # more than can fit; trimmed below
    idx = np.repeat(np.arange(n), count)
    starts = np.cumsum(count) - count
    k = np.arange(len(idx)) - np.repeat(starts, count)
    late = rng.random(len(idx)) < 0.1
    slack = np.where(late, -rng.integers(1, 22, len(idx)), rng.integers(0, 15, len(idx)))
    # 89 and 181 days are the shortest 3 and 6 calendar months: on time whenever slack >= 0.
    inc = np.select([k == 0, k == 1], [0, 89], 181) - np.where(k == 0, 0, slack)
    cs = np.cumsum(inc)
    first = busday_add(P["start"], np.full(n, 20)) - slack[np.minimum(starts, len(idx) - 1)]
    days = first[idx] + cs - np.repeat(cs[np.minimum(starts, len(idx) - 1)], count)
    keep = days < stop[idx]
    idx, days = idx[keep], days[keep]
    age = (days - P["dob"][idx]) / YEAR
    code = np.where(
        age < 4,
        "PN0",
        _choice(
            rng,
            (
                ["PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"],
                [0.5, 0.1, 0.12, 0.1, 0.06, 0.06, 0.06],
            ),
            len(idx),
        ),
    )
    return {"child": P["child"][idx], "REVIEW": days, "REVIEW_CODE": code.astype(object)}


def _missing(rng, h, P):
    span = np.minimum(P["end"], h.end + 1) - P["start"]
    age = (P["start"] - P["dob"]) / YEAR
    rate = np.where(rng.random(len(span)) < 0.2, 3.0, 0.15) * (age >= 10) * ~P["short_break"]
    count = rng.poisson(rate * span / YEAR)
    idx = np.repeat(np.arange(len(span)), count)
    s = P["start"][idx] + (rng.random(len(idx)) * span[idx]).astype(np.int64)
    e = s + rng.choice([0, 0, 1, 1, 1, 2, 3, 5, 9], size=len(idx))
    kind = np.where(rng.random(len(idx)) < 0.8, "M", "A").astype(object)
    return {"child": P["child"][idx], "MISSING": kind, "MIS_START": s, "MIS_END": e}


def _cp_reviews(r):
    has = r["cpp_start"] < OPEN
    rows = np.flatnonzero(has)
    first = busday_add(r["cpp_start"][rows] + 88, np.zeros(len(rows), np.int64))
    i1, d1 = _repeat_dates(first, 182, r["cpp_end"][rows])
    return {"row": rows[i1], "CPPreviewDate": d1}


def _concat(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    keys = list(parts[0])
    return {k: np.concatenate([p[k] for p in parts]) for k in keys}


def _blank_referrals(rng, h, child, ref, assessed: bool) -> dict[str, np.ndarray]:
    """Referral rows for children who arrive straight into care (UASC, burn-in stock)."""
    r = _referral_outcomes(rng, h, ref, np.zeros(len(ref), np.int64), np.zeros(len(ref), int))
    for col in (
        "s47_start",
        "icpc_target",
        "icpc",
        "s47_decided",
        "cpp_start",
        "cpp_end",
        "plan_start",
        "plan_end",
    ):
        r[col] = np.full(len(ref), OPEN)
    if not assessed:
        for col in ("a_start", "a_review", "auth"):
            r[col] = np.full(len(ref), OPEN)
    r["nfa"] = np.zeros(len(ref), bool)
    r["short_break"] = np.zeros(len(ref), bool)
    r["care"] = np.ones(len(ref), bool)
    r["child"] = child
    return r


def simulate(rng: np.random.Generator, h: Horizon, children: int) -> World:
    """Run the model for a county of ``children`` aged 0-17 over the horizon ``h``."""
    scale = children / 10_000
    reg = ChildRegistry()
    refs: list[dict[str, np.ndarray]] = []
    periods: list[dict[str, np.ndarray]] = []

    def care_closures(r, child, dob, route):
        care = np.flatnonzero(
            r["care"] & (r["care_day"] <= h.end) & (r["care_day"] < add_years(dob, 18) - 14)
        )
        # A plan that was to end in care which does not happen (after the data end or the
        # 18th birthday) runs to its end, at the latest the day before the 18th birthday,
        # and the episode stays open until it ends.
        dropped = r["care"].copy()
        dropped[care] = False
        cp = dropped & (r["cpp_start"] < OPEN)
        r["cpp_end"] = np.where(cp, np.minimum(r["cpp_end"], add_years(dob, 18) - 1), r["cpp_end"])
        r["cpp_end"] = np.maximum(r["cpp_end"], np.where(cp, r["cpp_start"] + 1, 0))
        r["closure"] = np.where(cp, np.maximum(r["closure"], r["cpp_end"]), r["closure"])
        r["care"] = np.zeros(len(r["ref"]), bool)
        r["care"][care] = True
        if len(care):
            p = _draw_periods(
                rng,
                h,
                child[care],
                dob[care],
                r["care_day"][care],
                np.broadcast_to(route, (len(r["ref"]),))[care].astype(object),
                r["need"][care],
            )
            periods.append(p)
            r["closure"][care] = p["end"]
            r["reason"][care] = np.select(
                [
                    np.isin(p["rec"], ["E11", "E12"]),
                    np.isin(p["rec"], ["E45", "E46", "E47", "E48"]),
                    p["rec"] == "E41",
                ],
                ["RC1", "RC4", "RC3"],
                "RC7",
            )
        sb = np.flatnonzero(r["short_break"] & (r["plan_start"] <= h.end))
        if len(sb):
            periods.append(
                _short_breaks(
                    rng, child[sb], dob[sb], r["plan_start"][sb], r["plan_end"][sb], r["need"][sb]
                )
            )

    # Referral chains: first referrals, then each generation's re-referrals.
    ref = _seasonal_days(rng, h.cin_from, h.end + 1, FIRST_REFERRALS_10K * scale)
    age = rng.choice(18, size=len(ref), p=AGE_P / AGE_P.sum())
    dob = ref - (age * YEAR + rng.random(len(ref)) * 364).astype(np.int64) - 1
    child = reg.add(dob, ref)
    prev = np.where(rng.random(len(ref)) < 0.12, rng.integers(1, 3, len(ref)), 0)
    while len(ref):
        r = _referral_outcomes(rng, h, ref, dob, prev)
        r["child"] = child
        care_closures(r, child, dob, r["care_route"])
        refs.append(r)
        nxt = r["closure"] + _gap(rng, len(ref))
        nxt = _nudge_season(rng, np.minimum(nxt, OPEN))
        go = (rng.random(len(ref)) < 0.42) & (nxt <= h.end) & (nxt < add_years(dob, 18) - 7)
        ref, dob, child = nxt[go], dob[go], child[go]
        prev = (prev + (r["cpp_start"] < OPEN))[go]

    # Unaccompanied asylum-seeking children arrive straight into care.
    entry = _seasonal_days(rng, h.cin_from, h.end + 1, UASC_10K * scale)
    dob = entry - ((14 + rng.random(len(entry)) * 3.4) * YEAR).astype(np.int64)
    child = reg.add(dob, entry)
    r = _blank_referrals(rng, h, child, entry - rng.integers(0, 3, len(entry)), True)
    r["need"][:] = "N8"
    r["source"][:] = "7"
    r["care_day"] = entry
    r["prev_cpp"] = np.zeros(len(entry), np.int64)
    care_closures(r, child, dob, np.array("uasc", dtype=object))
    refs.append(r)
    uasc_children = child

    # Burn-in: periods of care that began before the referral chains (the long-term stock).
    entry = _seasonal_days(rng, h.cla_from, h.cin_from, BURN_IN_CLA_10K * scale)
    age = rng.choice(5, size=len(entry), p=[0.2, 0.15, 0.17, 0.33, 0.15])
    lo = np.array([0, 1, 5, 10, 16])[age]
    hi = np.array([1, 5, 10, 16, 17.8])[age]
    dob = entry - ((lo + rng.random(len(entry)) * (hi - lo)) * YEAR).astype(np.int64) - 1
    tmp = _draw_periods(
        rng,
        h,
        np.zeros(len(entry), np.int64),
        dob,
        entry,
        np.full(len(entry), "burn", dtype=object),
        _choice(rng, NEED, len(entry)),
    )
    alive = tmp["end"] >= h.cin_from - 5 * 365
    entry, dob = entry[alive], dob[alive]
    child = reg.add(dob, entry)
    p = {k: v[alive] for k, v in tmp.items()}
    p["child"] = child
    periods.append(p)
    r = _blank_referrals(
        rng, h, child, np.maximum(dob, entry - rng.integers(0, 20, len(entry))), False
    )
    r["need"] = p["need"]
    r["care_day"] = entry
    r["prev_cpp"] = np.zeros(len(entry), np.int64)
    r["closure"] = p["end"]
    r["reason"] = np.where(np.isin(p["rec"], ["E11", "E12"]), "RC1", "RC7").astype(object)
    refs.append(r)

    w = World()
    w.children = reg.finish(rng)
    w.children["sex"][uasc_children] = np.where(rng.random(len(uasc_children)) < 0.9, "1", "2")
    w.referrals = _concat(refs)
    w.referrals["closure"] = np.where(w.referrals["closure"] > h.end, OPEN, w.referrals["closure"])
    w.cp_reviews = _cp_reviews(w.referrals)
    P = _concat([{k: p[k] for k in periods[0]} for p in periods])
    P = {k: v[P["start"] <= h.end] for k, v in P.items()}
    P["cin_code"] = np.where(np.isin(P["need"], ["N9", "N0"]), "N1", P["need"]).astype(object)
    w.periods = P
    w.episodes = _episodes(rng, h, P)
    w.cla_reviews = _cla_reviews(rng, h, P)
    w.missing = _missing(rng, h, P)
    return w
