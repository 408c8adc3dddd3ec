"""Schema rules: what a file or table must look like before its values can be trusted.

For files read against a YAML schema (local datasets, Annex A, the workforce
CSV): required columns present (S01), required values present (S02), codes
valid (S03), dates readable (S04) and not in the future (S06), numbers readable
(S05) and keys unique (S07). A date column the schema marks ``future: true``
holds planned dates (due dates, planned review dates) and is not checked by
S06. An improvement actions log without an action's history (no
``created_date``/``completed_date`` column or value) is a warning, S08: its
KPIs are missing for past months. For the national canonical tables: dates not in
the future (S06) and natural keys unique within a return (S07). A file that
could not be read at all is S00.
"""

from __future__ import annotations

import pandas as pd

from pmf_lib.read.local import ReadTable
from pmf_lib.read.tables import CIN_COLUMNS, CIN_KEYS, DATE, S903_COLUMNS, S903_KEYS

SCHEMA_RULES = {
    "S00": "File could not be read",
    "S01": "Required column is missing",
    "S02": "Required value is missing",
    "S03": "Value is not a valid code",
    "S04": "Value is not a readable date",
    "S05": "Value is not a readable number",
    "S06": "Date is in the future",
    "S07": "Duplicate key: another row has the same",
    "S08": "History missing: past months' figures cannot be worked out",
}
ISSUE_COLUMNS = [
    "source",
    "file",
    "row_or_element",
    "child_id",
    "field",
    "rule",
    "severity",
    "message",
    "table",
    "record",
]


def _issue(source, file, where, child, field, code, message, table, record, severity="error"):
    return {
        "source": source,
        "file": file,
        "row_or_element": where,
        "child_id": child,
        "field": field,
        "rule": code,
        "severity": severity,
        "message": message,
        "table": table,
        "record": record,
    }


def table_issues(t: ReadTable, as_of: pd.Timestamp) -> list[dict]:
    """Schema-rule issues of one file read against its schema."""
    out: list[dict] = []
    s = t.schema
    loc = (lambda r: f"{t.sheet} row {r}") if t.sheet else (lambda r: f"row {r}")
    for col in t.missing_columns:
        out.append(
            _issue(
                t.source,
                t.file,
                f"{t.sheet} header" if t.sheet else "header",
                None,
                col,
                "S01",
                f"{SCHEMA_RULES['S01']}: {s.column(col).header!r}",
                t.source,
                None,
            )
        )
    d, raw = t.data, t.raw
    child = d[s.child_id] if s.child_id and s.child_id in d else pd.Series(pd.NA, index=d.index)
    present = [c for c in s.columns if c.name not in t.missing_columns]
    for c in present:
        sent = raw[c.name] if c.name in raw else pd.Series(pd.NA, index=d.index, dtype="string")
        blank = sent.isna()
        parsed_missing = d[c.name].isna()
        checks = []
        if c.required:
            checks.append(("S02", blank, SCHEMA_RULES["S02"]))
        bad = ~blank & parsed_missing
        if c.type == "code":
            allowed = ", ".join(k.code for k in c.codes[:12]) + (
                " ..." if len(c.codes) > 12 else ""
            )
            checks.append(("S03", bad, f"{SCHEMA_RULES['S03']} (expected one of {allowed})"))
        elif c.type == "date":
            checks.append(("S04", bad, SCHEMA_RULES["S04"]))
            if not c.future:  # a planned date (due, planned review) may lie ahead
                checks.append(
                    ("S06", d[c.name] > as_of, f"{SCHEMA_RULES['S06']} (after {as_of.date()})")
                )
        elif c.type in ("int", "float"):
            checks.append(("S05", bad, SCHEMA_RULES["S05"]))
        for code, m, msg in checks:
            m = m.fillna(False).astype(bool)
            for i in d.index[m.to_numpy()]:
                shown = sent.loc[i]
                text = f"{msg}: {shown!r}" if code in ("S03", "S04", "S05", "S06") else msg
                out.append(
                    _issue(
                        t.source,
                        t.file,
                        loc(d.loc[i, "row"]),
                        _str(child.loc[i]),
                        c.name,
                        code,
                        text,
                        t.source,
                        i,
                    )
                )
    keys = [k for k in s.keys if k in d and k not in t.missing_columns]
    if keys and len(keys) == len(s.keys):
        dup = d.duplicated(keys, keep=False) & d[keys].notna().all(axis=1)
        for i in d.index[dup.to_numpy()]:
            out.append(
                _issue(
                    t.source,
                    t.file,
                    loc(d.loc[i, "row"]),
                    _str(child.loc[i]),
                    ",".join(keys),
                    "S07",
                    f"{SCHEMA_RULES['S07']} {', '.join(keys)}",
                    t.source,
                    i,
                )
            )
    return out


def _str(v):
    return None if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)) else str(v)


def describe_row(table: str, row: pd.Series, keys: list[str]) -> str:
    """``episodes CHILD=12, DECOM=2024-05-01`` — a canonical row named by its key."""
    if "row" in row.index and pd.notna(row.get("row")):
        return f"{table} row {row['row']}"
    if "element" in row.index and pd.notna(row.get("element")):
        return str(row["element"])
    parts = []
    for k in keys:
        v = row.get(k)
        if isinstance(v, pd.Timestamp):
            v = v.date().isoformat()
        parts.append(f"{k}={'' if v is None or v is pd.NA or v is pd.NaT else v}")
    return f"{table} " + ", ".join(parts)


#: Date fields that are legitimately after the extract date: the ICPC target date of a
#: recent enquiry, a UASC child's 18th birthday (DUC), an unborn child's expected birth.
FUTURE_ALLOWED = {
    ("section47", "InitialCPCtarget"),
    ("uasc", "DUC"),
    ("children", "ExpectedPersonBirthDate"),
}


def national_issues(cin, cla, as_of: pd.Timestamp) -> list[dict]:
    """S06 (future dates) and S07 (duplicate natural keys within a return) on canonical tables."""
    out: list[dict] = []
    for source, data, columns, keys_of, child_col in (
        ("cin_census", cin, CIN_COLUMNS, CIN_KEYS, "LAchildID"),
        ("ssda903", cla, S903_COLUMNS, S903_KEYS, "CHILD"),
    ):
        for name, df in data.tables.items():
            if not len(df) or name not in columns:
                continue
            keys = keys_of.get(name, [])
            dates = [
                c
                for c, t in columns[name].items()
                if t == DATE and c in df and (name, c) not in FUTURE_ALLOWED
            ]
            for c in dates:
                for i in df.index[(df[c] > as_of).fillna(False).to_numpy()]:
                    row = df.loc[i]
                    out.append(
                        _issue(
                            source,
                            _str(row.get("source_file")),
                            describe_row(name, row, keys),
                            _str(row.get(child_col)),
                            c,
                            "S06",
                            f"{SCHEMA_RULES['S06']} (after {as_of.date()})",
                            name,
                            i,
                        )
                    )
            if keys and all(k in df for k in keys):
                within = keys + (["source_file"] if "source_file" in df else [])
                dup = df.duplicated(within, keep=False)
                for i in df.index[dup.to_numpy()]:
                    row = df.loc[i]
                    out.append(
                        _issue(
                            source,
                            _str(row.get("source_file")),
                            describe_row(name, row, keys),
                            _str(row.get(child_col)),
                            ",".join(keys),
                            "S07",
                            f"{SCHEMA_RULES['S07']} {', '.join(keys)}",
                            name,
                            i,
                        )
                    )
    return out
