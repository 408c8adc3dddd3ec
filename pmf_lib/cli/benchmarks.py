"""``pmf benchmarks``: import DfE/ONS published benchmarks; show a council's comparators."""

from __future__ import annotations

from pmf_lib.cli import csv_list


def register(sub) -> None:
    b = sub.add_parser("benchmarks", help="national benchmarks (LAIT, EES, ONS)")
    bsub = b.add_subparsers(dest="benchmarks_command", required=True, metavar="ACTION")

    imp = bsub.add_parser(
        "import", help="read the published files in DIR into a compact benchmark store"
    )
    imp.add_argument("--source", required=True, help="directory of published DfE/ONS files")
    imp.add_argument(
        "--out", default=None, help="store directory (default: the snapshot shipped with pmf)"
    )
    imp.set_defaults(func=run_import)

    show = bsub.add_parser("show", help="print a council's comparators for some measures")
    show.add_argument("--la", type=int, required=True, help="old LA number, e.g. 938")
    show.add_argument("--measures", type=csv_list, required=True, help="measure codes, a,b,c")
    show.add_argument("--year", default=None, help="year label (default: latest)")
    show.add_argument("--sn-model", default="2025", choices=("2021", "2025"))
    show.add_argument("--sn-stat", default="mean", choices=("mean", "median"))
    show.add_argument("--store", default=None, help="store directory (default: shipped)")
    show.set_defaults(func=run_show)


def run_import(args) -> int:
    from pmf_lib.read.benchmarks import (
        SNAPSHOT_DIR,
        find_sources,
        import_benchmarks,
        save_benchmarks,
    )

    out = args.out or SNAPSHOT_DIR
    store = import_benchmarks(args.source)
    save_benchmarks(store, out, sources=find_sources(args.source).all())
    print(
        f"{len(store.measures)} measures, {len(store.values)} figures, "
        f"{store.neighbours['la_code'].nunique()} councils with neighbours -> {out}"
    )
    return 0


def run_show(args) -> int:
    from pmf_lib.assess.comparators import comparators_table
    from pmf_lib.read.benchmarks import load_benchmarks

    store = load_benchmarks(args.store)
    table = comparators_table(
        store,
        args.la,
        {m: m for m in args.measures},
        year=args.year,
        sn_model=args.sn_model,
        sn_stat=args.sn_stat,
    )
    cols = [
        "measure",
        "year",
        "la_value",
        "england",
        "region",
        "sn_mean",
        "sn_median",
        "quartile",
        "rank",
        "rank_of",
    ]
    print(table[cols].to_string(index=False))
    return 0
