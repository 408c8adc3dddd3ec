"""Fingerprints: what a month's reports and tables depend on, so unchanged ones are skipped.

A report is run again only when something it shows could have changed: the
library (:func:`library_digest`), the month, the config (:func:`config_snapshot`),
the content of every common input file (:func:`input_files`, each source file's
hash taken from the read that parsed it: :func:`input_records`), a KPI table
supplied by the caller (:func:`table_digest`), and the report's own notebook,
parameters and inputs (:func:`report_fingerprints`). The batch
(:mod:`pmf_lib.publish.batch`) compares each with the month's last good run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import pandas as pd

from pmf_lib import __version__
from pmf_lib.config import Config
from pmf_lib.publish.manifest import file_record, sha256_file
from pmf_lib.publish.plan import ReportSpec
from pmf_lib.textio import FileHash, file_key


def _absolute(config: Config, value):
    if isinstance(value, str):
        return str(config.resolve(value))
    if isinstance(value, list):
        return [_absolute(config, v) for v in value]
    if isinstance(value, dict):
        return {k: _absolute(config, v) for k, v in value.items()}
    return value


def config_snapshot(config: Config) -> dict:
    """The config as plain data with every path made absolute (for the notebook and run.json).

    Every entry under ``data`` is a path (or a list, or a mapping of lists, of
    paths), as are ``outputs``, ``targets``, ``kpi_catalogue``, ``council.logo``
    and ``benchmarks.store``.

    Examples
    --------
    >>> from pmf_lib.config import Area, Config, Council, DataSources
    >>> from pathlib import Path
    >>> c = Config(council=Council(code=938, name="D"), base_dir=Path("/cfg"),
    ...            data=DataSources(ssda903="a", cin_census=["b/*.xml"], population="p.csv"),
    ...            areas={"x": Area(title="X", kpis=["referrals_count"])})
    >>> s = config_snapshot(c)
    >>> s["data"]["ssda903"], s["data"]["cin_census"], s["data"]["population"], s["outputs"]
    (['/cfg/a'], ['/cfg/b/*.xml'], '/cfg/p.csv', '/cfg/outputs')
    """
    snap = config.model_dump(mode="json", exclude_none=False)
    snap.pop("councils", None)
    snap["data"] = _absolute(config, snap["data"])
    for holder, key in (
        (snap, "outputs"),
        (snap, "targets"),
        (snap, "kpi_catalogue"),
        (snap.get("council"), "logo"),
        (snap.get("benchmarks"), "store"),
    ):
        if isinstance(holder, dict) and holder.get(key):
            holder[key] = _absolute(config, holder[key])
    return snap


def input_files(config: Config) -> list[Path]:
    """Every existing input file every report reads, sorted.

    The data sources, the targets file, the KPI catalogue (``kpi_catalogue``), the
    logo and the files of a configured benchmark store. The files only some
    reports read (commentary, ``schedule.yaml``) are each spec's own ``inputs``
    (:func:`spec_inputs`).
    """
    files: set[Path] = set()
    sources = ["ssda903", "cin_census"]
    optional = getattr(config, "optional_sources", None)
    if callable(optional):
        sources += optional()
    for source in sources:
        files.update(config.files(source))
    singles = [config.population_file, getattr(config, "targets_file", None)]
    if config.kpi_catalogue:
        singles.append(config.resolve(config.kpi_catalogue))
    if config.council.logo:
        singles.append(config.resolve(config.council.logo))
    files.update(p for p in singles if p is not None and p.is_file())
    if config.benchmarks.store:
        store = config.resolve(config.benchmarks.store)
        if store.is_dir():
            files.update(p for p in store.rglob("*") if p.is_file())
    return sorted(files)


def input_records(config: Config, hashes: Mapping[str, FileHash] | None = None) -> list[dict]:
    """``path``, ``bytes`` and ``sha256`` of every common input file (:func:`input_files`).

    A file in ``hashes`` (the month's read, :attr:`pmf_lib.assess.build.MonthRead.hashes`)
    takes its size and SHA-256 from the bytes its reader parsed, so it is not
    opened again; the others (targets, KPI catalogue, logo, benchmark store, a
    source file not read) are hashed here.

    Examples
    --------
    >>> import tempfile
    >>> from pmf_lib.config import Area, Config, Council, DataSources
    >>> from pmf_lib.textio import file_key
    >>> d = Path(tempfile.mkdtemp())
    >>> for name in ("903.csv", "cin.xml", "pop.csv"):
    ...     _ = (d / name).write_text("x")
    >>> c = Config(council=Council(code=938, name="D"), base_dir=d,
    ...            data=DataSources(ssda903="903.csv", cin_census="cin.xml", population="pop.csv"),
    ...            areas={"x": Area(title="X", kpis=["referrals_count"])})
    >>> read = {file_key(d / "cin.xml"): FileHash(1, "sha-of-what-was-parsed")}
    >>> [(Path(r["path"]).name, r["sha256"][:8]) for r in input_records(c, read)]
    [('903.csv', '2d711642'), ('cin.xml', 'sha-of-w'), ('pop.csv', '2d711642')]
    """
    hashes = hashes or {}
    out = []
    for path in input_files(config):
        h = hashes.get(file_key(path))
        out.append(
            {"path": str(path), "bytes": h.size, "sha256": h.sha256} if h else file_record(path)
        )
    return out


@lru_cache(maxsize=1)
def library_digest() -> str:
    """A SHA-256 of the library: its version and every file of ``pmf_lib`` (code,
    templates, shipped data), so that an edited library (an editable install keeps
    its version number) re-runs the reports. Taken once per process: the library
    this run was started with.

    Examples
    --------
    >>> len(library_digest()) == 64 and library_digest() == library_digest()
    True
    """
    h = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            h.update(path.relative_to(package).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def spec_inputs(spec: ReportSpec) -> list[list]:
    """``[path, sha256]`` of each of a report's own inputs; ``None`` for a file not written.

    Examples
    --------
    >>> s = ReportSpec("a", "A", "area", Path("a.ipynb"), inputs=(Path("/nowhere/a.md"),))
    >>> spec_inputs(s)
    [['/nowhere/a.md', None]]
    """
    return [[str(p), sha256_file(p) if Path(p).is_file() else None] for p in spec.inputs]


def base_fingerprint(
    month: str, snapshot: dict, inputs: list[dict], supplied_digest: str | None
) -> str:
    """What every report and the KPI tables depend on: the library, the month, the
    config, the content of every common input file (:func:`input_files`) and a
    supplied KPI table."""
    return digest(
        {
            "pmf_version": __version__,
            "library": library_digest(),
            "month": month,
            "config": snapshot,
            "inputs": [[i["path"], i["sha256"]] for i in inputs],
            "kpi_table": supplied_digest,
        }
    )


def report_fingerprints(base: str, specs: list[ReportSpec]) -> dict[str, str]:
    """Each report's fingerprint: ``base``, its notebook's content, its id, kind,
    title and parameters, and the content of its own inputs (commentary files,
    the schedule). A report whose fingerprint equals its last good run's is skipped."""
    notebook_sha = {nb: sha256_file(nb) for nb in {Path(s.notebook).resolve() for s in specs}}
    return {
        s.id: digest(
            [
                base,
                notebook_sha[Path(s.notebook).resolve()],
                s.id,
                s.kind,
                s.title,
                s.parameters,
                spec_inputs(s),
            ]
        )
        for s in specs
    }


def table_digest(table: pd.DataFrame) -> str:
    """A SHA-256 of a table's contents (column names, dtypes and values).

    Examples
    --------
    >>> a = pd.DataFrame({"x": [1, 2]})
    >>> table_digest(a) == table_digest(a.copy()), table_digest(a) == table_digest(a + 1)
    (True, False)
    """
    h = hashlib.sha256()
    h.update(json.dumps([[str(c), str(t)] for c, t in table.dtypes.items()]).encode())
    h.update(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
    return h.hexdigest()


def digest(obj) -> str:
    """A SHA-256 of plain data (as sorted JSON; anything else by its text).

    Examples
    --------
    >>> digest({"a": 1, "b": [2]}) == digest({"b": [2], "a": 1})
    True
    """
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()
