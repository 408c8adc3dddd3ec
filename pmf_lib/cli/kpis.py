"""``pmf kpis``: write the tidy KPI table so every figure can be checked outside reports."""

from __future__ import annotations

from pathlib import Path

from pmf_lib.cli import add_config_arg, month_arg


def register(sub) -> None:
    k = sub.add_parser("kpis", help="write the tidy KPI table for every month to a CSV")
    k.add_argument("--month", default="latest", type=month_arg, help="last month (YYYY-MM)")
    k.add_argument("--out", required=True, help="CSV file to write")
    add_config_arg(k)
    k.set_defaults(func=run)


def run(args) -> int:
    from pmf_lib.assess.build import build_month
    from pmf_lib.config import load_config
    from pmf_lib.publish.atomic import check_writable, write_csv_atomic

    config = load_config(args.config)
    check_writable(Path(args.out))  # an unwritable --out fails before any work
    # The month's one build, stopped after the KPI history (with its confidence).
    table = build_month(config, args.month, through="kpis").kpi_table
    write_csv_atomic(table, Path(args.out))
    print(f"{len(table)} rows, {table['kpi_id'].nunique()} KPIs -> {args.out}")
    return 0
