"""Benchmark: reading the returns and computing every KPI, at 1x, 10x and 50x a county.

Synthetic data (``pmf_lib.synth.generate``, 36 reported months) for a county of
100,000 children times each size; 50x is about national scale. For each size,
in separate fresh processes so each peak memory is the step's own:

* generate  the files (cached under ``data/bench/``; reused when present);
* read      CIN census + SSDA903 + population through the project's readers;
* compute   ``compute_kpi_table`` for every registered KPI, every month.

Prints seconds and peak MB per step and size, the growth ratios between sizes
and whether the targets are met. Run from the repository root::

    .venv/bin/python benchmarks/bench_kpis.py [--sizes 1,10,50] [--keep]

Without ``--keep`` the generated data are deleted at the end.

``--cin`` measures the CIN census reader alone against the parser's floor (issue 14,
part 3): the demo's CIN XML files (``data/demo/cin_census``) copied 1x, 10x and 50x
(copy k's children renamed ``k-<LAchildID>``), and for each size, in fresh
processes, a bare lxml ``iterparse`` over the same files (each ``<Child>``
cleared, nothing read from it) beside ``read_cin_census`` (one process), and with
``--baseline`` the reader of the baseline commit (a temporary ``git worktree``)::

    .venv/bin/python benchmarks/bench_kpis.py --cin [--sizes 1,10,50] [--baseline] [--keep]
"""

from __future__ import annotations

import argparse
import pickle
import resource
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import (  # noqa: E402
    BASELINE,
    ROOT,
    cpu_timed,
    peak_mb,
    report,
    run_child,
    timed,
    worktree,
)

COUNTY = 100_000  # children aged 0-17 in the synthetic county (1x)
START, MONTHS, SEED = "2023-11", 36, 938
CACHE = ROOT / "data" / "bench"
# Targets (issue 7): every KPI at national scale (50x) in under 60 s and 6 GB
# on 2 cores; 10x the data in at most 12x the time.
TARGET_SECONDS, TARGET_MB, TARGET_GROWTH_PER_10X = 60.0, 6 * 1024, 12.0
# CIN census files read side by side (one process per file, 2 cores).
READ_WORKERS = 2
# Targets (issue 14): the CIN census read at 50x within 2x a bare lxml iterparse of
# the same files, and growing at most 5.5x from 10x to 50x.
TARGET_CIN_FLOOR_RATIO, TARGET_CIN_GROWTH_10_50 = 2.0, 5.5
DEMO_CIN = ROOT / "data" / "demo" / "cin_census"


def data_dir(size: int) -> Path:
    return CACHE / f"x{size}-{START}-m{MONTHS}-s{SEED}"


def inputs_file(size: int) -> Path:
    return CACHE / f"x{size}-{START}-m{MONTHS}-s{SEED}.inputs.pkl"


# ---- steps (each runs in its own process) ---------------------------------------
def step_generate(size: int) -> None:
    from pmf_lib.synth import generate

    summary, seconds = timed(
        generate, data_dir(size), start=START, months=MONTHS, seed=SEED, children=COUNTY * size
    )
    report(seconds=round(seconds, 2), summary=summary)


def _files(d: Path) -> tuple[list[Path], list[Path], Path]:
    cin = sorted((d / "cin_census").glob("*.xml"))
    s903 = sorted(p for p in (d / "ssda903").rglob("*.csv"))
    return cin, s903, d / "population.csv"


def step_read(size: int) -> None:
    from pmf_lib.compute.registry import KpiInputs
    from pmf_lib.read import read_cin_census, read_population, read_ssda903

    cin_files, s903_files, pop_file = _files(data_dir(size))
    cin, t_cin = timed(read_cin_census, cin_files, workers=READ_WORKERS)
    cla, t_903 = timed(read_ssda903, s903_files)
    population, t_pop = timed(read_population, pop_file, la_code=938)
    peak = peak_mb()
    workers_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    inputs = KpiInputs(cin=cin, cla=cla, population=population)
    with open(inputs_file(size), "wb") as f:  # for the compute step (not timed)
        pickle.dump(inputs, f, protocol=pickle.HIGHEST_PROTOCOL)
    mb = sum(p.stat().st_size for p in cin_files + s903_files) / 1e6
    report(
        seconds=round(t_cin + t_903 + t_pop, 2),
        cin_seconds=round(t_cin, 2),
        s903_seconds=round(t_903, 2),
        read_peak_mb=round(peak, 1),
        worker_peak_mb=round(workers_kb / 1024, 1),
        file_mb=round(mb, 1),
        referrals=len(cin.referrals),
        episodes=len(cla.episodes),
        children=len(cin.children),
    )


def step_compute(size: int) -> None:
    import pandas as pd

    from pmf_lib.compute.engine import compute_kpi_table
    from pmf_lib.compute.registry import all_kpis
    from pmf_lib.dates import month_end

    with open(inputs_file(size), "rb") as f:
        inputs = pickle.load(f)
    loaded_mb = peak_mb()
    last = month_end(pd.Timestamp(f"{START}-01") + pd.DateOffset(months=MONTHS - 1))
    ends = pd.date_range(end=last, periods=MONTHS, freq="ME")
    table, seconds = timed(compute_kpi_table, inputs, ends)
    report(
        seconds=round(seconds, 2),
        kpis=len(all_kpis()),
        rows=len(table),
        inputs_loaded_mb=round(loaded_mb, 1),
    )


# ---- the CIN census reader against the parser's floor ------------------------------
def cin_dir(size: int) -> Path:
    return CACHE / f"cin-demo-x{size}"


def make_cin(size: int) -> None:
    """The demo's CIN files with their children copied ``size`` times (copy k > 0
    renamed ``k-<LAchildID>``), so each file is ``size`` times as big."""
    out = cin_dir(size)
    if (out / ".complete").exists():
        return
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for src in sorted(DEMO_CIN.glob("*.xml")):
        text = src.read_bytes()
        a = text.index(b"<Children>") + len(b"<Children>")
        b = text.rindex(b"</Children>")
        body = text[a:b]
        with open(out / src.name, "wb") as f:
            f.write(text[:a])
            for k in range(size):
                f.write(body if k == 0 else body.replace(b"<LAchildID>", b"<LAchildID>%d-" % k))
            f.write(text[b:])
    (out / ".complete").write_text("ok\n")


def step_cin_floor(size: int) -> None:
    from lxml import etree

    def bare(files: list[Path]) -> int:
        n = 0
        for p in files:
            for _, el in etree.iterparse(
                str(p),
                events=("end",),
                tag="{*}Child",
                resolve_entities=False,
                no_network=True,
                huge_tree=True,
            ):
                n += 1
                el.clear()
                while el.getprevious() is not None:
                    del el.getparent()[0]
        return n

    files = sorted(cin_dir(size).glob("*.xml"))
    children, seconds, cpu = cpu_timed(bare, files)
    report(seconds=round(seconds, 3), cpu=round(cpu, 3), children=children)


def step_cin_read(size: int) -> None:
    import pmf_lib
    from pmf_lib.read import read_cin_census

    files = sorted(cin_dir(size).glob("*.xml"))
    cin, seconds, cpu = cpu_timed(read_cin_census, files)
    same = None
    if size == 1 and hasattr(sys.modules["pmf_lib.read.cin_census"], "_read_file_lxml"):
        same = _same_as_element_reader(files, cin)
    report(
        seconds=round(seconds, 3),
        cpu=round(cpu, 3),
        fingerprint=_fingerprint(cin),
        children=int(cin.returns["rows"].sum()),
        referrals=len(cin.referrals),
        mb=round(sum(p.stat().st_size for p in files) / 1e6, 1),
        code=str(Path(pmf_lib.__file__).parents[1]),
        same=same,
    )


def _fingerprint(cin) -> str:
    """A digest of every table's values, dtypes and order (to compare two readers)."""
    import hashlib

    import pandas as pd

    h = hashlib.sha256()
    for name in sorted(cin.tables):
        df = cin.tables[name]
        h.update(f"{name}:{list(df.columns)}:{list(map(str, df.dtypes))}".encode())
        h.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    h.update(pd.util.hash_pandas_object(cin.returns, index=True).to_numpy().tobytes())
    return h.hexdigest()[:16]


def _same_as_element_reader(files: list[Path], cin) -> bool:
    """The benchmark's check that the fast path changed nothing: the history read
    with every file through the element reader equals the one just read (exactly)."""
    import pandas as pd

    from pmf_lib.read import cin_census as mod
    from pmf_lib.read._parse import merge_history, read_files, returns_frame
    from pmf_lib.read.tables import CIN_COLUMNS, CIN_KEYS

    results = read_files(mod._read_file_lxml, files)
    tables = merge_history(results, CIN_COLUMNS, CIN_KEYS)
    for name, df in tables.items():
        pd.testing.assert_frame_equal(df, cin.tables[name], check_exact=True, obj=name)
    pd.testing.assert_frame_equal(returns_frame(results), cin.returns, check_exact=True)
    return True


def cin_main(sizes: list[int], keep: bool, baseline: str | None) -> int:
    script = Path(__file__).resolve()
    results: dict[int, dict] = {}
    CACHE.mkdir(parents=True, exist_ok=True)
    try:
        if baseline:
            with worktree(baseline) as base:
                results = _cin_runs(script, sizes, base)
        else:
            results = _cin_runs(script, sizes, None)
    finally:
        if not keep:
            for size in sizes:
                shutil.rmtree(cin_dir(size), ignore_errors=True)
    return print_cin(results, baseline)


def _cin_runs(script: Path, sizes: list[int], base: Path | None) -> dict[int, dict]:
    results = {}
    for size in sizes:
        print(f"{size}x: CIN files ...", file=sys.stderr)
        make_cin(size)
        r = {}
        args = ("--size", str(size))
        print(f"{size}x: bare iterparse ...", file=sys.stderr)
        r["floor"] = run_child(script, "--step", "cin-floor", *args)
        print(f"{size}x: read_cin_census ...", file=sys.stderr)
        r["pmf"] = run_child(script, "--step", "cin-read", *args)
        if base is not None:
            print(f"{size}x: read_cin_census at the baseline ...", file=sys.stderr)
            r["base"] = run_child(script, "--step", "cin-read", *args, code=base)
        results[size] = r
    return results


def print_cin(results: dict[int, dict], baseline: str | None) -> int:
    print()
    head = (
        f"{'size':>5} {'files MB':>9} {'children':>10} {'iterparse s':>12} {'pmf s':>8} "
        f"{'pmf/floor':>10} {'(CPU)':>7} {'pmf MB':>7}"
    )
    if baseline:
        head += f" {'base s':>8} {'base/floor':>11} {'(CPU)':>7} {'base MB':>8} {'same':>5}"
    print(head)
    for size, r in results.items():
        f, p = r["floor"], r["pmf"]
        line = (
            f"{size:>4}x {p['mb']:>9.0f} {p['children']:>10,} {f['seconds']:>12.2f} "
            f"{p['seconds']:>8.2f} {p['seconds'] / f['seconds']:>9.2f}x "
            f"{p['cpu'] / f['cpu']:>6.2f}x {p['peak_mb']:>7.0f}"
        )
        if baseline:
            b = r["base"]
            same = "yes" if b["fingerprint"] == p["fingerprint"] else "NO"
            line += (
                f" {b['seconds']:>8.2f} {b['seconds'] / f['seconds']:>10.2f}x "
                f"{b['cpu'] / f['cpu']:>6.2f}x {b['peak_mb']:>8.0f} {same:>5}"
            )
        print(line)
    print(
        "(pmf/floor: wall-clock ratio; (CPU): the same ratio in CPU seconds of each process, "
        "steadier on a shared machine)"
    )
    if baseline:
        print(
            f"(base: read_cin_census at {baseline}, from {results[min(results)]['base']['code']}; "
            "same: every table's digest equals pmf's)"
        )
    same = results.get(1, {}).get("pmf", {}).get("same")
    if same is not None:
        print("1x: the history equals the element reader's, exactly (assert_frame_equal)")
    sizes = sorted(results)
    ok = True
    for a, b in zip(sizes, sizes[1:], strict=False):
        ra, rb = results[a], results[b]
        line = (
            f"{b}x/{a}x (data x{b / a:g}): iterparse "
            f"{rb['floor']['seconds'] / ra['floor']['seconds']:.2f}x, "
            f"pmf {rb['pmf']['seconds'] / ra['pmf']['seconds']:.2f}x "
            f"(CPU {rb['pmf']['cpu'] / ra['pmf']['cpu']:.2f}x)"
        )
        if baseline:
            line += f", base {rb['base']['seconds'] / ra['base']['seconds']:.2f}x"
        print(line)
    if 50 in results:
        r = results[50]["pmf"]["seconds"] / results[50]["floor"]["seconds"]
        met = r <= TARGET_CIN_FLOOR_RATIO
        ok &= met
        print(
            f"50x: pmf/iterparse = {r:.2f} (target <= {TARGET_CIN_FLOOR_RATIO:g}) "
            f"{'met' if met else 'NOT MET'}"
        )
        if 10 in results:
            g = results[50]["pmf"]["seconds"] / results[10]["pmf"]["seconds"]
            met = g <= TARGET_CIN_GROWTH_10_50
            ok &= met
            print(
                f"time(50x)/time(10x) = {g:.2f} (target <= {TARGET_CIN_GROWTH_10_50:g}) "
                f"{'met' if met else 'NOT MET'}"
            )
    if baseline and any(
        r["base"]["fingerprint"] != r["pmf"]["fingerprint"] for r in results.values()
    ):
        ok = False
        print("the tables differ from the baseline's: NOT the same read")
    print("targets: all met" if ok else "targets: NOT all met")
    return 0


# ---- the driver ------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1,10,50", help="multiples of a county (default 1,10,50)")
    ap.add_argument("--keep", action="store_true", help="keep the generated data for next time")
    ap.add_argument(
        "--cin", action="store_true", help="the CIN census reader against a bare lxml iterparse"
    )
    ap.add_argument(
        "--baseline",
        nargs="?",
        const=BASELINE,
        help=f"with --cin: also the reader of this commit (default {BASELINE})",
    )
    steps = {
        "generate": step_generate,
        "read": step_read,
        "compute": step_compute,
        "cin-floor": step_cin_floor,
        "cin-read": step_cin_read,
    }
    ap.add_argument("--step", choices=tuple(steps), help=argparse.SUPPRESS)
    ap.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.step:
        steps[args.step](args.size)
        return 0

    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    if args.cin:
        return cin_main(sizes, args.keep, args.baseline)
    script = Path(__file__).resolve()
    results: dict[int, dict] = {}
    CACHE.mkdir(parents=True, exist_ok=True)
    try:
        for size in sizes:
            r: dict = {}
            if (data_dir(size) / ".complete").exists():
                r["generate"] = None
                print(f"{size}x: using cached data in {data_dir(size)}", file=sys.stderr)
            else:
                print(f"{size}x: generating {COUNTY * size:,} children ...", file=sys.stderr)
                r["generate"] = run_child(script, "--step", "generate", "--size", str(size))
            print(f"{size}x: reading ...", file=sys.stderr)
            r["read"] = run_child(script, "--step", "read", "--size", str(size))
            print(f"{size}x: computing ...", file=sys.stderr)
            r["compute"] = run_child(script, "--step", "compute", "--size", str(size))
            inputs_file(size).unlink(missing_ok=True)
            results[size] = r
    finally:
        for size in sizes:
            inputs_file(size).unlink(missing_ok=True)
            if not args.keep:
                shutil.rmtree(data_dir(size), ignore_errors=True)
    print_table(results)
    return 0


def print_table(results: dict[int, dict]) -> None:
    print()
    print(
        f"{'size':>5} {'children':>10} {'files MB':>9} {'referrals':>10} {'episodes':>9} "
        f"{'gen s':>7} {'read s':>7} {'(CIN':>6} {'903)':>6} {'read MB':>8} {'worker':>7} "
        f"{'KPIs s':>7} {'KPIs MB':>8}"
    )
    for size, r in results.items():
        g, rd, c = r["generate"], r["read"], r["compute"]
        gen = f"{g['seconds']:7.1f}" if g else " cached"
        print(
            f"{size:>4}x {COUNTY * size:>10,} {rd['file_mb']:>9.0f} {rd['referrals']:>10,} "
            f"{rd['episodes']:>9,} {gen} {rd['seconds']:>7.1f} {rd['cin_seconds']:>6.1f} "
            f"{rd['s903_seconds']:>6.1f} {rd['peak_mb']:>8.0f} {rd['worker_peak_mb']:>7.0f} "
            f"{c['seconds']:>7.1f} "
            f"{c['peak_mb']:>8.0f}"
        )
    any_c = next(iter(results.values()))["compute"]
    print(
        f"({any_c['kpis']} KPIs x {MONTHS} months; referrals/episodes: rows over all years; "
        f"CIN files read by {READ_WORKERS} processes, 'worker' = their peak MB)"
    )

    sizes = sorted(results)
    ok = True
    if len(sizes) > 1:
        print("\ngrowth in time (and the most it may be: 1.2x per 1x more data)")
        for a, b in zip(sizes, sizes[1:], strict=False):
            ra, rb = results[a], results[b]
            limit = TARGET_GROWTH_PER_10X / 10 * (b / a)
            comp = rb["compute"]["seconds"] / max(ra["compute"]["seconds"], 1e-9)
            read = rb["read"]["seconds"] / max(ra["read"]["seconds"], 1e-9)
            met = comp <= limit
            ok &= met
            print(
                f"  {b}x/{a}x (data x{b / a:g}): KPIs {comp:5.1f}x, read {read:5.1f}x "
                f"(limit {limit:.1f}x) {'met' if met else 'NOT MET'}"
            )
    big = max(sizes)
    c = results[big]["compute"]
    if big >= 50:
        met = c["seconds"] < TARGET_SECONDS and c["peak_mb"] < TARGET_MB
        ok &= met
        print(
            f"\nevery KPI at national scale ({big}x): {c['seconds']:.1f} s, "
            f"{c['peak_mb']:.0f} MB peak (target < {TARGET_SECONDS:.0f} s and "
            f"< {TARGET_MB / 1024:.0f} GB) {'met' if met else 'NOT MET'}"
        )
    else:
        print(f"\n(national-scale target not checked: largest size run is {big}x, not 50x)")
    print("targets: all met" if ok else "targets: NOT all met")


if __name__ == "__main__":
    raise SystemExit(main())
