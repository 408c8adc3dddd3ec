"""The DfE statistical neighbour models, in the xlsx and CSV layouts they are published in.

The April 2021 and May 2025 models: LAIT's xlsx layout (two rows above the
header, :func:`read_sn_xlsx`) and the CSV layouts (:func:`read_sn_csv`), each
giving an LA's ten neighbours by rank with their closeness.
:func:`combine_neighbours` makes one ``neighbours`` table of several files:

* a successor council (:data:`~pmf_lib.read.benchmarks.areas.REORGANISATIONS`)
  without a list in a model (Cumberland and Westmorland and Furness in April
  2021, drawn up before they existed) takes its predecessor's list, marked
  ``inherited_from``;
* a list that names an abolished council keeps it as published (as LAIT does).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from pmf_lib.errors import PmfError
from pmf_lib.read.benchmarks.areas import REORGANISATIONS
from pmf_lib.read.benchmarks.values import NEIGHBOUR_COLUMNS, read_published_csv


def _closeness(text) -> str | None:
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    t = str(text).strip()
    return t[:1].upper() + t[1:].lower() if t else None


def _neighbour_rows(records, model: str, path, location_of) -> pd.DataFrame:
    rows = []
    for i, rec in enumerate(records):
        la, name, region, sns = rec
        for rank, (sn, closeness) in enumerate(sns, start=1):
            text = "" if sn is None else str(sn).strip()
            if text in ("", "-") or text.lower() == "nan":
                continue
            try:
                code = int(float(text))
            except ValueError:
                raise PmfError(
                    f"not an LA number: {text!r}",
                    file=path,
                    location=location_of(i),
                    field=f"SN{rank}",
                ) from None
            rows.append(
                {
                    "model": model,
                    "la_code": la,
                    "la_name": name,
                    "region": region,
                    "sn_rank": rank,
                    "neighbour": code,
                    "closeness": _closeness(closeness),
                }
            )
    return pd.DataFrame(
        rows,
        columns=[c for c in NEIGHBOUR_COLUMNS if c not in ("neighbour_name", "inherited_from")],
    )


def _model_of(path: Path, model: str | None) -> str:
    if model:
        return str(model)
    found = re.findall(r"20\d\d", path.name)
    if not found:
        raise PmfError(
            "cannot tell the statistical neighbour model's year from the file "
            "name (expected e.g. 2021 or 2025 in it)",
            file=path,
        )
    return found[-1]


def read_sn_xlsx(path: str | Path, model: str | None = None) -> pd.DataFrame:
    """Statistical neighbours from DfE's xlsx (sheet ``LA SN Groups``).

    The sheet has two rows above the header (``LA num``, ``LA Name``, ...,
    ``SN1``, ``SNP``, ... ``SN10``, ``SNP``); rows without an LA number (notes,
    blank lines) are skipped, and ``-`` in place of a neighbour means none.
    """
    import openpyxl

    path = Path(path)
    model = _model_of(path, model)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for bad files
        raise PmfError(f"cannot read the workbook: {e}", file=path) from None
    try:
        ws = wb["LA SN Groups"] if "LA SN Groups" in wb.sheetnames else wb.worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
    finally:
        wb.close()
    header_at = next(
        (i for i, r in enumerate(rows[:10]) if r and str(r[0] or "").strip() == "LA num"), None
    )
    if header_at is None:
        raise PmfError(
            "no header row starting 'LA num' in the first 10 rows",
            file=path,
            location=f"sheet {ws.title}",
        )
    header = [str(h).strip() if h is not None else "" for h in rows[header_at]]
    idx = {h: header.index(h) for h in ("LA num", "LA Name", "GOReg") if h in header}
    if len(idx) < 3:
        raise PmfError(
            "header must have LA num, LA Name and GOReg", file=path, location=f"row {header_at + 1}"
        )
    sn_cols = []
    for k in range(1, 11):
        if f"SN{k}" not in header:
            raise PmfError(f"no SN{k} column", file=path, location=f"row {header_at + 1}")
        j = header.index(f"SN{k}")
        sn_cols.append((j, j + 1))
    records, where = [], []
    for i, r in enumerate(rows[header_at + 1 :], start=header_at + 2):
        la = r[idx["LA num"]] if idx["LA num"] < len(r) else None
        if la is None or str(la).strip() == "":
            continue
        try:
            la = int(float(str(la).strip()))
        except ValueError:
            raise PmfError(
                f"not an LA number: {la!r}", file=path, location=f"row {i}", field="LA num"
            ) from None
        sns = [(r[a] if a < len(r) else None, r[b] if b < len(r) else None) for a, b in sn_cols]
        records.append((la, str(r[idx["LA Name"]]).strip(), str(r[idx["GOReg"]]).strip(), sns))
        where.append(f"row {i}")
    return _neighbour_rows(records, model, path, lambda k: where[k])


def read_sn_csv(path: str | Path, model: str | None = None) -> pd.DataFrame:
    """Statistical neighbours from a CSV in either published layout.

    * the CSC outcomes and enablers layout: ``old_la_code, la_name, region_ind,
      region_name, SN_1..SN_10, SN_1P..SN_10P`` (closeness with trailing spaces);
    * the April 2021 layout: ``LA num, LA Name, LA number, GOInd, GOReg, SN1,
      SNP, SN2, SNP, ...`` (rows without an LA number, such as the "Old SNs:"
      note, are skipped).
    """
    path = Path(path)
    model = _model_of(path, model)
    d = read_published_csv(path, header=None)
    header = [str(h).strip() for h in d.iloc[0]]
    body = d.iloc[1:]
    if "old_la_code" in header:
        la_i, name_i, reg_i = (header.index(h) for h in ("old_la_code", "la_name", "region_name"))
        pairs = []
        for k in range(1, 11):
            if f"SN_{k}" not in header or f"SN_{k}P" not in header:
                raise PmfError(f"no SN_{k} / SN_{k}P column", file=path, location="row 1")
            pairs.append((header.index(f"SN_{k}"), header.index(f"SN_{k}P")))
    elif "LA num" in header:
        la_i, name_i, reg_i = (header.index(h) for h in ("LA num", "LA Name", "GOReg"))
        pairs = []
        for k in range(1, 11):
            if f"SN{k}" not in header:
                raise PmfError(f"no SN{k} column", file=path, location="row 1")
            j = header.index(f"SN{k}")
            pairs.append((j, j + 1))
    else:
        raise PmfError(
            "not a statistical neighbour CSV: expected an 'old_la_code' or 'LA num' column",
            file=path,
            location="row 1",
        )
    records, where = [], []
    for i, r in enumerate(body.itertuples(index=False), start=2):
        la = str(r[la_i]).strip()
        if not la:
            continue
        if not la.isdigit():
            raise PmfError(
                f"not an LA number: {la!r}", file=path, location=f"row {i}", field=header[la_i]
            )
        sns = [(r[a], r[b] if b < len(r) else None) for a, b in pairs]
        records.append((int(la), str(r[name_i]).strip(), str(r[reg_i]).strip(), sns))
        where.append(f"row {i}")
    return _neighbour_rows(records, model, path, lambda k: where[k])


def combine_neighbours(frames: Iterable[tuple[Path, pd.DataFrame]]) -> pd.DataFrame:
    """One neighbour table from several files, with successors' lists filled in.

    Files of the same model are combined LA by LA: the first file listing an LA
    gives its list; a later file that lists the same LA with different
    neighbours is an error. A successor council (:data:`REORGANISATIONS`) with
    no list in a model takes its predecessor's, with ``inherited_from`` set.
    """
    out = []
    by_model: dict[str, dict[int, tuple[Path, pd.DataFrame]]] = {}
    for path, f in frames:
        for (model, la), g in f.groupby(["model", "la_code"], sort=False):
            seen = by_model.setdefault(model, {})
            if la in seen:
                prev_path, prev = seen[la]
                a = prev.sort_values("sn_rank")["neighbour"].tolist()
                b = g.sort_values("sn_rank")["neighbour"].tolist()
                if a and b and a != b:
                    raise PmfError(
                        f"LA {la}'s {model} neighbours {b} differ from {a} in {prev_path}",
                        file=path,
                    )
                if not a and b:
                    seen[la] = (path, g)
                continue
            seen[la] = (path, g)
    names: dict[int, str] = {}
    for _model, seen in sorted(by_model.items()):
        for la, (_, g) in sorted(seen.items()):
            if not g.empty:
                names.setdefault(la, g["la_name"].iloc[0])
                out.append(g.assign(inherited_from=pd.NA))
        for reorg in REORGANISATIONS:
            pred = seen.get(reorg.predecessor)
            for succ in reorg.successors:
                have = seen.get(succ)
                if (have is None or have[1].empty) and pred is not None and not pred[1].empty:
                    g = pred[1]
                    g = g[~g["neighbour"].isin(reorg.successors)]
                    out.append(
                        g.assign(
                            la_code=succ,
                            la_name=names.get(succ, pd.NA),
                            inherited_from=reorg.predecessor,
                        )
                    )
    if not out:
        return pd.DataFrame(columns=NEIGHBOUR_COLUMNS)
    n = pd.concat(out, ignore_index=True)
    n["la_name"] = n["la_name"].fillna(n["la_code"].map(names))
    n["neighbour_name"] = n["neighbour"].map(names)
    n["inherited_from"] = n["inherited_from"].astype("Int64")
    n = n.sort_values(["model", "la_code", "sn_rank"]).reset_index(drop=True)
    for c in ("model", "la_name", "region", "neighbour_name", "closeness"):
        n[c] = n[c].astype(object).where(n[c].notna(), None)
    n["la_code"] = n["la_code"].astype("int64")
    n["sn_rank"] = n["sn_rank"].astype("int64")
    n["neighbour"] = n["neighbour"].astype("int64")
    return n[NEIGHBOUR_COLUMNS]
