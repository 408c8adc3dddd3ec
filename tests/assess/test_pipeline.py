"""assess_for_config: the parts of the assess stage joined as the config says."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmf_lib.assess.pipeline import assess_for_config, configured_kpis
from pmf_lib.config import load_config
from pmf_lib.dates import month_ends
from pmf_lib.errors import PmfError

CONFIG = """\
council: {code: 938, name: Demo}
data: {ssda903: x, cin_census: y, population: p.csv}
targets: targets.yaml
areas:
  front_door: {title: Front door, kpis: [referrals_count, rereferrals_12m_pct]}
  cla: {title: CLA, kpis: [cla_count, rereferrals_12m_pct]}
"""
TARGETS = """\
rereferrals_12m_pct:
  - {from: 2020-01-01, target: 20, amber_tolerance: 2}
"""


def _config(tmp_path: Path, text: str = CONFIG):
    (tmp_path / "config.yaml").write_text(text)
    (tmp_path / "targets.yaml").write_text(TARGETS)
    return load_config(tmp_path / "config.yaml", check_files=False)


def _table() -> pd.DataFrame:
    # 24 months; re-referrals 20% each month (month and rolling 12m) until the last,
    # which is 25%: above the 20% target by more than the 2-point tolerance -> Red.
    ends = month_ends("2024-11-30", "2026-10-31")
    rows = []
    for i, end in enumerate(ends):
        pct = 25.0 if i == len(ends) - 1 else 20.0
        for window in ("month", "rolling_12m"):
            rows.append(("rereferrals_12m_pct", end, window, pct, pct, 100.0, "High"))
            rows.append(("referrals_count", end, window, 100.0 + i, 100.0 + i, np.nan, "High"))
        rows.append(("cla_count", end, "snapshot", 500.0, 500.0, np.nan, "Low"))
    t = pd.DataFrame(
        rows,
        columns=[
            "kpi_id",
            "period_end",
            "window",
            "value",
            "numerator",
            "denominator",
            "dq_confidence",
        ],
    )
    t["dq_error_share"] = np.where(t["dq_confidence"] == "Low", 0.2, 0.0)
    return t


def test_configured_kpis_in_area_order_each_once(tmp_path):
    metas = configured_kpis(_config(tmp_path))
    assert list(metas) == ["referrals_count", "rereferrals_12m_pct", "cla_count"]


def test_unknown_kpi_in_config_is_named(tmp_path):
    config = _config(tmp_path, CONFIG.replace("cla_count", "cla_cuont"))
    with pytest.raises(PmfError, match="cla_cuont") as e:
        configured_kpis(config)
    assert e.value.field == "areas.cla.kpis"


def test_assessed_rows_windows_targets_comparators_and_confidence(tmp_path):
    a = assess_for_config(_config(tmp_path), _table(), "2026-10").set_index("kpi_id")
    assert list(a.index) == ["referrals_count", "rereferrals_12m_pct", "cla_count"]
    # One headline window for every part: month for flows, snapshot for stocks;
    # direction of travel describes the same window as the value.
    assert a.loc["rereferrals_12m_pct", "window"] == "month"
    assert a.loc["cla_count", "window"] == "snapshot"
    assert (a["travel_window"] == a["window"]).all()
    # 25% against a 20% target with 2 points' tolerance, lower is better -> Red.
    assert a.loc["rereferrals_12m_pct", "rag"] == "Red"
    assert a.loc["referrals_count", "rag"] == "No target"
    # Counts are not compared across councils; a percentage with a DfE measure is.
    assert pd.isna(a.loc["referrals_count", "england"])
    assert pd.isna(a.loc["cla_count", "england"])
    assert a.loc["rereferrals_12m_pct", "england"] > 0
    assert a.loc["rereferrals_12m_pct", "own_rolling_12m"] == 25.0
    assert a.loc["rereferrals_12m_pct", "quartile"] in list("ABCD")
    # The data quality confidence of the headline figure travels with it.
    assert a.loc["cla_count", "dq_confidence"] == "Low"
    assert a.loc["rereferrals_12m_pct", "dq_confidence"] == "High"
