"""``pmf docs``: regenerate docs/kpis.md from the KPI registry."""

from __future__ import annotations

from pathlib import Path


def register(sub) -> None:
    d = sub.add_parser("docs", help="regenerate docs/kpis.md from the KPI registry")
    d.add_argument("--out", default="docs/kpis.md")
    d.set_defaults(func=run)


def run(args) -> int:
    from pmf_lib.compute.docs import write_kpi_docs

    print(write_kpi_docs(Path(args.out)))
    return 0
