"""``pmf synth``: write the synthetic demo council's data."""

from __future__ import annotations

from pathlib import Path

from pmf_lib.cli import month_arg


def register(sub) -> None:
    s = sub.add_parser("synth", help="write the synthetic demo council's data")
    s.add_argument("--out", required=True, help="output directory")
    s.add_argument("--start", default="2023-11", type=month_arg, help="first month (YYYY-MM)")
    s.add_argument("--months", type=int, default=36, help="number of months of data")
    s.add_argument("--seed", type=int, default=938, help="random seed")
    s.add_argument("--children", type=int, default=100_000, help="population aged 0-17")
    s.set_defaults(func=run)


def run(args) -> int:
    from pmf_lib.synth import generate

    summary = generate(
        Path(args.out),
        start=args.start,
        months=args.months,
        seed=args.seed,
        children=args.children,
    )
    print(summary)
    return 0
