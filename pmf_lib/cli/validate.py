"""``pmf validate``: data-quality issues, row reconciliation and KPI confidence for a month.

Reads every configured source (national returns, Annex A, workforce, local
datasets). A file that cannot be read is reported (file and fault) and the
rest are still checked. Writes ``outputs/YYYY-MM/data_quality.html`` (INTERNAL:
it lists child ids), ``data_quality_issues.csv`` and
``data_quality_confidence.csv`` (every KPI and month, to join onto the KPI table).
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


def _read_national(reader, files, source, unreadable):
    """Read all files; a file that cannot be read is recorded and the rest read again."""
    from pmf_lib.errors import PmfError

    files = list(files)
    while True:
        try:
            return reader(files)
        except PmfError as e:
            bad = next((f for f in files if e.file and str(f) == str(e.file)), None)
            if bad is None:
                raise
            unreadable.append((source, str(bad), e))
            files.remove(bad)


def run(args) -> int:
    import pandas as pd

    from pmf_lib.config import load_config
    from pmf_lib.dates import month_end, month_ends
    from pmf_lib.errors import PmfError
    from pmf_lib.publish.atomic import write_csv_atomic
    from pmf_lib.publish.data_quality import write_data_quality
    from pmf_lib.read import SourceData, latest_complete_month
    from pmf_lib.read.cin_census import read_cin_census
    from pmf_lib.read.local import LOCAL_DATASETS, concat_tables
    from pmf_lib.read.population import read_population
    from pmf_lib.read.ssda903 import read_ssda903
    from pmf_lib.validate import read_other_sources, reconcile, validate
    from pmf_lib.validate.confidence import (
        FEEDS,
        confidence_table,
        local_issues_on_frames,
        rate,
    )

    config = load_config(args.config)
    high = config.data_quality.high if args.high is None else args.high
    medium = config.data_quality.medium if args.medium is None else args.medium
    try:
        rate(0, high, medium)  # reject bad thresholds before any work
    except ValueError as e:
        raise PmfError(str(e), field="--high/--medium") from None

    local = {name: config.files(f"local.{name}") for name in LOCAL_DATASETS}
    sources = read_other_sources(
        {k: v for k, v in local.items() if v},
        config.files("annex_a"),
        config.files("workforce_census"),
        config.files("workforce_monthly"),
    )
    sources.cin = _read_national(
        read_cin_census, config.files("cin_census"), "cin_census", sources.unreadable
    )
    sources.cla = _read_national(
        read_ssda903, config.files("ssda903"), "ssda903", sources.unreadable
    )
    month = args.month
    if month == "latest":
        population = read_population(config.population_file, la_code=config.council.code)
        month = latest_complete_month(SourceData(sources.cin, sources.cla, population))

    issues = validate(sources)
    recon = reconcile(sources, issues)
    if not (recon["rows_read"] == recon["accepted"] + recon["reported"]).all():
        raise PmfError("row reconciliation failed: rows read differ from accepted + reported")
    last = month_end(month)
    ends = month_ends(last - pd.DateOffset(months=35), last)
    # Every KPI is rated: local datasets' issues are placed on the stacked frames the
    # KPIs read (as pmf run does), each dataset's files stacked in read order.
    frames: dict[str, pd.DataFrame] = {}
    for t in sources.files:
        name = t.source.removeprefix("local/")
        if t.source.startswith("local/") or t.source == "workforce_monthly":
            frames[name] = concat_tables(
                [u for u in sources.files if u.source.removeprefix("local/") == name]
            )
    placed = local_issues_on_frames(issues, sources.files, frames)
    conf = confidence_table(
        placed,
        sources.cin,
        sources.cla,
        ends,
        feeds=FEEDS,
        local=frames,
        high=high,
        medium=medium,
    )
    this_month = conf[conf["period_end"] == last]
    out = write_data_quality(
        config.outputs_dir,
        month,
        issues,
        recon,
        this_month,
        council=config.council.name,
        feeds=FEEDS,
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
    return 0
