"""``pmf validate``: data-quality issues, row reconciliation and KPI confidence for a month.

The month's build (:func:`pmf_lib.assess.build.build_month`), stopped after
validation and confidence: every configured source (national returns, the
population, Annex A, workforce, local datasets) read once with the readers
``pmf run`` uses, validated with the returns' latest reference date. ``pmf
run`` makes the same build and writes the same files, so ``make report`` is
one ``pmf run``; this command is for an analyst checking the data alone.

A file that cannot be read (a malformed return, a local file lacking a
required column ...) does not stop the others being checked: it is listed in
the report (rule S00, and under "Files that could not be read"), the KPIs it
feeds are rated Low, and the command prints, for each such file, the one line ``pmf run`` stops with
(``pmf: error: <file>, <row or element>, field <field>: <fault>``) on stderr
and exits 2. Otherwise it exits 0, whatever issues the data has.

Writes ``outputs/YYYY-MM/data_quality.html`` (INTERNAL: it lists child ids; for an
``audience`` of members or the public, ``outputs/internal/YYYY-MM/``, outside the
folder a council publishes),
``data_quality_issues.csv`` and ``data_quality_confidence.csv`` (every KPI and
month): the confidence is the one ``pmf run`` attaches to the KPI table (the
same build), so both give the same rating. ``--high``/``--medium`` override the
config's thresholds for this report only.
"""

from __future__ import annotations

from pmf_lib.cli import add_config_arg, month_arg


def register(sub) -> None:
    v = sub.add_parser("validate", help="check every source; write the data-quality report")
    v.add_argument("--month", default="latest", type=month_arg, help="YYYY-MM or latest")
    v.add_argument(
        "--high",
        type=float,
        default=None,
        help="largest share of records in error rated High (default: config)",
    )
    v.add_argument(
        "--medium",
        type=float,
        default=None,
        help="largest share of records in error rated Medium (default: config)",
    )
    add_config_arg(v)
    v.set_defaults(func=run)


def run(args) -> int:
    from pmf_lib.assess.build import build_month, read_month, resolve_month
    from pmf_lib.config import load_config
    from pmf_lib.errors import PmfError
    from pmf_lib.publish.plan import check_commentary
    from pmf_lib.publish.tables import write_quality_outputs
    from pmf_lib.validate.confidence import rate

    config = load_config(args.config)
    high = config.data_quality.high if args.high is None else args.high
    medium = config.data_quality.medium if args.medium is None else args.medium
    try:
        rate(0, high, medium)  # reject bad thresholds before any work
    except ValueError as e:
        raise PmfError(str(e), field="--high/--medium") from None
    thresholds = config.data_quality.model_copy(update={"high": high, "medium": medium})
    config = config.model_copy(update={"data_quality": thresholds})

    read = read_month(config)
    # A month outside the data is refused, as pmf run refuses it (an unreadable file
    # comes first in both: its line is the error).
    try:
        month = resolve_month(args.month, read)
    except PmfError:
        if args.month != "latest" or not read.unreadable:
            raise
        # every return that would date the data is unreadable: no month to report on,
        # so only pmf run's line for each file
        _say_unreadable(read.unreadable)
        return 2

    # The Heads of Service's commentary files for the month are inputs too: a bad one is
    # the same line pmf run stops with (pmf_lib.publish.plan.check_commentary).
    check_commentary(config, month)

    # The same build pmf run makes, stopped after validation and confidence.
    build = build_month(config, month, read=read, through="quality")
    out = write_quality_outputs(config, build)
    issues, recon = build.quality.issues, build.quality.reconciliation
    this_month = build.month_quality

    print(f"Data quality for {config.council.name}, {month}")
    print(
        f"  rows read {int(recon['rows_read'].sum())}: accepted {int(recon['accepted'].sum())}, "
        f"reported {int(recon['reported'].sum())}"
    )
    for _source, _file, err in read.unreadable:
        print(f"  unreadable: {err}")
    if len(issues):
        for (source, severity), n in issues.groupby(["source", "severity"]).size().items():
            print(f"  {source}: {n} {severity}(s)")
    else:
        print("  no issues found")
    levels = this_month["dq_confidence"].value_counts()
    print(
        "  KPI confidence: "
        + ", ".join(f"{k} {int(levels.get(k, 0))}" for k in ("High", "Medium", "Low"))
    )
    print(out)
    if read.unreadable:
        _say_unreadable(read.unreadable)
        return 2
    return 0


def _say_unreadable(unreadable) -> None:
    """Each unreadable file's line, as ``pmf run`` stops with it (``pmf: error: ...``)."""
    import sys

    for _source, _file, err in unreadable:
        print(f"pmf: error: {err}", file=sys.stderr)
