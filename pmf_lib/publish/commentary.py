"""Pre-filled commentary files for Heads of Service (``pmf commentary --month YYYY-MM``).

One markdown file per area in ``parameters/commentary/YYYY-MM/<area>.md`` (see
:func:`pmf_lib.publish.plan.commentary_dir`): front matter naming the area and
month, a ``## `` section per exception (its sentence quoted) and a free section,
each holding the prompt line until someone writes in it. The next ``pmf run``
shows the commentary, rendered safely (:mod:`pmf_lib.render.commentary`), in the
area report, the highlight report and the dashboard.

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
author: ''
---
# Front door: commentary for October 2026
...
## Exception: Visits on time
> Visits on time fell to 60.0%.
<BLANKLINE>
_(Write your commentary here.)_
<BLANKLINE>
## Overall
<BLANKLINE>
_(Write your commentary here.)_
<BLANKLINE>
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pmf_lib.config import Config
from pmf_lib.publish.atomic import write_text_atomic
from pmf_lib.publish.plan import commentary_dir
from pmf_lib.render.commentary import GENERAL_HEADING, PROMPT, commentary_path
from pmf_lib.render.format import format_month_long


def commentary_text(area: str, title: str, month: str, assessed: pd.DataFrame) -> str:
    """The pre-filled commentary for one area: ``assessed`` holds that area's rows."""
    flagged = assessed[assessed["exception"].astype(bool)]
    month_long = format_month_long(pd.Timestamp(month) + pd.offsets.MonthEnd(0))
    lines = [
        "---",
        f"area: {area}",
        f"month: {month}",
        "author: ''",
        "---",
        f"# {title}: commentary for {month_long}",
        "",
        "Write under each heading, replacing the prompt line; leave a prompt to say nothing.",
        "Markdown works (**bold**, lists, [links](#within-the-report)); HTML, images and links",
        "to other sites are shown as plain text. Put your name after `author:` above.",
        "",
    ]
    for r in flagged.itertuples(index=False):
        lines += [f"## Exception: {r.title}", f"> {r.sentence}", "", PROMPT, ""]
    lines += [f"## {GENERAL_HEADING}", "", PROMPT, ""]
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
