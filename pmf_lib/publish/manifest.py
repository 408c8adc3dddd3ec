"""The run manifest (``run.json``): how a month's reports were made, so they can be reproduced.

It records the parameters, pmf's version and git commit, the SHA-256 of every
input file and of the notebook, and each report's status, time and error.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
>>> _ = p.write_bytes(b"abc")
>>> sha256_file(p)
'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

from pmf_lib import __version__

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


#: The ``<meta>`` that names the run which wrote an HTML output.
RUN_ID_META = "pmf-run-id"
_RUN_ID_RE = re.compile(r'<meta name="pmf-run-id" content="([^"<>]*)">')
_SAFE_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def stamp_html(html: str, run_id: str) -> str:
    """``html`` with ``<meta name="pmf-run-id" content="<run id>">`` in its head.

    Every HTML file a run publishes carries the id of the run that wrote it
    (also in ``run.json``), so a file written by any other run is detected by
    comparing the two. A stamp already there is replaced.

    Examples
    --------
    >>> page = stamp_html('<html><head>\\n<meta charset="utf-8">\\n</head></html>', "r1")
    >>> page
    '<html><head>\\n<meta charset="utf-8">\\n<meta name="pmf-run-id" content="r1">\\n</head></html>'
    >>> html_run_id(stamp_html(page, "r2"))
    'r2'
    """
    if not _SAFE_ID.fullmatch(run_id):
        raise ValueError(f"not a run id: {run_id[:80]!r}")
    tag = f'<meta name="{RUN_ID_META}" content="{run_id}">'
    if _RUN_ID_RE.search(html):
        return _RUN_ID_RE.sub(tag, html, count=1)
    for anchor in (re.search(r"<meta charset=[^>]*>", html), re.search(r"<head[^>]*>", html)):
        if anchor:
            return f"{html[: anchor.end()]}\n{tag}{html[anchor.end() :]}"
    return f"{tag}\n{html}"


def html_run_id(html: str) -> str | None:
    """The run id stamped in an HTML output by :func:`stamp_html` (None if none).

    Examples
    --------
    >>> html_run_id('<head><meta name="pmf-run-id" content="20261101T090000-ab12cd"></head>')
    '20261101T090000-ab12cd'
    >>> html_run_id("<head></head>") is None
    True
    """
    m = _RUN_ID_RE.search(html[:20000])
    return m.group(1) if m else None


def outputs_not_of_their_run(out_dir: str | Path) -> list[str]:
    """The HTML files of a month folder not written by the run ``run.json`` says wrote them.

    ``run.json`` names, for every report, the run that wrote its HTML (its
    ``run_id``), and for the month's ``index.html`` the run itself; each HTML
    file names its writer in ``<meta name="pmf-run-id">``. A file whose two ids
    differ was written by another run (a late write of a killed run) or changed
    since: it is listed. Reports without a recorded run id (older manifests) and
    files absent are not.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "run.json").write_text(json.dumps({"run_id": "r2", "reports": [
    ...     {"id": "a", "html": "a.html", "run_id": "r1"},
    ...     {"id": "b", "html": "b.html", "run_id": "r2"}]}))
    >>> for name, run in (("a.html", "r1"), ("b.html", "r1"), ("index.html", "r2")):
    ...     _ = (d / name).write_text(stamp_html("<head></head>", run))
    >>> outputs_not_of_their_run(d)   # b.html was written by r1, not r2
    ['b.html']
    """
    import json

    out_dir = Path(out_dir)
    try:
        run = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    expected = {"index.html": run.get("run_id")}
    for r in run.get("reports") or []:
        if r.get("html"):
            expected[r["html"]] = r.get("run_id")
    wrong = []
    for name, run_id in expected.items():
        path = out_dir / name
        if run_id and path.is_file():
            if html_run_id(path.read_text(encoding="utf-8", errors="replace")) != run_id:
                wrong.append(name)
    return sorted(wrong)


def git_commit(where: str | Path = PACKAGE_DIR) -> str:
    """The git commit checked out at ``where`` ("unknown" outside a git checkout).

    A checkout with uncommitted changes gets ``-dirty`` appended.

    Examples
    --------
    >>> import tempfile
    >>> git_commit(tempfile.mkdtemp())
    'unknown'
    """
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=where,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=where,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if not commit:
        return "unknown"
    return f"{commit}-dirty" if dirty else commit


def file_record(path: str | Path) -> dict:
    """``path``, ``bytes`` and ``sha256`` of one file."""
    p = Path(path)
    return {"path": str(p), "bytes": p.stat().st_size, "sha256": sha256_file(p)}


def build_manifest(
    *,
    parameters: dict,
    inputs: list[Path | dict],
    notebooks: list[Path],
    kpi_table: dict,
    assessed_table: dict | None = None,
    reports: list[dict],
    started: str,
    finished: str,
    run_id: str | None = None,
) -> dict:
    """The manifest as a JSON-ready dict (see the module docstring).

    ``run_id`` is this run's id; each report record's ``run_id`` names the run
    that wrote its files (an earlier run's for a report skipped as current), as
    do the ``kpi_table`` and ``assessed_table`` records.
    """
    keep = (
        "id",
        "kind",
        "title",
        "status",
        "seconds",
        "error",
        "html",
        "notebook",
        "started",
        "finished",
        "fingerprint",
        "inputs",
        "skipped",
        "run_id",
    )
    return {
        "run_id": run_id,
        "pmf_version": __version__,
        "git_commit": git_commit(),
        "started": started,
        "finished": finished,
        "parameters": parameters,
        "notebooks": [file_record(p) for p in notebooks],
        "inputs": [p if isinstance(p, dict) else file_record(p) for p in inputs],
        "kpi_table": kpi_table,
        "assessed_table": assessed_table,
        "reports": [{k: r.get(k) for k in keep} for r in reports],
    }
