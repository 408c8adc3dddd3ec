"""Periods of care: paths, legal statuses, placements, episodes, reviews and missing spells.

Looked-after children come from CP plans and assessments (and unaccompanied
asylum-seeking children arrive directly); each period follows a path (return
home, adoption, special guardianship, looked after until 18, remand, police
protection) with legal-status changes and placement moves
(:func:`draw_periods`; short-break-only care: :func:`short_breaks`). Each period
is split into SSDA903 episodes at each legal-status or placement change
(:func:`episodes`), with its looked-after reviews (:func:`cla_reviews`) and
missing or away spells (:func:`missing_episodes`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmf_lib.synth.days import OPEN, YEAR, Horizon, add_years, busday_add
from pmf_lib.synth.draws import choice, zfill

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


def draw_periods(rng, h: Horizon, child, dob, entry, route, need) -> dict[str, np.ndarray]:
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
    rec[m] = choice(rng, REC_HOME, m.sum())
    m = path == "adopt"
    k = m.sum()
    c2[m] = entry[m] + rng.integers(150, 300, k)
    e1[m] = c2[m] + rng.integers(20, 120, k)
    placed[m] = e1[m] + rng.integers(60, 250, k)
    end[m] = placed[m] + rng.integers(150, 360, k)
    rec[m] = np.where(rng.random(k) < 0.4, "E11", "E12")
    m = path == "sgo"
    end[m] = entry[m] + rng.integers(250, 1100, m.sum())
    rec[m] = choice(rng, REC_SGO, m.sum())
    m = path == "lt18"
    early = m & (age < 15.5) & (rng.random(n) < 0.08)
    end[m] = eighteen[m]
    rec[m] = choice(rng, REC_AT_18, m.sum())
    end[early] = np.maximum(entry[early] + 30, eighteen[early] - rng.integers(30, 700, early.sum()))
    rec[early] = np.where(rng.random(early.sum()) < 0.5, "E5", "E13")
    m = path == "other"
    end[m] = entry[m] + rng.integers(30, 800, m.sum())
    rec[m] = choice(rng, REC_OTHER, m.sum())
    m = (path == "other") & uasc
    end[m] = entry[m] + rng.integers(20, 200, m.sum())
    rec[m] = "E15"
    m = path == "remand"
    end[m] = entry[m] + rng.integers(10, 120, m.sum())
    rec[m] = np.where(rng.random(m.sum()) < 0.7, "E14", "E9")
    capped = end >= eighteen
    end = np.minimum(end, eighteen)
    rec[capped & (path != "lt18")] = choice(rng, REC_AT_18, (capped & (path != "lt18")).sum())
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


def short_breaks(rng, child, dob, plan_start, plan_end, need) -> dict[str, np.ndarray]:
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
    out = np.where(age < 12, choice(rng, PLACE_YOUNG, n), choice(rng, PLACE_TEEN, n))
    out = np.where((out == "H5") & (age < 16), "U4", out)
    out = np.where(kind == "uasc", choice(rng, PLACE_UASC, n), out)
    out = np.where(kind == "remand", choice(rng, PLACE_REMAND, n), out)
    out = np.where(kind == "short", np.where(rng.random(n) < 0.6, "K2", "U4"), out)
    return out.astype(object)


def episodes(rng, h: Horizon, P: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
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
    rpc = np.where(~last & nxt_place, choice(rng, PLACE_CHANGE, len(p)), "").astype(object)
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


def cla_reviews(rng, h, P):
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
        choice(
            rng,
            (
                ["PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"],
                [0.5, 0.1, 0.12, 0.1, 0.06, 0.06, 0.06],
            ),
            len(idx),
        ),
    )
    return {"child": P["child"][idx], "REVIEW": days, "REVIEW_CODE": code.astype(object)}


def missing_episodes(rng, h, P):
    span = np.minimum(P["end"], h.end + 1) - P["start"]
    age = (P["start"] - P["dob"]) / YEAR
    rate = np.where(rng.random(len(span)) < 0.2, 3.0, 0.15) * (age >= 10) * ~P["short_break"]
    count = rng.poisson(rate * span / YEAR)
    idx = np.repeat(np.arange(len(span)), count)
    s = P["start"][idx] + (rng.random(len(idx)) * span[idx]).astype(np.int64)
    e = s + rng.choice([0, 0, 1, 1, 1, 2, 3, 5, 9], size=len(idx))
    kind = np.where(rng.random(len(idx)) < 0.8, "M", "A").astype(object)
    return {"child": P["child"][idx], "MISSING": kind, "MIS_START": s, "MIS_END": e}
