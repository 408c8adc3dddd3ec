"""Benchmark: the whole ``make report`` and the KPI stage, against the baseline, same run.

Two measurements on the demo council (issue 14, part 5), each side by side with the
code of the baseline commit (``_measure.BASELINE``, checked out into a temporary
``git worktree`` and run with this checkout's ``.venv`` through ``PYTHONPATH``):

* **report**: what ``make report`` runs, from a fresh output folder (so nothing is
  reused from an earlier run): the ``report`` target's commands of each
  checkout's own ``Makefile`` (the baseline's ran ``pmf validate`` then ``pmf run``),
  with ``--force``;
* **kpis**: the KPI stage, read + validate + compute + confidence, as
  ``pmf kpis --out ...`` runs it (it writes the tidy KPI table; the command's
  start-up is included, as it is for a user).

Both checkouts read the same demo data (``data/demo``) through a copy of their own
``parameters/`` whose output folder is a temporary one, so the published
``outputs/`` is never touched. Each command runs once per checkout, baseline
first, then this checkout; the printed ratio is this checkout's time over the
baseline's. Run from the repository root (about 5-8 minutes on 2 cores)::

    .venv/bin/python benchmarks/bench_run.py [--month 2026-10] [--only report|kpis]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import BASELINE, ROOT, worktree  # noqa: E402

BIN = ROOT / ".venv" / "bin"
DEMO = ROOT / "data" / "demo"


def parameters(checkout: Path, dest: Path) -> Path:
    """A copy of ``checkout``'s parameters/ reading the demo data, writing to ``dest``."""
    params = dest / "parameters"
    shutil.copytree(checkout / "parameters", params)
    config = params / "config.yaml"
    text = config.read_text()
    text = text.replace("../data/demo", str(DEMO))
    text, n = re.subn(r"(?m)^outputs:\s*\S+", f"outputs: {dest / 'outputs'}", text)
    if n != 1:
        raise SystemExit(f"cannot find the outputs: line in {config}")
    config.write_text(text)
    return config


def report_commands(checkout: Path, month: str, config: Path) -> list[list[str]]:
    """The ``pmf`` commands of the checkout's ``make report``, with ``--force`` on ``pmf run``."""
    lines = (checkout / "Makefile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("report:"))
    commands = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        cmd = line.strip().lstrip("@")
        cmd = cmd.split(">", 1)[0].strip()  # no redirection
        words = cmd.split()
        if not words or not words[0].endswith("/pmf"):
            raise SystemExit(f"{checkout}/Makefile: report runs {cmd!r}, not a pmf command")
        args = []
        for w in words[1:]:
            w = w.replace("$(MONTH)", month).replace("$(CONFIG)", str(config))
            if "$(" in w:
                raise SystemExit(f"{checkout}/Makefile: cannot expand {w!r} in {cmd!r}")
            args.append(w)
        if args[0] == "run":
            args.append("--force")
        commands.append([str(BIN / "pmf"), *args])
    if not commands:
        raise SystemExit(f"{checkout}/Makefile: no commands under report:")
    return commands


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children, their children too."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_timed(commands: list[list[str]], code: Path) -> tuple[float, float]:
    """Wall and CPU seconds to run the commands one after another (from ``code``).

    The CPU seconds are those of the commands and every process they waited for
    (KPI workers, report kernels): on a machine shared with other work they move
    less than the wall seconds.
    """
    env = {**os.environ, "PYTHONPATH": str(code)}
    t, c = time.perf_counter(), children_cpu()
    for cmd in commands:
        proc = subprocess.run(cmd, cwd=code, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
            raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}")
    return time.perf_counter() - t, children_cpu() - c


def which_code(code: Path) -> str:
    """Where ``pmf_lib`` is imported from with ``PYTHONPATH=code`` (a check on the set-up)."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    out = subprocess.run(
        [str(BIN / "python"), "-c", "import pmf_lib; print(pmf_lib.__file__)"],
        cwd=code,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return str(Path(out.stdout.strip()).parents[1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--month", default="2026-10")
    ap.add_argument("--only", choices=("report", "kpis"))
    ap.add_argument("--baseline", default=BASELINE, help=f"commit (default {BASELINE})")
    args = ap.parse_args(argv)
    if not (DEMO / ".complete").exists():
        raise SystemExit("no demo data: run `make demo` first")
    which = [args.only] if args.only else ["kpis", "report"]
    results: dict[str, dict[str, tuple[float, float]]] = {}
    loads = {"start": os.getloadavg()}
    with worktree(args.baseline) as base, tempfile.TemporaryDirectory(prefix="pmf-bench-") as tmp:
        checkouts = {"baseline": base, "pmf": ROOT}
        for label, code in checkouts.items():
            got = which_code(code)
            if Path(got).resolve() != code.resolve():
                raise SystemExit(f"{label}: pmf_lib is imported from {got}, not {code}")
        for what in which:
            results[what] = {}
            for label, code in checkouts.items():
                dest = Path(tmp) / f"{what}-{label}"
                config = parameters(code, dest)
                if what == "kpis":
                    out = dest / "kpis.csv"
                    cmds = [
                        [str(BIN / "pmf"), "kpis", "--month", args.month, "--out", str(out)]
                        + ["--config", str(config)]
                    ]
                else:
                    cmds = report_commands(code, args.month, config)
                shown = " && ".join(" ".join(c[1:3]) for c in cmds)
                print(f"{what}, {label}: {shown} ...", file=sys.stderr)
                results[what][label] = run_timed(cmds, code)
                wall, cpu = results[what][label]
                print(f"  {wall:.1f} s ({cpu:.1f} CPU s)", file=sys.stderr)
    loads["end"] = os.getloadavg()
    print()
    print(
        f"{'':<34} {'baseline s':>11} {'(CPU)':>7} {'pmf s':>8} {'(CPU)':>7} "
        f"{'pmf/baseline':>13} {'(CPU)':>7}"
    )
    names = {
        "report": "make report (fresh outputs, --force)",
        "kpis": "KPI stage (pmf kpis)",
    }
    for what, r in results.items():
        (bw, bc), (pw, pc) = r["baseline"], r["pmf"]
        print(
            f"{names[what]:<34} {bw:>11.1f} {bc:>7.1f} {pw:>8.1f} {pc:>7.1f} "
            f"{pw / bw:>12.2f}x {pc / bc:>6.2f}x"
        )
    print(
        "load average (1, 5, 15 min): "
        + ", then ".join(f"{k} {' '.join(f'{x:.1f}' for x in v)}" for k, v in loads.items())
    )
    print(f"(baseline: {args.baseline}, in a temporary git worktree; pmf: {ROOT})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
