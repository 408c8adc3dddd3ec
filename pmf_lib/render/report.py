"""A service area's monthly report, as blocks of HTML a notebook shows one per cell.

The report notebook only loads an :class:`AreaReport` and calls its methods::

    report = AreaReport.load(config_path, area, month, kpi_table)
    report.title_block()
    report.headline_table()
    report.trend_charts()
    report.definitions()

Each method returns an :class:`IPython.display.HTML` object, so a cell ending
with the call shows it. Figures come from the tidy KPI table (written by
``pmf run`` or computed on the spot); nothing is recomputed from raw data here.

Examples
--------
>>> import pandas as pd
>>> from pmf_lib.compute.registry import KpiMeta
>>> from pmf_lib.config import Area, Config, Council, DataSources
>>> m = KpiMeta(id="referrals_count", title="Referrals", area="front_door", unit="count",
...             polarity="neutral", windows=("month",), source="CIN census",
...             definition="Referrals in the month.", numerator="Referrals")
>>> cfg = Config(council=Council(code=938, name="Demo Council"),
...              data=DataSources(ssda903=["a"], cin_census=["b"], population="p.csv"),
...              areas={"front_door": Area(title="Front door", kpis=["referrals_count"])})
>>> t = pd.DataFrame({"kpi_id": "referrals_count", "window": "month",
...                   "period_end": pd.to_datetime(["2026-09-30", "2026-10-31"]),
...                   "value": [1200.0, 1204.0], "numerator": [1200.0, 1204.0],
...                   "denominator": float("nan")})
>>> r = AreaReport.from_table(cfg, "front_door", "latest", t, metas={m.id: m})
>>> r.month
'2026-10'
>>> "<td class=\\"pmf-num\\">1,204</td>" in r.headline_table().data
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jinja2
import pandas as pd
from IPython.display import HTML

from pmf_lib.assess.travel import (
    DEFAULT_THRESHOLDS,
    NOT_AVAILABLE,
    Thresholds,
    headline_window,
    travel_table,
)
from pmf_lib.compute.engine import KPI_TABLE_COLUMNS
from pmf_lib.compute.registry import KpiMeta
from pmf_lib.config import Config, load_config
from pmf_lib.dates import month_end
from pmf_lib.errors import PmfError
from pmf_lib.render.charts import trend_chart
from pmf_lib.render.format import (
    MISSING,
    MISSING_NOTE,
    POLARITY_TEXT,
    UNIT_NAMES,
    format_change,
    format_date,
    format_month,
    format_month_long,
    format_value,
    window_label,
)

TEMPLATES = Path(__file__).resolve().parent / "templates"
TREND_MONTHS = 24
from pmf_lib.render.suppress import (  # noqa: E402
    SUPPRESSED,
    SUPPRESSED_NOTE,
    suppress_kpi_table,
    suppresses,
)

SAME_SCALE_UNITS = ("percent", "days", "mean", "ratio")
_MONTH_RE = r"\d{4}-(0[1-9]|1[0-2])"

_TRAVEL_CLASS = {
    "Improving": "improving",
    "Worsening": "worsening",
    "No change": "nochange",
    "Up": "neutral",
    "Down": "neutral",
    NOT_AVAILABLE: "na",
}


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES / "fragments")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_fragment(name: str, **context) -> str:
    """Render one of the HTML fragment templates (values are HTML-escaped)."""
    return _env().get_template(name).render(**context)


def read_kpi_table(path: str | Path) -> pd.DataFrame:
    """Read a tidy KPI table written by ``pmf run`` (``.parquet``) or ``pmf kpis`` (``.csv``).

    Raises
    ------
    PmfError
        When the file is missing, unreadable or lacks a column.
    """
    path = Path(path)
    if not path.is_file():
        raise PmfError("KPI table not found", file=path)
    try:
        if path.suffix.lower() == ".parquet":
            table = pd.read_parquet(path)
        elif path.suffix.lower() == ".csv":
            table = pd.read_csv(path)
        else:
            raise PmfError("expected a .parquet or .csv KPI table", file=path)
    except PmfError:
        raise
    except Exception as e:  # pyarrow and the CSV parser raise many types
        raise PmfError(f"cannot read the KPI table ({e})", file=path) from None
    return check_kpi_table(table, path)


def check_kpi_table(table: pd.DataFrame, source: str | Path = "KPI table") -> pd.DataFrame:
    """Check a KPI table's columns and types; return it with ``period_end`` as dates."""
    missing = [c for c in KPI_TABLE_COLUMNS if c not in table.columns]
    if missing:
        raise PmfError(f"missing column(s) {', '.join(missing)}", file=source, field=missing[0])
    table = table.copy()
    try:
        table["period_end"] = pd.to_datetime(table["period_end"]).dt.normalize()
    except (ValueError, TypeError) as e:
        raise PmfError(f"period_end is not a date ({e})", file=source, field="period_end") from None
    for col in ("value", "numerator", "denominator"):
        try:
            table[col] = pd.to_numeric(table[col]).astype(float)
        except (ValueError, TypeError) as e:
            raise PmfError(f"not a number ({e})", file=source, field=col) from None
    table["kpi_id"] = table["kpi_id"].astype(str)
    table["window"] = table["window"].astype(str)
    return table


def suppress_small_numbers(table: pd.DataFrame, units: Mapping[str, str] | None = None):
    """Withhold figures built on 1 to 4 children (see :mod:`pmf_lib.render.suppress`).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"kpi_id": "k", "window": "month", "period_end": pd.NaT,
    ...                   "value": [3.0, 40.0, 0.0, 75.0], "numerator": [3.0, 40.0, 0.0, 3.0],
    ...                   "denominator": [float("nan"), float("nan"), float("nan"), 4.0]})
    >>> suppress_small_numbers(t)[["value", "suppressed"]].to_dict("list")
    {'value': [nan, 40.0, 0.0, nan], 'suppressed': [True, False, False, True]}
    """
    return suppress_kpi_table(table, units or {})


def registry_metas() -> dict[str, KpiMeta]:
    """Every registered KPI's metadata."""
    from pmf_lib.compute.registry import all_kpis

    return {k: v.meta for k, v in all_kpis().items()}


@dataclass
class AreaReport:
    """One service area's report for one month.

    Build it with :meth:`load` (from files, as the notebook does) or
    :meth:`from_table` (from objects).
    """

    config: Config
    area_id: str
    period_end: pd.Timestamp
    table: pd.DataFrame
    metas: dict[str, KpiMeta]
    thresholds: Thresholds = field(default=DEFAULT_THRESHOLDS)
    months: int = TREND_MONTHS
    known_metas: dict[str, KpiMeta] = field(default_factory=dict, repr=False)

    # ---- construction ---------------------------------------------------
    @classmethod
    def load(
        cls,
        config_path: str | Path,
        area: str,
        month: str = "latest",
        kpi_table: str | Path = "",
        *,
        metas: Mapping[str, KpiMeta] | None = None,
        thresholds: Thresholds = DEFAULT_THRESHOLDS,
    ) -> AreaReport:
        """Load the config and the KPI table (or compute it) for one area and month.

        Parameters
        ----------
        config_path : str or Path
            The pmf config file.
        area : str
            A service area id in the config.
        month : str
            ``YYYY-MM`` or ``latest`` (the latest month of the KPI table, or of
            the data when the table is computed).
        kpi_table : str or Path
            A KPI table from ``pmf run`` (``kpis.parquet``) or ``pmf kpis`` (CSV);
            empty to read the council's data and compute it now.
        metas : mapping, optional
            KPI metadata by id (default: the registry).
        thresholds : Thresholds
            Direction-of-travel thresholds.
        """
        import re

        if month != "latest" and not re.fullmatch(_MONTH_RE, str(month)):
            raise PmfError(f"expected YYYY-MM or 'latest', got {month!r}", field="month")
        config = load_config(config_path, check_files=not kpi_table)
        if kpi_table:
            table = read_kpi_table(kpi_table)
        else:
            from pmf_lib.compute import build_kpi_table, resolve_month
            from pmf_lib.read import load_sources

            data = load_sources(config)
            month = resolve_month(month, data)
            table = build_kpi_table(config, month, data)
        return cls.from_table(
            config,
            area,
            month,
            table,
            metas=metas,
            thresholds=thresholds,
            source=kpi_table or "computed KPI table",
        )

    @classmethod
    def from_table(
        cls,
        config: Config,
        area: str,
        month: str,
        table: pd.DataFrame,
        *,
        metas: Mapping[str, KpiMeta] | None = None,
        thresholds: Thresholds = DEFAULT_THRESHOLDS,
        source: str | Path = "KPI table",
    ) -> AreaReport:
        """A report from a loaded config and KPI table (see :meth:`load`)."""
        if area not in config.areas:
            raise PmfError(
                f"unknown service area {area!r}; the config has {', '.join(config.areas)}",
                field="area",
            )
        table = check_kpi_table(table, source)
        if table.empty:
            raise PmfError("the KPI table has no rows", file=source)
        if month == "latest":
            period_end = table["period_end"].max()
        else:
            period_end = month_end(month)
            if not (table["period_end"] == period_end).any():
                last = table["period_end"].max()
                raise PmfError(
                    f"no figures for {month} (the table ends {last:%Y-%m})",
                    file=source,
                    field="period_end",
                )
        all_metas = dict(metas) if metas is not None else registry_metas()
        chosen: dict[str, KpiMeta] = {}
        for kid in config.areas[area].kpis:
            if kid not in all_metas:
                raise PmfError(
                    f"unknown KPI id {kid!r} (not in the KPI registry)", field=f"areas.{area}.kpis"
                )
            if not (table["kpi_id"] == kid).any():
                raise PmfError(f"no figures for KPI {kid!r}", file=source, field="kpi_id")
            chosen[kid] = all_metas[kid]
        ids = list(chosen)
        table = table[table["kpi_id"].isin(ids) & (table["period_end"] <= period_end)]
        if suppresses(config.audience):
            table = suppress_small_numbers(table, {k: m.unit for k, m in chosen.items()})
        return cls(
            config,
            area,
            pd.Timestamp(period_end),
            table.reset_index(drop=True),
            chosen,
            thresholds,
            known_metas=all_metas,
        )

    # ---- facts ----------------------------------------------------------
    @property
    def month(self) -> str:
        """The report month as ``YYYY-MM``."""
        return self.period_end.strftime("%Y-%m")

    @property
    def title(self) -> str:
        """The area's title from the config."""
        return self.config.areas[self.area_id].title

    def series(self, kpi_id: str, window: str | None = None) -> pd.Series:
        """A KPI's values by period end in one window (its headline window by default)."""
        window = window or headline_window(self.metas[kpi_id])
        t = self.table[(self.table["kpi_id"] == kpi_id) & (self.table["window"] == window)]
        return t.set_index("period_end")["value"].sort_index()

    def _shown(self, kpi_id: str, window: str, when, value, unit: str) -> str:
        """A headline figure as shown: formatted, or ``c`` where it was suppressed."""
        if "suppressed" in self.table.columns:
            t = self.table
            hit = t[(t["kpi_id"] == kpi_id) & (t["window"] == window) & (t["period_end"] == when)]
            if len(hit) and bool(hit["suppressed"].iloc[0]):
                return SUPPRESSED
        return format_value(value, unit)

    def travel(self) -> pd.DataFrame:
        """Direction of travel for the area's KPIs (see :func:`travel_table`)."""
        return travel_table(self.table, self.metas, self.period_end, thresholds=self.thresholds)

    # ---- HTML blocks ----------------------------------------------------
    def title_block(self) -> HTML:
        """The report's title, month and area facts."""
        area = self.config.areas[self.area_id]
        return HTML(
            render_fragment(
                "title_block.html.j2",
                council=self.config.council.name,
                title=area.title,
                month_long=format_month_long(self.period_end),
                period_end_text=format_date(self.period_end),
                head_of_service=area.head_of_service,
                n_kpis=len(self.metas),
                audience=self.config.audience.capitalize(),
            )
        )

    def headline_table(self) -> HTML:
        """Per KPI: latest value, previous month, same month last year and direction of travel."""
        tr = self.travel()
        rows, any_missing, any_suppressed = [], False, False
        for r in tr.itertuples(index=False):
            m = self.metas[r.kpi_id]
            values = [
                self._shown(r.kpi_id, r.window, when, v, m.unit)
                for when, v in (
                    (r.period_end, r.value),
                    (r.previous_end, r.previous_value),
                    (r.year_earlier_end, r.year_earlier_value),
                )
            ]
            any_missing |= MISSING in values
            any_suppressed |= SUPPRESSED in values
            rows.append(
                {
                    "title": m.title,
                    "window": window_label(r.window, self.period_end),
                    "value": values[0],
                    "previous": values[1],
                    "year_earlier": values[2],
                    "previous_symbol": r.previous_symbol,
                    "previous_label": r.previous_label,
                    "previous_class": _TRAVEL_CLASS[r.previous_label],
                    "previous_change": _change_text(r.previous_change, m.unit),
                    "year_symbol": r.year_earlier_symbol,
                    "year_label": r.year_earlier_label,
                    "year_class": _TRAVEL_CLASS[r.year_earlier_label],
                    "year_change": _change_text(r.year_earlier_change, m.unit),
                }
            )
        t = self.thresholds
        note = (
            f"Changes smaller than {t.percent_points:g} percentage point"
            f"{'s' if t.percent_points != 1 else ''} (percentages) or {100 * t.relative:g}% of "
            "the earlier value (other measures) count as no change. “Improving” and "
            "“Worsening” follow each measure's polarity; measures of demand show “Up” or “Down”."
        )
        return HTML(
            render_fragment(
                "headline_table.html.j2",
                rows=rows,
                month=format_month(self.period_end),
                month_long=format_month_long(self.period_end),
                previous_month=format_month(tr["previous_end"].iloc[0]) if len(tr) else "",
                year_month=format_month(tr["year_earlier_end"].iloc[0]) if len(tr) else "",
                threshold_note=note,
                any_missing=any_missing,
                missing_note=MISSING_NOTE,
                any_suppressed=any_suppressed,
                suppressed_note=SUPPRESSED_NOTE,
            )
        )

    def assessed(self) -> pd.DataFrame:
        """The area's KPIs assessed for the month: target and RAG, SPC, flags and sentences.

        Uses :func:`pmf_lib.assess.assess_month` with the config's targets file
        and SPC settings (no targets file: every KPI is "No target").
        """
        from pmf_lib.assess import SpcOptions, assess_month, load_targets

        targets = None
        if self.config.targets_file:
            targets = load_targets(self.config.targets_file, self.known_metas or self.metas)
        spc = self.config.spc
        options = SpcOptions(
            baseline_points=spc.baseline_points,
            screen_outliers=spc.screen_outliers,
            rebase={k: list(v) for k, v in spc.rebase.items()},
        )
        return assess_month(
            self.table, self.metas, self.period_end, targets=targets, spc_options=options
        )

    def assessment(self) -> HTML:
        """Targets and RAG ratings, SPC variation and assurance, and a sentence per KPI."""
        a = self.assessed()
        rows, sentences = [], []
        for r in a.itertuples(index=False):
            m = self.metas[r.kpi_id]
            rows.append(
                {
                    "title": m.title,
                    "window": window_label(r.window, self.period_end),
                    "value": self._shown(r.kpi_id, r.window, self.period_end, r.value, m.unit),
                    "target": "None set" if pd.isna(r.target) else format_value(r.target, m.unit),
                    "rag": r.rag,
                    "rag_class": str(r.rag).lower().replace(" ", "-"),
                    "variation": _sentence_case(r.variation),
                    "assurance": _sentence_case(r.assurance),
                }
            )
            kind = "Exception" if r.exception else ("Good practice" if r.good_practice else "")
            if isinstance(r.sentence, str) and r.sentence:
                sentences.append({"kind": kind, "text": r.sentence})
        note = (
            "Ratings compare the figure with the target in force for the month. Variation and "
            "assurance follow NHS England's Making Data Count: an XmR chart of the monthly "
            "figures, with special cause variation where a point falls outside the process "
            "limits or a run, trend or pattern appears. Assurance needs a target; – means no "
            "target or not enough data for SPC."
        )
        return HTML(
            render_fragment(
                "assessment.html.j2",
                rows=rows,
                sentences=sentences,
                month_long=format_month_long(self.period_end),
                note=note,
            )
        )

    def trend_charts(self) -> HTML:
        """One 24-month line chart per KPI, each an ``<img>`` with descriptive alt text."""
        charts = []
        for kid, m in self.metas.items():
            kind = headline_window(m)
            label = window_label(kind, self.period_end)
            secondary = None
            # Single months beside a rolling 12 months share a scale only for
            # percentages and averages (a month's count is a twelfth of a year's).
            if kind == "rolling_12m" and "month" in m.windows and m.unit in SAME_SCALE_UNITS:
                secondary = self.series(kid, "month")
            title = f"{m.title} ({_window_name(kind)})"
            chart = trend_chart(
                self.series(kid, kind),
                title=title,
                unit=m.unit,
                period_end=self.period_end,
                months=self.months,
                secondary=secondary,
                series_label=_window_name(kind).capitalize() if secondary is not None else "",
                secondary_label="Single months" if secondary is not None else "",
                thresholds=self.thresholds,
            )
            caption = (
                f"{m.title}, {label}: {UNIT_NAMES[m.unit]}, each month for "
                f"{self.months} months. {POLARITY_TEXT[m.polarity]}."
            )
            charts.append(
                {
                    "kpi_id": kid,
                    "title": m.title,
                    "caption": caption,
                    "img": _markup(chart.to_html()),
                }
            )
        return HTML(render_fragment("trend_charts.html.j2", charts=charts))

    def definitions(self) -> HTML:
        """Each KPI's definition, numerator, denominator, source and polarity (registry)."""
        items = []
        for kid, m in self.metas.items():
            items.append(
                {
                    "id": kid,
                    "title": m.title,
                    "definition": m.definition,
                    "numerator": m.numerator,
                    "denominator": m.denominator or "None: the measure is a count",
                    "unit": UNIT_NAMES[m.unit].capitalize(),
                    "windows": "; ".join(_window_name(w) for w in m.windows),
                    "polarity": POLARITY_TEXT[m.polarity],
                    "source": m.source,
                    "comparator": m.comparator,
                }
            )
        return HTML(render_fragment("definitions.html.j2", items=items))


_WINDOW_NAMES = {
    "month": "single month",
    "rolling_12m": "rolling 12 months",
    "quarter": "rolling 3 months",
    "fytd": "financial year to date",
    "snapshot": "at the month end",
}


def _window_name(kind: str) -> str:
    return _WINDOW_NAMES.get(kind, kind)


def _sentence_case(text) -> str:
    if not isinstance(text, str) or not text:
        return MISSING
    return text[0].upper() + text[1:]


def _change_text(change: float, unit: str) -> str:
    text = format_change(change, unit)
    return "" if text == MISSING else text


def _markup(html: str):
    from markupsafe import Markup

    return Markup(html)  # built by Chart.to_html, which escapes the alt text
