"""Atomic writes: the old file survives a failed write; no temporary file is left."""

from __future__ import annotations

import pandas as pd
import pytest

from pmf_lib.publish.atomic import (
    atomic_path,
    write_csv_atomic,
    write_json_atomic,
    write_parquet_atomic,
    write_text_atomic,
)


def test_failed_write_keeps_the_old_file(tmp_path):
    target = write_text_atomic("old\n", tmp_path / "report.html")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half a new rep")
        raise RuntimeError("export failed")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_csv_parquet_json(tmp_path):
    df = pd.DataFrame(
        {"kpi_id": ["a"], "period_end": pd.to_datetime(["2026-10-31"]), "value": [71.2]}
    )
    assert write_csv_atomic(df, tmp_path / "k.csv").read_text() == (
        "kpi_id,period_end,value\na,2026-10-31,71.2\n"
    )
    back = pd.read_parquet(write_parquet_atomic(df, tmp_path / "k.parquet"))
    pd.testing.assert_frame_equal(back, df, check_dtype=False)
    assert write_json_atomic({"é": 1}, tmp_path / "r.json").read_text() == '{\n  "é": 1\n}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.csv", "k.parquet", "r.json"]
