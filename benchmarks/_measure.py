"""Shared helpers for the benchmark scripts: run a step in a fresh process, measure it.

Each measured step runs in its own Python process, so its peak memory
(``ru_maxrss`` of that process) is the step's own and not what earlier steps
left behind. The child prints one JSON line with what it measured.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARK = "BENCH-RESULT "


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports KB)."""
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def report(**values) -> None:
    """Print a result line for the parent (call once, at the end of the child)."""
    print(MARK + json.dumps({**values, "peak_mb": round(peak_mb(), 1)}), flush=True)


def timed(func: Callable, *args, **kwargs) -> tuple[object, float]:
    """``func(*args, **kwargs)`` and the wall seconds it took."""
    t = time.perf_counter()
    out = func(*args, **kwargs)
    return out, time.perf_counter() - t


def cpu_timed(func: Callable, *args, **kwargs) -> tuple[object, float, float]:
    """``func(*args, **kwargs)``, the wall seconds and the CPU seconds of this process.

    On a machine shared with other work the CPU seconds move less than the wall
    seconds (they leave out the time spent waiting for a core).
    """
    t, c = time.perf_counter(), time.process_time()
    out = func(*args, **kwargs)
    return out, time.perf_counter() - t, time.process_time() - c


# The code the figures of issue 14 are measured against (the session's starting point).
BASELINE = "0e76318"


@contextmanager
def worktree(commit: str = BASELINE) -> Iterator[Path]:
    """A temporary ``git worktree`` of ``commit`` (removed afterwards).

    Run the same ``.venv`` on it with ``run_child(..., code=path)``: ``PYTHONPATH``
    puts its ``pmf_lib`` ahead of the editable install of this checkout.
    """
    path = Path(tempfile.mkdtemp(prefix="pmf-baseline-"))
    path.rmdir()
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(path), commit],
        check=True,
    )
    try:
        yield path
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)], check=False
        )
        shutil.rmtree(path, ignore_errors=True)


def run_child(script: Path, *args: str, code: Path = ROOT) -> dict:
    """Run ``python script args...`` in a fresh process; its result line as a dict.

    ``code`` is the checkout whose ``pmf_lib`` the child imports (default this one).
    The child's other output (progress, warnings) is passed through to stderr.
    A failing child stops the benchmark with its error.
    """
    env = {**os.environ, "PYTHONPATH": str(code)}
    proc = subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    result = None
    for line in proc.stdout.splitlines():
        if line.startswith(MARK):
            result = json.loads(line[len(MARK) :])
        else:
            print(line, file=sys.stderr)
    if proc.returncode != 0 or result is None:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"benchmark step failed: {script.name} {' '.join(args)}")
    return result
