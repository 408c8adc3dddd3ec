"""``pmf run``: the month's build and its batch of reports (one council, or several).

Each source is read once (:func:`pmf_lib.assess.build.build_month`); besides the
reports and their tables, the run writes what ``pmf validate`` writes
(``data_quality.html``, ``data_quality_issues.csv``, ``data_quality_confidence.csv``),
so ``make report`` is this one command.
"""

from __future__ import annotations

import sys

from pmf_lib.cli import add_config_arg, csv_list, month_arg


def register(sub) -> None:
    r = sub.add_parser("run", help="run the monthly batch of reports")
    r.add_argument("--month", default="latest", type=month_arg, help="YYYY-MM or latest")
    r.add_argument("--areas", type=csv_list, default=None, help="comma-separated area ids")
    r.add_argument(
        "--councils",
        default="all",
        help="all, or comma-separated council ids of a councils: config (default: all)",
    )
    r.add_argument("--jobs", type=int, default=None, help="parallel reports (default: cores)")
    r.add_argument("--executor", choices=("local", "dask"), default="local")
    r.add_argument("--scheduler", default=None, help="dask scheduler address (tcp://host:8786)")
    r.add_argument(
        "--engine",
        choices=("warm", "papermill"),
        default="warm",
        help="warm: reuse one kernel per worker (default); papermill: a new kernel per report",
    )
    r.add_argument("--force", action="store_true", help="run reports even if unchanged")
    r.add_argument(
        "--retry-failed", action="store_true", help="run only what failed in the last run"
    )
    r.add_argument("--quiet", action="store_true", help="no progress output (scheduled runs)")
    r.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        help="seconds allowed for each report (default: %(default)s)",
    )
    add_config_arg(r)
    r.set_defaults(func=run)


def run(args) -> int:
    """Run the batch; the exit status is 0 (all published), 1 (a report failed),
    2 (bad input or an output that cannot be written: nothing run),
    130 (Ctrl-C), 143 (SIGTERM) or 129 (SIGHUP).

    When stopped by a signal, the run kills its workers and their kernels,
    removes its temporary files and releases the month's lock before exiting:
    reports that had not finished are not published (their earlier versions stay).
    """
    from pmf_lib.config import load_config
    from pmf_lib.publish.councils import run_councils
    from pmf_lib.publish.procs import StopRequested, stop_on_signals

    config = load_config(args.config)
    councils = "all" if args.councils == "all" else csv_list(args.councils)
    try:
        with stop_on_signals():
            results = run_councils(
                config,
                month=args.month,
                councils=councils,
                areas=args.areas,
                jobs=args.jobs,
                quiet=args.quiet,
                timeout=args.timeout,
                executor=args.executor,
                scheduler=args.scheduler,
                engine=args.engine,
                force=args.force,
                retry_failed=args.retry_failed,
            )
    except StopRequested as e:
        print(
            f"pmf: {e}: the run's workers were stopped and unfinished reports not published",
            file=sys.stderr,
        )
        return e.exit_code
    failed = []
    for result in results:
        print(result.index_path)
        failed += [f"{result.council}: {r}" if len(results) > 1 else r for r in result.failed]
    if failed:
        print(f"pmf: {len(failed)} report(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
