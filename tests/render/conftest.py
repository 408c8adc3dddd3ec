"""A hand-made service area: three KPIs, 25 months of figures, a config that names them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmf_lib.compute.registry import KpiMeta
from pmf_lib.config import Area, Config, Council, DataSources

MONTHS = pd.date_range("2024-10-31", "2026-10-31", freq="ME")  # 25 month ends


def _meta(kid, title, unit, polarity, windows, denominator="Children in the cohort"):
    return KpiMeta(
        id=kid,
        title=title,
        area="test_area",
        unit=unit,
        polarity=polarity,
        windows=windows,
        source="CIN census (test)",
        definition=f"Definition of {title.lower()}.",
        numerator=f"Numerator of {title.lower()}",
        denominator=None if unit == "count" else denominator,
    )


@pytest.fixture
def metas() -> dict[str, KpiMeta]:
    return {
        "t_pct": _meta(
            "t_pct", "Assessments on time", "percent", "higher_is_better", ("month", "rolling_12m")
        ),
        "t_count": _meta("t_count", "Referrals", "count", "neutral", ("month", "rolling_12m")),
        "t_rate": _meta(
            "t_rate", "Children looked after rate", "rate_10k", "lower_is_better", ("snapshot",)
        ),
    }


@pytest.fixture
def kpi_table() -> pd.DataFrame:
    """Figures worked out so the headline values are known:

    * t_pct rolling_12m: 84.0 % in Oct 2025, 71.5 % in Sep 2026, 71.2 % in Oct 2026
      (so -0.3 pp on the month: no change; -12.8 pp on the year: worsening);
      the month window is 50 % throughout; in Oct 2026 the month has no
      denominator (value NaN).
    * t_count rolling_12m: 1,000 every month to Sep 2026, 1,204 in Oct 2026
      (+20.4 %: up on both).
    * t_rate snapshot: 50.0 per 10k throughout, 45.0 in Oct 2026 (-10 %: improving).
    """
    rows = []
    for end in MONTHS:
        pct = {"2025-10-31": 84.0, "2026-09-30": 71.5, "2026-10-31": 71.2}.get(
            end.strftime("%Y-%m-%d"), 80.0
        )
        rows.append(("t_pct", end, "rolling_12m", pct, pct, 100.0))
        if end == MONTHS[-1]:
            rows.append(("t_pct", end, "month", np.nan, 0.0, 0.0))
        else:
            rows.append(("t_pct", end, "month", 50.0, 5.0, 10.0))
        count = 1204.0 if end == MONTHS[-1] else 1000.0
        rows.append(("t_count", end, "rolling_12m", count, count, np.nan))
        rows.append(("t_count", end, "month", 100.0, 100.0, np.nan))
        rate = 45.0 if end == MONTHS[-1] else 50.0
        rows.append(("t_rate", end, "snapshot", rate, rate * 2, 20_000.0))
    return pd.DataFrame(
        rows, columns=["kpi_id", "period_end", "window", "value", "numerator", "denominator"]
    )


@pytest.fixture
def config(tmp_path) -> Config:
    return Config(
        council=Council(code=938, name="Testshire County Council"),
        data=DataSources(ssda903=["none"], cin_census=["none"], population="none.csv"),
        areas={
            "test_area": Area(
                title="Test area", kpis=["t_pct", "t_count", "t_rate"], head_of_service="A. Person"
            ),
            "other": Area(title="Other", kpis=["t_count"]),
        },
        base_dir=tmp_path,
    )


@pytest.fixture
def config_file(tmp_path):
    """The same config as a file, plus an area whose KPI has no figures in the table."""
    p = tmp_path / "config.yaml"
    p.write_text(CONFIG_YAML, encoding="utf-8")
    return p


CONFIG_YAML = """\
council: {code: 938, name: "Testshire County Council"}
data: {ssda903: none, cin_census: none, population: none.csv}
areas:
  test_area: {title: Test area, kpis: [t_pct, t_count, t_rate]}
  missing_kpi: {title: Missing, kpis: [t_absent]}
"""
