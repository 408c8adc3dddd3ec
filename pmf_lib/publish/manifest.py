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
) -> dict:
    """The manifest as a JSON-ready dict (see the module docstring)."""
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
        "skipped",
    )
    return {
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
