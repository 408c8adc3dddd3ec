"""Ofsted Annex A lists as the canonical CIN census and SSDA903 tables the KPIs read.

The KPI functions stay the same: :func:`annex_a_inputs` maps the lists of one or
more Annex A workbooks (:func:`pmf_lib.read.annex_a.read_annex_a`) into a
:class:`~pmf_lib.read.tables.CinCensus`, an :class:`~pmf_lib.read.tables.Ssda903`
and the local ``contacts`` frame, so every KPI the lists support is computed by
its own code. :data:`ANNEX_A_KPIS` says, for each KPI over those tables, whether
Annex A supports it and how its figure relates to the 903/CIN one; the KPIs it
does not name are not supported (:func:`support`) and are missing, never 0.

The mapping (``docs/deviations.md``, "Annex A"):

* CIN ``children``: each child of Lists 3-7 (``Sex`` 1 male, 2 female, 0 not
  recorded; ``PersonBirthDate`` from the date of birth); ``disabilities``: the
  lists' "Does the child have a disability" (``Y`` is kept as the code ``Y``,
  ``N`` as ``NONE``);
* CIN ``referrals``: one row per CIN episode, List 6 (start, closure, reason,
  primary need) joined to List 3 (source, NFA) on child and referral date; a
  referral in List 3 but not in List 6 was never open in the lists' period, so
  it is taken as closed on its referral date;
* ``assessments`` from List 4, ``section47`` from List 5 (``ICPCnotRequired`` from
  "ICPC not required"), ``cp_plans`` from List 7 and, from its latest review
  conference, one ``cp_reviews`` row per plan;
* SSDA903 ``header``: each child of Lists 8-10; ``episodes``: one row per period
  of care in List 8 (``DECOM`` the date it started, ``RNE`` ``S``, the legal
  status, placement and provider at the extract date or when care ended, ``DEC``
  and ``REC`` when it ceased);
* ``oc3``: List 9's care leavers as the cohort of the latest 31 March on or
  before the extract date (``IN_TOUCH``; ``ACTIV`` with Annex A's F3/P3,
  training or employment, as 903's F4/P4; ``ACCOM`` the accommodation letter and
  1 suitable or 2 unsuitable);
* the local ``contacts`` dataset from List 1 (its contacts; no decisions).

Each workbook's lists describe its extract date (``AnnexA.extract_date``) and
the months before it back to the first day of the month of its earliest contact
or referral (:attr:`AnnexAData.coverage_start`); several workbooks (monthly
extracts) are stacked, the later extract winning a record both hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from pmf_lib.read.local import ReadTable
from pmf_lib.read.tables import (
    CIN_COLUMNS,
    RETURNS_COLUMNS,
    S903_COLUMNS,
    CinCensus,
    Ssda903,
    conform,
)

SEX = {"M": "1", "F": "2", "U": "0", "N": "0"}
#: Annex A's activity codes as SSDA903's (training or employment is F4/P4 in 903).
ACTIVITY = {"F3": "F4", "P3": "P4"}

SAME = "same"
DIFFERS = "differs"
AT_EXTRACT = "at_extract"


@dataclass(frozen=True)
class Support:
    """How Annex A supports a KPI.

    ``status``: ``same`` (the definitions coincide: the figure equals the
    903/CIN one wherever both cover the window), ``differs`` (computed, with
    ``reason`` saying how it differs), ``at_extract`` (the lists describe only the
    extract date: the figure is given for the extract's month end alone) or
    ``none`` (not supported: missing, with ``reason``). ``history`` is the months
    of lists a window needs before its start (a re-referral looks back a year).
    """

    status: str
    reason: str = ""
    history: int = 0


_REFERRALS = "List 3 (referrals) joined to List 6 (CIN episodes)"
_NO_PLACEMENTS = (
    "List 8 gives only the number of placements in the last 12 months and the current "
    "placement, not each placement's dates"
)
ANNEX_A_KPIS: dict[str, Support] = {
    # front door
    "contacts_count": Support(SAME, "List 1: one row per contact"),
    "contacts_repeat_12m_pct": Support(
        DIFFERS, "needs a year of List 1 before the window (earlier contacts)", history=12
    ),
    "referrals_count": Support(SAME, _REFERRALS),
    "referrals_rate_10k": Support(SAME, _REFERRALS),
    "referrals_nfa_pct": Support(SAME, "List 3 'Referral NFA?'"),
    "referrals_source_school_pct": Support(SAME, "List 3 referral source"),
    "referrals_source_health_pct": Support(SAME, "List 3 referral source"),
    "referrals_source_police_pct": Support(SAME, "List 3 referral source"),
    "rereferrals_12m_pct": Support(
        DIFFERS,
        "a re-referral looks back 12 months from each referral: needs a year of List 3 "
        "before the window (List 3's 'referrals in the last 12 months' counts back from "
        "the extract date, not from the referral)",
        history=12,
    ),
    "referrals_disabled_count": Support(
        DIFFERS,
        "List 3 has no disability column: a referred child counts as disabled only when "
        "Lists 4-7 record a disability",
    ),
    "referrals_disabled_pct": Support(
        DIFFERS,
        "List 3 has no disability column: a referred child counts as disabled only when "
        "Lists 4-7 record a disability",
    ),
    "adol_referrals_count": Support(SAME, "List 3 with the date of birth"),
    # assessment
    "assessments_completed_count": Support(SAME, "List 4 authorisation date"),
    "assessments_45wd_pct": Support(SAME, "List 4 start and authorisation dates"),
    # children in need
    "cin_count": Support(SAME, "List 6: every CIN episode open in the lists' period"),
    "cin_rate_10k": Support(SAME, "List 6: every CIN episode open in the lists' period"),
    "cin_disabled_count": Support(SAME, "List 6 with the lists' disability (Y/N)"),
    "cin_disabled_pct": Support(SAME, "List 6 with the lists' disability (Y/N)"),
    # protection
    "s47_count": Support(SAME, "List 5 start date"),
    "s47_rate_10k": Support(SAME, "List 5 start date"),
    "icpc_15wd_pct": Support(SAME, "List 5 start and ICPC dates"),
    "icpc_rate_10k": Support(SAME, "List 5 ICPC date"),
    "cp_plans_count": Support(SAME, "List 7: every plan open in the lists' period"),
    "cp_plans_rate_10k": Support(SAME, "List 7"),
    "cp_plans_started_count": Support(SAME, "List 7 start date"),
    "cp_plans_started_rate_10k": Support(SAME, "List 7 start date"),
    "cp_plans_ceased_rate_10k": Support(SAME, "List 7 end date"),
    "cp_plans_ceased_2y_pct": Support(SAME, "List 7 start and end dates"),
    "cp_plans_open_2y_pct": Support(SAME, "List 7 start date"),
    "cp_second_subsequent_pct": Support(SAME, "List 7 'number of previous CP plans'"),
    # children looked after
    "cla_count": Support(SAME, "List 8: every period of care open in the lists' period"),
    "cla_rate_10k": Support(SAME, "List 8"),
    "cla_started_count": Support(SAME, "List 8 date started to be looked after"),
    "cla_started_rate_10k": Support(SAME, "List 8 date started to be looked after"),
    "cla_ceased_count": Support(SAME, "List 8 date ceased"),
    "cla_ceased_rate_10k": Support(SAME, "List 8 date ceased"),
    "adol_cla_started_pct": Support(SAME, "List 8 with the date of birth"),
    "cla_foster_pct": Support(
        AT_EXTRACT, "List 8 gives the placement at the extract date only, not earlier ones"
    ),
    # adoption
    "cla_adopted_count": Support(SAME, "List 8 reason ceased (E11/E12)"),
    "cla_adopted_pct": Support(SAME, "List 8 reason ceased (E11/E12)"),
    "cla_ceased_sgo_pct": Support(SAME, "List 8 reason ceased (SGO codes)"),
    # care leavers
    **{
        k: Support(
            AT_EXTRACT,
            "List 9 describes care leavers at the extract date, the OC3 return at each "
            "one's birthday in the collection year: the two agree only when the list is "
            "taken from the same return",
        )
        for k in (
            "care_leavers_19_21_count",
            "care_leavers_suitable_accommodation_pct",
            "care_leavers_eet_pct",
            "care_leavers_neet_pct",
            "care_leavers_not_in_touch_pct",
        )
    },
    # not supported
    "contacts_decided_1wd_pct": Support("none", "List 1 has no contact decision or its date"),
    "contacts_to_referral_pct": Support("none", "List 1 has no contact decision"),
    "contacts_to_early_help_pct": Support("none", "List 1 has no contact decision"),
    "contacts_nfa_pct": Support("none", "List 1 has no contact decision"),
    "contacts_awaiting_decision_count": Support("none", "List 1 has no contact decision"),
    "adol_assessments_exploitation_pct": Support(
        "none", "List 4 has no factors identified at assessment"
    ),
    "cp_reviews_on_time_pct": Support(
        "none", "List 7 gives only the latest review conference, not every review"
    ),
    "cla_3plus_placements_pct": Support("none", _NO_PLACEMENTS),
    "cla_3plus_placements_count": Support("none", _NO_PLACEMENTS),
    "cla_long_term_stability_pct": Support("none", _NO_PLACEMENTS),
    "cla_long_term_stability_count": Support("none", _NO_PLACEMENTS),
    "cla_uasc_count": Support(
        "none", "List 8 says whether a child was UASC in the last 12 months, not when it ceased"
    ),
    "cla_uasc_pct": Support(
        "none", "List 8 says whether a child was UASC in the last 12 months, not when it ceased"
    ),
    "cla_missing_pct": Support(
        "none", "List 8 counts missing episodes in the last 12 months; it has no dates"
    ),
    "cla_away_pct": Support(
        "none", "List 8 counts absences in the last 12 months; it has no dates"
    ),
    "adol_cla_missing_pct": Support(
        "none", "List 8 counts missing episodes in the last 12 months; it has no dates"
    ),
    **{
        k: Support(
            "none",
            "OC2 is the cohort looked after for 12 months at 31 March; List 8 has the date "
            "of the last health assessment or dental check, not OC2's yes/no for the year",
        )
        for k in ("cla_health_assessment_pct", "cla_dental_check_pct", "cla_immunisations_pct")
    },
}


def support(kpi_id: str) -> Support:
    """How Annex A supports ``kpi_id`` (not named: not supported).

    Examples
    --------
    >>> support("referrals_count").status, support("cla_missing_pct").status
    ('same', 'none')
    >>> support("no_such_kpi").reason
    'not mapped from the Annex A lists'
    """
    return ANNEX_A_KPIS.get(kpi_id, Support("none", "not mapped from the Annex A lists"))


#: The lists each canonical table is made from (any one of them will do).
TABLE_LISTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("cin_census", "referrals"): ("list_3", "list_6"),
    ("cin_census", "assessments"): ("list_4",),
    ("cin_census", "section47"): ("list_5",),
    ("cin_census", "cp_plans"): ("list_7",),
    ("cin_census", "cp_reviews"): ("list_7",),
    ("cin_census", "disabilities"): ("list_4", "list_5", "list_6", "list_7"),
    ("ssda903", "episodes"): ("list_8",),
    ("ssda903", "oc3"): ("list_9",),
    ("local", "contacts"): ("list_1",),
}


@dataclass
class AnnexAData:
    """The canonical tables made from Annex A lists, and the period they describe.

    ``lists`` names the lists read (``list_1`` ...); a table whose lists were not
    sent is empty, and :meth:`sent` says so, so a KPI over it is missing, not 0.
    """

    cin: CinCensus = field(default_factory=CinCensus)
    cla: Ssda903 = field(default_factory=Ssda903)
    local: dict[str, pd.DataFrame] = field(default_factory=dict)
    extract_date: pd.Timestamp | None = None
    coverage_start: pd.Timestamp | None = None
    files: list[str] = field(default_factory=list)
    lists: set[str] = field(default_factory=set)
    #: Where each mapped record came from: ``(source, table)`` to a frame of
    #: ``record`` (the canonical table's index), ``list``, ``file`` and ``row``
    #: (the row number in the list's sheet); a referral joined from Lists 3 and 6
    #: has a row of each. The child-level tables (``children``, ``header``,
    #: ``disabilities``) have none: a record's own list row carries its errors.
    origins: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)

    def sent(self, source: str, table: str) -> bool:
        """Whether a list the canonical ``table`` is made from was read.

        Examples
        --------
        >>> a = AnnexAData(lists={"list_3"})
        >>> a.sent("cin_census", "referrals"), a.sent("ssda903", "episodes")
        (True, False)
        >>> a.sent("local", "lado")  # not made from Annex A
        False
        """
        return any(n in self.lists for n in TABLE_LISTS.get((source, table), ()))

    def issues_on_tables(self, issues: pd.DataFrame, files: Iterable[ReadTable]) -> pd.DataFrame:
        """The Annex A lists' issues placed on the canonical records made from their rows.

        :func:`pmf_lib.validate.validate` reports an issue of a list with
        ``source``/``table`` ``annex_a/list_<n>`` and ``record`` the index in that
        one workbook's list (``ReadTable.data``, among ``files``). Each issue is
        matched, through the row number, to every canonical record made from
        that list row (:attr:`origins`) and comes back with that record's
        ``source`` (``cin_census``, ``ssda903`` or ``local``), ``table`` and
        ``record``; an issue on no record (a column missing from the list) is on
        every record made from that list of that workbook. A row another extract
        replaced (:func:`annex_a_inputs` stacks extracts) feeds nothing, so its
        issues are on nothing. Only the placed issues are returned.

        Examples
        --------
        >>> from types import SimpleNamespace
        >>> a = AnnexAData(origins={("cin_census", "assessments"): pd.DataFrame(
        ...     {"record": [0, 1], "list": ["list_4"] * 2, "file": ["a.xlsx"] * 2,
        ...      "row": [2, 3]})})
        >>> t = SimpleNamespace(source="annex_a/list_4", file="a.xlsx",
        ...                     data=pd.DataFrame({"row": [2, 3]}))
        >>> issues = pd.DataFrame({"source": ["annex_a/list_4"], "file": ["a.xlsx"],
        ...     "table": ["annex_a/list_4"], "record": [1], "severity": ["error"]})
        >>> a.issues_on_tables(issues, [t])[["source", "table", "record"]].values.tolist()
        [['cin_census', 'assessments', 1]]
        """
        mine = issues["source"].astype("string").str.startswith("annex_a/").fillna(False)
        sub = issues[mine.to_numpy(dtype=bool)]
        columns = list(issues.columns)
        if not len(sub) or not self.origins:
            return issues.iloc[:0].assign(record=pd.array([], dtype="Int64"))
        # each issue's list, file and row number (None: the whole list of that file)
        rows = {
            (t.source, str(t.file)): t.data["row"]
            for t in files
            if t.source.startswith("annex_a/") and "row" in t.data
        }
        located = []
        for (source, file), part in sub.groupby(
            [sub["source"].astype(str), sub["file"].astype(str)], sort=False
        ):
            row_of = rows.get((source, file))
            rec = part["record"]
            on = rec.notna().to_numpy()
            row = pd.Series(pd.NA, index=part.index, dtype="object")
            if row_of is not None and on.any():
                row[on] = row_of.reindex(pd.Index(rec[on].astype(int))).to_numpy()
            located.append(part.assign(_list=source.removeprefix("annex_a/"), _file=file, _row=row))
        sub = pd.concat(located)
        sub = sub.assign(_issue=range(len(sub)))
        out = []
        for (source, table), origin in self.origins.items():
            o = origin.assign(file=origin["file"].astype(str))
            on_row = sub[sub["_row"].notna()].astype({"_row": "int64"})
            hit = on_row.merge(
                o,
                left_on=["_list", "_file", "_row"],
                right_on=["list", "file", "row"],
                suffixes=("", "_o"),
            )
            whole = sub[sub["record"].isna()].merge(
                o, left_on=["_list", "_file"], right_on=["list", "file"], suffixes=("", "_o")
            )
            for h in (hit, whole):
                if len(h):
                    out.append(
                        h.assign(source=source, table=table, record=h["record_o"].to_numpy())
                    )
        if not out:
            return issues.iloc[:0].assign(record=pd.array([], dtype="Int64"))
        result = pd.concat(out, ignore_index=True).sort_values("_issue", kind="stable")
        result = result[columns].reset_index(drop=True)
        result["record"] = pd.array(result["record"].tolist(), dtype="Int64")
        return result


def _stack(tables: list[ReadTable]) -> pd.DataFrame | None:
    """One list's rows over the workbooks, the later extract winning a key both hold."""
    if not tables:
        return None
    frames = []
    for t in tables:
        d = t.data.copy()
        d["_extract"] = t.data.attrs.get("annex_a_extract_date")
        frames.append(d)
    df = pd.concat(frames, ignore_index=True)
    df["_extract"] = pd.to_datetime(df["_extract"])
    keys = [k for k in tables[0].schema.keys if k in df.columns]
    df = df.sort_values("_extract", kind="stable")
    if len(tables) > 1 and keys:
        df = df.drop_duplicates(keys, keep="last")
    elif len(tables) > 1 and "contact_date" in df.columns:
        # List 1 has no key: each extract's contacts from the day after the previous
        # extract's date, the first extract's all (a contact is in one extract only)
        cut = df["_extract"].map(_previous(sorted(df["_extract"].dropna().unique())))
        df = df[cut.isna() | (df["contact_date"] > cut) | df["contact_date"].isna()]
    return df.reset_index(drop=True)


def _previous(extracts: list) -> dict:
    """Each extract date's previous one (the first: none).

    Examples
    --------
    >>> d = pd.to_datetime(["2026-09-30", "2026-10-31"])
    >>> _previous(list(d))[d[1]].date()
    datetime.date(2026, 9, 30)
    """
    return {e: (extracts[i - 1] if i else pd.NaT) for i, e in enumerate(extracts)}


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    return df[name] if name in df.columns else pd.Series(pd.NA, index=df.index, dtype="object")


def _yes(s: pd.Series) -> pd.Series:
    """Y/N codes as the CIN census's "1"/"0" (missing stays missing)."""
    return s.astype("string").map({"Y": "1", "N": "0"}).astype("string")


def _children(lists: list[pd.DataFrame], id_col: str, sex: str, dob: str, eth: str):
    rows = [
        pd.DataFrame(
            {
                id_col: _col(d, "child_id"),
                sex: _col(d, "gender").astype("string").map(SEX),
                dob: _col(d, "dob"),
                eth: _col(d, "ethnicity"),
                "_extract": d["_extract"],
            }
        )
        for d in lists
        if d is not None and len(d)
    ]
    if not rows:
        return pd.DataFrame(columns=[id_col, sex, dob, eth])
    df = pd.concat(rows, ignore_index=True).dropna(subset=[id_col])
    df = df.sort_values("_extract", kind="stable").drop_duplicates(id_col, keep="last")
    return df.drop(columns="_extract")


def _origin(d: pd.DataFrame, name: str, records=None) -> pd.DataFrame:
    """The list rows records were made from: ``record``, ``list``, ``file``, ``row``.

    ``records`` are the canonical records (default: ``d``'s index, a table made
    row for row from the list); each takes the list row at the same index of ``d``.
    """
    idx = d.index if records is None else pd.Index(records)
    return pd.DataFrame(
        {
            "record": idx.to_numpy(),
            "list": name,
            "file": _col(d, "source_file").reindex(idx).astype("string").to_numpy(),
            "row": pd.to_numeric(_col(d, "row").reindex(idx), errors="coerce").to_numpy(),
        }
    )


def _provenance(df: pd.DataFrame, d: pd.DataFrame) -> pd.DataFrame:
    df["source_file"] = _col(d, "source_file").to_numpy()
    ext = pd.to_datetime(d["_extract"])
    df["collection_year"] = (ext.dt.year + (ext.dt.month >= 4)).astype("Int64").to_numpy()
    return df


def annex_a_inputs(tables: Iterable[ReadTable]) -> AnnexAData:
    """The canonical KPI inputs from the Annex A lists read (see the module docstring).

    Parameters
    ----------
    tables : iterable of ReadTable
        The lists read from each workbook (``source`` ``annex_a/list_<n>``); other
        tables are ignored.

    Returns
    -------
    AnnexAData
    """
    by_list: dict[str, list[ReadTable]] = {}
    files: list[str] = []
    for t in tables:
        if t.source.startswith("annex_a/"):
            by_list.setdefault(t.source.removeprefix("annex_a/"), []).append(t)
            if t.file not in files:
                files.append(t.file)
    L = {name: _stack(ts) for name, ts in by_list.items()}
    get = L.get
    out = AnnexAData(files=files, lists=set(by_list))
    extracts = [t.data.attrs.get("annex_a_extract_date") for ts in by_list.values() for t in ts]
    extracts = [pd.Timestamp(e) for e in extracts if e is not None and pd.notna(e)]
    out.extract_date = max(extracts) if extracts else None
    firsts = [
        d[c].min()
        for d, c in ((get("list_1"), "contact_date"), (get("list_3"), "referral_date"))
        if d is not None and c in d and d[c].notna().any()
    ]
    if firsts:
        out.coverage_start = pd.Timestamp(min(firsts)).replace(day=1).normalize()
    elif out.extract_date is not None:
        out.coverage_start = (
            out.extract_date.replace(day=1) - pd.DateOffset(months=11)
        ).normalize()

    cin, cla = CinCensus(), Ssda903()
    cin_lists = [get(n) for n in ("list_3", "list_4", "list_5", "list_6", "list_7")]
    kids = _children(cin_lists, "LAchildID", "Sex", "PersonBirthDate", "Ethnicity")
    cin.tables["children"] = conform(kids, CIN_COLUMNS["children"])
    dis = [
        pd.DataFrame(
            {
                "LAchildID": d["child_id"],
                "Disability": _col(d, "disability"),
                "_extract": d["_extract"],
            }
        )
        for d in cin_lists
        if d is not None and len(d) and "disability" in d
    ]
    if dis:
        dd = pd.concat(dis, ignore_index=True).dropna(subset=["LAchildID", "Disability"])
        dd = dd.sort_values("_extract", kind="stable").drop_duplicates("LAchildID", keep="last")
        dd["Disability"] = dd["Disability"].astype("string").map({"Y": "Y", "N": "NONE"})
        cin.tables["disabilities"] = conform(
            dd.drop(columns="_extract").dropna(subset=["Disability"]), CIN_COLUMNS["disabilities"]
        )

    l3, l6 = get("list_3"), get("list_6")
    refs = []
    if l6 is not None and len(l6):
        refs.append(
            _provenance(
                pd.DataFrame(
                    {
                        "LAchildID": l6["child_id"],
                        "CINreferralDate": l6["cin_start_date"],
                        "PrimaryNeedCode": l6["primary_need_code"],
                        "CINclosureDate": l6["cin_closure_date"],
                        "ReasonForClosure": l6["reason_for_closure"],
                        "_o6": l6.index,
                    }
                ),
                l6,
            )
        )
    six = pd.concat(refs, ignore_index=True) if refs else None
    if l3 is not None and len(l3):
        three = _provenance(
            pd.DataFrame(
                {
                    "LAchildID": l3["child_id"],
                    "CINreferralDate": l3["referral_date"],
                    "ReferralSource": l3["referral_source"],
                    "ReferralNFA": _yes(l3["referral_nfa"]),
                    "_o3": l3.index,
                }
            ),
            l3,
        )
        if six is not None:
            keys = ["LAchildID", "CINreferralDate"]
            merged = six.merge(
                three.drop(columns=["source_file", "collection_year"]),
                on=keys,
                how="outer",
                indicator=True,
            )
            only3 = merged["_merge"] == "right_only"
            # a List 3 referral never open in the lists' period: closed on its day
            merged.loc[only3, "CINclosureDate"] = merged.loc[only3, "CINreferralDate"]
            src = three.set_index(keys)[["source_file", "collection_year"]]
            fill = merged.loc[only3, keys].merge(src.reset_index(), on=keys, how="left")
            merged.loc[only3, "source_file"] = fill["source_file"].to_numpy()
            merged.loc[only3, "collection_year"] = fill["collection_year"].to_numpy()
            referrals = merged.drop(columns="_merge")
        else:
            three["CINclosureDate"] = three["CINreferralDate"]
            referrals = three
    else:
        referrals = six
    if referrals is not None:
        referrals = referrals.reset_index(drop=True)
        origin = []
        for col, name, d in (("_o6", "list_6", l6), ("_o3", "list_3", l3)):
            if col in referrals:
                came = referrals[col].notna()
                o = _origin(d, name, referrals.loc[came, col].astype(int))
                origin.append(o.assign(record=referrals.index[came.to_numpy()]))
        out.origins[("cin_census", "referrals")] = pd.concat(origin, ignore_index=True)
        referrals = referrals.drop(columns=[c for c in ("_o6", "_o3") if c in referrals])
        cin.tables["referrals"] = conform(referrals, CIN_COLUMNS["referrals"])

    l4 = get("list_4")
    if l4 is not None and len(l4):
        out.origins[("cin_census", "assessments")] = _origin(l4, "list_4")
        cin.tables["assessments"] = conform(
            _provenance(
                pd.DataFrame(
                    {
                        "LAchildID": l4["child_id"],
                        "AssessmentActualStartDate": l4["assessment_start_date"],
                        "AssessmentAuthorisationDate": l4["assessment_authorisation_date"],
                    }
                ),
                l4,
            ),
            CIN_COLUMNS["assessments"],
        )
    l5 = get("list_5")
    if l5 is not None and len(l5):
        out.origins[("cin_census", "section47")] = _origin(l5, "list_5")
        cin.tables["section47"] = conform(
            _provenance(
                pd.DataFrame(
                    {
                        "LAchildID": l5["child_id"],
                        "S47ActualStartDate": l5["s47_start_date"],
                        "DateOfInitialCPC": l5["date_of_initial_child_protection_conference"],
                        "ICPCnotRequired": _yes(l5["icpc_not_required"]),
                    }
                ),
                l5,
            ),
            CIN_COLUMNS["section47"],
        )
    l7 = get("list_7")
    if l7 is not None and len(l7):
        plans = _provenance(
            pd.DataFrame(
                {
                    "LAchildID": l7["child_id"],
                    "CPPstartDate": l7["child_protection_plan_start_date"],
                    "CPPendDate": l7["child_protection_plan_end_date"],
                    "InitialCategoryOfAbuse": l7["initial_category_of_abuse"],
                    "LatestCategoryOfAbuse": l7["latest_category_of_abuse"],
                    "NumberOfPreviousCPP": l7["number_of_previous_cpps"],
                }
            ),
            l7,
        )
        cin.tables["cp_plans"] = conform(plans, CIN_COLUMNS["cp_plans"])
        rv = plans.assign(CPPreviewDate=l7["date_of_latest_review_conference"].to_numpy())
        rv = rv[rv["CPPreviewDate"].notna()]
        out.origins[("cin_census", "cp_plans")] = _origin(l7, "list_7")
        out.origins[("cin_census", "cp_reviews")] = _origin(l7, "list_7", rv.index)
        cin.tables["cp_reviews"] = conform(
            rv[["LAchildID", "CPPstartDate", "CPPreviewDate", "source_file", "collection_year"]],
            CIN_COLUMNS["cp_reviews"],
        )

    l8, l9, l10 = get("list_8"), get("list_9"), get("list_10")
    head = _children([l8, l9, l10], "CHILD", "SEX", "DOB", "ETHNIC")
    cla.tables["header"] = conform(head, S903_COLUMNS["header"])
    if l8 is not None and len(l8):
        ceased = l8["date_ceased_to_be_looked_after"]
        ep = pd.DataFrame(
            {
                "CHILD": l8["child_id"],
                "DECOM": l8["date_started_to_be_looked_after"],
                "RNE": "S",
                "LS": l8["legal_status"],
                "CIN": l8["category_of_need"],
                "PLACE": l8["placement_type"],
                "PLACE_PROVIDER": l8["placement_provider"],
                "DEC": ceased,
                "REC": l8["reason_ceased_to_be_looked_after"].where(ceased.notna()),
                "PL_POST": _col(l8, "placement_postcode"),
                "URN": _col(l8, "urn_of_placement"),
            }
        )
        cla.tables["episodes"] = conform(_provenance(ep, l8), S903_COLUMNS["episodes"])
        out.origins[("ssda903", "episodes")] = _origin(l8, "list_8")
    if l9 is not None and len(l9) and out.extract_date is not None:
        e = out.extract_date
        year = e.year if e >= pd.Timestamp(e.year, 3, 31) else e.year - 1
        accom = l9["type_of_accommodation"].astype("string") + l9[
            "suitability_of_accommodation"
        ].astype("string").map({"suitable": "1", "unsuitable": "2"})
        oc3 = pd.DataFrame(
            {
                "CHILD": l9["child_id"],
                "DOB": l9["dob"],
                "IN_TOUCH": l9["la_in_touch"],
                "ACTIV": l9["activity_status"].astype("string").replace(ACTIVITY),
                "ACCOM": accom,
                "collection_year": year,
                "source_file": l9["source_file"],
            }
        )
        cla.tables["oc3"] = conform(oc3, S903_COLUMNS["oc3"])
        out.origins[("ssda903", "oc3")] = _origin(l9, "list_9")

    l1 = get("list_1")
    if l1 is not None:
        out.origins[("local", "contacts")] = _origin(l1, "list_1")
        out.local["contacts"] = pd.DataFrame(
            {
                "contact_id": pd.array(
                    [f"annex_a:{r}" for r in l1["row"].astype("string")], dtype="string"
                ),
                "child_id": l1["child_id"].astype("string"),
                "contact_date": l1["contact_date"],
                "contact_source": l1["contact_source"].astype("string"),
                "decision": pd.Series(pd.NA, index=l1.index, dtype="string"),
                "decision_date": pd.Series(pd.NaT, index=l1.index, dtype="datetime64[ns]"),
                "team": pd.Series(pd.NA, index=l1.index, dtype="string"),
                "row": l1["row"],
                "source_file": l1["source_file"],
            }
        )
    for data in (cin, cla):
        data.returns = _returns(by_list, out.extract_date)
    out.cin, out.cla = cin, cla
    return out


def _returns(by_list: dict[str, list[ReadTable]], extract) -> pd.DataFrame:
    """One row per workbook, its extract date as the reference date."""
    seen: dict[str, list] = {}
    for ts in by_list.values():
        for t in ts:
            e = t.data.attrs.get("annex_a_extract_date")
            r = seen.setdefault(t.file, [e, 0])
            r[1] += len(t.data)
    rows = [
        {
            "source_file": f,
            "collection_year": None
            if e is None
            else pd.Timestamp(e).year + (pd.Timestamp(e).month >= 4),
            "reference_date": e,
            "la_code": None,
            "rows": n,
        }
        for f, (e, n) in seen.items()
    ]
    return conform(pd.DataFrame(rows, columns=list(RETURNS_COLUMNS)), RETURNS_COLUMNS)
