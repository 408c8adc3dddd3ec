"""Debian's headless Chromium driven by Playwright, and the reports it opens.

* :func:`browser`: one Chromium per session (``/usr/bin/chromium``; never a
  downloaded one), skipped with the reason when it or Playwright is absent, and
  closed (with its driver) at the end;
* :func:`published`: every report of the published demo month
  (``outputs/2026-10/*.html``), skipped when the month is not published;
* :func:`render_month`: a month rendered from a hand-made KPI history for every
  configured KPI (smooth made-up series: these tests check what the browser does,
  not the figures), needing neither the demo data nor a batch run. The front
  door's commentary holds hostile input.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
#: Chromium's flags: no sandbox (containers), nothing fetched or synced in the background.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: The published demo month the layout and accessibility tests read.
DEMO_MONTH = ROOT / "outputs" / "2026-10"
SCREENSHOTS = ROOT / "outputs" / "screenshots"

HOSTILE_COMMENTARY = """---
area: front_door
month: {month}
author: Test Head
---
## Exception: hostile input
<script>window.__pwned = 1</script>

<img src=x onerror="window.__pwned = 2">

[a javascript link](javascript:window.__pwned=3) and <a href="javascript:window.__pwned=4">x</a>

![tracker](https://evil.example/pixel.png) [outside](https://evil.example/)

## Overall
**All** in hand: see [the actions](#Improvement-actions).
"""


def _history(metas, end: pd.Timestamp, small: set[str] = frozenset()) -> pd.DataFrame:
    """Smooth made-up series; a count KPI in ``small`` is 3 in the last month (withheld
    for members)."""
    ends = pd.date_range(end - pd.DateOffset(months=35), end, freq="ME")
    rows = []
    for j, (kid, m) in enumerate(metas.items()):
        for w in m.windows:
            for i, e in enumerate(ends):
                wave = 1 + 0.15 * math.sin(i / 3 + j)
                if m.unit == "count":
                    num, den = float(round(40 * wave)), np.nan
                    if kid in small and e == ends[-1]:
                        num = 3.0
                    value = num
                else:
                    den = 200.0
                    num = float(round(120 * wave))
                    value = {"percent": 100, "rate_10k": 10_000}.get(m.unit, 1) * num / den
                rows.append((kid, e, w, value, num, den, 0.0, "High"))
    return pd.DataFrame(
        rows,
        columns=[
            "kpi_id",
            "period_end",
            "window",
            "value",
            "numerator",
            "denominator",
            "dq_error_share",
            "dq_confidence",
        ],
    )


def render_month(
    out: Path,
    month: str,
    audience: str = "internal",
    ids: set[str] | None = None,
    small: set[str] = frozenset(),
) -> list[Path]:
    """Render one report of each planned kind of ``month`` into ``out`` (or, with ``ids``,
    only those reports); return the HTML files. Count KPIs in ``small`` are 3 in the
    month (withheld for members)."""
    import papermill
    from papermill.iorw import load_notebook_node

    from pmf_lib.assess.pipeline import assess_for_config, configured_kpis
    from pmf_lib.config import load_config
    from pmf_lib.publish.plan import plan_reports
    from pmf_lib.render.export import export_html

    out.mkdir(parents=True, exist_ok=True)
    base = yaml.safe_load((ROOT / "parameters" / "config.yaml").read_text(encoding="utf-8"))
    for key in ("targets", "kpi_catalogue"):  # files beside the real config
        if base.get(key):
            base[key] = str(ROOT / "parameters" / base[key])
    base["audience"] = audience
    base["outputs"] = str(out)
    actions = ROOT / "data" / "demo" / "local" / "improvement_actions.csv"
    base["data"] = {
        "ssda903": "none",
        "cin_census": "none",
        "population": "none.csv",
        "local": {"improvement_actions": str(actions)} if actions.is_file() else {},
    }
    cfg_path = out / "config.yaml"
    cfg_path.write_text(yaml.safe_dump(base), encoding="utf-8")
    (out / "schedule.yaml").write_text(
        (ROOT / "parameters" / "schedule.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    config = load_config(cfg_path, check_files=False)
    end = pd.Timestamp(month) + pd.offsets.MonthEnd(0)
    history = _history(configured_kpis(config), end, small)
    history.to_parquet(out / "kpi_history.parquet", index=False)
    assess_for_config(config, history, month).to_parquet(out / "kpis.parquet", index=False)
    # the month's other published tables, as the batch writes them (reports read only these)
    from pmf_lib.assess.actions import actions_for_config
    from pmf_lib.assess.pipeline import spc_for_config

    spc_for_config(config, history, month).to_parquet(out / "spc.parquet", index=False)
    actions = actions_for_config(config, history, month)
    if actions is not None:
        actions.to_parquet(out / "actions.parquet", index=False)
    comments = out / "commentary" / month
    comments.mkdir(parents=True)
    (comments / "front_door.md").write_text(HOSTILE_COMMENTARY.format(month=month))
    pages = []
    specs = plan_reports(config, month)
    # One of each kind (the front door's area and highlight reports carry the hostile text).
    chosen = [s for s in specs if s.kind not in ("area", "highlight", "quarterly")]
    chosen += [s for s in specs if s.id in ("front_door", "highlight_front_door")]
    chosen += [s for s in specs if s.kind == "quarterly"][:1]
    if ids is not None:
        chosen = [s for s in specs if s.id in ids]
    for s in chosen:
        params = {
            "month": month,
            "config_path": str(cfg_path),
            "kpi_table": str(out / "kpi_history.parquet"),
            "assessed_table": str(out / "kpis.parquet"),
            **s.parameters,
        }
        nb = papermill.execute_notebook(
            load_notebook_node(str(s.notebook)),
            str(out / f"{s.id}.ipynb"),
            parameters=params,
            progress_bar=False,
            shutdown_kernel="immediate",
            kernel_name="python3",
        )
        page = out / f"{s.id}.html"
        page.write_text(
            export_html(nb, council=config.council.name, title=s.title), encoding="utf-8"
        )
        pages.append(page)
    return pages


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, through Playwright, ended with its driver after each module.

    Module scope, not session: Playwright's sync API keeps an asyncio loop running in
    this thread while it is open, and later tests that call ``asyncio.run`` (the
    kernel tests in tests/publish) would fail beside it.
    """
    if not CHROMIUM.exists() or not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium to run the browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (the test extra: pip install -e '.[test]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def published() -> list[Path]:
    """Every report of the published demo month, data_quality.html included."""
    pages = sorted(DEMO_MONTH.glob("*.html"))
    if not any(p.name == "dashboard.html" for p in pages):
        pytest.skip(f"{DEMO_MONTH} is not published: run `pmf run --month 2026-10` first")
    return pages
