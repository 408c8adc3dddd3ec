"""Charts: a real PNG, alt text that says what is drawn, SPC charts drawn from the SPC table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmf_lib.assess.spc import SpcOptions
from pmf_lib.assess.spc_table import kpi_spc
from pmf_lib.compute.registry import KpiMeta
from pmf_lib.render.charts import (
    PALETTE,
    VERDICT_MARKERS,
    alt_text,
    draw_spc_chart,
    spc_chart,
    trend_chart,
)

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


# ----------------------------------------------------------------------------- SPC charts
# Charts draw the published SPC table (pmf_lib.assess.spc_table); they compute nothing.


ENDS_36 = pd.date_range("2023-11-30", "2026-10-31", freq="ME")


def _meta(cadence, windows, polarity="higher_is_better") -> KpiMeta:
    return KpiMeta(
        id="k",
        title="K",
        area="a",
        unit="percent",
        polarity=polarity,
        windows=windows,
        source="s",
        definition="d",
        numerator="n",
        cadence=cadence,
    )


def _published(cadence, window, values, options=None, polarity="higher_is_better"):
    t = pd.DataFrame(
        {
            "kpi_id": "k",
            "window": window,
            "period_end": ENDS_36,
            "value": np.asarray(values, dtype=float),
            "numerator": 1.0,
            "denominator": 1.0,
        }
    )
    return kpi_spc(t, _meta(cadence, (window,), polarity), "2026-10", options)


def _lines(fig) -> dict:
    out = {}
    for line in fig.axes[0].lines:
        xs = pd.DatetimeIndex(pd.to_datetime(np.asarray(line.get_xdata()))).normalize()
        out[line.get_gid()] = pd.Series(np.asarray(line.get_ydata(), dtype=float), index=xs)
    return out


def test_spc_chart_draws_exactly_the_published_mean_and_limits_of_each_segment():
    # 29 months at 84/86 then 7 at 60/61, rebased from April 2026: two segments, each drawn
    # with its own mean and limits, exactly the table's values at exactly its points.
    values = [84.0, 86.0] * 14 + [84.0] + [60.0, 61.0] * 3 + [60.0]
    c = _published("monthly", "month", values, SpcOptions(rebase={"k": ["2026-04-01"]}))
    fig = draw_spc_chart(c, unit="percent", period_end="2026-10-31", months=36)
    lines = _lines(fig)
    rows = c.set_index("period_end")
    for seg in (0, 1):
        part = rows[rows["segment"] == seg]
        for name in ("mean", "upper", "lower"):
            drawn = lines[f"{name}-{seg}"]
            assert list(drawn.index) == list(part.index)
            assert drawn.to_numpy() == pytest.approx(part[name].to_numpy())
    assert lines["value"].to_numpy() == pytest.approx(rows["value"].to_numpy())
    labels = fig.axes[0].get_legend_handles_labels()[1]
    # Segment 1 has 7 points: trial limits, and the legend says so.
    assert "Trial limits (fewer than 12 points)" in labels and "Process limits" in labels
    # The alt text gives both periods' limits as drawn: segment 1 (60/61: mean 60.43, mR̄ 1,
    # limits ± 2.66) and segment 0 (84/86 and a final 84: mean 84.97).
    alt = spc_chart(c, title="K", unit="percent", period_end="2026-10-31", months=36).alt
    assert "Mean 60.4%, trial process limits 57.8% to 63.1% (fewer than 12 points), " in alt
    assert "recalculated from Apr 2026; before that, mean 85.0%" in alt


def test_rolling_chart_draws_no_limits_and_says_none():
    c = _published("rolling", "rolling_12m", range(36))
    fig = draw_spc_chart(c, unit="percent", period_end="2026-10-31", months=24)
    assert sorted(_lines(fig)) == ["value"]
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert "Mean" not in labels and not any("limits" in x.lower() for x in labels)
    alt = spc_chart(c, title="K", unit="percent", period_end="2026-10-31", months=24).alt
    assert alt.startswith("Trend chart")
    assert "A trend line only, no SPC: the points are rolling windows that overlap." in alt
    assert "process limits" not in alt.lower()


def test_quarterly_chart_joins_its_quarter_end_points_and_draws_every_line_it_names():
    # Quarter windows at every month end; the chart has the 12 quarter ends (Dec 2023 -
    # Sep 2026) only, each line drawn through all of them (not dots between NaN months).
    values = [(5.0 if e.month in (3, 9) else 7.0) if e.month % 3 == 0 else 999 for e in ENDS_36]
    c = _published("quarterly", "quarter", values)
    fig = draw_spc_chart(c, unit="count", period_end="2026-10-31", months=36)
    lines = _lines(fig)
    assert len(lines["value"]) == 12 and lines["value"].notna().all()
    assert {d.month for d in lines["value"].index} == {3, 6, 9, 12}
    assert lines["mean-0"].notna().all() and len(lines["mean-0"]) == 12
    handles, labels = fig.axes[0].get_legend_handles_labels()
    for handle, label in zip(handles, labels, strict=True):
        if label in ("Mean", "Process limits"):
            assert np.isfinite(np.asarray(handle.get_ydata(), dtype=float)).any()
    alt = spc_chart(c, title="K", unit="count", period_end="2026-10-31", months=36).alt
    assert "over 12 quarters to Sep 2026" in alt and "months" not in alt


def test_improvement_and_concern_have_different_colours_shapes_and_legend_text():
    colours = {v[0] for k, v in VERDICT_MARKERS.items() if k.endswith(("improvement", "concern"))}
    shapes = {v[1] for k, v in VERDICT_MARKERS.items() if k.endswith(("improvement", "concern"))}
    assert len(colours) == 2 and len(shapes) == 2
    # 26 points: 84/86 then a drop to 60 (concern for higher-is-better) is marked with the
    # concern marker, at exactly the points the table calls concern, and the legend says it.
    values = [84.0, 86.0] * 14 + [60.0] * 8
    c = _published("monthly", "month", values)
    fig = draw_spc_chart(c, unit="percent", period_end="2026-10-31", months=36)
    drawn = _lines(fig)["marker-special cause concern"]
    concern = c.loc[c["verdict"] == "special cause concern", "period_end"]
    assert list(drawn.index) == list(concern)
    assert "Special cause concern" in fig.axes[0].get_legend_handles_labels()[1]
    alt = spc_chart(c, title="K", unit="percent", period_end="2026-10-31", months=36).alt
    assert f"{len(concern)} months marked special cause concern" in alt


def test_alt_text_states_the_drawn_limits():
    values = [84.0, 86.0] * 18
    c = _published("monthly", "month", values)
    alt = spc_chart(c, title="K", unit="percent", period_end="2026-10-31", months=24).alt
    # 84/86 alternating: mean 85, mR̄ 2, limits 85 ± 5.32.
    assert "Mean 85.0%, process limits 79.7% to 90.3%." in alt


def test_every_demo_chart_draws_the_published_mean_and_limits(monkeypatch):
    # On the published demo month, every chart MonthData draws is given exactly its KPI's rows
    # of spc.parquet, and the lines it draws carry exactly those means and limits.
    from pathlib import Path

    import pmf_lib.render.blocks as month_module  # draws the charts MonthData gives
    from pmf_lib.render.month import MonthData

    root = Path(__file__).resolve().parents[2]
    published = root / "outputs" / "2026-10"
    if not (published / "spc.parquet").is_file():
        pytest.skip("the demo month is not published: run `pmf run --month 2026-10`")
    spc = pd.read_parquet(published / "spc.parquet")
    data = MonthData.load(
        root / "parameters" / "config.yaml",
        "2026-10",
        kpi_table=published / "kpi_history.parquet",
        assessed_table=published / "kpis.parquet",
    )
    given = {}

    def capture(chart, **kwargs):
        given[chart["kpi_id"].iloc[0]] = (chart, kwargs)
        return None

    monkeypatch.setattr(month_module, "spc_chart", capture)
    for kid in data.metas:
        data.chart(kid)
    assert set(given) == {
        k for k in data.metas if spc.loc[spc["kpi_id"] == k, "value"].notna().any()
    }
    for kid, (chart, kwargs) in given.items():
        rows = spc[spc["kpi_id"] == kid].reset_index(drop=True)
        pd.testing.assert_frame_equal(
            chart.reset_index(drop=True)[rows.columns], rows, check_dtype=False
        )
        fig = draw_spc_chart(
            chart, unit=kwargs["unit"], period_end=kwargs["period_end"], months=kwargs["months"]
        )
        lines = _lines(fig)
        shown = rows.set_index(pd.to_datetime(rows["period_end"]))
        for gid, line in lines.items():
            name, _, seg = gid.partition("-")
            if name in ("mean", "upper", "lower"):
                expect = shown.loc[line.index, name]
                assert (shown.loc[line.index, "segment"] == int(seg)).all(), (kid, gid)
                assert line.to_numpy() == pytest.approx(expect.to_numpy()), (kid, gid)
        if rows["chart"].iloc[0] == "trend":
            assert not [g for g in lines if g.startswith(("mean", "upper", "lower"))], kid
        else:  # every segment shown with limits has its mean and limits drawn
            span = shown.loc[shown.index.isin(lines["value"].index) & shown["upper"].notna()]
            for seg in set(span["segment"]):
                assert {f"mean-{seg}", f"upper-{seg}", f"lower-{seg}"} <= set(lines), (kid, seg)
