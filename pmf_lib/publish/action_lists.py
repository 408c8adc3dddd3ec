"""Write the month's action lists: ``action_lists.html`` and a CSV per list (internal only).

The lists (:mod:`pmf_lib.assess.action_lists`) hold child ids, so they are
written only for an ``internal`` audience. A members' or public run writes none
and removes any left in the month's folder, so no child-level list is ever in a
folder a council publishes (``tests/publish/test_action_lists_members.py``).
Every write is atomic and the page is stamped with the run id.
"""

from __future__ import annotations

from pathlib import Path

from pmf_lib.config import Config
from pmf_lib.publish.atomic import publish_unlink, write_csv_atomic, write_text_atomic
from pmf_lib.render.action_lists import PAGE, action_lists_html, csv_frame, csv_name

#: The files a run writes, for globbing out stale ones.
PATTERNS = (PAGE, "action_lists_*.csv")


def _remove_lists(out_dir: Path) -> None:
    for pattern in PATTERNS:
        for p in out_dir.glob(pattern):
            publish_unlink(p)


def lists_current(config: Config, out_dir: Path) -> bool:
    """Whether the folder holds what the audience gets: the page for internal, none otherwise.

    Examples
    --------
    >>> import tempfile
    >>> from types import SimpleNamespace as NS
    >>> d = Path(tempfile.mkdtemp())
    >>> lists_current(NS(audience="internal"), d), lists_current(NS(audience="members"), d)
    (False, True)
    """
    from pmf_lib.assess.disclosure import suppresses

    page = (Path(out_dir) / PAGE).is_file()
    return not page if suppresses(config.audience) else page


def write_action_lists(
    config: Config, build, out_dir: Path, *, run_id: str | None = None
) -> Path | None:
    """Write the month's action lists from ``build`` (unsuppressed); the page's path or None.

    None, with any earlier lists removed, for a members' or public audience or a
    build made without the source data.
    """
    from pmf_lib.assess.action_lists import action_lists_for
    from pmf_lib.publish.index import nav_links
    from pmf_lib.publish.manifest import stamp_html

    out_dir = Path(out_dir)
    lists = action_lists_for(build, config)
    _remove_lists(out_dir)
    if lists is None:
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    for lst in lists:
        write_csv_atomic(csv_frame(lst), out_dir / csv_name(lst.spec.id))
    # the reports' navigation bar, as the data quality report has it (index, dashboard, glossary)
    nav = nav_links(build.month, current=PAGE)
    page = action_lists_html(lists, council=config.council.name, month=build.month, nav=nav)
    return write_text_atomic(stamp_html(page, run_id) if run_id else page, out_dir / PAGE)
