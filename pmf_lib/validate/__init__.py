"""Stage 2 — validate: one data-quality issues table for every source.

:func:`validate` runs the schema rules, pmf's logic rules and the DfE SSDA903
and CIN census rules over everything read, and returns one table with a row
per problem::

    source, file, row_or_element, child_id, field, rule, severity, message,
    table, record

(``table`` and ``record`` locate the canonical row, for data-quality confidence).
:func:`reconcile` proves nothing was lost: for each file and table, every row
read is either accepted (no error) or reported (at least one error).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pmf_lib.errors import PmfError
from pmf_lib.read.local import LOCAL_DATASETS, MissingColumnsError, ReadTable
from pmf_lib.read.tables import CIN_KEYS, S903_KEYS, CinCensus, Ssda903
from pmf_lib.validate.logic import LOCAL_DATE_ORDER
from pmf_lib.validate.rules import CHILD_ID, RULES, Context, Rule, all_rules, rule
from pmf_lib.validate.schema import (
    ISSUE_COLUMNS,
    SCHEMA_RULES,
    describe_row,
    national_issues,
    table_issues,
)

__all__ = [
    "ISSUE_COLUMNS",
    "RULES",
    "SCHEMA_RULES",
    "Context",
    "Rule",
    "Sources",
    "all_rules",
    "read_other_sources",
    "reconcile",
    "rule",
    "rule_catalogue",
    "validate",
]


@dataclass
class Sources:
    """Everything to validate.

    ``files`` are reads against a YAML schema (local datasets, Annex A lists,
    the monthly workforce CSV); ``workforce`` the census, if any; ``unreadable``
    the files that could not be read, as ``(source, file, PmfError)``.
    """

    cin: CinCensus = field(default_factory=CinCensus)
    cla: Ssda903 = field(default_factory=Ssda903)
    files: list[ReadTable] = field(default_factory=list)
    workforce: object | None = None
    unreadable: list[tuple[str, str, PmfError]] = field(default_factory=list)


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=ISSUE_COLUMNS)
    return df.astype({c: "string" for c in ISSUE_COLUMNS if c != "record"})


def _rule_issues(r: Rule, ctx: Context) -> list[dict]:
    data = ctx.cin if r.source == "cin_census" else ctx.cla
    df = data.tables.get(r.table)
    keys = (CIN_KEYS if r.source == "cin_census" else S903_KEYS).get(r.table, [])
    try:
        bad = r(ctx)
    except Exception as e:  # a rule must never stop validation of everything else
        return [
            {
                "source": r.source,
                "file": None,
                "row_or_element": r.table,
                "child_id": None,
                "field": ",".join(r.fields),
                "rule": r.code,
                "severity": "error",
                "message": f"rule could not be checked ({type(e).__name__}: {e})",
                "table": r.table,
                "record": None,
            }
        ]
    out = []
    child_col = CHILD_ID[r.source]
    for i in bad.index:
        row = df.loc[i] if df is not None and i in df.index else bad.loc[i]
        out.append(
            {
                "source": r.source,
                "file": row.get("source_file"),
                "row_or_element": describe_row(r.table, row, keys),
                "child_id": row.get(child_col),
                "field": ",".join(r.fields),
                "rule": r.code,
                "severity": r.severity,
                "message": r.message,
                "table": r.table,
                "record": i,
            }
        )
    return out


def _local_logic(t: ReadTable) -> list[dict]:
    out = []
    name = t.schema.name
    for code, dataset, first, later, message in LOCAL_DATE_ORDER:
        if dataset != name or first not in t.data or later not in t.data:
            continue
        d = t.data
        bad = (d[later] < d[first]).fillna(False).astype(bool)
        child = t.schema.child_id
        for i in d.index[bad.to_numpy()]:
            out.append(
                {
                    "source": t.source,
                    "file": t.file,
                    "row_or_element": f"row {d.loc[i, 'row']}",
                    "child_id": d.loc[i, child] if child else None,
                    "field": f"{first},{later}",
                    "rule": code,
                    "severity": "error",
                    "message": message,
                    "table": t.source,
                    "record": i,
                }
            )
    return out


def _action_history(t: ReadTable) -> list[dict]:
    """S08 warnings: an improvement actions log that cannot give past months' figures.

    A ``created_date`` or ``completed_date`` column absent from the file is one
    warning at its header; otherwise each action without its creation date, or
    closed (complete or cancelled) without its completion date, is one warning
    at its row. The KPIs then give only the month the log's status describes
    (``pmf_lib.compute.kpis.improvement_actions``).
    """
    if t.schema.name != "improvement_actions":
        return []
    note = "past months' open and overdue actions are missing, not today's status"
    base = {
        "source": t.source,
        "file": t.file,
        "child_id": None,
        "rule": "S08",
        "severity": "warning",
        "table": t.source,
    }
    absent = [c for c in ("created_date", "completed_date") if c in t.absent_columns]
    out = [
        {
            **base,
            "row_or_element": "header",
            "field": c,
            "message": f"{SCHEMA_RULES['S08']}: no {t.schema.column(c).header!r} column, so "
            + note,
            "record": None,
        }
        for c in absent
    ]
    if absent:
        return out
    d = t.data
    closed = d["status"].astype("string").isin(["complete", "cancelled"]).fillna(False)
    for i in d.index:
        if pd.isna(d.loc[i, "created_date"]):
            field_, what = "created_date", "no creation date"
        elif bool(closed.loc[i]) and pd.isna(d.loc[i, "completed_date"]):
            field_, what = "completed_date", f"{d.loc[i, 'status']} with no completion date"
        else:
            continue
        out.append(
            {
                **base,
                "row_or_element": f"row {d.loc[i, 'row']}",
                "field": field_,
                "message": f"{SCHEMA_RULES['S08']}: {what}, so {note}",
                "record": i,
            }
        )
    return out


def _census_issues(wf) -> list[dict]:
    from pmf_lib.read.workforce import WORKER_FIELDS

    out = []
    w, raw = wf.workers, wf.raw
    codes = {"code": "S03", "date": "S04", "int": "S05", "float": "S05"}
    for name, kind in WORKER_FIELDS.items():
        if kind == "string":
            continue
        bad = (raw[name].notna() & w[name].isna()).fillna(False).astype(bool)
        for i in w.index[bad.to_numpy()]:
            code = codes[kind]
            out.append(
                {
                    "source": "workforce_census",
                    "file": w.loc[i, "source_file"],
                    "row_or_element": w.loc[i, "element"],
                    "child_id": None,
                    "field": name,
                    "rule": code,
                    "severity": "error",
                    "message": f"{SCHEMA_RULES[code]}: {raw.loc[i, name]!r}",
                    "table": "workers",
                    "record": i,
                }
            )
    return out


def validate(sources: Sources, *, as_of=None, rules=None) -> pd.DataFrame:
    """The data-quality issues of every source, one row per problem.

    Parameters
    ----------
    sources : Sources
        What was read.
    as_of : date, optional
        Dates after this are "in the future" (default: today).
    rules : iterable of Rule, optional
        DfE and logic rules to run (default: all registered).

    Examples
    --------
    >>> import pandas as pd
    >>> from pmf_lib.read.tables import CIN_COLUMNS, conform, CinCensus
    >>> cin = CinCensus()
    >>> cin.tables["referrals"] = conform(pd.DataFrame({
    ...     "LAchildID": ["c1"], "CINreferralDate": [pd.Timestamp("2024-06-03")],
    ...     "CINclosureDate": [pd.Timestamp("2024-05-01")], "ReferralNFA": ["0"],
    ...     "ReasonForClosure": ["RC8"],
    ...     "PrimaryNeedCode": ["N1"], "collection_year": [2025], "source_file": ["cin.xml"]}),
    ...     CIN_COLUMNS["referrals"])
    >>> issues = validate(Sources(cin=cin), as_of="2025-04-30")
    >>> issues[["rule", "child_id", "row_or_element"]].values.tolist()
    [['L01', 'c1', 'referrals LAchildID=c1, CINreferralDate=2024-06-03']]
    """
    as_of = pd.Timestamp(as_of if as_of is not None else pd.Timestamp.today()).normalize()
    ctx = Context(cin=sources.cin, cla=sources.cla, as_of=as_of)
    rows: list[dict] = []
    for source, file, err in sources.unreadable:
        # a required column missing is S01; any other fault that stops the read is S00
        code = "S01" if isinstance(err, MissingColumnsError) else "S00"
        rows.append(
            {
                "source": source,
                "file": file,
                "row_or_element": err.location,
                "child_id": None,
                "field": err.field,
                "rule": code,
                "severity": "error",
                "message": f"{SCHEMA_RULES[code]}: {err.message}",
                "table": None,
                "record": None,
            }
        )
    for t in sources.files:
        rows += table_issues(t, as_of)
        rows += _local_logic(t)
        rows += _action_history(t)
    if sources.workforce is not None:
        rows += _census_issues(sources.workforce)
    rows += national_issues(sources.cin, sources.cla, as_of)
    chosen = list(rules) if rules is not None else list(all_rules().values())
    for r in sorted(chosen, key=lambda r: (r.source, r.kind, r.code)):
        rows += _rule_issues(r, ctx)
    return _frame(rows)


def reconcile(sources: Sources, issues: pd.DataFrame) -> pd.DataFrame:
    """Rows read, accepted and reported per source, file and table.

    A row is *reported* when at least one error-severity issue points at it,
    otherwise *accepted*; ``rows_read == accepted + reported`` for every line,
    and ``rows_read`` counts every record the reader kept (blank rows of a
    spreadsheet are counted apart, in ``blank_rows``).
    """
    errors = issues[issues["severity"] == "error"]
    flagged = set(zip(errors["table"], errors["record"], strict=True))
    out = []

    def add(source, file, table, index, blank=0):
        reported = sum(1 for i in index if (table, i) in flagged)
        out.append(
            {
                "source": source,
                "file": file,
                "table": table,
                "rows_read": len(index),
                "accepted": len(index) - reported,
                "reported": reported,
                "blank_rows": blank,
            }
        )

    for source, data in (("cin_census", sources.cin), ("ssda903", sources.cla)):
        for name, df in data.tables.items():
            if not len(df):
                continue
            files = df["source_file"] if "source_file" in df else pd.Series("", index=df.index)
            for f, part in df.groupby(files.fillna(""), sort=True):
                add(source, f, name, part.index)
    for t in sources.files:
        add(t.source, t.file, t.source, t.data.index, t.blank_rows)
    if sources.workforce is not None:
        w = sources.workforce.workers
        for f, part in w.groupby(w["source_file"].fillna(""), sort=True):
            add("workforce_census", f, "workers", part.index)
    for source, file, _ in sources.unreadable:
        out.append(
            {
                "source": source,
                "file": file,
                "table": None,
                "rows_read": 0,
                "accepted": 0,
                "reported": 0,
                "blank_rows": 0,
            }
        )
    return pd.DataFrame(
        out, columns=["source", "file", "table", "rows_read", "accepted", "reported", "blank_rows"]
    )


def rule_catalogue() -> pd.DataFrame:
    """Every rule: code, source, kind, table, fields, severity, message."""
    rows = [
        {
            "rule": r.code,
            "source": r.source,
            "kind": r.kind,
            "table": r.table,
            "fields": ",".join(r.fields),
            "severity": r.severity,
            "message": r.message,
        }
        for r in all_rules().values()
    ]
    rows += [
        {
            "rule": k,
            "source": "any",
            "kind": "schema",
            "table": None,
            "fields": None,
            "severity": "error",
            "message": v,
        }
        for k, v in SCHEMA_RULES.items()
    ]
    return pd.DataFrame(rows)


def read_other_sources(
    local: dict | None = None,
    annex_a: list | None = None,
    workforce_census: list | None = None,
    workforce_monthly: list | None = None,
    *,
    strict_columns: bool = True,
) -> Sources:
    """Read the non-national sources, recording unreadable files instead of stopping.

    ``local`` maps a dataset name (see :data:`~pmf_lib.read.local.LOCAL_DATASETS`)
    to its files, or is a directory holding files named after the datasets
    (``complaints.csv``, ``lado.xlsx`` ...; other files are ignored). A local or
    monthly workforce file lacking a required column is unreadable (rule S01),
    unless ``strict_columns`` is false (the council runs anyway): it is then read,
    and its missing columns are S01 errors on every record.
    """
    from pmf_lib.read.annex_a import read_annex_a
    from pmf_lib.read.local import read_table
    from pmf_lib.read.workforce import read_workforce_census, read_workforce_monthly

    src = Sources()
    if isinstance(local, (str, Path)):
        d = Path(local)
        if not d.is_dir():
            src.unreadable.append(("local", str(d), PmfError("not a directory", file=d)))
            local = {}
        else:
            found: dict[str, list[Path]] = {}
            for p in sorted(d.iterdir()):
                name = p.stem.lower()
                if name in LOCAL_DATASETS and p.suffix.lower() in (".csv", ".xlsx"):
                    found.setdefault(name, []).append(p)
            local = found
    for name, paths in (local or {}).items():
        for p in paths:
            try:
                src.files.append(
                    read_table(p, name, source=f"local/{name}", strict_columns=strict_columns)
                )
            except PmfError as e:
                src.unreadable.append((f"local/{name}", str(p), e))
    for p in annex_a or []:
        try:
            a = read_annex_a(p)
            src.files += list(a.lists.values())
        except PmfError as e:
            src.unreadable.append(("annex_a", str(p), e))
    for p in workforce_monthly or []:
        try:
            src.files += read_workforce_monthly(p, strict_columns=strict_columns)
        except PmfError as e:
            src.unreadable.append(("workforce_monthly", str(p), e))
    # The census files are read together, each once; one that cannot be read is
    # recorded and the rest read again without it.
    census = list(workforce_census or [])
    while census:
        try:
            src.workforce = read_workforce_census(census)
            break
        except PmfError as e:
            bad = next((p for p in census if e.file and str(p) == str(e.file)), None)
            if bad is None:
                raise
            src.unreadable.append(("workforce_census", str(bad), e))
            census.remove(bad)
    return src
