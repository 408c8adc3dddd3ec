"""``pmf pack``: the month's board pack (dashboard, exceptions, highlight reports) as one PDF."""

from __future__ import annotations

import re

from pmf_lib.cli import add_config_arg


def _month(value: str) -> str:
    import argparse

    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        return value
    raise argparse.ArgumentTypeError(f"expected YYYY-MM, got {value!r}")


def register(sub) -> None:
    p = sub.add_parser(
        "pack",
        help="print the month's board pack (dashboard, exceptions, highlight reports) to one PDF",
    )
    p.add_argument("--month", required=True, type=_month, help="YYYY-MM (a published month)")
    p.add_argument(
        "--audience",
        choices=("internal", "members", "public"),
        default=None,
        help="the edition to print (default: the config's audience); the month's folder must "
        "hold it (pmf run with that audience's config)",
    )
    p.add_argument("--out", default=None, help="PDF to write (default: <month>/board_pack.pdf)")
    add_config_arg(p)
    p.set_defaults(func=run)


def run(args) -> int:
    """Write the pack and print its path and page count; exit 2 (one line) when it cannot."""
    from pmf_lib.config import load_config
    from pmf_lib.publish.pack import build_pack

    config = load_config(args.config, check_files=False)  # reads only the published reports
    if config.multi:
        from pmf_lib.errors import PmfError

        raise PmfError(
            "pmf pack prints one council's month; give a config with one council", field="councils"
        )
    result = build_pack(config, args.month, audience=args.audience, out=args.out)
    print(f"{result.path} ({result.pages} pages, {len(result.items)} documents)")
    return 0
