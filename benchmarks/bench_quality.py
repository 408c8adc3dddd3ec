"""Benchmark: data quality confidence on the demo county, before and after issue 14.

The reference is the implementation issue 14 replaced, kept verbatim in
``tests/validate/confidence_reference.py`` (issues spread over a file's records
one ``DataFrame.assign`` per record; every KPI, period end and window filtered
row-wise). Both run side by side, in this one process, on the same inputs: the
demo county (``parameters/config.yaml``), the month 2026-10 and the published
history's 36 month ends, every registered KPI's declared feeds.

Every source is read once first, as ``pmf validate`` reads it
(:func:`pmf_lib.validate.quality.read_sources`: the national returns, the
local datasets and the monthly workforce file against their schemas; not
timed: reading is its own stage). Then, each timed once:

* shared   what both implementations do the same way: ``validate`` and
           ``reconcile``;
* place    ``local_issues_on_frames``: the local issues on the stacked frames;
* table    ``confidence_table``: every KPI at every month end;
* stage    ``assess_quality`` with the new code, all of it again (shared + place
           + table), as ``pmf validate`` and ``pmf run`` call it.

It asserts that the placed issues and the tables are equal
(``pd.testing.assert_frame_equal``), then prints the seconds, the ratio and
whether the target of issue 14 is met (the data quality stage, ``assess_quality``
the second time, in at most 3 s; the first pass also pays one-off costs, such
as importing and building the bank holiday table, that a run pays anyway). Wall
and CPU seconds are both printed: the machine is shared, and CPU is the steadier.
Run from the repository root::

    .venv/bin/python benchmarks/bench_quality.py [--config parameters/config.yaml]
        [--month 2026-10] [--new-only]

``--new-only`` skips the reference (about 80 s of CPU, minutes of wall time on a
busy machine) and times the new code alone.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.validate.confidence_reference

TARGET_SECONDS = 3.0  # issue 14: data quality confidence on the demo county


class Clock:
    """Wall and CPU seconds of each step (the machine is shared: CPU is the steadier)."""

    def __init__(self):
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def __call__(self, name, func, *args, **kwargs):
        w, c = time.perf_counter(), time.process_time()
        out = func(*args, **kwargs)
        self.wall[name] = time.perf_counter() - w
        self.cpu[name] = time.process_time() - c
        return out


def _shared(sources):
    """What both implementations do the same way: ``validate`` and ``reconcile``."""
    from pmf_lib.validate import reconcile, validate
    from pmf_lib.validate.quality import extract_date

    issues = validate(sources, as_of=extract_date(sources.cin, sources.cla))
    reconcile(sources, issues)
    return issues


def _run(impl, name, clock, sources, issues, frames, ends, feeds, config):
    placed = clock(f"{name} place", impl.local_issues_on_frames, issues, sources.files, frames)
    table = clock(
        f"{name} table",
        impl.confidence_table,
        placed,
        sources.cin,
        sources.cla,
        ends,
        feeds=feeds,
        local=frames,
        high=config.data_quality.high,
        medium=config.data_quality.medium,
    )
    return placed, table


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(ROOT / "parameters" / "config.yaml"))
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--new-only", action="store_true", help="skip the reference")
    args = parser.parse_args(argv)

    from pmf_lib.compute.registry import kpi_feeds
    from pmf_lib.config import load_config
    from pmf_lib.validate import confidence as new
    from pmf_lib.validate.quality import assess_quality, history_ends, read_sources, stack_frames

    clock = Clock()
    config = load_config(args.config)
    sources = clock("read", read_sources, config)
    if sources.unreadable:
        raise SystemExit(f"unreadable files: {[f for _s, f, _e in sources.unreadable]}")
    frames = stack_frames(sources.files)
    ends = history_ends(args.month)
    feeds = kpi_feeds()
    issues = clock("shared", _shared, sources)
    print(
        f"demo county: {len(feeds)} KPIs x {len(ends)} month ends to {args.month}; "
        f"{len(issues)} issues; every source read once in {clock.wall['read']:.1f} s "
        "(not counted)"
    )
    placed, table = _run(new, "new", clock, sources, issues, frames, ends, feeds, config)
    names = ["new"]
    if not args.new_only:
        from tests.validate import confidence_reference as ref

        old = _run(ref, "reference", clock, sources, issues, frames, ends, feeds, config)
        pd.testing.assert_frame_equal(placed, old[0])
        pd.testing.assert_frame_equal(table, old[1])
        names.insert(0, "reference")
        print(f"equal: placed issues ({len(placed)} rows) and tables ({len(table)} rows)")
    quality = clock(
        "stage",
        assess_quality,
        sources,
        ends,
        feeds=feeds,
        frames=frames,
        high=config.data_quality.high,
        medium=config.data_quality.medium,
    )
    pd.testing.assert_frame_equal(quality.confidence, table)  # no unreadable file: the table

    def stage(t, name):
        return t["shared"] + t[f"{name} place"] + t[f"{name} table"]

    for label, t in (("wall", clock.wall), ("CPU", clock.cpu)):
        print(f"\n{label + ' s':10} {'shared':>8} {'place':>8} {'table':>8} {'stage':>8}")
        for name in names:
            row = [t["shared"], t[f"{name} place"], t[f"{name} table"], stage(t, name)]
            print(f"{name:10} " + " ".join(f"{v:8.2f}" for v in row))
        print(f"{'new again':10} {'':>8} {'':>8} {'':>8} {t['stage']:8.2f}  (assess_quality)")
        if not args.new_only:
            ratios = [t[f"reference {s}"] / t[f"new {s}"] for s in ("place", "table")] + [
                stage(t, "reference") / stage(t, "new")
            ]
            print(f"{'ratio':10} {'':>8} " + " ".join(f"{r:7.0f}x" for r in ratios))
    # the stage as assess_quality runs it, after the first pass paid the one-off costs
    # (imports, the bank holiday table) that any earlier stage of a run pays anyway
    took, cpu = clock.wall["stage"], clock.cpu["stage"]
    met = "met" if took <= TARGET_SECONDS else "NOT met"
    load = os.getloadavg()[0]
    print(
        f"\ntarget: the data quality stage in <= {TARGET_SECONDS:.0f} s: {took:.2f} s wall, "
        f"{met} ({cpu:.2f} s CPU; load average {load:.1f} on {os.cpu_count()} cores)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
