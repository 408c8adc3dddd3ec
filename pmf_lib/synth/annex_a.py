"""The demo council's Ofsted Annex A workbook, from the same simulated council as its returns.

``write_annex_a`` writes ``annex_a/annex_a_<YYYY-MM>.xlsx``: a cover sheet giving
the extract date (the data's last day) and lists 1 and 3-10 for the twelve
months to it (:data:`LOOKBACK_MONTHS`), each row taken from the same simulated
records as the CIN census and SSDA903 returns (:mod:`pmf_lib.synth.write`), so
every figure both can give agrees where the definitions coincide:

* List 1: the contacts of ``local/contacts.csv`` dated in the twelve months
  (the one deliberately impossible date, 31 February, is kept as sent);
* List 3: referrals dated in the twelve months; List 4: assessments started or
  authorised in them; List 5: section 47 enquiries started, or with their ICPC,
  in them; List 6: every CIN episode open at any time in them; List 7: every
  child protection plan open at any time in them;
* List 8: one row per period of care open at any time in the twelve months,
  with its legal status and placement at the extract date (or when it ended);
* List 9: the care leavers of the latest annual SSDA903 OC3 return written
  (``ssda903/<YYYY>/oc3.csv``), their activity and accommodation in Annex A's
  codes; List 10: the children with an adoption decision whose period of care
  was open in the twelve months.

Lists 2 (early help assessments) and 11 (adopters) are not written: no figure
pmf computes reads them.

Each child's ``Allocated Team`` is the team holding the case at the last month
end it was open (:func:`pmf_lib.synth.teams.case_teams`; a case opened and closed
within one month: the child's locality assessment team) and ``Allocated
Worker`` one of that team's social workers (``<team> SW<n>``, the same for the
child in every list). Codes are written as Ofsted's labels (``a) Male``,
``q) 6: Police``), as councils' case management systems send them.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from pmf_lib.synth.model import OPEN, YEAR, World
from pmf_lib.synth.teams import ASSESS, LEAVING, TEAMS, case_teams
from pmf_lib.textio import load_yaml

LOOKBACK_MONTHS = 12
#: Social workers per team the demo's allocated workers are drawn from.
WORKERS_PER_TEAM = 9
SPEC = Path(__file__).resolve().parents[1] / "read" / "schemas" / "annex_a.yml"
SEX_GENDER = {"1": "M", "2": "F", "0": "U", "9": "U"}
_EPOCH = date(1970, 1, 1)


def _date(d) -> date | None:
    """A day number as a date (None for missing or OPEN)."""
    d = int(d)
    return None if d >= OPEN or d < -(10**6) else _EPOCH + timedelta(days=d)


def coverage(end: int) -> int:
    """The first day (day number) of the twelve months ending on day ``end``.

    Examples
    --------
    >>> from pmf_lib.synth.model import day
    >>> str(_date(coverage(day("2026-10-31"))))
    '2025-11-01'
    """
    last = pd.Timestamp(_date(end))
    first = last.replace(day=1) - pd.DateOffset(months=LOOKBACK_MONTHS - 1)
    return int((first.date() - _EPOCH).days)


class _Labels:
    """Ofsted's label for each canonical code of the packaged Annex A spec."""

    def __init__(self):
        spec = load_yaml(SPEC)
        self.code_lists = spec["code_lists"]
        self.lists = spec["lists"]

    def header(self, name: str) -> list[str]:
        return [c["header"] for c in self.lists[name]["columns"].values()]

    def label(self, codes: str, code) -> str | None:
        if code is None or (isinstance(code, float) and np.isnan(code)) or code == "":
            return None
        for c in self.code_lists[codes]:
            if c["code"] == code:
                return c.get("label") or code
        return str(code)


def _workers(team: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """A worker name per (team, child): stable for a child within a team."""
    k = np.array([sum(map(ord, s)) % WORKERS_PER_TEAM + 1 for s in ids], dtype=np.int64)
    return np.array([f"{TEAMS[t]} SW{n}" for t, n in zip(team, k, strict=True)], dtype=object)


def _allocation(w: World, end: int, locality: np.ndarray, teams_by_month: np.ndarray):
    """Each child's team index: at the last month end with an open case, else assessment."""
    n = len(w.children["id"])
    team = np.full(n, -1, dtype=np.int64)
    for row in teams_by_month:  # oldest first; later months overwrite
        t = row[:n].astype(np.int64)
        team = np.where(t >= 0, t, team)
    return np.where(team >= 0, team, ASSESS + locality[:n].astype(np.int64))


def write_annex_a(
    path: Path,
    w: World,
    end: int,
    locality: np.ndarray,
    contacts_csv: Path,
    oc3_csv: Path | None,
) -> dict[str, int]:
    """Write the demo's Annex A workbook; returns rows per list.

    Parameters
    ----------
    path : the ``.xlsx`` to write
    w : the simulated council
    end : the extract date (the data's last day), a day number
    locality : each child's locality index (:func:`pmf_lib.synth.teams.localities`)
    contacts_csv : the demo's ``local/contacts.csv`` (List 1 is its contacts)
    oc3_csv : the latest annual OC3 return written (List 9), or None
    """
    lab = _Labels()
    start = coverage(end)
    C, R, P, E = w.children, w.referrals, w.periods, w.episodes
    ends = pd.date_range(pd.Timestamp(_date(start)), pd.Timestamp(_date(end)), freq="ME")
    days = np.array([(d.date() - _EPOCH).days for d in ends], dtype=np.int64)
    team = _allocation(w, end, locality, case_teams(w, days, locality))
    worker = _workers(team, C["id"])

    def on(d):  # a date known by the extract date, else blank
        return _date(d) if int(d) <= end else None

    def child(c: int) -> list:
        return [
            C["id"][c],
            lab.label("gender", SEX_GENDER.get(C["sex"][c], "U")),
            lab.label("ethnicity", C["ethnic"][c]),
            _date(C["dob"][c]),
            round((end - C["dob"][c]) / YEAR, 1),
        ]

    def disabled(c: int) -> str:
        return "Yes" if C["disab_1"][c] not in ("NONE", "") else "No"

    def alloc(c: int, t: int | None = None) -> list:
        t = team[c] if t is None else t
        return [
            TEAMS[t],
            worker[c] if t == team[c] else _workers(np.array([t]), C["id"][c : c + 1])[0],
        ]

    sheets: dict[str, list[list]] = {}
    index = {cid: i for i, cid in enumerate(C["id"])}

    # List 1: contacts
    ct = pd.read_csv(contacts_csv, dtype=str, keep_default_na=False)
    when = pd.to_datetime(ct["Contact date"], format="%Y-%m-%d", errors="coerce")
    lo, hi = pd.Timestamp(_date(start)), pd.Timestamp(_date(end))
    keep = when.isna() | ((when >= lo) & (when <= hi))
    rows = []
    for cid, d, t, src in zip(
        ct["Child ID"][keep],
        ct["Contact date"][keep],
        when[keep],
        ct["Contact source"][keep],
        strict=True,
    ):
        c = index.get(cid)
        # a contact about a child never referred: the contact record has no characteristics
        who = child(c) if c is not None else [cid, lab.label("gender", "U"), "NOBT", None, None]
        rows.append(who + [t.date() if pd.notna(t) else d, lab.label("contact_source", src)])
    sheets["list_1"] = rows

    rc = R["child"]
    ref = R["ref"]
    # List 3: referrals in the twelve months
    rows = []
    for i in np.flatnonzero((ref >= start) & (ref <= end)):
        c = int(rc[i])
        mine = ref[rc == c]
        n12 = int(((mine > end - 365) & (mine <= end)).sum())
        rows.append(
            child(c)
            + [
                _date(ref[i]),
                lab.label("contact_source", R["source"][i]),
                "Yes" if R["nfa"][i] else "No",
                n12,
            ]
            + alloc(c)
        )
    sheets["list_3"] = rows

    # List 4: assessments started or authorised in the twelve months
    a0, au = R["a_start"], R["auth"]
    rows = []
    for i in np.flatnonzero(((a0 >= start) & (a0 <= end)) | ((au >= start) & (au <= end))):
        c = int(rc[i])
        done = on(au[i])
        rows.append(
            child(c)
            + [disabled(c), _date(a0[i]), "Yes", done, ("Yes" if done else None)]
            + alloc(c)
        )
    sheets["list_4"] = rows

    # List 5: S47 enquiries started, or with their ICPC, in the twelve months
    s0, icpc, nreq = R["s47_start"], R["icpc"], R["s47_decided"]
    rows = []
    for i in np.flatnonzero(((s0 >= start) & (s0 <= end)) | ((icpc >= start) & (icpc <= end))):
        c = int(rc[i])
        mine = s0[rc == c]
        mine_icpc = icpc[rc == c]
        rows.append(
            child(c)
            + [
                disabled(c),
                _date(s0[i]),
                "Yes" if nreq[i] <= end else "No",
                on(icpc[i]),
                ("Yes" if R["cpp_start"][i] <= end and icpc[i] <= end else None),
                int(((mine > end - 365) & (mine <= end)).sum()),
                int(((mine_icpc > end - 365) & (mine_icpc <= end)).sum()),
            ]
            + alloc(c)
        )
    sheets["list_5"] = rows

    # List 6: CIN episodes open at any time in the twelve months
    clo = R["closure"]
    cp0, cp1, pl0, pl1 = R["cpp_start"], R["cpp_end"], R["plan_start"], R["plan_end"]
    in_care = np.zeros(len(C["id"]), bool)
    open_p = (P["start"] <= end) & (P["end"] > end)
    in_care[P["child"][open_p]] = True
    rows = []
    for i in np.flatnonzero((ref <= end) & (clo >= start)):
        c = int(rc[i])
        closed = clo[i] <= end
        if closed:
            status = "closed_episode"
        elif in_care[c]:
            status = "looked_after_child"
        elif cp0[i] <= end < cp1[i]:
            status = "child_protection_plan"
        elif pl0[i] <= end < pl1[i]:
            status = "child_in_need_plan"
        else:
            status = "open_assessment"
        rows.append(
            child(c)
            + [
                disabled(c),
                _date(ref[i]),
                lab.label("need_code", R["need"][i]),
                None,
                on(clo[i]),
                lab.label("reason_for_closure", R["reason"][i]) if closed else None,
                lab.label("case_status", status),
            ]
            + alloc(c)
        )
    sheets["list_6"] = rows

    # List 7: CP plans open at any time in the twelve months
    rv = w.cp_reviews
    rows = []
    for i in np.flatnonzero((cp0 <= end) & (cp1 >= start)):
        c = int(rc[i])
        revs = rv["CPPreviewDate"][(rv["row"] == i) & (rv["CPPreviewDate"] <= end)]
        rows.append(
            child(c)
            + [
                disabled(c),
                _date(cp0[i]),
                lab.label("category_of_abuse", R["abuse0"][i]),
                lab.label("category_of_abuse", R["abuse1"][i]),
                None,
                None,
                _date(revs.max()) if len(revs) else None,
                on(cp1[i]),
                "No",
                int(R["prev_cpp"][i]),
            ]
            + alloc(c)
        )
    sheets["list_7"] = rows

    # List 8: periods of care open at any time in the twelve months
    rows = []
    pid = E["pid"]
    for p in np.flatnonzero((P["start"] <= end) & (P["end"] >= start)):
        c = int(P["child"][p])
        eps = np.flatnonzero((pid == p) & (E["DECOM"] <= end))
        if not len(eps):
            continue
        last = eps[np.argmax(E["DECOM"][eps])]
        ceased = P["end"][p] <= end
        moves = int(((E["DECOM"][eps] > end - 365) & (E["RNE"][eps] != "L")).sum())
        legal_from = E["DECOM"][eps][E["LS"][eps] == E["LS"][last]].min()
        rows.append(
            child(c)
            + [
                "Yes" if P["uasc"][p] else "No",
                disabled(c),
                _date(P["start"][p]),
                lab.label("need_code", E["CIN"][last]),
                "No",
                _date(legal_from),
                lab.label("legal_status", E["LS"][last]),
                None,
                None,
                None,
                None,
                None,
                None,
                max(moves, 1),
                on(P["end"][p]),
                lab.label("reason_ceased_to_be_looked_after", P["rec"][p]) if ceased else None,
                _date(E["DECOM"][last]),
                lab.label("placement_type", E["PLACE"][last]),
                lab.label("placement_provider", E["PLACE_PROVIDER"][last]),
                E["PL_POST"][last],
                E["URN"][last],
                lab.label("placement_location", "IN"),
                "938",
                0,
                0,
                None,
                None,
            ]
            + alloc(c)
        )
    sheets["list_8"] = rows

    # List 9: care leavers of the latest annual OC3 return
    rows = []
    if oc3_csv is not None and Path(oc3_csv).is_file():
        oc3 = pd.read_csv(oc3_csv, dtype=str, keep_default_na=False)
        for cid, touch, activ, accom in zip(
            oc3["CHILD"], oc3["IN_TOUCH"], oc3["ACTIV"], oc3["ACCOM"], strict=True
        ):
            c = index[cid]
            act = {"F4": "F3", "P4": "P3", "F5": "F3", "P5": "P3"}.get(activ, activ)
            suit = {"1": "suitable", "2": "unsuitable"}.get(accom[1:2])
            rows.append(
                child(c)
                + [disabled(c)]
                + alloc(c, LEAVING)
                + [
                    lab.label("eligibility_category", "former_relevant_child"),
                    lab.label("la_in_touch", touch),
                    lab.label("type_of_accommodation", accom[:1]) if accom else None,
                    lab.label("suitability_of_accommodation", suit),
                    lab.label("activity_status", act) if act else None,
                ]
            )
    sheets["list_9"] = rows

    # List 10: children with an adoption decision, in care in the twelve months
    rows = []
    decided = P["e1"] - 45
    for p in np.flatnonzero((P["e1"] < OPEN) & (decided <= end) & (P["end"] >= start)):
        c = int(P["child"][p])
        adopted = P["end"][p] <= end and P["rec"][p] in ("E11", "E12")
        rows.append(
            child(c)[:1]
            + [None]
            + child(c)[1:]
            + [
                disabled(c),
                _date(P["start"][p]),
                _date(decided[p]),
                on(P["e1"][p]),
                on(P["placed"][p] - 20) if P["placed"][p] < OPEN else None,
                on(P["placed"][p]),
                on(P["end"][p]) if adopted else None,
                None,
                None,
                None,
            ]
        )
    sheets["list_10"] = rows

    return _save(path, lab, sheets, end)


def _save(path: Path, lab: _Labels, sheets: dict[str, list[list]], end: int) -> dict[str, int]:
    wb = openpyxl.Workbook(write_only=True)
    cover = wb.create_sheet("Cover")
    cover.append(["Ofsted Annex A: Demo County Council (synthetic)"])
    cover.append(["Extract date", _date(end)])
    cover.append(["Lists cover", f"the {LOOKBACK_MONTHS} months to the extract date"])
    counts = {}
    for name, rows in sheets.items():
        n = name.split("_")[1]
        ws = wb.create_sheet(f"List {n}")
        ws.append(lab.header(name))
        for r in rows:
            ws.append(r)
        counts[name] = len(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    wb.save(buf)
    _write_stamped(path, buf.getvalue(), datetime.combine(_date(end), time()))
    return counts


def _write_stamped(path: Path, xlsx: bytes, stamp: datetime) -> None:
    """Write a saved workbook with its save-time stamps set to ``stamp``, so that the
    same arguments give the same bytes (openpyxl stamps each zip entry and the
    ``docProps/core.xml`` created and modified times with the clock)."""
    w3c = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + w3c, body)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            out.writestr(entry, body, compress_type=info.compress_type)


__all__ = ["LOOKBACK_MONTHS", "coverage", "write_annex_a"]
