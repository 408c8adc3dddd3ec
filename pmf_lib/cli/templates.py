"""``pmf templates``: blank templates (CSV header + guide) for the local datasets."""

from __future__ import annotations


def register(sub) -> None:
    t = sub.add_parser("templates", help="write a blank CSV template and guide per local dataset")
    t.add_argument("--out", required=True, help="directory to write the templates to")
    t.set_defaults(func=run)


def run(args) -> int:
    from pmf_lib.read.local import write_templates

    paths = write_templates(args.out)
    for p in paths:
        print(p)
    print(f"{len(paths) // 2} templates written to {args.out}")
    return 0
