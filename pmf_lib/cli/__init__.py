"""The ``pmf`` command line.

Every command validates its parameters before doing any work, and a
:class:`~pmf_lib.errors.PmfError` is printed as one line (``pmf: error: ...``)
with exit status 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import re
import sys

from pmf_lib import __version__
from pmf_lib.errors import PmfError

DEFAULT_CONFIG = "parameters/config.yaml"


def add_config_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", default=DEFAULT_CONFIG, help="config file (default: %(default)s)"
    )


def month_arg(value: str) -> str:
    """argparse type for ``--month``: ``YYYY-MM`` or ``latest``."""
    if value == "latest" or re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        return value
    raise argparse.ArgumentTypeError(f"expected YYYY-MM or 'latest', got {value!r}")


def csv_list(value: str) -> list[str]:
    """argparse type for comma-separated lists (``--areas a,b``)."""
    return [v.strip() for v in value.split(",") if v.strip()]


def build_parser() -> argparse.ArgumentParser:
    """The ``pmf`` parser: each module of this package adds its own subcommand(s).

    A command module defines ``register(subparsers)``, adding a sub-parser whose
    ``func`` default takes the parsed arguments and returns an exit status.
    """
    p = argparse.ArgumentParser(prog="pmf", description=__doc__.splitlines()[0])
    p.add_argument("--version", action="version", version=f"pmf {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except PmfError as e:
        print(f"pmf: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("pmf: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
