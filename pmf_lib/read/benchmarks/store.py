"""The benchmark store: import every published file, save it, load it, query it.

:func:`import_benchmarks` finds the published files in a directory by their
published names (:func:`find_sources`) and reads them into one
:class:`BenchmarkStore`; :func:`save_benchmarks` writes it as parquet plus a
README (replacing the directory atomically); :func:`load_benchmarks` reads it
back, by default the snapshot shipped with pmf (:data:`SNAPSHOT_DIR`), with the
same dtypes as a fresh import. :func:`la_series` is one LA's series of a
measure, optionally preceded by its predecessor council's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pmf_lib.atomic import atomic_dir
from pmf_lib.errors import PmfError
from pmf_lib.read.benchmarks.areas import successor_of
from pmf_lib.read.benchmarks.columns import EES_PREFIXES
from pmf_lib.read.benchmarks.ees import ees_measures, read_ees_csv, read_ons_population
from pmf_lib.read.benchmarks.lait import read_lait_dictionary, read_lait_long
from pmf_lib.read.benchmarks.neighbours import combine_neighbours, read_sn_csv, read_sn_xlsx
from pmf_lib.read.benchmarks.values import POPULATION_COLUMNS, TABLES, tidy_values

SNAPSHOT_DIR = Path(__file__).resolve().parents[2] / "data" / "benchmarks"
"""Where the shipped snapshot lives (``pmf_lib/data/benchmarks``)."""

OGL_ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0"
)


@dataclass
class BenchmarkStore:
    """The four benchmark tables (their columns: :mod:`pmf_lib.read.benchmarks`)."""

    measures: pd.DataFrame
    values: pd.DataFrame
    neighbours: pd.DataFrame
    population: pd.DataFrame

    def measure(self, code: str) -> pd.Series:
        """The ``measures`` row for a code; a :class:`PmfError` when it is unknown."""
        rows = self.measures[self.measures["code"] == code]
        if rows.empty:
            raise PmfError(f"unknown benchmark measure {code!r}", field="measure")
        return rows.iloc[0]

    def la_name(self, la_code: int) -> str:
        """The published name of an LA, region or England."""
        rows = self.values.loc[self.values["la_code"] == la_code, "name"]
        if rows.empty:
            rows = self.neighbours.loc[self.neighbours["la_code"] == la_code, "la_name"]
        if rows.empty:
            raise PmfError(f"no benchmark figures for LA {la_code}", field="la_code")
        return str(rows.iloc[-1])

    def la_region(self, la_code: int) -> str:
        """The region name an LA belongs to (LAIT's ``Region``; London split Inner/Outer)."""
        mine = self.values[(self.values["la_code"] == la_code) & (self.values["level"] == "LA")]
        if (mine["source"] == "LAIT").any():  # LAIT splits London into Inner and Outer
            mine = mine[mine["source"] == "LAIT"]
        rows = mine["region"].dropna()
        if rows.empty:
            rows = self.neighbours.loc[self.neighbours["la_code"] == la_code, "region"].dropna()
        if rows.empty:
            raise PmfError(f"no region known for LA {la_code}", field="la_code")
        return str(rows.mode().iloc[0])


# --------------------------------------------------------------------------- import


@dataclass(frozen=True)
class SourceFiles:
    """The published files found in a source directory."""

    lait_long: Path | None
    lait_dictionary: Path | None
    ees: tuple[Path, ...]
    sn: tuple[Path, ...]
    population: Path | None

    def all(self) -> list[Path]:
        found = [self.lait_long, self.lait_dictionary, *self.ees, *self.sn, self.population]
        return [p for p in found if p is not None]


def find_sources(source: str | Path) -> SourceFiles:
    """Find the published files in a directory by their published names."""
    source = Path(source)
    if not source.is_dir():
        raise PmfError("not a directory", file=source)
    files = sorted(p for p in source.iterdir() if p.is_file())

    def one(pattern: str) -> Path | None:
        hits = [p for p in files if re.search(pattern, p.name, re.IGNORECASE)]
        if len(hits) > 1:
            raise PmfError(
                f"more than one file matches {pattern!r}: {', '.join(p.name for p in hits)}",
                file=source,
            )
        return hits[0] if hits else None

    ees = tuple(
        p
        for p in files
        if p.suffix.lower() == ".csv" and any(p.name.startswith(pre) for pre in EES_PREFIXES)
    )
    sn = tuple(
        p
        for p in files
        if re.search(r"(^|_)sn_|statistical_neighbour", p.name, re.IGNORECASE)
        and p.suffix.lower() in (".xlsx", ".csv")
    )
    return SourceFiles(
        lait_long=one(r"bds_long.*\.parquet$"),
        lait_dictionary=one(r"data_dictionary.*\.csv$"),
        ees=ees,
        sn=sn,
        population=one(r"population.*\.csv$"),
    )


def import_benchmarks(source: str | Path) -> BenchmarkStore:
    """Read every published file found in ``source`` into one :class:`BenchmarkStore`.

    LAIT's data set needs its dictionary (which says which measures are
    children's social care). Where LAIT and an EES file give the same measure
    for the same year, LAIT's figures are kept.
    """
    src = find_sources(source)
    if src.lait_long is None and not src.ees:
        raise PmfError(
            "no LAIT long data set (bds_long*.parquet) or Explore Education Statistics CSVs found",
            file=source,
        )
    if not src.sn:
        raise PmfError("no statistical neighbour files (sn_*.xlsx / *.csv) found", file=source)
    measures = [ees_measures()]
    values = []
    if src.lait_long is not None:
        if src.lait_dictionary is None:
            raise PmfError(
                "the LAIT long data set needs the LAIT data dictionary "
                "(*data_dictionary*.csv) beside it",
                file=source,
            )
        lait_measures = read_lait_dictionary(src.lait_dictionary)
        measures.insert(0, lait_measures)
        values.append(read_lait_long(src.lait_long, lait_measures))
    for path in src.ees:
        v = read_ees_csv(path)
        if values and not v.empty:
            have = pd.concat([x[["measure", "year"]] for x in values]).drop_duplicates()
            have = set(zip(have["measure"], have["year"], strict=True))
            keep = [(m, y) not in have for m, y in zip(v["measure"], v["year"], strict=True)]
            v = v[keep]
        values.append(v)
    ees_tables = {
        code: src_name
        for x in values
        for code, src_name in zip(x["measure"], x["source"], strict=True)
        if src_name != "LAIT"
    }
    measures[-1]["source_table"] = (
        measures[-1]["code"].map(ees_tables).fillna(measures[-1]["source_table"])
    )
    m = pd.concat(measures, ignore_index=True).drop_duplicates("code", keep="first")
    v = tidy_values(pd.concat([x for x in values if not x.empty], ignore_index=True))
    m = m[m["code"].isin(v["measure"])].sort_values("code").reset_index(drop=True)
    m["no_quartile"] = m["no_quartile"].astype(bool)
    m["dps"] = m["dps"].astype("float64")
    sn_frames = []
    for path in src.sn:
        reader = read_sn_xlsx if path.suffix.lower() == ".xlsx" else read_sn_csv
        sn_frames.append((path, reader(path)))
    neighbours = combine_neighbours(sn_frames)
    population = (
        read_ons_population(src.population)
        if src.population is not None
        else pd.DataFrame(columns=POPULATION_COLUMNS)
    )
    return _canonical(
        BenchmarkStore(measures=m, values=v, neighbours=neighbours, population=population)
    )


def _canonical(store: BenchmarkStore) -> BenchmarkStore:
    """The same dtypes whether a store was just imported or loaded from parquet."""
    ints = {
        "values": ("la_code",),
        "neighbours": ("la_code", "sn_rank", "neighbour"),
        "population": ("year", "la_code"),
    }
    floats = {"values": ("value",), "population": ("children",), "measures": ("dps",)}
    out = {}
    for name in TABLES:
        t = getattr(store, name).copy()
        for c in t.columns:
            if c in ints.get(name, ()):
                t[c] = t[c].astype("int64")
            elif c in floats.get(name, ()):
                t[c] = t[c].astype("float64")
            elif c == "year_end":
                t[c] = t[c].astype("datetime64[s]")
            elif c == "inherited_from":
                t[c] = t[c].astype("Int64")
            elif c == "no_quartile":
                t[c] = t[c].astype(bool)
            else:
                t[c] = t[c].astype(object).where(t[c].notna(), None)
        out[name] = t.reset_index(drop=True)
    return BenchmarkStore(**out)


# --------------------------------------------------------------------------- save / load


def save_benchmarks(
    store: BenchmarkStore,
    out: str | Path,
    sources: Iterable[Path] = (),
    imported: dt.date | None = None,
) -> Path:
    """Write a store as parquet files plus README.md, replacing ``out`` atomically.

    Everything is written to a new directory beside ``out`` first; only when
    every file is complete is it swapped into place, so a failure leaves the
    old snapshot as it was.
    """
    out = Path(out)
    with atomic_dir(out) as tmp:
        for name in TABLES:
            getattr(store, name).to_parquet(
                tmp / f"{name}.parquet", index=False, compression="zstd"
            )
        (tmp / "README.md").write_text(
            _readme(store, sources, imported or dt.date.today()), encoding="utf-8"
        )
    return out


def _readme(store: BenchmarkStore, sources: Iterable[Path], imported: dt.date) -> str:
    latest = store.values.groupby("source")["year"].max()
    src_lines = "\n".join(f"* `{p.name}`" for p in sources) or "* (not recorded)"
    named = store.measures["source_table"].dropna()
    tables = ", ".join(sorted(set(named) - {"", "NA"}))
    return f"""# Benchmark snapshot

{OGL_ATTRIBUTION}.

Derived by `pmf benchmarks import` on {imported.isoformat()} from statistics published
by the Department for Education (Local Authority Interactive Tool, Explore Education
Statistics, statistical neighbour models) and the Office for National Statistics (mid-year
population estimates), which are Crown copyright, released under the
[Open Government Licence v3.0](https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/).

Files read:

{src_lines}

Source tables named by the measures: {tables}.

| table | rows |
|---|---|
| measures | {len(store.measures)} |
| values | {len(store.values)} |
| neighbours | {len(store.neighbours)} |
| population | {len(store.population)} |

Latest year by source: {", ".join(f"{k} {v}" for k, v in latest.items())}.

Regenerate with `pmf benchmarks import --source DIR` (see `pmf_lib/read/benchmarks/`
for the columns, the suppression codes and how reorganised councils are handled).
"""


def load_benchmarks(path: str | Path | None = None) -> BenchmarkStore:
    """Load a benchmark store; by default the snapshot shipped with pmf.

    Examples
    --------
    >>> store = load_benchmarks()
    >>> sorted(store.neighbours["model"].unique())
    ['2021', '2025']
    """
    path = Path(path) if path is not None else SNAPSHOT_DIR
    tables = {}
    for name in TABLES:
        f = path / f"{name}.parquet"
        if not f.is_file():
            raise PmfError("benchmark store file missing (run `pmf benchmarks import`)", file=f)
        try:
            tables[name] = pd.read_parquet(f)
        except Exception as e:  # pyarrow raises several types for bad files
            raise PmfError(f"cannot read the benchmark store: {e}", file=f) from None
    return _canonical(BenchmarkStore(**tables))


# --------------------------------------------------------------------------- queries


def la_series(
    store: BenchmarkStore, la_code: int, measure: str, with_predecessor: bool = False
) -> pd.DataFrame:
    """One LA's figures for a measure by year, oldest first.

    With ``with_predecessor=True`` a successor council's series is preceded by
    its predecessor's figures for the years before the reorganisation, marked
    by ``from_la_code`` (the predecessor's number): a different, larger area,
    to be labelled as such wherever it is shown.

    Examples
    --------
    >>> store = load_benchmarks()
    >>> s = la_series(store, 940, "LAC", with_predecessor=True)
    >>> sorted(s["from_la_code"].unique().tolist())
    [928, 940]
    """
    v = store.values
    own = v[(v["measure"] == measure) & (v["la_code"] == la_code)].copy()
    own = own[own["value"].notna() | own["suppression"].ne("-")]
    own["from_la_code"] = la_code
    reorg = successor_of(la_code)
    if with_predecessor and reorg is not None:
        pred = v[(v["measure"] == measure) & (v["la_code"] == reorg.predecessor)].copy()
        pred = pred[pred["year_end"] < pd.Timestamp(reorg.effective)]
        pred = pred[pred["value"].notna() | pred["suppression"].ne("-")]
        pred["from_la_code"] = reorg.predecessor
        own = own[own["year_end"] >= pd.Timestamp(reorg.effective)]
        own = pd.concat([pred, own], ignore_index=True)
    return own.sort_values("year_end").reset_index(drop=True)
