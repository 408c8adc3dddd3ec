"""Trend charts: a real PNG, and alt text stating the latest value and the trend."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmf_lib.render.charts import PALETTE, alt_text, trend_chart

MONTHS = pd.date_range("2024-11-30", "2026-10-31", freq="ME")  # 24 month ends


def series(values) -> pd.Series:
    return pd.Series(values, index=MONTHS[-len(values) :], dtype=float)


def test_alt_text_down_from_a_year_earlier():
    # Oct 2025 (12 months before Oct 2026) is 84.0; Oct 2026 is 71.2: down.
    values = [80.0] * 24
    values[-13], values[-1] = 84.0, 71.2
    text = alt_text("Assessments within 45 working days", series(values), "percent", "2026-10-31")
    assert text == (
        "Line chart of Assessments within 45 working days over 24 months to "
        "Oct 2026; latest 71.2%, down from 84.0% a year earlier."
    )


def test_alt_text_up_about_the_same_and_counts_formatted():
    values = [1000.0] * 24
    values[-1] = 1250.0  # +25 % on Oct 2025's 1,000
    assert "latest 1,250, up from 1,000 a year earlier" in alt_text(
        "Referrals", series(values), "count", "2026-10-31"
    )
    values[-1] = 1010.0  # +1 %: within the 2 % threshold
    assert "latest 1,010, about the same as 1,000 a year earlier" in alt_text(
        "Referrals", series(values), "count", "2026-10-31"
    )


def test_alt_text_missing_values_are_said():
    values = [50.0] * 24
    values[3] = values[4] = np.nan
    text = alt_text("X", series(values), "percent", "2026-10-31")
    assert text.endswith("2 earlier months have no figure.")
    values[-1] = np.nan
    text = alt_text("X", series(values), "percent", "2026-10-31")
    assert "no figure for Oct 2026 and 50.0% a year earlier" in text


def test_alt_text_with_short_history():
    # Only 6 months of figures: nothing a year earlier.
    text = alt_text("Referrals", series([10.0] * 6), "count", "2026-10-31")
    assert "latest 10, no figure a year earlier." in text


def test_trend_chart_png_and_html():
    values = list(np.linspace(60, 72, 24))
    chart = trend_chart(
        series(values),
        title="Re-referrals",
        unit="percent",
        period_end="2026-10-31",
        secondary=series([65.0] * 24),
        series_label="Rolling 12 months",
        secondary_label="Single months",
    )
    assert chart.png.startswith(b"\x89PNG\r\n\x1a\n")
    assert "latest 72.0%" in chart.alt
    assert chart.alt.endswith("A dashed line shows single months.")
    html = chart.to_html()
    assert html.startswith('<img class="pmf-chart" src="data:image/png;base64,')
    assert 'alt="Line chart of Re-referrals over 24 months to Oct 2026' in html
    assert "http" not in html


def test_palette_is_okabe_ito():
    assert PALETTE[:2] == ["#0072B2", "#E69F00"]
