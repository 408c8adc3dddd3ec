"""The store: every figure every ``pmf run`` published, kept in SQLite (issue 17).

Each ``pmf run`` appends the month's published tables -- the KPI table
(``kpi_history.parquet``), the assessed table (``kpis.parquet``) and the
breakdowns (``breakdowns.parquet``), read back from ``outputs/YYYY-MM/`` -- to
the store, each row carrying the run id, the data extract date and the figure.
Nothing is overwritten, so each figure is kept as every month's pack reported it
(view ``reported_figures``, beside its latest value), and ``restatements`` lists
every figure whose value changed after it was reported: by how much, and in
which run.

There is one database per audience (``docs/store.md``):

* the **internal** store (default ``<outputs>/pmf.sqlite``) holds the tables an
  internal run publishes, team breakdowns included;
* the **members/public** store (``pmf-members.sqlite`` beside it) holds only the
  suppressed tables: an internal run's tables passed through the one suppression
  decision the members' reports use (:func:`pmf_lib.assess.disclosure.published_tables`,
  with the config's ``suppression`` rule), or a members'/public run's own
  published (already suppressed) tables. It has no team breakdowns.

No table holds child-level data: every row is an aggregate figure.

A run's write is one SQLite transaction across both files (the internal store
with the members' store attached, in rollback-journal mode, so SQLite commits
the two atomically): a run that fails or is killed part-way leaves both as they
were. The schema is versioned: ``schema_version`` lists each migration applied,
and :data:`MIGRATIONS` are applied in order, inside the same transaction.

Examples
--------
>>> import tempfile
>>> d = Path(tempfile.mkdtemp())
>>> h = pd.DataFrame({"kpi_id": "k", "period_end": pd.to_datetime(["2026-09-30"]),
...                   "window": "month", "value": [10.0], "numerator": [10.0],
...                   "denominator": [float("nan")]})
>>> a = h.assign(title="K", area="a", rag="Green")
>>> run = RunInfo(run_id="r1", month="2026-09", run_audience="internal")
>>> append_run([(d / "pmf.sqlite", MonthTables(h, a, None))], run)
>>> append_run([(d / "pmf.sqlite", MonthTables(h.assign(value=11.0), a, None))],
...            RunInfo(run_id="r2", month="2026-10", run_audience="internal"))
>>> with connect_readonly(d / "pmf.sqlite") as c:
...     c.execute("select kpi_id, period_end, reported_value, restated_value, change, "
...               "reported_run, restated_run from restatements").fetchall()
[('k', '2026-09-30', 10.0, 11.0, 1.0, 'r1', 'r2')]
"""

from __future__ import annotations

import contextlib
import json
import math
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from pmf_lib.errors import PmfError

#: The internal store's file name in the outputs folder (when the config names none).
STORE_NAME = "pmf.sqlite"
#: The members'/public store's suffix: ``pmf.sqlite`` -> ``pmf-members.sqlite``.
MEMBERS_SUFFIX = "-members"
#: Breakdown dimensions never put in the members'/public store.
INTERNAL_ONLY_DIMENSIONS = ("team",)

#: Columns of the ``figures`` table taken from the KPI table (``kpi_history``).
FIGURE_COLUMNS = (
    "kpi_id",
    "period_end",
    "window",
    "value",
    "numerator",
    "denominator",
    "dq_error_share",
    "dq_confidence",
    "suppressed",
)
#: Columns of the ``assessed`` table taken from the assessed table (``kpis``); the
#: whole row is kept in ``row_json`` too.
ASSESSED_COLUMNS = (
    "kpi_id",
    "title",
    "area",
    "unit",
    "polarity",
    "period_end",
    "window",
    "value",
    "numerator",
    "denominator",
    "previous_value",
    "rolling_12m_value",
    "target",
    "rag",
    "previous_label",
    "year_earlier_label",
    "variation",
    "assurance",
    "exception",
    "good_practice",
    "sentence",
    "england",
    "region",
    "sn_mean",
    "sn_median",
    "quartile",
    "rank",
    "rank_of",
    "dq_confidence",
    "suppressed",
)
#: Columns of the ``breakdowns`` table taken from the breakdowns table.
BREAKDOWN_COLUMNS = (
    "kpi_id",
    "period_end",
    "window",
    "dimension",
    "group",
    "value",
    "numerator",
    "denominator",
    "share",
    "suppressed",
)
#: Columns of the ``kpis`` table (the KPI registry, with the config's catalogue overrides).
KPI_COLUMNS = (
    "kpi_id",
    "title",
    "area",
    "unit",
    "polarity",
    "definition",
    "numerator",
    "denominator",
    "windows",
    "cadence",
    "source",
    "comparator",
)


# ---- the tables a run appends ------------------------------------------------------------


@dataclass(frozen=True)
class MonthTables:
    """A month's published tables, as one store receives them."""

    history: pd.DataFrame
    assessed: pd.DataFrame
    breakdowns: pd.DataFrame | None = None
    #: Who these tables are for: ``internal``, or ``members`` (suppressed).
    audience: str = "internal"


@dataclass(frozen=True)
class RunInfo:
    """What the ``runs`` table records of one run (most of it from ``run.json``)."""

    run_id: str
    month: str
    run_audience: str
    council_code: int | None = None
    council: str | None = None
    extract_date: str | None = None
    started: str | None = None
    finished: str | None = None
    pmf_version: str | None = None
    git_commit: str | None = None
    base_fingerprint: str | None = None
    kpi_table_sha256: str | None = None
    assessed_table_sha256: str | None = None


def store_paths(config) -> tuple[Path, Path]:
    """The internal and the members'/public store of a config.

    ``store.path`` when the config sets it (relative to the config's folder),
    otherwise ``pmf.sqlite`` in the outputs folder; the members' store is beside
    it with ``-members`` added to its name.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> c = SimpleNamespace(outputs_dir=Path("/x/outputs"), store=None)
    >>> [p.name for p in store_paths(c)]
    ['pmf.sqlite', 'pmf-members.sqlite']
    """
    settings = getattr(config, "store", None)
    path = getattr(settings, "path", None) if settings is not None else None
    internal = config.resolve(path) if path else Path(config.outputs_dir) / STORE_NAME
    internal = Path(internal)
    return internal, internal.with_name(f"{internal.stem}{MEMBERS_SUFFIX}{internal.suffix}")


def read_month_tables(out_dir: Path) -> MonthTables:
    """The month's published tables from its folder (breakdowns None when it has none).

    Raises
    ------
    PmfError
        When the month's KPI or assessed table is missing.
    """
    out_dir = Path(out_dir)
    tables = {}
    for name in ("kpi_history", "kpis"):
        path = out_dir / f"{name}.parquet"
        if not path.is_file():
            raise PmfError("missing: the month has not been published", file=path)
        tables[name] = pd.read_parquet(path)
    b = out_dir / "breakdowns.parquet"
    return MonthTables(
        tables["kpi_history"], tables["kpis"], pd.read_parquet(b) if b.is_file() else None
    )


def members_view(tables: MonthTables, metas, rules) -> MonthTables:
    """The members'/public store's tables: the reports' own suppression decision.

    :func:`pmf_lib.assess.disclosure.published_tables` (the one decision every
    members' report reads) applied to the month's tables (as computed, or as a
    members' run published them: it gives itself back), without the team
    breakdowns (:data:`INTERNAL_ONLY_DIMENSIONS`).

    Examples
    --------
    >>> from pmf_lib.assess.disclosure import Disclosure
    >>> from pmf_lib.compute.registry import KpiMeta
    >>> m = KpiMeta(id="k", title="K", area="a", unit="count", polarity="neutral",
    ...             windows=("month",), source="s", definition="d", numerator="n")
    >>> h = pd.DataFrame({"kpi_id": "k", "window": "month", "value": [3.0, 12.0],
    ...                   "numerator": [3.0, 12.0], "denominator": float("nan"),
    ...                   "period_end": pd.to_datetime(["2026-09-30", "2026-10-31"])})
    >>> a = h.tail(1).assign(title="K", area="a", unit="count", polarity="neutral")
    >>> v = members_view(MonthTables(h, a), {"k": m}, Disclosure())
    >>> v.history["value"].tolist(), v.history["suppressed"].tolist()
    ([nan, 12.0], [True, False])
    """
    from pmf_lib.assess.disclosure import published_tables

    view = published_tables(tables.history, tables.assessed, tables.breakdowns, metas, rules)
    b = view.breakdowns
    if b is not None:
        b = b[~b["dimension"].isin(INTERNAL_ONLY_DIMENSIONS)].reset_index(drop=True)
    return MonthTables(view.history, view.assessed, b, audience="members")


def extract_date(data) -> str | None:
    """The data extract date: the latest reference date in the returns (``YYYY-MM-DD``).

    Examples
    --------
    >>> from types import SimpleNamespace as N
    >>> d = N(cin=N(returns=pd.DataFrame({"reference_date": pd.to_datetime(["2026-11-03"])})),
    ...       cla=N(returns=pd.DataFrame({"reference_date": pd.to_datetime(["2026-03-31"])})))
    >>> extract_date(d), extract_date(None), extract_date(N(sources=None, data=d))
    ('2026-11-03', None, '2026-11-03')
    """
    if data is None:
        return None
    if hasattr(data, "sources") and hasattr(data, "data"):  # a MonthRead: its SourceData
        data = data.data
    dates = []
    for part in ("cin", "cla"):
        returns = getattr(getattr(data, part, None), "returns", None)
        if returns is not None and "reference_date" in returns:
            dates.append(pd.to_datetime(returns["reference_date"]))
    if not dates:
        return None
    ref = pd.concat(dates).max()
    return None if pd.isna(ref) else ref.strftime("%Y-%m-%d")


def catalogue_rows(metas: Iterable) -> list[dict]:
    """The ``kpis`` table's rows from KPI metadata (:data:`KPI_COLUMNS`)."""
    rows = []
    for m in metas:
        rows.append(
            {
                "kpi_id": m.id,
                "title": m.title,
                "area": m.area,
                "unit": m.unit,
                "polarity": m.polarity,
                "definition": m.definition,
                "numerator": m.numerator,
                "denominator": m.denominator,
                "windows": ", ".join(m.windows),
                "cadence": getattr(m, "cadence", None),
                "source": m.source,
                "comparator": getattr(m, "comparator", None),
            }
        )
    return rows


def _catalogue(config) -> list[dict]:
    """Every KPI of the library, with the config's catalogue overrides (titles)."""
    if getattr(config, "kpi_catalogue", None):
        from pmf_lib.compute.catalogue import load_catalogue

        metas = load_catalogue(config.resolve(config.kpi_catalogue)).values()
    else:
        from pmf_lib.compute.registry import all_kpis

        metas = [k.meta for k in all_kpis().values()]
    return catalogue_rows(metas)


def record_month(config, out_dir: Path, data=None) -> list[Path]:
    """Append the month just published in ``out_dir`` to the config's stores (the run's hook).

    Reads the month's published tables and ``run.json`` from ``out_dir``. An
    internal run goes to the internal store and, suppressed by
    :func:`members_view`, to the members' store; a members' or public run's
    tables (already suppressed) go to the members' store only. ``data`` (the
    sources the run read, if it read them: a ``SourceData`` or a ``MonthRead``)
    gives the extract date; without it
    the extract date of an earlier run with the same inputs
    (``base_fingerprint``) is used, or none.

    Returns
    -------
    list of Path
        The stores written.

    Raises
    ------
    PmfError
        When a store cannot be written; it is then left as it was.
    """
    from pmf_lib.assess.disclosure import Disclosure, suppresses
    from pmf_lib.assess.pipeline import configured_kpis

    out_dir = Path(out_dir)
    manifest = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
    tables = read_month_tables(out_dir)
    run = RunInfo(
        run_id=manifest["run_id"],
        month=manifest["parameters"]["month"],
        run_audience=config.audience,
        council_code=config.council.code,
        council=config.council.name,
        extract_date=extract_date(data),
        started=manifest.get("started"),
        finished=manifest.get("finished"),
        pmf_version=manifest.get("pmf_version"),
        git_commit=manifest.get("git_commit"),
        base_fingerprint=manifest.get("base_fingerprint"),
        kpi_table_sha256=(manifest.get("kpi_table") or {}).get("sha256"),
        assessed_table_sha256=(manifest.get("assessed_table") or {}).get("sha256"),
    )
    internal, members = store_paths(config)
    metas = configured_kpis(config)
    rules = Disclosure.from_config(config.model_copy(update={"audience": "members"}))
    shown = members_view(tables, metas, rules)
    if suppresses(config.audience):
        targets = [(members, replace(shown, audience=config.audience))]
    else:
        targets = [(internal, tables), (members, shown)]
    append_run(targets, run, _catalogue(config))
    return [p for p, _ in targets]


# ---- the schema and its migrations -------------------------------------------------------

#: Where two values of one figure differ (NULL against a value counts; so does a
#: change of the ``suppressed`` flag). ``a``/``b`` are the older and newer row.
_DIFFERS = (
    "((a_value IS NULL) <> (b_value IS NULL)"
    " OR abs(b_value - a_value) > 1e-9 * max(1.0, abs(a_value))"
    " OR a_suppressed <> b_suppressed)"
)


def _v1(conn: sqlite3.Connection, schema: str) -> None:
    """Schema 1: runs, kpis, figures, assessed, breakdowns, restatements; the pack views."""
    s = f"{schema}."
    figure_cols = """
        run_seq INTEGER NOT NULL REFERENCES runs(seq),
        run_id TEXT NOT NULL,
        month TEXT NOT NULL,
        extract_date TEXT,
        kpi_id TEXT NOT NULL REFERENCES kpis(kpi_id),
        area TEXT,
        period_end TEXT NOT NULL,
        window TEXT NOT NULL"""
    _execute_script(
        conn,
        f"""
        CREATE TABLE {s}runs (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id TEXT NOT NULL UNIQUE,
            month TEXT NOT NULL,
            audience TEXT NOT NULL,
            run_audience TEXT NOT NULL,
            council_code INTEGER,
            council TEXT,
            extract_date TEXT,
            started TEXT,
            finished TEXT,
            recorded TEXT NOT NULL,
            pmf_version TEXT,
            git_commit TEXT,
            base_fingerprint TEXT,
            kpi_table_sha256 TEXT,
            assessed_table_sha256 TEXT
        );
        CREATE INDEX {s}runs_month ON runs (month, seq);
        CREATE TABLE {s}kpis (
            kpi_id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            area TEXT,
            unit TEXT,
            polarity TEXT,
            definition TEXT,
            numerator TEXT,
            denominator TEXT,
            windows TEXT,
            cadence TEXT,
            source TEXT,
            comparator TEXT
        );
        CREATE TABLE {s}figures ({figure_cols},
            value REAL,
            numerator REAL,
            denominator REAL,
            dq_error_share REAL,
            dq_confidence TEXT,
            suppressed INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (run_seq, kpi_id, period_end, window)
        );
        CREATE INDEX {s}figures_figure ON figures (kpi_id, period_end, window, run_seq);
        CREATE TABLE {s}assessed ({figure_cols},
            title TEXT,
            unit TEXT,
            polarity TEXT,
            value REAL,
            numerator REAL,
            denominator REAL,
            previous_value REAL,
            rolling_12m_value REAL,
            target REAL,
            rag TEXT,
            previous_label TEXT,
            year_earlier_label TEXT,
            variation TEXT,
            assurance TEXT,
            exception INTEGER,
            good_practice INTEGER,
            sentence TEXT,
            england REAL,
            region REAL,
            sn_mean REAL,
            sn_median REAL,
            quartile TEXT,
            rank INTEGER,
            rank_of INTEGER,
            dq_confidence TEXT,
            suppressed INTEGER NOT NULL DEFAULT 0,
            row_json TEXT NOT NULL,
            PRIMARY KEY (run_seq, kpi_id, window)
        );
        CREATE INDEX {s}assessed_kpi ON assessed (kpi_id, month, run_seq);
        CREATE TABLE {s}breakdowns ({figure_cols},
            dimension TEXT NOT NULL,
            "group" TEXT NOT NULL,
            value REAL,
            numerator REAL,
            denominator REAL,
            share REAL,
            suppressed INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (run_seq, kpi_id, period_end, window, dimension, "group")
        );
        CREATE INDEX {s}breakdowns_kpi ON breakdowns (kpi_id, dimension, "group", run_seq);

        -- The run each month's pack now holds: the month's latest run.
        CREATE VIEW {s}pack_runs AS
        SELECT r.* FROM runs r
        WHERE r.seq = (SELECT max(r2.seq) FROM runs r2 WHERE r2.month = r.month);

        -- Each figure as each month's pack reported it, beside its latest value.
        CREATE VIEW {s}reported_figures AS
        SELECT pack_month, kpi_id, area, period_end, window,
               a_value AS reported_value, a_suppressed AS reported_suppressed,
               reported_run, reported_extract_date,
               b_value AS latest_value, b_suppressed AS latest_suppressed,
               latest_run, latest_pack_month, change,
               CASE WHEN {_DIFFERS} THEN 1 ELSE 0 END AS restated
        FROM (
            SELECT f.month AS pack_month, f.kpi_id, f.area, f.period_end, f.window,
                   f.value AS a_value, f.suppressed AS a_suppressed,
                   f.run_id AS reported_run, f.extract_date AS reported_extract_date,
                   l.value AS b_value, l.suppressed AS b_suppressed,
                   l.run_id AS latest_run, l.month AS latest_pack_month,
                   l.value - f.value AS change
            FROM figures f
            JOIN pack_runs p ON f.run_seq = p.seq
            JOIN figures l ON l.kpi_id = f.kpi_id AND l.period_end = f.period_end
                AND l.window = f.window
                AND l.run_seq = (SELECT max(z.run_seq) FROM figures z WHERE z.kpi_id = f.kpi_id
                                 AND z.period_end = f.period_end AND z.window = f.window)
        );

        -- Every figure whose value changed after it was reported: by how much, in which run
        -- (filled as each run is appended: _record_restatements).
        CREATE TABLE {s}restatements (
            restated_run_seq INTEGER NOT NULL REFERENCES runs(seq),
            kpi_id TEXT NOT NULL REFERENCES kpis(kpi_id),
            area TEXT,
            period_end TEXT NOT NULL,
            window TEXT NOT NULL,
            reported_value REAL,
            restated_value REAL,
            change REAL,
            reported_suppressed INTEGER NOT NULL,
            restated_suppressed INTEGER NOT NULL,
            reported_run TEXT NOT NULL,
            reported_pack_month TEXT NOT NULL,
            reported_extract_date TEXT,
            restated_run TEXT NOT NULL,
            restated_pack_month TEXT NOT NULL,
            restated_extract_date TEXT,
            PRIMARY KEY (restated_run_seq, kpi_id, period_end, window)
        );
        CREATE INDEX {s}restatements_kpi ON restatements (kpi_id, period_end, window);
        CREATE INDEX {s}figures_month ON figures (month);
        CREATE INDEX {s}figures_area ON figures (area);

        -- Team breakdowns (the internal store only has any).
        CREATE VIEW {s}team_figures AS
        SELECT run_seq, run_id, month, extract_date, kpi_id, area, period_end, window,
               "group" AS team, value, numerator, denominator, share, suppressed
        FROM breakdowns WHERE dimension = 'team';
        """,
    )


def _execute_script(conn: sqlite3.Connection, script: str) -> None:
    """Run each statement of ``script`` in the open transaction.

    (``executescript`` would commit the caller's transaction first.)

    Examples
    --------
    >>> c = sqlite3.connect(":memory:", isolation_level=None)
    >>> _ = c.execute("BEGIN")
    >>> _execute_script(c, "CREATE TABLE t (a); -- a note; a semicolon\\nINSERT INTO t VALUES (1);")
    >>> c.in_transaction, c.execute("select a from t").fetchall()
    (True, [(1,)])
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement: {statement.strip()[:80]}")


@dataclass(frozen=True)
class Migration:
    """One schema version: its number, what it does, and the function that makes it."""

    version: int
    description: str
    apply: Callable[[sqlite3.Connection, str], None]


#: The schema's migrations, applied in order to bring any store up to date.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "runs, kpis, figures, assessed, breakdowns, restatements; pack, team views", _v1),
)


def schema_version(conn: sqlite3.Connection, schema: str = "main") -> int:
    """The store's schema version (0 for a new, empty file)."""
    has = conn.execute(
        f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if not has:
        return 0
    return conn.execute(
        f"SELECT coalesce(max(version), 0) FROM {schema}.schema_version"
    ).fetchone()[0]


def migrate(conn: sqlite3.Connection, schema: str = "main", migrations=None) -> int:
    """Apply the migrations a store lacks, in order (within the caller's transaction).

    Returns the store's schema version afterwards.

    Raises
    ------
    PmfError
        When the store is newer than this pmf (a version it does not know).

    Examples
    --------
    >>> c = sqlite3.connect(":memory:")
    >>> migrate(c), migrate(c)
    (1, 1)
    >>> c.execute("select version, description from schema_version").fetchall()[0][0]
    1
    """
    migrations = MIGRATIONS if migrations is None else migrations
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise ValueError(f"migrations must be numbered 1, 2, ... in order, got {versions}")
    current = schema_version(conn, schema)
    if current > (versions[-1] if versions else 0):
        raise PmfError(
            f"the store has schema version {current}; this pmf knows versions up to "
            f"{versions[-1] if versions else 0} (upgrade pmf)"
        )
    if current == 0:
        conn.execute(
            f"CREATE TABLE {schema}.schema_version (version INTEGER PRIMARY KEY, "
            "applied TEXT NOT NULL, description TEXT NOT NULL)"
        )
    for m in migrations:
        if m.version > current:
            m.apply(conn, schema)
            conn.execute(
                f"INSERT INTO {schema}.schema_version VALUES (?, ?, ?)",
                (m.version, _now(), m.description),
            )
            current = m.version
    return current


# ---- writing -----------------------------------------------------------------------------


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _cell(v):
    """A pandas/numpy value as SQLite takes it (NaN/NA -> NULL, dates as YYYY-MM-DD)."""
    if v is None or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp | datetime):
        return v.strftime("%Y-%m-%d")
    if hasattr(v, "item") and not isinstance(v, str | bytes):  # numpy scalars
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(v, bool):
        return int(v)
    return v


def _rows(df: pd.DataFrame | None, columns: Sequence[str]) -> list[tuple]:
    """Rows of ``df`` for ``columns`` (a missing column is NULL; ``suppressed`` 0)."""
    if df is None or df.empty:
        return []
    out = []
    cols = [df[c] if c in df.columns else None for c in columns]
    for i in range(len(df)):
        row = []
        for name, col in zip(columns, cols, strict=True):
            v = None if col is None else _cell(col.iat[i])
            if name == "suppressed":
                v = int(bool(v))
            row.append(v)
        out.append(tuple(row))
    return out


def _row_json(df: pd.DataFrame) -> list[str]:
    records = json.loads(df.to_json(orient="records", date_format="iso", force_ascii=False))
    return [json.dumps(r, ensure_ascii=False) for r in records]


def _insert(conn: sqlite3.Connection, schema: str, table: str, columns, rows) -> None:
    """Insert ``rows`` into ``schema.table`` (the one place every row is written)."""
    if not rows:
        return
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    conn.executemany(f"INSERT INTO {schema}.{table} ({names}) VALUES ({marks})", rows)


def _write_one(
    conn: sqlite3.Connection,
    schema: str,
    tables: MonthTables,
    run: RunInfo,
    catalogue: list[dict] | None,
) -> None:
    migrate(conn, schema)
    codes = {
        c
        for (c,) in conn.execute(
            f"SELECT DISTINCT council_code FROM {schema}.runs WHERE council_code IS NOT NULL"
        )
    }
    if run.council_code is not None and codes - {run.council_code}:
        raise PmfError(
            f"the store holds council {sorted(codes)[0]}'s figures, not council "
            f"{run.council_code}'s (give each council its own store: store.path)"
        )
    if conn.execute(f"SELECT 1 FROM {schema}.runs WHERE run_id = ?", (run.run_id,)).fetchone():
        raise PmfError(f"run {run.run_id} is already in the store")
    extract = run.extract_date
    if extract is None and run.base_fingerprint:  # the same inputs as an earlier run
        found = conn.execute(
            f"SELECT extract_date FROM {schema}.runs WHERE base_fingerprint = ? "
            "AND extract_date IS NOT NULL ORDER BY seq DESC LIMIT 1",
            (run.base_fingerprint,),
        ).fetchone()
        extract = found[0] if found else None
    record = {
        **run.__dict__,
        "audience": tables.audience,
        "extract_date": extract,
        "recorded": _now(),
    }
    _insert(conn, schema, "runs", list(record), [tuple(record.values())])
    seq = conn.execute(f"SELECT seq FROM {schema}.runs WHERE run_id = ?", (run.run_id,)).fetchone()[
        0
    ]
    if catalogue is not None:  # the registry as of this run: titles, definitions, units
        conn.execute(f"DELETE FROM {schema}.kpis")
        _insert(
            conn, schema, "kpis", KPI_COLUMNS, [tuple(r[c] for c in KPI_COLUMNS) for r in catalogue]
        )
    areas = {r["kpi_id"]: r["area"] for r in catalogue or []}
    a = tables.assessed
    if a is not None and "area" in a.columns:  # the config's area of each KPI it shows
        areas.update(dict(zip(a["kpi_id"], a["area"], strict=True)))
    lead = ("run_seq", "run_id", "month", "extract_date", "area")

    def prefix(df):
        ids = df["kpi_id"].tolist() if df is not None and not df.empty else []
        return [(seq, run.run_id, run.month, extract, areas.get(k)) for k in ids]

    for table, df, columns in (
        ("figures", tables.history, FIGURE_COLUMNS),
        ("breakdowns", tables.breakdowns, BREAKDOWN_COLUMNS),
    ):
        rows = [p + r for p, r in zip(prefix(df), _rows(df, columns), strict=True)]
        _insert(conn, schema, table, lead + columns, rows)
    _record_restatements(conn, schema, seq)
    a_cols = tuple(c for c in ASSESSED_COLUMNS if c != "area")
    rows = [
        p + r + (j,)
        for p, r, j in zip(
            prefix(a), _rows(a, a_cols), _row_json(a) if a is not None else [], strict=True
        )
    ]
    _insert(conn, schema, "assessed", lead + a_cols + ("row_json",), rows)


def _record_restatements(conn: sqlite3.Connection, schema: str, seq: int) -> None:
    """Add to ``restatements`` each figure of run ``seq`` that differs from its last report.

    Each figure is compared with the same figure (KPI, period end, window) in the
    latest earlier run that published it; a figure no earlier run published is new,
    not restated.
    """
    conn.execute(
        f"""
        INSERT INTO {schema}.restatements
        SELECT b_seq, kpi_id, area, period_end, window, a_value, b_value, b_value - a_value,
               a_suppressed, b_suppressed, a_run, a_month, a_extract, b_run, b_month, b_extract
        FROM (
            SELECT b.run_seq AS b_seq, b.kpi_id, b.area, b.period_end, b.window,
                   a.value AS a_value, b.value AS b_value,
                   a.suppressed AS a_suppressed, b.suppressed AS b_suppressed,
                   a.run_id AS a_run, a.month AS a_month, a.extract_date AS a_extract,
                   b.run_id AS b_run, b.month AS b_month, b.extract_date AS b_extract
            FROM {schema}.figures b
            JOIN {schema}.figures a ON a.kpi_id = b.kpi_id AND a.period_end = b.period_end
                AND a.window = b.window
                AND a.run_seq = (
                    SELECT max(z.run_seq) FROM {schema}.figures z
                    WHERE z.kpi_id = b.kpi_id AND z.period_end = b.period_end
                      AND z.window = b.window AND z.run_seq < b.run_seq)
            WHERE b.run_seq = ?
        )
        WHERE {_DIFFERS}
        """,
        (seq,),
    )


def append_run(
    targets: Sequence[tuple[Path, MonthTables]],
    run: RunInfo,
    catalogue: list[dict] | None = None,
) -> None:
    """Append one run's tables to each store in ``targets``, all in one transaction.

    The first store is opened and the others attached, so SQLite commits all of
    them or none: an error or a killed process before the commit leaves every
    store as it was. Each store is first brought up to the current schema
    (:func:`migrate`), in the same transaction.

    Parameters
    ----------
    targets : sequence of (Path, MonthTables)
        Each store and the tables it receives.
    run : RunInfo
        The run (its id must be new to each store).
    catalogue : list of dict, optional
        The ``kpis`` table's rows (:func:`catalogue_rows`); it replaces the old one.

    Raises
    ------
    PmfError
        When a store cannot be written, naming it; every store is left as it was.
    """
    if not targets:
        return
    for path, _ in targets:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    schemas = ["main"] + [f"store{i}" for i in range(1, len(targets))]
    current = targets[0][0]
    conn = None
    try:
        conn = sqlite3.connect(targets[0][0], timeout=60, isolation_level=None)
        for schema, (path, _) in zip(schemas[1:], targets[1:], strict=True):
            current = path
            conn.execute(f"ATTACH DATABASE ? AS {schema}", (str(path),))
        for schema, (path, _) in zip(schemas, targets, strict=True):
            current = path
            # Rollback journals: SQLite commits attached files atomically only then (not WAL).
            conn.execute(f"PRAGMA {schema}.journal_mode = DELETE")
        conn.execute("BEGIN IMMEDIATE")
        try:
            for schema, (path, tables) in zip(schemas, targets, strict=True):
                current = path
                _write_one(conn, schema, tables, run, catalogue)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    except PmfError as e:
        raise PmfError(f"{e.message}; the store is unchanged", file=e.file or current) from None
    except (sqlite3.Error, OSError) as e:
        raise PmfError(f"cannot write the store ({e}); it is unchanged", file=current) from None
    finally:
        if conn is not None:
            conn.close()


@contextlib.contextmanager
def connect_readonly(path: Path):
    """A read-only connection to a store (closed on leaving the ``with``)."""
    conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


# ---- serving: Datasette's metadata -------------------------------------------------------

#: What each column of the figure tables means (Datasette shows these in its table headers).
COLUMN_NOTES = {
    "run_seq": "the run's sequence number in this store (later runs have larger numbers)",
    "run_id": "the pmf run that published the figure (its run.json and log name it too)",
    "month": "the month's pack (YYYY-MM) the run published",
    "extract_date": "the data extract date: the latest reference date in the returns the run read",
    "kpi_id": "the KPI's id (docs/kpis.md); its title, definition and unit are in the kpis table",
    "area": "the service area the KPI is reported in",
    "period_end": "the last day of the period the figure covers",
    "window": "month, rolling_12m, quarter or snapshot (the figure's period)",
    "value": "the figure, in the KPI's unit (blank: missing, or withheld when suppressed is 1)",
    "numerator": "the count the figure is worked out from",
    "denominator": "what the count is divided by (blank for a count)",
    "dq_error_share": "share of the KPI's source records with a data quality error",
    "dq_confidence": "data quality confidence: High, Medium or Low",
    "suppressed": "1 where the figure is withheld (a count of 1 to 4, or one that reveals one)",
    "team": "the team (from the case records) the breakdown counts",
    "dimension": "what the breakdown is by: age_band, sex, ethnicity or team",
    "group": "the breakdown's group (e.g. an age band)",
    "share": "the group's percentage of its breakdown's total",
    "reported_value": "the figure as first reported (the earlier run)",
    "restated_value": "the figure as the later run published it",
    "change": "restated (or latest) value minus the reported value",
}

_HISTORY_SQL = """select kpi_id, period_end, window, value, numerator, denominator,
       dq_error_share, dq_confidence, suppressed
from figures
where run_seq = (select max(seq) from runs
                 where month = coalesce(nullif(:month, ''), (select max(month) from runs)))
  and kpi_id = :kpi_id
order by period_end, window"""

_TEAM_SQL = """select t.month, t.kpi_id, k.title, t.team, t.period_end, t.window,
       t.value, t.numerator, t.share, t.extract_date, t.run_id
from team_figures t join pack_runs p on t.run_seq = p.seq
left join kpis k on k.kpi_id = t.kpi_id
where t.team = :team and (:kpi_id = '' or t.kpi_id = :kpi_id)
order by t.kpi_id, t.period_end"""

_RESTATED_SQL = """select r.kpi_id, k.title, k.unit, r.period_end, r.window,
       r.reported_value, r.restated_value, r.change,
       r.reported_pack_month, r.reported_run, r.restated_pack_month, r.restated_run,
       r.reported_extract_date, r.restated_extract_date
from restatements r left join kpis k on k.kpi_id = r.kpi_id
where (:kpi_id = '' or r.kpi_id = :kpi_id)
  and (:month = '' or r.restated_pack_month = :month)
order by r.restated_pack_month desc, r.kpi_id, r.period_end, r.window"""

_RANK_SQL = """select a.month, a.kpi_id, a.title, a.unit, a.period_end, a.window, a.value,
       a.england, a.region, a.sn_mean, a.quartile, a.rank, a.rank_of
from assessed a join pack_runs p on a.run_seq = p.seq
where (:kpi_id = '' or a.kpi_id = :kpi_id)
  and (:area = '' or a.area = :area)
  and (a.rank is not null or a.quartile is not null)
order by a.kpi_id, a.month"""


def datasette_metadata(
    databases: dict[str, str],
    *,
    council: str | None = None,
    users: Sequence[str] = (),
    password_env: Callable[[str], str] | None = None,
) -> dict:
    """The metadata ``pmf serve`` gives Datasette: titles, notes, facets, canned queries, logins.

    Parameters
    ----------
    databases : dict
        Datasette's name of each database served -> its audience (``internal`` or
        ``members``).
    council : str, optional
        The council's name, for the title.
    users : sequence of str
        The accounts that may log in; an internal database is open to them only
        (no account: to nobody).
    password_env : callable, optional
        The environment variable holding each user's password hash (so the hashes
        never appear in ``/-/metadata``).

    Examples
    --------
    >>> m = datasette_metadata({"pmf": "internal", "pmf-members": "members"}, users=["ann"])
    >>> m["databases"]["pmf"]["allow"], "allow" in m["databases"]["pmf-members"]
    ({'id': ['ann']}, False)
    >>> sorted(m["databases"]["pmf"]["queries"])
    ['kpi_history', 'my_team_over_time', 'restated_figures', 'where_we_rank']
    >>> sorted(m["databases"]["pmf-members"]["queries"])
    ['kpi_history', 'restated_figures', 'where_we_rank']
    >>> m["databases"]["pmf"]["tables"]["figures"]["facets"]
    ['area', 'kpi_id', 'month']
    """
    notes = {k: v for k, v in COLUMN_NOTES.items()}
    figure_facets = ["area", "kpi_id", "month"]
    out: dict = {
        "title": f"pmf: {council}'s published figures" if council else "pmf: published figures",
        "description": (
            "Every figure pmf has published in a monthly pack, each with the run that "
            "published it and the data extract date. Each measure's title, definition and "
            "unit are in the kpis table. Any table or query downloads as CSV or JSON."
        ),
        "databases": {},
    }
    for name, audience in databases.items():
        internal = audience == "internal"
        tables = {
            "kpis": {
                "description": "The KPI registry: each measure's title, definition and unit.",
                "label_column": "title",
                "facets": ["area", "unit"],
            },
            "runs": {
                "description": "Each pmf run recorded in this store, with its data extract date.",
                "facets": ["month"],
            },
            "figures": {
                "description": "Every KPI figure each run published (each month's kpi_history).",
                "facets": figure_facets,
                "columns": notes,
            },
            "assessed": {
                "description": "Each run's assessed table (kpis.csv): RAG, SPC, comparators; "
                "row_json holds the whole row.",
                "facets": ["area", "kpi_id", "month", "rag"],
                "columns": notes,
            },
            "breakdowns": {
                "description": "Each run's breakdowns of the month's figures"
                + (
                    " by age, sex, ethnicity and team."
                    if internal
                    else " by age, sex and ethnicity (withheld cells blank; no team breakdowns)."
                ),
                "facets": ["area", "kpi_id", "month", "dimension"],
                "columns": notes,
            },
            "pack_runs": {"description": "The run each month's pack now holds (its latest)."},
            "reported_figures": {
                "description": "Each figure as each month's pack reported it, beside its "
                "latest value (restated = 1 where they differ).",
                "facets": ["pack_month", "area", "kpi_id", "restated"],
                "columns": notes,
            },
            "restatements": {
                "description": "Every figure whose value changed after it was reported: by "
                "how much, and in which run.",
                "facets": ["area", "kpi_id", "restated_pack_month"],
                "columns": notes,
            },
        }
        queries = {
            "kpi_history": {
                "title": "A KPI's history, as a month's pack reported it",
                "description": "kpi_id, and month (YYYY-MM; blank: the latest pack).",
                "sql": _HISTORY_SQL,
            },
            "restated_figures": {
                "title": "Restated figures",
                "description": "Figures changed after they were reported (kpi_id and month "
                "optional: the pack month that restated them).",
                "sql": _RESTATED_SQL,
            },
            "where_we_rank": {
                "title": "Where we rank",
                "description": "Each pack's figure beside England, region and statistical "
                "neighbours, with its quartile band and rank (kpi_id, area optional).",
                "sql": _RANK_SQL,
            },
        }
        if internal:
            tables["team_figures"] = {
                "description": "Team breakdowns of each run's month.",
                "facets": ["team", "area", "kpi_id", "month"],
                "columns": notes,
            }
            queries["my_team_over_time"] = {
                "title": "My team over time",
                "description": "A team's figures in each month's pack (team; kpi_id optional).",
                "sql": _TEAM_SQL,
            }
        db = {
            "title": (
                "Internal: every figure, with team breakdowns (login required)"
                if internal
                else "Members and public: suppressed figures only"
            ),
            "tables": tables,
            "queries": queries,
        }
        if internal:
            db["allow"] = {"id": list(users)}
        out["databases"][name] = db
    if users and password_env is not None:
        out["plugins"] = {
            "datasette-auth-passwords": {
                f"{u}_password_hash": {"$env": password_env(u)} for u in users
            }
        }
    return out
