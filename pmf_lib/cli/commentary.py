"""``pmf commentary``: write each area's pre-filled commentary file for a month."""

from __future__ import annotations

from pmf_lib.cli import add_config_arg, month_arg


def register(sub) -> None:
    c = sub.add_parser(
        "commentary",
        help="write a pre-filled commentary file per area (parameters/commentary/YYYY-MM/)",
    )
    c.add_argument("--month", required=True, type=month_arg, help="report month (YYYY-MM)")
    c.add_argument("--area", action="append", help="only this area (repeatable)")
    c.add_argument("--force", action="store_true", help="overwrite files that already exist")
    add_config_arg(c)
    c.set_defaults(func=run)


def run(args) -> int:
    import pandas as pd

    from pmf_lib.config import load_config
    from pmf_lib.errors import PmfError
    from pmf_lib.publish.commentary import write_commentary_files

    if args.month == "latest":
        raise PmfError("commentary is for a named month: give --month YYYY-MM", field="month")
    config = load_config(args.config)
    saved = config.outputs_dir / args.month / "kpis.parquet"
    assessed = pd.read_parquet(saved) if saved.is_file() else None
    if assessed is None or "exception" not in assessed.columns:  # not an assessed table
        from pmf_lib.assess.build import build_month

        assessed = build_month(config, args.month).assessed  # the month's one build
    written, kept = write_commentary_files(
        config, args.month, assessed, args.area, overwrite=args.force
    )
    for p in written:
        print(f"wrote {p}")
    for p in kept:
        print(f"kept {p} (it exists; --force overwrites it)")
    if written:
        print(
            "Heads of Service write under each heading (the <!-- --> guidance is never "
            "published); once agreed, set status: signed_off, signed_off_by and "
            f"signed_off_date. Then `pmf run --month {args.month}` publishes it."
        )
    return 0
