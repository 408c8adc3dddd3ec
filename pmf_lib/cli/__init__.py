"""The ``pmf`` command line.

Every command validates its parameters before doing any work, and a
:class:`~pmf_lib.errors.PmfError` is printed as one line (``pmf: error: ...``)
with exit status 2, never as a traceback.

``pmf run``, ``pmf validate`` and ``pmf kpis`` first check every setting the same
way (:func:`check_settings`): the config, each area's KPI ids, the KPI catalogue,
the targets and the schedule. So a bad setting is the same one line from each
command, found before any data is read or any KPI computed.
"""

from __future__ import annotations

import argparse
import importlib
import math
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


#: Commands whose settings :func:`check_settings` checks before they start.
SETTINGS_COMMANDS = ("run", "validate", "kpis")


def check_settings(config_path: str, *, command: str = "run", timeout: float | None = None):
    """Check every setting a command reads, before any data is read; the loaded config.

    The config file (:func:`pmf_lib.config.load_config`), each area's KPI ids
    against the library, the KPI catalogue, the targets (against every KPI the
    library has, so targets for KPIs no configured area shows are accepted and
    left out), the schedule, and ``--timeout``. The data files are read once,
    by the month's build (:func:`pmf_lib.assess.build.read_month`), which
    refuses an unreadable one with the line ``pmf validate`` gives for it.

    Raises
    ------
    PmfError
        For the first problem, naming the file and the key.

    Examples
    --------
    >>> c = check_settings("parameters/config.yaml", command="kpis")
    >>> "front_door" in c.areas
    True
    >>> try:
    ...     check_settings("parameters/config.yaml", timeout=float("nan"))
    ... except PmfError as e:
    ...     print(e)
    field --timeout: expected a positive number of seconds, got nan
    """
    from pmf_lib.assess.targets import load_targets
    from pmf_lib.compute.catalogue import load_catalogue
    from pmf_lib.compute.registry import all_kpis
    from pmf_lib.config import load_config
    from pmf_lib.publish.plan import load_schedule, schedule_path

    if timeout is not None and not (math.isfinite(timeout) and timeout > 0):
        raise PmfError(f"expected a positive number of seconds, got {timeout!r}", field="--timeout")
    config = load_config(config_path)
    registry = all_kpis()
    for area_id, area in config.areas.items():
        bad = [k for k in area.kpis if k not in registry]
        if bad:
            raise PmfError(
                f"unknown KPI id(s) {', '.join(bad[:5])}{' ...' if len(bad) > 5 else ''} "
                "(not in the KPI registry; `pmf docs` lists them)",
                file=config_path,
                field=f"areas.{area_id}.kpis",
            )
    if config.kpi_catalogue:
        load_catalogue(config.resolve(config.kpi_catalogue))
    if config.targets_file:
        load_targets(config.targets_file, {k: v.meta for k, v in registry.items()})
    load_schedule(schedule_path(config))
    return config


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
        if args.command in SETTINGS_COMMANDS:
            check_settings(
                args.config, command=args.command, timeout=getattr(args, "timeout", None)
            )
        return args.func(args)
    except PmfError as e:
        print(f"pmf: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("pmf: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
