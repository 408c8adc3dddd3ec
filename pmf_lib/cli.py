"""The ``pmf`` command line.

Every command validates its parameters before doing any work, and a
:class:`~pmf_lib.errors.PmfError` is printed as one line (``pmf: error: ...``)
with exit status 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pmf_lib import __version__
from pmf_lib.errors import PmfError

DEFAULT_CONFIG = "parameters/config.yaml"


def _month(value: str) -> str:
    import re

    if value == "latest" or re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        return value
    raise argparse.ArgumentTypeError(f"expected YYYY-MM or 'latest', got {value!r}")


def _csv_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _cmd_synth(args) -> int:
    from pmf_lib.synth import generate

    summary = generate(
        Path(args.out), start=args.start, months=args.months, seed=args.seed,
        children=args.children,
    )
    print(summary)
    return 0


def _cmd_kpis(args) -> int:
    from pmf_lib.compute import build_kpi_table
    from pmf_lib.config import load_config
    from pmf_lib.publish.atomic import write_csv_atomic

    config = load_config(args.config)
    table = build_kpi_table(config, args.month)
    write_csv_atomic(table, Path(args.out))
    print(f"{len(table)} rows, {table['kpi_id'].nunique()} KPIs -> {args.out}")
    return 0


def _cmd_run(args) -> int:
    from pmf_lib.config import load_config
    from pmf_lib.publish.batch import run_batch

    config = load_config(args.config)
    result = run_batch(config, month=args.month, areas=args.areas, jobs=args.jobs,
                       quiet=args.quiet)
    print(result.index_path)
    if result.failed:
        print(f"pmf: {len(result.failed)} report(s) failed: {', '.join(result.failed)}",
              file=sys.stderr)
        return 1
    return 0


def _cmd_docs(args) -> int:
    from pmf_lib.compute.docs import write_kpi_docs

    path = write_kpi_docs(Path(args.out))
    print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pmf", description=__doc__.splitlines()[0])
    p.add_argument("--version", action="version", version=f"pmf {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("synth", help="write the synthetic demo council's data")
    s.add_argument("--out", required=True, help="output directory")
    s.add_argument("--start", default="2022-04", type=_month, help="first month (YYYY-MM)")
    s.add_argument("--months", type=int, default=36, help="number of months of data")
    s.add_argument("--seed", type=int, default=938, help="random seed")
    s.add_argument("--children", type=int, default=100_000, help="population aged 0-17")
    s.set_defaults(func=_cmd_synth)

    k = sub.add_parser("kpis", help="write the tidy KPI table for every month to a CSV")
    k.add_argument("--month", default="latest", type=_month, help="last month (YYYY-MM)")
    k.add_argument("--out", required=True, help="CSV file to write")
    k.add_argument("--config", default=DEFAULT_CONFIG)
    k.set_defaults(func=_cmd_kpis)

    r = sub.add_parser("run", help="run the monthly batch of reports")
    r.add_argument("--month", default="latest", type=_month)
    r.add_argument("--areas", type=_csv_list, default=None, help="comma-separated area ids")
    r.add_argument("--jobs", type=int, default=None, help="parallel reports (default: cores)")
    r.add_argument("--config", default=DEFAULT_CONFIG)
    r.add_argument("--quiet", action="store_true", help="no progress output")
    r.set_defaults(func=_cmd_run)

    d = sub.add_parser("docs", help="regenerate docs/kpis.md from the KPI registry")
    d.add_argument("--out", default="docs/kpis.md")
    d.set_defaults(func=_cmd_docs)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except PmfError as e:
        print(f"pmf: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("pmf: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
