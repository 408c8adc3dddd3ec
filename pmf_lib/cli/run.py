"""``pmf run``: the monthly batch of reports."""

from __future__ import annotations

import sys

from pmf_lib.cli import add_config_arg, csv_list, month_arg


def register(sub) -> None:
    r = sub.add_parser("run", help="run the monthly batch of reports")
    r.add_argument("--month", default="latest", type=month_arg, help="YYYY-MM or latest")
    r.add_argument("--areas", type=csv_list, default=None, help="comma-separated area ids")
    r.add_argument("--jobs", type=int, default=None, help="parallel reports (default: cores)")
    r.add_argument("--quiet", action="store_true", help="no progress output")
    r.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        help="seconds allowed for each report (default: %(default)s)",
    )
    add_config_arg(r)
    r.set_defaults(func=run)


def run(args) -> int:
    from pmf_lib.config import load_config
    from pmf_lib.publish.batch import run_batch

    config = load_config(args.config)
    result = run_batch(
        config,
        month=args.month,
        areas=args.areas,
        jobs=args.jobs,
        quiet=args.quiet,
        timeout=args.timeout,
    )
    print(result.index_path)
    if result.failed:
        print(
            f"pmf: {len(result.failed)} report(s) failed: {', '.join(result.failed)}",
            file=sys.stderr,
        )
        return 1
    return 0
