"""``pmf validate``: data-quality issues, row reconciliation and KPI confidence for a month.

Reads every configured source (national returns, Annex A, workforce, local
datasets) with the readers ``pmf run`` uses. A file that cannot be read (a
malformed return, a local file lacking a required column ...) does not stop
the others being checked: it is listed in the report (rule S00, and under
"Files that could not be read"), the KPIs it feeds are rated Low, and the
command prints, for each such file, the one line ``pmf run`` stops with
(``pmf: error: <file>, <row or element>, field <field>: <fault>``) on stderr
and exits 2. Otherwise it exits 0, whatever issues the data has.

Writes ``outputs/YYYY-MM/data_quality.html`` (INTERNAL: it lists child ids; for an
``audience`` of members or the public, ``outputs/internal/YYYY-MM/``, outside the
folder a council publishes),
``data_quality_issues.csv`` and ``data_quality_confidence.csv`` (every KPI and
month): the confidence is computed by
:func:`pmf_lib.validate.quality.assess_quality`, the computation ``pmf run``
attaches to the KPI table, so both give the same rating.
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


def _target_reviews(config, period_end):
    """Targets in force at ``period_end`` past their review, or the targets file's error."""
    if not config.targets_file:
        return None
    from pmf_lib.assess.pipeline import configured_kpis
    from pmf_lib.assess.targets import load_targets, reviews_overdue
    from pmf_lib.errors import PmfError

    try:
        targets = load_targets(config.targets_file, configured_kpis(config))
        return reviews_overdue(targets, period_end)
    except PmfError as e:
        return str(e)


def run(args) -> int:
    from pmf_lib.config import load_config
    from pmf_lib.errors import PmfError
    from pmf_lib.publish.atomic import write_csv_atomic
    from pmf_lib.publish.data_quality import write_data_quality
    from pmf_lib.read import SourceData, latest_complete_month
    from pmf_lib.read.population import read_population
    from pmf_lib.validate.confidence import FEEDS, rate
    from pmf_lib.validate.quality import assess_quality, history_ends, read_sources

    config = load_config(args.config)
    high = config.data_quality.high if args.high is None else args.high
    medium = config.data_quality.medium if args.medium is None else args.medium
    try:
        rate(0, high, medium)  # reject bad thresholds before any work
    except ValueError as e:
        raise PmfError(str(e), field="--high/--medium") from None

    sources = read_sources(config)
    month = args.month
    # A month outside the data is refused, as pmf run refuses it (an unreadable file
    # comes first in both: its line is the error).
    if month != "latest" and not sources.unreadable:
        from pmf_lib.dates import check_month_covered, data_extent

        first, last_ref = data_extent([sources.cin.returns, sources.cla.returns])
        if first is not None and last_ref is not None:
            month = check_month_covered(month, first, last_ref)
    if month == "latest":
        population = read_population(config.population_file, la_code=config.council.code)
        try:
            month = latest_complete_month(SourceData(sources.cin, sources.cla, population))
        except PmfError:
            if not sources.unreadable:
                raise
            # every return that would date the data is unreadable: no month to report on,
            # so only pmf run's line for each file
            _say_unreadable(sources.unreadable)
            return 2

    # The Heads of Service's commentary files for the month are inputs too: a bad one is
    # the same line pmf run stops with (pmf_lib.publish.plan.check_commentary).
    from pmf_lib.publish.plan import check_commentary

    check_commentary(config, month)

    last = history_ends(month)[-1]
    q = assess_quality(sources, history_ends(month), high=high, medium=medium)
    issues, recon, conf = q.issues, q.reconciliation, q.confidence
    if not (recon["rows_read"] == recon["accepted"] + recon["reported"]).all():
        raise PmfError("row reconciliation failed: rows read differ from accepted + reported")
    this_month = conf[conf["period_end"] == last]
    # The report lists child ids: for members or the public it is kept out of the
    # month's published folder, in <outputs>/internal/YYYY-MM/.
    from pmf_lib.assess.disclosure import suppresses

    base = config.outputs_dir / "internal" if suppresses(config.audience) else config.outputs_dir
    target_reviews = _target_reviews(config, last)
    out = write_data_quality(
        base,
        month,
        issues,
        recon,
        this_month,
        council=config.council.name,
        feeds=FEEDS,
        unreadable=sources.unreadable,
        as_of=q.as_of,
        target_reviews=target_reviews,
    )
    write_csv_atomic(issues, out.with_name("data_quality_issues.csv"))
    write_csv_atomic(conf, out.with_name("data_quality_confidence.csv"))

    print(f"Data quality for {config.council.name}, {month}")
    print(
        f"  rows read {int(recon['rows_read'].sum())}: accepted {int(recon['accepted'].sum())}, "
        f"reported {int(recon['reported'].sum())}"
    )
    for _source, _file, err in sources.unreadable:
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
    if sources.unreadable:
        _say_unreadable(sources.unreadable)
        return 2
    return 0


def _say_unreadable(unreadable) -> None:
    """Each unreadable file's line, as ``pmf run`` stops with it (``pmf: error: ...``)."""
    import sys

    for _source, _file, err in unreadable:
        print(f"pmf: error: {err}", file=sys.stderr)
