"""Pre-filled commentary files for Heads of Service (``pmf commentary --month YYYY-MM``).

One markdown file per area in ``parameters/commentary/YYYY-MM/<area>.md`` (see
:func:`pmf_lib.publish.plan.commentary_dir`): front matter naming the area and
month, the author and the sign-off (``status: draft`` until the Assistant
Director signs it off: ``status: signed_off``, ``signed_off_by``,
``signed_off_date``), a ``## `` section per exception (its sentence quoted) and a
free section. Every guidance line is an HTML comment (``<!-- ... -->``) or a YAML
comment, which pmf never publishes (:func:`pmf_lib.render.commentary.strip_guidance`),
so a file still holding only the template counts as not written. The next
``pmf run`` re-runs the reports the file feeds (its area report, its highlight
report, its quarterly report and the dashboard) and shows the commentary, rendered
safely (:mod:`pmf_lib.render.commentary`), with its sign-off state.

A file that already exists is never overwritten unless asked (it may hold
what a Head of Service wrote).

Examples
--------
>>> import pandas as pd
>>> a = pd.DataFrame({"kpi_id": ["k"], "title": ["Visits on time"], "exception": [True],
...                   "sentence": ["Visits on time fell to 60.0%."]})
>>> print(commentary_text("front_door", "Front door", "2026-10", a))  # doctest: +ELLIPSIS
---
area: front_door
month: 2026-10
author: ''  # your name
status: draft  # draft, or signed_off once the Assistant Director has agreed it
signed_off_by: ''  # who signed it off (needed for signed_off)
signed_off_date: ''  # the date they did, as YYYY-MM-DD (needed for signed_off)
---
# Front door: commentary for October 2026
...
## Exception: Visits on time
> Visits on time fell to 60.0%.
<BLANKLINE>
<!-- Write your commentary here, in place of this line. -->
<BLANKLINE>
## Overall
<BLANKLINE>
<!-- Write your commentary here, in place of this line. -->
<BLANKLINE>
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pmf_lib.config import Config
from pmf_lib.publish.atomic import write_text_atomic
from pmf_lib.publish.plan import commentary_dir
from pmf_lib.render.commentary import GENERAL_HEADING, PROMPT_COMMENT, commentary_path
from pmf_lib.render.format import format_month_long

#: The guidance at the top of every file: an HTML comment, never published.
GUIDANCE = """<!-- Guidance from pmf (never published):
Write under each heading in place of its "Write your commentary here" line; a
heading left as it is says nothing and is not shown. Markdown works (**bold**,
lists, [links](#within-the-report)); HTML, images and links to other sites are
shown as plain text. Anything between these comment marks is never published.
Put your name after author: above. When the Assistant Director has agreed the
commentary, set status: signed_off, signed_off_by and signed_off_date. -->"""


def commentary_text(area: str, title: str, month: str, assessed: pd.DataFrame) -> str:
    """The pre-filled commentary for one area: ``assessed`` holds that area's rows."""
    flagged = assessed[assessed["exception"].astype(bool)]
    month_long = format_month_long(pd.Timestamp(month) + pd.offsets.MonthEnd(0))
    lines = [
        "---",
        f"area: {area}",
        f"month: {month}",
        "author: ''  # your name",
        "status: draft  # draft, or signed_off once the Assistant Director has agreed it",
        "signed_off_by: ''  # who signed it off (needed for signed_off)",
        "signed_off_date: ''  # the date they did, as YYYY-MM-DD (needed for signed_off)",
        "---",
        f"# {title}: commentary for {month_long}",
        "",
        GUIDANCE,
        "",
    ]
    for r in flagged.itertuples(index=False):
        lines += [f"## Exception: {r.title}", f"> {r.sentence}", "", PROMPT_COMMENT, ""]
    lines += [f"## {GENERAL_HEADING}", "", PROMPT_COMMENT, ""]
    return "\n".join(lines)


def write_commentary_files(
    config: Config,
    month: str,
    assessed: pd.DataFrame,
    areas: list[str] | None = None,
    *,
    overwrite: bool = False,
) -> tuple[list[Path], list[Path]]:
    """Write each area's pre-filled commentary file; return (written, kept as they were)."""
    folder = commentary_dir(config, month)
    written, kept = [], []
    for area in areas if areas is not None else list(config.areas):
        path = commentary_path(folder, area)
        if path.exists() and not overwrite:
            kept.append(path)
            continue
        rows = assessed[assessed["kpi_id"].isin(config.areas[area].kpis)]
        text = commentary_text(area, config.areas[area].title, month, rows)
        folder.mkdir(parents=True, exist_ok=True)
        written.append(write_text_atomic(text, path))
    return written, kept
