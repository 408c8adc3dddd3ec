"""Write the simulated council as national returns: SSDA903 CSVs, CIN census XML, ONS population.

Each collection year's files show what the council would have sent at that
return's reference date (31 March, or the last month end of the data for the
final, year-to-date return): anything dated after it is absent or blank.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from lxml import etree

from pmf_lib.read.tables import S903_COLUMNS
from pmf_lib.synth.days import OPEN, YEAR, Horizon, add_years, as_dates, day
from pmf_lib.synth.model import World
from pmf_lib.synth.referrals import FACTORS

S903_FILES = [
    "header",
    "episodes",
    "reviews",
    "uasc",
    "oc2",
    "oc3",
    "missing",
    "ad1",
    "placed_for_adoption",
    "previous_permanence",
]
PROVENANCE = ("collection_year", "source_file")
LA_CODE = "938"


def columns_903(table: str) -> list[str]:
    """DfE's column names for an SSDA903 table (the canonical ones less provenance).

    Examples
    --------
    >>> columns_903("uasc")
    ['CHILD', 'SEX', 'DOB', 'DUC']
    """
    return [c for c in S903_COLUMNS[table] if c not in PROVENANCE]


def iso(days: np.ndarray, show: np.ndarray | None = None) -> np.ndarray:
    """``YYYY-MM-DD`` strings, ``""`` where ``show`` is False.

    Examples
    --------
    >>> iso(np.array([0, 1]), np.array([True, False])).tolist()
    ['1970-01-01', '']
    """
    days = np.asarray(days, dtype=np.int64)
    show = np.ones(len(days), bool) if show is None else np.asarray(show, bool)
    s = np.datetime_as_string(as_dates(np.where(show, days, 0)), unit="D").astype("U10")
    return np.where(show, s, "").astype(object)


def dmy(days: np.ndarray, show: np.ndarray | None = None) -> np.ndarray:
    """``DD/MM/YYYY`` strings (the 903 date format), ``""`` where ``show`` is False.

    Examples
    --------
    >>> dmy(np.array([19783])).tolist()
    ['01/03/2024']
    """
    s = iso(days, show)
    ok = s != ""
    chars = np.asarray(np.where(ok, s, "0000-00-00"), dtype="U10").view("U1").reshape(-1, 10)
    out = chars[:, [8, 9, 4, 5, 6, 7, 0, 1, 2, 3]].copy()
    out[:, 2] = "/"
    out[:, 5] = "/"
    joined = np.ascontiguousarray(out).view("U10").ravel()
    return np.where(ok, joined, "").astype(object)


def write_csv(path: Path, frame: dict[str, np.ndarray], columns: list[str]) -> int:
    df = pd.DataFrame({c: pd.Series(frame[c], dtype=object) for c in columns})
    df.to_csv(path, index=False, lineterminator="\n")
    return len(df)


# ---- SSDA903 -------------------------------------------------------------------
def write_903_year(
    folder: Path, w: World, h: Horizon, year: int, ys: int, ref: int, seed: int
) -> dict[str, int]:
    """One collection year's ten 903 CSVs; returns rows per table."""
    rng = np.random.default_rng([seed, year, 903])
    folder.mkdir(parents=True)
    C, E, P = w.children, w.episodes, w.periods
    counts: dict[str, int] = {}

    m = (E["DECOM"] <= ref) & (E["DEC"] >= ys)
    ended = E["DEC"][m] <= ref
    ep = {k: v[m] for k, v in E.items()}
    order = np.lexsort((ep["DECOM"], ep["child"]))
    ep = {k: v[order] for k, v in ep.items()}
    ended = ended[order]
    ep["CHILD"] = C["id"][ep["child"]]
    ep["DEC"] = dmy(ep["DEC"], ended)
    ep["REC"] = np.where(ended, ep["REC"], "")
    ep["REASON_PLACE_CHANGE"] = np.where(ended, ep["REASON_PLACE_CHANGE"], "")
    ep["DECOM"] = dmy(ep["DECOM"])
    counts["episodes"] = write_csv(folder / "episodes.csv", ep, columns_903("episodes"))
    in_year = np.unique(ep["child"])

    # Periods touching the year (for UASC, OC2, adoption tables).
    pm = (P["start"] <= ref) & (P["end"] >= ys) & ~P["short_break"]
    # OC3: care leavers (left care aged 16+ after 13 weeks or more) with a 17th-21st
    # birthday in the year.
    dob_p = P["dob"]
    left = (
        (P["end"] <= ref)
        & ~P["short_break"]
        & ((P["end"] - dob_p) >= 16 * YEAR)
        & (P["end"] - P["start"] >= 91)
        & ~np.isin(P["rec"], ["E11", "E12", "E2", "E15"])
    )
    bday = np.zeros(len(dob_p), bool)
    for age in range(17, 22):
        b = add_years(dob_p, age)
        bday |= (b >= ys) & (b <= ref) & (b >= P["end"] - 1)
    leavers = np.unique(P["child"][left & bday])
    leavers = leavers[~np.isin(leavers, in_year)]
    oc3 = {
        "child": leavers,
        "IN_TOUCH": _pick(
            rng, ["YES", "NO", "REFU", "NREQ", "RHOM"], [0.85, 0.06, 0.03, 0.04, 0.02], len(leavers)
        ),
        "ACTIV": _pick(
            rng,
            ["F1", "P1", "F2", "P2", "F4", "P4", "F5", "G4", "G5", "G6"],
            [0.25, 0.05, 0.2, 0.05, 0.05, 0.02, 0.03, 0.2, 0.1, 0.05],
            len(leavers),
        ),
        "ACCOM": _pick(
            rng,
            ["B1", "C1", "D1", "E1", "G1", "H1", "K1", "R1", "S1", "T1", "U1", "V2", "X1", "Z1"],
            [0.05, 0.08, 0.05, 0.05, 0.05, 0.02, 0.04, 0.01, 0.3, 0.04, 0.1, 0.05, 0.1, 0.06],
            len(leavers),
        ),
    }

    # Header: every child in the return.
    hc = np.concatenate([in_year, leavers])
    hc = hc[np.argsort(C["id"][hc], kind="stable")]
    age_ref = (ref - C["dob"][hc]) / YEAR
    mother = (C["sex"][hc] == "2") & (age_ref >= 12)
    is_mother = mother & (rng.random(len(hc)) < 0.03)
    header = {
        "CHILD": C["id"][hc],
        "SEX": C["sex"][hc],
        "DOB": dmy(C["dob"][hc]),
        "ETHNIC": C["ethnic"][hc],
        "UPN": C["upn"][hc],
        "MOTHER": np.where(mother, np.where(is_mother, "1", "0"), ""),
        "MC_DOB": dmy(ref - rng.integers(30, 700, len(hc)), is_mother),
    }
    counts["header"] = write_csv(folder / "header.csv", header, columns_903("header"))

    def child_cols(idx: np.ndarray) -> dict[str, np.ndarray]:
        return {"CHILD": C["id"][idx], "DOB": dmy(C["dob"][idx])}

    # Reviews dated in the year.
    R = w.cla_reviews
    m = (R["REVIEW"] >= ys) & (R["REVIEW"] <= ref)
    o = np.lexsort((R["REVIEW"][m], C["id"][R["child"][m]]))
    rv = {
        **child_cols(R["child"][m][o]),
        "REVIEW": dmy(R["REVIEW"][m][o]),
        "REVIEW_CODE": R["REVIEW_CODE"][m][o],
    }
    counts["reviews"] = write_csv(folder / "reviews.csv", rv, columns_903("reviews"))

    uc = np.unique(P["child"][pm & P["uasc"]])
    uc = uc[np.argsort(C["id"][uc], kind="stable")]
    ua = {
        "CHILD": C["id"][uc],
        "SEX": C["sex"][uc],
        "DOB": dmy(C["dob"][uc]),
        "DUC": dmy(add_years(C["dob"][uc], 18)),
    }
    counts["uasc"] = write_csv(folder / "uasc.csv", ua, columns_903("uasc"))

    # OC2: looked after continuously for 12 months at 31 March (annual returns only).
    if ref == day(f"{year}-03-31"):
        m = (P["start"] <= ref - 365) & (P["end"] > ref) & ~P["short_break"]
        oc = np.unique(P["child"][m])
    else:
        oc = np.zeros(0, np.int64)
    oc = oc[np.argsort(C["id"][oc], kind="stable")]
    n = len(oc)
    age = (ref - C["dob"][oc]) / YEAR
    sdq_due = (age >= 4) & (age < 17)
    has_sdq = sdq_due & (rng.random(n) < 0.8)
    yes = lambda p: np.where(rng.random(n) < p, "1", "0")  # noqa: E731
    oc2 = {
        **child_cols(oc),
        "SDQ_SCORE": np.where(has_sdq, rng.integers(0, 41, n).astype(str), ""),
        "SDQ_REASON": np.where(
            sdq_due & ~has_sdq,
            _pick(rng, ["SDQ1", "SDQ2", "SDQ3", "SDQ4", "SDQ5"], [0.3, 0.2, 0.2, 0.2, 0.1], n),
            "",
        ),
        "CONVICTED": np.where(age >= 10, yes(0.03), ""),
        # DfE rules 545/546: HEALTH_CHECK is the under-5s health promotion check,
        # HEALTH_ASSESSMENT the annual health assessment at every age.
        "HEALTH_CHECK": np.where(age < 5, yes(0.9), ""),
        "IMMUNISATIONS": yes(0.85),
        "TEETH_CHECK": yes(0.8),
        "HEALTH_ASSESSMENT": yes(0.9),
        "SUBSTANCE_MISUSE": yes(0.04),
        "INTERVENTION_RECEIVED": yes(0.02),
        "INTERVENTION_OFFERED": yes(0.03),
    }
    counts["oc2"] = write_csv(folder / "oc2.csv", oc2, columns_903("oc2"))

    o3 = np.argsort(C["id"][oc3["child"]], kind="stable")
    oc3 = {k: v[o3] for k, v in oc3.items()}
    counts["oc3"] = write_csv(
        folder / "oc3.csv", {**child_cols(oc3["child"]), **oc3}, columns_903("oc3")
    )

    M = w.missing
    m = (M["MIS_START"] >= ys) & (M["MIS_START"] <= ref)
    o = np.lexsort((M["MIS_START"][m], C["id"][M["child"][m]]))
    mi = {
        **child_cols(M["child"][m][o]),
        "MISSING": M["MISSING"][m][o],
        "MIS_START": dmy(M["MIS_START"][m][o]),
        "MIS_END": dmy(M["MIS_END"][m][o], M["MIS_END"][m][o] <= ref),
    }
    counts["missing"] = write_csv(folder / "missing.csv", mi, columns_903("missing"))

    # Adoption: the decision (DATE_INT) a few weeks before the placement order.
    decided = P["e1"] - 45
    m = (P["path"] == "adopt") & (P["end"] >= ys) & (P["end"] <= ref) & (P["placed"] < OPEN)
    idx = np.flatnonzero(m)
    idx = idx[np.argsort(C["id"][P["child"][idx]], kind="stable")]
    n = len(idx)
    two = rng.random(n) < 0.85
    ad1 = {
        **child_cols(P["child"][idx]),
        "DATE_INT": dmy(decided[idx]),
        "DATE_MATCH": dmy(P["placed"][idx] - rng.integers(7, 40, n)),
        "FOSTER_CARE": np.where(rng.random(n) < 0.2, "1", "0"),
        "NB_ADOPTR": np.where(two, "2", "1"),
        "SEX_ADOPTR": np.where(
            two,
            _pick(rng, ["MF", "MM", "FF"], [0.85, 0.07, 0.08], n),
            _pick(rng, ["F1", "M1"], [0.85, 0.15], n),
        ),
        "LS_ADOPTR": np.where(
            two,
            _pick(rng, ["L0", "L11", "L12", "L2"], [0.65, 0.12, 0.08, 0.15], n),
            _pick(rng, ["L3", "L4"], [0.7, 0.3], n),
        ),
    }
    counts["ad1"] = write_csv(folder / "ad1.csv", ad1, columns_903("ad1"))

    m = (P["e1"] < OPEN) & (decided <= ref) & (P["end"] >= ys)
    idx = np.flatnonzero(m)
    idx = idx[np.argsort(C["id"][P["child"][idx]], kind="stable")]
    pfa = {
        **child_cols(P["child"][idx]),
        "DATE_PLACED": dmy(decided[idx]),
        "DATE_PLACED_CEASED": np.full(len(idx), "", dtype=object),
        "REASON_PLACED_CEASED": np.full(len(idx), "", dtype=object),
    }
    counts["placed_for_adoption"] = write_csv(
        folder / "placed_for_adoption.csv", pfa, columns_903("placed_for_adoption")
    )

    m = (P["start"] >= ys) & (P["start"] <= ref)
    idx = np.flatnonzero(m)
    _, first = np.unique(P["child"][idx], return_index=True)
    idx = idx[first]
    idx = idx[np.argsort(C["id"][P["child"][idx]], kind="stable")]
    n = len(idx)
    prev = _pick(rng, ["Z1", "P1", "P2", "P3", "P4"], [0.86, 0.02, 0.05, 0.04, 0.03], n)
    known = prev != "Z1"
    pp = {
        **child_cols(P["child"][idx]),
        "PREV_PERM": prev,
        "LA_PERM": np.where(known, LA_CODE, ""),
        "DATE_PERM": dmy(P["start"][idx] - rng.integers(200, 2500, n), known),
    }
    counts["previous_permanence"] = write_csv(
        folder / "previous_permanence.csv", pp, columns_903("previous_permanence")
    )
    return counts


def _pick(rng, codes, p, n) -> np.ndarray:
    p = np.asarray(p, float)
    return np.asarray(codes, dtype=object)[rng.choice(len(codes), size=n, p=p / p.sum())]


# ---- CIN census ------------------------------------------------------------------
def write_cin_year(path: Path, w: World, year: int, ys: int, ref: int) -> int:
    """One CIN census XML (children with an episode open in the year); returns children."""
    C, r = w.children, w.referrals
    m = (r["ref"] <= ref) & (r["closure"] >= ys)
    rows = np.flatnonzero(m)
    rows = rows[np.lexsort((r["ref"][rows], C["id"][r["child"][rows]]))]
    on = {
        k: (r[k][rows] <= ref)
        for k in (
            "closure",
            "a_start",
            "a_review",
            "auth",
            "s47_start",
            "icpc_target",
            "icpc",
            "s47_decided",
            "cpp_start",
            "cpp_end",
            "plan_start",
            "plan_end",
        )
    }
    d = {k: iso(r[k][rows], on[k]) for k in on}
    d["ref"] = iso(r["ref"][rows])
    # The ICPC target is known from the day the enquiry starts, even if it falls later.
    d["icpc_target"] = iso(r["icpc_target"][rows], r["icpc_target"][rows] < OPEN)
    rv = w.cp_reviews
    rv_m = np.isin(rv["row"], rows) & (rv["CPPreviewDate"] <= ref)
    rv_row, rv_day = rv["row"][rv_m], rv["CPPreviewDate"][rv_m]
    o = np.lexsort((rv_day, rv_row))
    rv_row, rv_iso = rv_row[o], iso(rv_day[o])
    child = r["child"][rows]
    gender_tag = "Sex" if year >= 2026 else "GenderCurrent"
    ref_iso = iso(np.array([ref]))[0]
    stamp = iso(np.array([ref + 35]))[0] + "T09:00:00"

    def sub(parent, tag, text):
        el = etree.SubElement(parent, tag)
        el.text = text
        return el

    with etree.xmlfile(str(path), encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("Message"):
            head = etree.Element("Header")
            cd = etree.SubElement(head, "CollectionDetails")
            sub(cd, "Collection", "CIN")
            sub(cd, "Year", str(year))
            sub(cd, "ReferenceDate", ref_iso)
            src = etree.SubElement(head, "Source")
            for tag, text in (
                ("SourceLevel", "L"),
                ("LEA", LA_CODE),
                ("SoftwareCode", "pmf synth"),
                ("Release", "1"),
                ("SerialNo", f"{year % 1000:03d}"),
                ("DateTime", stamp),
            ):
                sub(src, tag, text)
            xf.write(head, pretty_print=True)
            with xf.element("Children"):
                starts = np.flatnonzero(np.r_[True, child[1:] != child[:-1]][: len(child)])
                ends = np.r_[starts[1:], len(child)][: len(starts)]
                for a, b in zip(starts, ends, strict=True):
                    c = child[a]
                    el = etree.Element("Child")
                    ids = etree.SubElement(el, "ChildIdentifiers")
                    sub(ids, "LAchildID", C["id"][c])
                    sub(ids, "UPN", C["upn"][c])
                    sub(ids, "PersonBirthDate", iso(C["dob"][c : c + 1])[0])
                    sub(ids, gender_tag, C["sex"][c])
                    ch = etree.SubElement(el, "ChildCharacteristics")
                    sub(ch, "Ethnicity", C["ethnic"][c])
                    dis = etree.SubElement(ch, "Disabilities")
                    sub(dis, "Disability", C["disab_1"][c])
                    if C["disab_2"][c]:
                        sub(dis, "Disability", C["disab_2"][c])
                    for i in range(a, b):
                        _cin_details(el, sub, r, rows[i], i, d, on, rv_row, rv_iso, ys)
                    xf.write(el, pretty_print=True)
    return len(starts) if len(child) else 0


def _ended_before(r, key: str, row: int, on, i: int, ys: int) -> bool:
    """Whether the event ``key`` happened (by the reference date) before the census year."""
    return bool(on[key][i]) and r[key][row] < ys


def _cin_details(parent, sub, r, row, i, d, on, rv_row, rv_iso, ys) -> None:
    """One CINdetails block. As in DfE's census, a year's return holds only the
    assessments, S47 enquiries, ICPCs and plans that were open or ended in that year
    (validation rules 8696 and 8715); earlier ones are in the earlier returns."""
    det = etree.SubElement(parent, "CINdetails")
    sub(det, "CINreferralDate", d["ref"][i])
    sub(det, "ReferralSource", r["source"][row])
    sub(det, "PrimaryNeedCode", r["need"][row])
    if on["closure"][i]:
        sub(det, "CINclosureDate", d["closure"][i])
        sub(det, "ReasonForClosure", r["reason"][row])
    if on["icpc"][i] and not _ended_before(r, "icpc", row, on, i, ys):
        sub(det, "DateOfInitialCPC", d["icpc"][i])
    if on["a_start"][i] and not _ended_before(r, "auth", row, on, i, ys):
        a = etree.SubElement(det, "Assessments")
        sub(a, "AssessmentActualStartDate", d["a_start"][i])
        if on["a_review"][i]:
            sub(a, "AssessmentInternalReviewDate", d["a_review"][i])
        if on["auth"][i]:
            sub(a, "AssessmentAuthorisationDate", d["auth"][i])
            f = etree.SubElement(a, "FactorsIdentifiedAtAssessment")
            seen: list[int] = []
            for k in range(3):
                code = int(r[f"factor{k}"][row])
                if code >= 0 and code not in seen:
                    seen.append(code)
                    sub(f, "AssessmentFactors", FACTORS[code])
    if on["plan_start"][i] and not _ended_before(r, "plan_end", row, on, i, ys):
        p = etree.SubElement(det, "CINPlanDates")
        sub(p, "CINPlanStartDate", d["plan_start"][i])
        if on["plan_end"][i]:
            sub(p, "CINPlanEndDate", d["plan_end"][i])
    s47_ended = _ended_before(r, "icpc", row, on, i, ys) or _ended_before(
        r, "s47_decided", row, on, i, ys
    )
    if on["s47_start"][i] and not s47_ended:
        s = etree.SubElement(det, "Section47")
        sub(s, "S47ActualStartDate", d["s47_start"][i])
        sub(s, "InitialCPCtarget", d["icpc_target"][i])
        if on["icpc"][i]:
            sub(s, "DateOfInitialCPC", d["icpc"][i])
        sub(s, "ICPCnotRequired", "true" if on["s47_decided"][i] else "false")
    sub(det, "ReferralNFA", "true" if r["nfa"][row] else "false")
    if on["cpp_start"][i] and not _ended_before(r, "cpp_end", row, on, i, ys):
        c = etree.SubElement(det, "ChildProtectionPlans")
        sub(c, "CPPstartDate", d["cpp_start"][i])
        if on["cpp_end"][i]:
            sub(c, "CPPendDate", d["cpp_end"][i])
        sub(c, "InitialCategoryOfAbuse", r["abuse0"][row])
        sub(c, "LatestCategoryOfAbuse", r["abuse1"][row])
        sub(c, "NumberOfPreviousCPP", str(int(r["prev_cpp"][row])))
        lo, hi = np.searchsorted(rv_row, [row, row + 1])
        if hi > lo:
            rev = etree.SubElement(c, "Reviews")
            for k in range(lo, hi):
                sub(rev, "CPPreviewDate", rv_iso[k])


# ---- population -------------------------------------------------------------------
POP_COLUMNS = [
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
    "age_group",
    "population_estimate",
]


def write_population(path: Path, children: int, years: list[int], base_year: int, seed: int) -> int:
    """ONS mid-year estimate rows for the demo county, drifting gently around ``children``."""
    rng = np.random.default_rng([seed, 0, 10])
    years = sorted(years)
    pop = [round(children * (1 + 0.003 * (y - base_year) + rng.normal(0, 0.001))) for y in years]
    n = len(years)
    frame = {
        "time_period": [str(y) for y in years],
        "time_identifier": ["Reporting year"] * n,
        "geographic_level": ["Local authority"] * n,
        "country_code": ["E92000001"] * n,
        "country_name": ["England"] * n,
        "region_code": ["E12000008"] * n,
        "region_name": ["South East"] * n,
        "old_la_code": [LA_CODE] * n,
        "new_la_code": ["E10000032"] * n,
        "la_name": ["Demo County (synthetic)"] * n,
        "age_group": ["Children aged 0 to 17 years"] * n,
        "population_estimate": [str(p) for p in pop],
    }
    return write_csv(path, {k: np.asarray(v, dtype=object) for k, v in frame.items()}, POP_COLUMNS)
