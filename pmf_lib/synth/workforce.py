"""The demo council's social work workforce: a monthly team return and the CSWW census.

Social workers are simulated one by one in the twelve case-holding teams of
:mod:`pmf_lib.synth.teams`. Each team's establishment (funded FTE) is set every
April from its caseload over the previous year, for an average of about 17
cases per social worker (employed plus agency). Each month, about 1.3 % of
employed social workers leave (turnover about 17 % of FTE a year, a little
higher in summer); the council recruits towards 85 % of establishment (about 83 % in post), with a
newly qualified intake in September and October; agency social workers cover
about 90 % of the vacant FTE. Sickness absence is about 3.5 % of working days,
higher in winter. Cases held are the simulated children's open cases
(:func:`~pmf_lib.synth.teams.case_teams`).

**Adverse trend.** From the model's deterioration date (the last six
reported months) more social workers leave, recruitment halves and agency
cover climbs to about 120 % of the vacancies, so the agency rate rises from
about 15 % to over 20 % and vacancies grow.

The census (one file per 30 September) lists every social worker in post on
the day, the year's leavers and the agency social workers, with
``LALevelVacancies`` equal to the monthly return's September totals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from lxml import etree

from pmf_lib.dates import bank_holidays
from pmf_lib.synth.days import OPEN, YEAR, as_dates, months_of
from pmf_lib.synth.local import write_table, zpad
from pmf_lib.synth.teams import TEAMS
from pmf_lib.synth.write import LA_CODE, iso

CASELOAD = 17.0
TARGET_IN_POST = 0.85  # of establishment
HIRE_SPEED = 0.4  # share of the FTE shortfall recruited a month
LEAVE_YEAR = 0.16  # per head a year
AGENCY_COVER = 0.9  # agency FTE per vacant FTE
SICKNESS = 0.035  # share of working days lost
FTE_CHOICES = ([1.0, 0.8, 0.6, 0.5], [0.74, 0.12, 0.08, 0.06])
LEAVE_SEASON = np.array([0.9, 0.9, 1.0, 1.0, 1.0, 1.1, 1.2, 1.3, 1.1, 0.9, 0.8, 0.8])
HIRE_SEASON = np.array([1.0, 1.0, 1.0, 0.9, 0.9, 0.9, 0.9, 0.6, 1.8, 1.4, 1.0, 0.6])
SICK_SEASON = np.array([1.3, 1.25, 1.1, 0.95, 0.9, 0.85, 0.8, 0.75, 0.9, 1.0, 1.1, 1.2])
ROLES = (["3", "4", "5", "6"], [0.12, 0.18, 0.65, 0.05])  # CSWW OrgRole codes
CASE_ROLES = ("4", "5")
# Share of each DfE ethnicity code (pmf_lib.codes) among the simulated social workers, in the
# order the generator draws them (the order fixes the demo data).
ETHNIC_SHARES = {
    "WBRI": 0.7,
    "WOTH": 0.06,
    "WIRI": 0.02,
    "MWBC": 0.02,
    "MWAS": 0.01,
    "MOTH": 0.02,
    "AIND": 0.03,
    "APKN": 0.02,
    "BCRB": 0.03,
    "BAFR": 0.05,
    "OOTH": 0.02,
    "REFU": 0.02,
}
ETHNIC = (list(ETHNIC_SHARES), list(ETHNIC_SHARES.values()))


@dataclass
class Workforce:
    """Month-by-team tables (shape ``months x teams``) and the employed social workers."""

    month_ends: np.ndarray
    fte_in_post: np.ndarray
    agency_fte: np.ndarray
    vacancies_fte: np.ndarray
    starters: np.ndarray
    leavers: np.ndarray
    sickness_days: np.ndarray
    cases_held: np.ndarray
    workers: dict[str, np.ndarray] = field(default_factory=dict)


def _pick(rng, codes_p, n) -> np.ndarray:
    codes, p = codes_p
    p = np.asarray(p, float)
    return np.asarray(codes, dtype=object)[rng.choice(len(codes), size=n, p=p / p.sum())]


def _new_workers(rng, team, start, nqsw) -> dict[str, np.ndarray]:
    n = len(team)
    age = np.where(nqsw, 22 + rng.gamma(2.0, 2.5, n), 26 + rng.random(n) * 36)
    return {
        "team": np.asarray(team, np.int64),
        "fte": np.asarray(FTE_CHOICES[0])[rng.choice(4, size=n, p=FTE_CHOICES[1])],
        "start": np.asarray(start, np.int64),
        "end": np.full(n, OPEN, np.int64),
        "dob": (np.asarray(start) - age * YEAR).astype(np.int64),
        "sex": np.where(rng.random(n) < 0.84, "2", np.where(rng.random(n) < 0.95, "1", "9")),
        "ethnic": _pick(rng, ETHNIC, n),
        "role": np.where(nqsw, "5", _pick(rng, ROLES, n)).astype(object),
        "origin": np.where(
            nqsw, "1", _pick(rng, (["2", "3", "4", "5", "6", "8", "9"], [45, 5, 25, 8, 7, 5, 5]), n)
        ).astype(object),
        "qual": np.where(rng.random(n) < 0.6, "1", np.where(rng.random(n) < 0.9, "2", "3")),
        "stepup": np.where(rng.random(n) < 0.05, "1", "0"),
        "frontline": np.where(rng.random(n) < 0.07, "1", "0"),
    }


def _establishment(cases: np.ndarray, month_ends: np.ndarray) -> np.ndarray:
    """Funded FTE per team, reset each April from the previous 12 months' cases."""
    month = months_of(month_ends)
    out = np.zeros(cases.shape)
    current = None
    for k in range(len(month_ends)):
        if current is None or month[k] == 4:
            window = cases[max(0, k - 12) : max(k, 1)]
            current = np.round(window.mean(axis=0) / (CASELOAD * 0.985) * 2) / 2
        out[k] = current
    return out


def simulate_workforce(
    seed: int, month_ends: np.ndarray, cases: np.ndarray, adverse_from: int
) -> Workforce:
    """Simulate the teams over ``month_ends`` given cases held (``months x teams``)."""
    rng = np.random.default_rng([seed, 600])
    K, T = cases.shape
    est = _establishment(cases, month_ends)
    mean_fte = float(np.dot(*FTE_CHOICES))
    first = int(
        as_dates(month_ends[:1]).astype("datetime64[M]").astype("datetime64[D]")[0].astype(int)
    )
    heads0 = np.round(TARGET_IN_POST * 0.97 * est[0] / mean_fte).astype(np.int64)
    team0 = np.repeat(np.arange(T), heads0)
    start0 = first - 30 - (rng.exponential(5.0, len(team0)) * YEAR).astype(np.int64)
    W = _new_workers(rng, team0, start0, np.zeros(len(team0), bool))
    out = {k: np.zeros((K, T)) for k in ("fte", "agency", "vac", "starters", "leavers", "sick")}
    month = months_of(month_ends)
    hol = bank_holidays()
    for k, me in enumerate(np.asarray(month_ends, np.int64)):
        ms = int(as_dates([me]).astype("datetime64[M]").astype("datetime64[D]")[0].astype(int))
        days = me - ms + 1
        adverse = me >= adverse_from
        ramp = float(np.clip((me - adverse_from + 30) / 150.0, 0.0, 1.0))
        active = (W["start"] < ms) & (W["end"] >= ms)
        p_leave = LEAVE_YEAR / 12 * LEAVE_SEASON[month[k] - 1] * (1.0 + 0.9 * ramp)
        go = active & (rng.random(len(active)) < p_leave)
        W["end"] = np.where(go, ms + rng.integers(0, days, len(active)), W["end"])
        staying = active & ~go
        fte_now = np.bincount(W["team"][staying], weights=W["fte"][staying], minlength=T)
        short = np.maximum(TARGET_IN_POST * est[k] - fte_now, 0)
        lam = short * HIRE_SPEED / mean_fte * HIRE_SEASON[month[k] - 1] * (0.5 if adverse else 1)
        hires = rng.poisson(lam)
        team = np.repeat(np.arange(T), hires)
        nqsw = (month[k] in (9, 10)) & (rng.random(len(team)) < 0.6)
        new = _new_workers(rng, team, ms + rng.integers(0, days, len(team)), nqsw)
        W = {c: np.concatenate([W[c], new[c]]) for c in W}
        in_post = (W["start"] <= me) & (W["end"] > me)
        fte = np.bincount(W["team"][in_post], weights=W["fte"][in_post], minlength=T)
        started = (W["start"] >= ms) & (W["start"] <= me)
        left = (W["end"] >= ms) & (W["end"] <= me)
        vac = np.maximum(est[k] - fte, 0)
        cover = AGENCY_COVER + 0.3 * ramp
        agency = np.maximum(np.round(cover * vac * rng.normal(1, 0.05, T), 1), 0)
        workdays = np.busday_count(as_dates([ms])[0], as_dates([me + 1])[0], holidays=hol)
        sick = workdays * fte * SICKNESS * SICK_SEASON[month[k] - 1] * rng.gamma(25, 1 / 25, T)
        out["fte"][k] = np.round(fte, 1)
        out["agency"][k] = agency
        out["vac"][k] = np.round(vac, 1)
        out["starters"][k] = np.bincount(W["team"][started], minlength=T)
        out["leavers"][k] = np.bincount(W["team"][left], minlength=T)
        out["sick"][k] = np.round(sick * 2) / 2
    W["id"] = np.arange(1, len(W["team"]) + 1)
    return Workforce(
        month_ends=np.asarray(month_ends, np.int64),
        fte_in_post=out["fte"],
        agency_fte=out["agency"],
        vacancies_fte=out["vac"],
        starters=out["starters"].astype(np.int64),
        leavers=out["leavers"].astype(np.int64),
        sickness_days=out["sick"],
        cases_held=np.asarray(cases, np.int64),
        workers=W,
    )


def write_workforce_monthly(path: Path, wf: Workforce, first_month: int, bad_cell: int) -> int:
    """The monthly team return from the month ending ``first_month`` on.

    ``bad_cell`` is the row (0-based) whose sickness days are written ``n/k``
    (the deliberate data-quality issue; -1 for none).
    """
    k0 = int(np.searchsorted(wf.month_ends, first_month))
    K, T = wf.fte_in_post[k0:].shape
    kk = np.repeat(np.arange(k0, k0 + K), T)
    tt = np.tile(np.arange(T), K)
    one = lambda a: np.char.mod("%.1f", a[kk, tt]).astype(object)  # noqa: E731
    frame = {
        "month": iso(wf.month_ends[kk]),
        "team": np.asarray(TEAMS, dtype=object)[tt],
        "fte_in_post": one(wf.fte_in_post),
        "agency_fte": one(wf.agency_fte),
        "vacancies_fte": one(wf.vacancies_fte),
        "starters": wf.starters[kk, tt].astype(str).astype(object),
        "leavers": wf.leavers[kk, tt].astype(str).astype(object),
        "sickness_days": one(wf.sickness_days),
        "cases_held": wf.cases_held[kk, tt].astype(str).astype(object),
    }
    if 0 <= bad_cell < len(kk):
        frame["sickness_days"][bad_cell] = "n/k"
    return write_table(path, "workforce_monthly", frame)


def _swe(prefix: str, numbers: np.ndarray) -> np.ndarray:
    """SWE-number-shaped ids (two letters, ten digits), distinct for distinct numbers."""
    body = (np.asarray(numbers, np.int64) * 7919 + 1_234_567_891) % 10**10
    return zpad(prefix, body, 10)


def write_csww(path: Path, wf: Workforce, year: int, seed: int) -> int:
    """The CSWW census XML for 30 September ``year``; returns the number of workers."""
    rng = np.random.default_rng([seed, 601, year])
    ref = int(np.datetime64(f"{year}-09-30", "D").astype(np.int64))
    before = int(np.datetime64(f"{year - 1}-09-30", "D").astype(np.int64))
    k = int(np.searchsorted(wf.month_ends, ref))
    W = wf.workers
    in_post = (W["start"] <= ref) & (W["end"] > ref)
    left = (W["end"] > before) & (W["end"] <= ref)
    rows = np.flatnonzero(in_post | left)
    rows = rows[np.argsort(W["id"][rows], kind="stable")]
    n = len(rows)
    team = W["team"][rows]
    holder = in_post[rows] & np.isin(W["role"][rows], CASE_ROLES)
    # Cases at 30 September shared among the team's case holders (agency workers get theirs below).
    agency_fte = wf.agency_fte[k]
    n_agency = np.ceil(agency_fte / 0.95 - 1e-9).astype(np.int64)
    cases30 = np.zeros(n, np.int64)
    a_cases = []
    for t in range(len(TEAMS)):
        mine = np.flatnonzero(holder & (team == t))
        weights = np.r_[
            W["fte"][rows][mine], np.full(n_agency[t], agency_fte[t] / max(n_agency[t], 1))
        ]
        if weights.sum() > 0:
            share = rng.multinomial(int(wf.cases_held[k, t]), weights / weights.sum())
            cases30[mine] = share[: len(mine)]
            a_cases.append(share[len(mine) :])
        else:
            a_cases.append(np.zeros(n_agency[t], np.int64))
    in_year = np.clip(
        (np.minimum(W["end"][rows], ref) - np.maximum(W["start"][rows], before)) / (ref - before),
        0,
        1,
    )
    lost = rng.gamma(0.5, 2 * SICKNESS * 225 * W["fte"][rows] * in_year)
    absent = in_post[rows] & (rng.random(n) < 0.05)
    why_absent = _pick(rng, (["SIC", "MAT", "TRN", "OTH"], [0.5, 0.3, 0.1, 0.1]), n)
    asye = (W["origin"][rows] == "1") & (W["start"][rows] > ref - 365)
    start_s, end_s, dob_s = (
        iso(W["start"][rows]),
        iso(W["end"][rows], left[rows]),
        iso(W["dob"][rows]),
    )
    swe = _swe("SW", W["id"][rows])
    reason = _pick(rng, ([str(i) for i in range(1, 11)], [60, 1, 1, 3, 10, 0.5, 8, 6, 6, 4.5]), n)
    dest = _pick(rng, ([str(i) for i in range(1, 10)], [30, 3, 20, 8, 7, 12, 5, 10, 5]), n)

    def sub(parent, tag, text):
        el = etree.SubElement(parent, tag)
        el.text = text

    with etree.xmlfile(str(path), encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("Message"):
            head = etree.Element("Header")
            cd = etree.SubElement(head, "CollectionDetails")
            sub(cd, "Collection", "CSWW")
            sub(cd, "Year", str(year))
            sub(cd, "ReferenceDate", f"{year}-09-30")
            src = etree.SubElement(head, "Source")
            for tag, text in (
                ("SourceLevel", "L"),
                ("LEA", LA_CODE),
                ("SoftwareCode", "pmf synth"),
                ("DateTime", f"{year}-10-31T09:00:00"),
            ):
                sub(src, tag, text)
            xf.write(head, pretty_print=True)
            la = etree.Element("LALevelVacancies")
            sub(la, "NumberOfVacancies", f"{wf.vacancies_fte[k].sum():.2f}")
            sub(la, "NoAgencyFTE", f"{agency_fte.sum():.2f}")
            sub(la, "NoAgencyHeadcount", str(int(n_agency.sum())))
            xf.write(la, pretty_print=True)
            for i, r in enumerate(rows):
                el = etree.Element("CSWWWorker")
                sub(el, "AgencyWorker", "0")
                sub(el, "SWENo", swe[i])
                sub(el, "FTE", f"{W['fte'][r]:.6f}")
                sub(el, "PersonBirthDate", dob_s[i])
                sub(el, "GenderCurrent", W["sex"][r])
                sub(el, "Ethnicity", W["ethnic"][r])
                sub(el, "QualInst", "Demo University (synthetic)")
                sub(el, "QualLevel", W["qual"][r])
                sub(el, "StepUpGrad", W["stepup"][r])
                sub(el, "OrgRole", W["role"][r])
                sub(el, "RoleStartDate", start_s[i])
                sub(el, "StartOrigin", W["origin"][r])
                if left[r]:
                    sub(el, "RoleEndDate", end_s[i])
                    sub(el, "LeaverDestination", dest[i])
                    sub(el, "ReasonLeave", reason[i])
                else:
                    sub(el, "FTE30", f"{W['fte'][r]:.6f}")
                    if holder[i]:
                        sub(el, "Cases30", str(int(cases30[i])))
                sub(el, "WorkingDaysLost", f"{lost[i]:.2f}")
                sub(el, "FrontlineGrad", W["frontline"][r])
                if in_post[r]:
                    sub(el, "Absat30Sept", "1" if absent[i] else "0")
                    if absent[i]:
                        sub(el, "ReasonAbsence", why_absent[i])
                if asye[i]:
                    sub(el, "CFKSSstatus", "1")
                xf.write(el, pretty_print=True)
            a_ids = _swe("AG", np.arange(1, int(n_agency.sum()) + 1) + 10_000 * (year % 1000))
            j = 0
            for t in range(len(TEAMS)):
                for m in range(int(n_agency[t])):
                    el = etree.Element("CSWWWorker")
                    sub(el, "AgencyWorker", "1")
                    sub(el, "SWENo", a_ids[j])
                    sub(el, "FTE", f"{agency_fte[t] / n_agency[t]:.6f}")
                    sub(el, "QualInst", "Not known")
                    sub(el, "OrgRole", "5")
                    sub(el, "Cases30", str(int(a_cases[t][m])))
                    sub(el, "ContractWeeks", f"{4 + rng.random() * 48:.1f}")
                    xf.write(el, pretty_print=True)
                    j += 1
    return n + j


def census_years(first: int, end: int) -> list[int]:
    """Years whose 30 September falls between day numbers ``first`` and ``end``.

    Examples
    --------
    >>> from pmf_lib.synth.model import day
    >>> census_years(day("2022-11-01"), day("2026-10-31"))
    [2023, 2024, 2025, 2026]
    """
    y0, y1 = pd.Timestamp(as_dates([first])[0]).year, pd.Timestamp(as_dates([end])[0]).year
    out = []
    for y in range(y0, y1 + 1):
        d = int(np.datetime64(f"{y}-09-30", "D").astype(np.int64))
        if first <= d <= end:
            out.append(y)
    return out
