"""Shared helpers for the benchmark scripts: run a step in a fresh process, measure it.

Each measured step runs in its own Python process, so its peak memory
(``ru_maxrss`` of that process) is the step's own and not what earlier steps
left behind. The child prints one JSON line with what it measured.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
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


def run_child(script: Path, *args: str) -> dict:
    """Run ``python script args...`` in a fresh process; its result line as a dict.

    The child's other output (progress, warnings) is passed through to stderr.
    A failing child stops the benchmark with its error.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
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
