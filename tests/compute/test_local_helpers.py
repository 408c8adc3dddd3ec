"""Helpers of the local dataset KPIs (``pmf_lib.compute.kpis._local``)."""

from __future__ import annotations

import doctest

import pandas as pd
import pytest

from pmf_lib.compute.kpis import _local


def test_module_examples_run():
    result = doctest.testmod(_local)
    assert result.attempted > 0 and result.failed == 0


def test_local_frame_types_columns_as_the_reader_and_rejects_unknown_columns():
    df = _local.local_frame(
        "workforce_monthly", month=["2025-03-31"], fte_in_post=[1.5], cases_held=[3]
    )
    assert str(df["fte_in_post"].dtype) == "Float64" and str(df["cases_held"].dtype) == "Int64"
    assert df["team"].isna().all()  # not given: missing
    with pytest.raises(ValueError, match="no column"):
        _local.local_frame("lado", nonsense=[1])
    with pytest.raises(ValueError, match="different lengths"):
        _local.local_frame("lado", lado_id=["a"], outcome=["ongoing", "ongoing"])


def test_within_working_days_boundaries():
    # Thu 24 Dec 2026 -> Tue 29 Dec: 25 Dec (Fri) and 28 Dec (Mon, substitute Boxing Day) are
    # bank holidays, so only 24 Dec counts: 1 working day.
    s = pd.Series(pd.to_datetime(["2026-12-24", "2026-12-24", None, "2026-12-24"]))
    e = pd.Series(pd.to_datetime(["2026-12-29", "2026-12-30", "2026-12-30", None]))
    assert _local.within_working_days(s, e, 1).tolist() == [True, False, False, False]


def test_previous_date_ignores_same_day_and_missing_keys():
    keys = pd.Series(["a", "a", "a", None], dtype="string")
    dates = pd.Series(pd.to_datetime(["2025-01-01", "2025-01-01", "2025-02-01", "2025-03-01"]))
    prev = _local.previous_date_by(keys, dates)
    assert prev.isna().tolist() == [True, True, False, True]
    assert prev.iloc[2] == pd.Timestamp("2025-01-01")
