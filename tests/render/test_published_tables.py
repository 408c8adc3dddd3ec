"""Notebooks opened with default parameters read the published month, not raw data."""

from __future__ import annotations

from pmf_lib.config import load_config
from pmf_lib.render.month import published_tables


def _config(tmp_path):
    (tmp_path / "config.yaml").write_text(
        "council: {code: 938, name: Demo}\n"
        "data: {ssda903: x, cin_census: y, population: p.csv}\n"
        "outputs: out\n"
        "areas: {front_door: {title: Front door, kpis: [referrals_count]}}\n"
    )
    return load_config(tmp_path / "config.yaml", check_files=False)


def test_published_month_and_latest(tmp_path):
    config = _config(tmp_path)
    assert published_tables(config, "latest") == ("", "")
    for month, with_assessed in (("2026-08", True), ("2026-09", False)):
        d = tmp_path / "out" / month
        d.mkdir(parents=True)
        (d / "kpi_history.parquet").write_bytes(b"")
        if with_assessed:
            (d / "kpis.parquet").write_bytes(b"")
    (tmp_path / "out" / "2026-10").mkdir()  # a month folder with nothing published
    out = tmp_path / "out"
    assert published_tables(config, "2026-08") == (
        str(out / "2026-08" / "kpi_history.parquet"),
        str(out / "2026-08" / "kpis.parquet"),
    )
    # latest = the latest month with a published history (2026-10 has none).
    assert published_tables(config, "latest") == (str(out / "2026-09" / "kpi_history.parquet"), "")
    assert published_tables(config, "2026-10") == ("", "")
