"""A month's figures as every report reads them, and the HTML blocks the reports share.

:class:`MonthData` loads the config, the tidy KPI history (``kpi_history.parquet``)
and the month's assessed table (``kpis.parquet``, from
:func:`pmf_lib.assess.assess_for_config`) once. For an audience of members or the
public it reads them through the one suppression decision,
:func:`pmf_lib.assess.disclosure.published_tables`, before any block is built, so
every table, tile, chart, alt text, breakdown and sentence shows the same
suppressed view; render only reads its ``suppressed`` flags.

Examples
--------
>>> rag_class("Red"), rag_class("No target")
('red', 'no-target')
>>> variation_badge("special cause concern")["text"]
'Special cause concern'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jinja2
import pandas as pd
from IPython.display import HTML
from markupsafe import Markup

from pmf_lib.assess.assessed import headline_window
from pmf_lib.assess.exceptions import FLAG_LABELS
from pmf_lib.assess.spc import SpcOptions
from pmf_lib.compute.registry import KpiMeta
from pmf_lib.config import Config, load_config
from pmf_lib.dates import month_end
from pmf_lib.errors import PmfError
from pmf_lib.render.charts import spc_chart
from pmf_lib.render.commentary import Commentary, read_commentary
from pmf_lib.render.format import (
    MISSING,
    POLARITY_TEXT,
    UNIT_NAMES,
    format_change,
    format_date,
    format_month,
    format_month_long,
    format_value,
    is_missing,
    window_label,
)
from pmf_lib.render.suppress import WITHHELD, Disclosure, subject_noun, suppresses

TEMPLATES = Path(__file__).resolve().parent / "templates"
CHART_MONTHS = 24
_MONTH_RE = re.compile(r"\d{4}-(0[1-9]|1[0-2])")

#: Variation icon label -> (CSS class, symbol). The symbol is decoration: the text says it.
VARIATION_BADGES = {
    "special cause improvement": ("improvement", "▲"),
    "special cause concern": ("concern", "▼"),
    "common cause": ("common", "●"),
    "special cause high": ("neutral", "▲"),
    "special cause low": ("neutral", "▼"),
}
ASSURANCE_BADGES = {
    "consistently passing": ("passing", "P"),
    "consistently failing": ("failing", "F"),
    "hit and miss": ("hitmiss", "?"),
}
TRAVEL_CLASSES = {
    "Improving": "improving",
    "Worsening": "worsening",
    "No change": "nochange",
    "Up": "neutral",
    "Down": "neutral",
}


#: The KPI whose ethnicity breakdown is the reference make-up (all children in need).
ETHNICITY_REFERENCE_KPI = "cin_count"

#: Headings of the breakdown dimensions.
DIMENSION_LABELS = {
    "age_band": "Age band",
    "sex": "Sex",
    "ethnicity": "Ethnicity (DfE major group)",
    "team": "Team",
}

_BREAKDOWNS_TEMPLATE = """\
{% if items %}
<div class="pmf-breakdowns">
{% for k in items %}
<section class="pmf-breakdown" id="breakdown-{{ k.id }}"\
 aria-labelledby="breakdown-{{ k.id }}-title">
<h3 id="breakdown-{{ k.id }}-title">{{ k.title }}: {{ k.window }}</h3>
{% for t in k.tables %}
<table class="pmf-table pmf-breakdown-table">
<caption>{{ k.title }} by {{ t.dimension | lower }} ({{ k.window }})</caption>
<thead><tr><th scope="col">{{ t.dimension }}</th><th scope="col">{{ k.unit | capitalize }}</th>\
{% if t.is_count %}<th scope="col">Share of total</th>{% endif %}</tr></thead>
<tbody>
{% for r in t.rows %}
<tr><th scope="row">{{ r.group }}</th><td>{{ r.figure }}</td>\
{% if t.is_count %}<td>{{ r.share }}</td>{% endif %}</tr>
{% endfor %}
</tbody>
</table>
{% for c in t.charts %}
<figure class="pmf-breakdown-chart">
{{ c.img }}
<figcaption>{{ c.caption }}</figcaption>
</figure>
{% endfor %}
{% endfor %}
</section>
{% endfor %}
{% if note %}<p class="pmf-note">{{ note }}</p>{% endif %}
</div>
{% else %}
<p class="pmf-note">No breakdowns are available for these measures this month.</p>
{% endif %}
"""


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES / "fragments")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, **context) -> HTML:
    """A fragment template rendered as an :class:`IPython.display.HTML` (values escaped)."""
    return HTML(_env().get_template(name).render(**context))


def rag_class(rag) -> str:
    """The CSS class suffix of a RAG rating."""
    return str(rag or "none").lower().replace(" ", "-")


def _sentence_case(text) -> str:
    if not isinstance(text, str) or not text:
        return MISSING
    return text[0].upper() + text[1:]


def variation_badge(label) -> dict:
    """An SPC variation icon as text, class and decorative symbol."""
    if not isinstance(label, str) or label not in VARIATION_BADGES:
        return {"text": "Not enough data", "cls": "none", "symbol": "–"}
    cls, symbol = VARIATION_BADGES[label]
    return {"text": _sentence_case(label), "cls": cls, "symbol": symbol}


def assurance_badge(label) -> dict:
    """An SPC assurance icon as text, class and decorative symbol."""
    if not isinstance(label, str) or label not in ASSURANCE_BADGES:
        return {"text": "No target or not enough data", "cls": "none", "symbol": "–"}
    cls, symbol = ASSURANCE_BADGES[label]
    return {"text": _sentence_case(label), "cls": cls, "symbol": symbol}


def _read_table(path: str | Path, what: str) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise PmfError(f"{what} not found", file=path)
    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        if path.suffix.lower() == ".csv":
            return pd.read_csv(path)
    except Exception as e:  # pyarrow and the CSV parser raise many types
        raise PmfError(f"cannot read the {what} ({e})", file=path) from None
    raise PmfError(f"expected a .parquet or .csv {what}", file=path)


def published_tables(config: Config, month: str) -> tuple[str, str]:
    """The KPI history and assessed table a batch published for ``month``, if any.

    Returns ``("", "")`` when the month (or, for ``latest``, any month) has not
    been published in ``config.outputs_dir``.
    """
    out = config.outputs_dir
    if month == "latest":
        months = sorted(
            d
            for d in out.glob("[0-9][0-9][0-9][0-9]-[0-9][0-9]")
            if (d / "kpi_history.parquet").is_file()
        )
        folder = months[-1] if months else None
    else:
        folder = out / month
    if folder is None or not (folder / "kpi_history.parquet").is_file():
        return "", ""
    assessed = folder / "kpis.parquet"
    return str(folder / "kpi_history.parquet"), str(assessed) if assessed.is_file() else ""


@dataclass
class MonthData:
    """The config, KPI history and assessed table of one month, as reports show them."""

    config: Config
    period_end: pd.Timestamp
    history_full: pd.DataFrame
    history: pd.DataFrame
    assessed: pd.DataFrame
    metas: dict[str, KpiMeta]
    commentary_dir: Path | None = None
    targets: object = None
    spc_options: SpcOptions = field(default_factory=SpcOptions)
    #: KPI breakdowns by group (``breakdowns.parquet``; None: not published).
    breakdowns: pd.DataFrame | None = None
    #: The month's SPC table (``spc.parquet``): every chart's points, limits and verdicts.
    spc: pd.DataFrame | None = None
    #: The suppression rule (None: an internal audience, every figure shown).
    rules: Disclosure | None = None

    # ---- construction ---------------------------------------------------------
    @classmethod
    def load(
        cls,
        config_path: str | Path,
        month: str,
        kpi_table: str | Path = "",
        assessed_table: str | Path = "",
        commentary_dir: str | Path = "",
    ) -> MonthData:
        """Load a month's figures as the report notebooks do.

        Parameters
        ----------
        config_path : str or Path
            The pmf config (the batch passes the month's resolved copy).
        month : str
            ``YYYY-MM`` (or ``latest``: the last month of the KPI history).
        kpi_table : str or Path
            The tidy KPI history (``kpi_history.parquet``); empty: the month's
            published tables in the config's outputs folder (the latest published
            month for ``latest``), or, if none is published, read the data and
            compute it now.
        assessed_table : str or Path
            The month's assessed table (``kpis.parquet``); empty: assess now.
        commentary_dir : str or Path
            Where the month's commentary files are (empty: none).
        """
        if month != "latest" and not _MONTH_RE.fullmatch(str(month)):
            raise PmfError(f"expected YYYY-MM or 'latest', got {month!r}", field="month")
        if not kpi_table:
            config = load_config(config_path, check_files=False)
            kpi_table, published_assessed = published_tables(config, month)
            assessed_table = assessed_table or published_assessed
        config = load_config(config_path, check_files=not kpi_table)
        breakdowns = None
        spc_points = None
        if kpi_table:
            history = _read_table(kpi_table, "KPI history")
            beside = Path(kpi_table).parent / "breakdowns.parquet"
            if beside.is_file():
                breakdowns = _read_table(beside, "breakdowns table")
            published_spc = Path(kpi_table).parent / "spc.parquet"
            if assessed_table and published_spc.is_file():
                spc_points = _read_table(published_spc, "SPC table")
        else:
            from pmf_lib.compute import build_kpi_table, inputs_from_sources, resolve_month
            from pmf_lib.compute.breakdowns import compute_breakdowns
            from pmf_lib.read import load_sources

            data = load_sources(config)
            month = resolve_month(month, data)
            history = build_kpi_table(config, month, data)
            breakdowns = compute_breakdowns(inputs_from_sources(data), month_end(month))
        assessed = _read_table(assessed_table, "assessed table") if assessed_table else None
        return cls.from_tables(
            config,
            month,
            history,
            assessed,
            commentary_dir=commentary_dir,
            breakdowns=breakdowns,
            spc=spc_points,
        )

    @classmethod
    def from_tables(
        cls,
        config: Config,
        month: str,
        history: pd.DataFrame,
        assessed: pd.DataFrame | None = None,
        *,
        commentary_dir: str | Path | None = None,
        breakdowns: pd.DataFrame | None = None,
        spc: pd.DataFrame | None = None,
    ) -> MonthData:
        """From loaded tables (``assessed`` None: assess with the config now).

        ``spc`` is the month's published SPC table (``spc.parquet``); None: made
        now by the assess stage from the history, as the batch makes it.

        For members and the public every table is read through
        :func:`~pmf_lib.assess.disclosure.published_tables` (tables already
        published in that form give themselves back).
        """
        from pmf_lib.assess import load_targets
        from pmf_lib.assess.pipeline import (
            assess_for_config,
            configured_kpis,
            spc_for_config,
            spc_options_for,
        )
        from pmf_lib.assess.spc_table import suppress_spc_table

        history = history.copy()
        history["period_end"] = pd.to_datetime(history["period_end"]).dt.normalize()
        if history.empty:
            raise PmfError("the KPI history has no rows", field="kpi_table")
        if month == "latest":
            month = history["period_end"].max().strftime("%Y-%m")
        end = month_end(month)
        if not (history["period_end"] == end).any():
            raise PmfError(
                f"the KPI history has no figures for {month} (it ends "
                f"{history['period_end'].max():%Y-%m})",
                field="month",
            )
        history = history[history["period_end"] <= end]
        metas = configured_kpis(config)
        if assessed is None:
            assessed = assess_for_config(config, history, month)
        if spc is None:
            spc = spc_for_config(config, history, month)
        spc = spc.assign(period_end=pd.to_datetime(spc["period_end"]).dt.normalize())
        assessed = assessed.copy()
        assessed["period_end"] = pd.to_datetime(assessed["period_end"]).dt.normalize()
        missing = [k for k in metas if k not in set(assessed["kpi_id"])]
        if missing:
            raise PmfError(
                f"the assessed table has no row for {', '.join(missing)}", field="assessed_table"
            )
        rules = Disclosure.from_config(config)
        if rules is not None:
            from pmf_lib.assess.disclosure import published_tables as suppressed_view

            view = suppressed_view(history, assessed, breakdowns, metas, rules)
            # Charts and their SPC limits are drawn from the shown figures only: limits
            # or a mean over a withheld point would let it be worked out.
            shown, assessed, breakdowns = view.history, view.assessed, view.breakdowns
            full = shown
            spc = suppress_spc_table(spc, shown)
        else:
            full = history
            shown = history.assign(suppressed=False)
            assessed = assessed.assign(suppressed=False)
        targets = load_targets(config.targets_file, metas) if config.targets_file else None
        options = spc_options_for(config)
        return cls(
            config=config,
            period_end=end,
            history_full=full,
            history=shown,
            assessed=assessed.set_index("kpi_id", drop=False),
            metas=metas,
            commentary_dir=Path(commentary_dir) if commentary_dir else None,
            targets=targets,
            spc_options=options,
            breakdowns=breakdowns,
            rules=rules,
            spc=spc,
        )

    # ---- facts ----------------------------------------------------------------
    @property
    def month(self) -> str:
        """``YYYY-MM``."""
        return self.period_end.strftime("%Y-%m")

    @property
    def month_long(self) -> str:
        """``October 2026``."""
        return format_month_long(self.period_end)

    @property
    def suppressing(self) -> bool:
        """Whether small numbers are withheld for this audience."""
        return suppresses(self.config.audience)

    @property
    def withheld_text(self) -> str:
        """What a withheld figure reads (the config's wording)."""
        return (self.rules or Disclosure()).text

    def suppressed_note(
        self, areas: list[str] | None = None, kpi_ids: list[str] | None = None
    ) -> str:
        """The note explaining withheld figures, naming what the figures count.

        ``areas`` (configured area ids, default all) or ``kpi_ids``: the KPIs
        whose subject ("children", "referrals", ...) the note names.
        """
        if kpi_ids is None:
            chosen = areas if areas is not None else list(self.config.areas)
            kpi_ids = [k for a in chosen if a in self.config.areas for k in self.area_kpis(a)]
        return (self.rules or Disclosure()).note(subject_noun(self._areas_of(kpi_ids)))

    def _value_text(self, value, unit: str, suppressed: bool = False) -> str:
        return self.withheld_text if suppressed else format_value(value, unit)

    def area_kpis(self, area: str) -> list[str]:
        """An area's KPI ids, in report order."""
        if area not in self.config.areas:
            raise PmfError(
                f"unknown service area {area!r}; the config has {', '.join(self.config.areas)}",
                field="area",
            )
        return list(self.config.areas[area].kpis)

    def row(self, kpi_id: str) -> pd.Series:
        """The KPI's assessed row."""
        return self.assessed.loc[kpi_id]

    def commentary(self, area: str) -> Commentary:
        """The area's commentary for the month (empty when none was written)."""
        return read_commentary(self.commentary_dir, area, self.month)

    # ---- rows for tables -------------------------------------------------------
    def kpi_facts(self, kpi_id: str) -> dict:
        """Everything a table row shows for one KPI, formatted.

        A withheld figure reads the configured wording, and its rating, direction,
        SPC icons and quartile read "Withheld" (the suppressed view has blanked them).
        """
        r = self.row(kpi_id)
        m = self.metas[kpi_id]
        sup = bool(r.get("suppressed", False))
        label = r.get("previous_label")
        change = "" if sup else format_change(r.get("previous_change"), m.unit)
        comps = {}
        for key in ("england", "region", "sn"):
            v = r.get(key)
            comps[key] = MISSING if is_missing(v) else format_value(v, m.unit)
        quartile = r.get("quartile")
        dq = r.get("dq_confidence")
        flags = [f for f in str(r.get("exception_flags") or "").split("; ") if f]
        good = [f for f in str(r.get("good_practice_flags") or "").split("; ") if f]
        facts = {
            "kpi_id": kpi_id,
            "title": m.title,
            "window": window_label(r["window"], self.period_end),
            "value": self._value_text(r["value"], m.unit, sup),
            "target": MISSING if is_missing(r.get("target")) else format_value(r["target"], m.unit),
            "baseline": ""
            if is_missing(r.get("target_baseline"))
            else format_value(r["target_baseline"], m.unit),
            "review_by": ""
            if is_missing(r.get("target_review_by"))
            else format_date(r["target_review_by"]),
            "rag": str(r.get("rag") or "No target"),
            "rag_class": rag_class(r.get("rag")),
            "travel": str(label) if isinstance(label, str) else "Not available",
            "travel_class": TRAVEL_CLASSES.get(label, "na"),
            "travel_symbol": str(r.get("previous_symbol") or ""),
            "travel_change": "" if change == MISSING else change,
            "variation": variation_badge(r.get("variation")),
            "assurance": assurance_badge(r.get("assurance")),
            "england": comps["england"],
            "region": comps["region"],
            "sn": comps["sn"],
            "quartile": quartile if isinstance(quartile, str) and quartile else MISSING,
            "dq": dq if isinstance(dq, str) and dq else "Not assessed",
            "exception": bool(r.get("exception", False)),
            "good_practice": bool(r.get("good_practice", False)),
            "flags": [FLAG_LABELS.get(f, f) for f in flags],
            "good_flags": [FLAG_LABELS.get(f, f) for f in good],
            "sentence": str(r.get("sentence") or ""),
            "suppressed": sup,
        }
        if sup:
            withheld = {"text": WITHHELD, "cls": "none", "symbol": "–"}
            facts.update(
                rag=WITHHELD,
                rag_class="withheld",
                travel=WITHHELD,
                travel_class="na",
                travel_symbol="",
                travel_change="",
                variation=withheld,
                assurance=dict(withheld),
                quartile=WITHHELD,
                exception=False,
                good_practice=False,
                flags=[],
                good_flags=[],
            )
        return facts

    def flagged(self, areas: list[str] | None = None) -> tuple[list[dict], list[dict], list[dict]]:
        """Reds, exceptions and good practice (as :meth:`kpi_facts`) for areas (default all)."""
        reds, exceptions, good = [], [], []
        for area in areas if areas is not None else list(self.config.areas):
            for kid in self.area_kpis(area):
                f = {**self.kpi_facts(kid), "area": area, "area_title": self._area_title(area)}
                if f["rag"] == "Red":
                    reds.append(f)
                if f["exception"]:
                    exceptions.append(f)
                if f["good_practice"]:
                    good.append(f)
        return reds, exceptions, good

    def _area_title(self, area: str) -> str:
        return self.config.areas[area].title

    def _areas_of(self, kpi_ids: list[str]) -> list[str]:
        return sorted({self.metas[k].area for k in kpi_ids if k in self.metas})

    # ---- charts ----------------------------------------------------------------
    def chart_rows(self, kpi_id: str) -> pd.DataFrame:
        """The KPI's rows of the published SPC table (its chart points, in time order)."""
        if self.spc is None:
            return pd.DataFrame()
        return self.spc[self.spc["kpi_id"] == kpi_id].sort_values("period_end")

    def chart_span(self, kpi_id: str, months: int = CHART_MONTHS) -> int:
        """Months a KPI's chart spans: quarterly and annual charts at least 36 (12 quarters)."""
        return months if self.metas[kpi_id].cadence in ("monthly", "rolling") else max(months, 36)

    def chart(self, kpi_id: str, *, months: int = CHART_MONTHS):
        """The KPI's chart drawn from the published SPC table, or None with no points.

        The points, means, limits, verdicts and targets are the SPC table's
        (``spc.parquet``; made once by assess); this only draws them, with the
        comparators of the KPI's assessed row.
        """
        m = self.metas[kpi_id]
        c = self.chart_rows(kpi_id)
        if c.empty or c["value"].notna().sum() == 0:
            return None
        window = str(c["window"].iloc[0])
        sh = self.history
        hidden = sh.loc[
            (sh["kpi_id"] == kpi_id) & (sh["window"] == window) & sh["suppressed"].astype(bool),
            "period_end",
        ]
        r = self.row(kpi_id)
        comps = {}
        for key, label in (
            ("england", "England"),
            ("region", "Region"),
            ("sn", "Statistical neighbours"),
        ):
            if not is_missing(r.get(key)):
                comps[label] = float(r[key])
        return spc_chart(
            c,
            title=f"{m.title} ({window_label(window, c['period_end'].iloc[-1])})",
            unit=m.unit,
            period_end=self.period_end,
            months=self.chart_span(kpi_id, months),
            comparators=comps,
            suppressed=list(hidden),
            withheld=f"fewer than {(self.rules or Disclosure()).max_count + 1} "
            f"{subject_noun([m.area])}",
        )

    def chart_caption(self, kpi_id: str) -> str:
        """What a KPI's chart shows: unit, window, points at its cadence, limits, polarity."""
        m = self.metas[kpi_id]
        c = self.chart_rows(kpi_id)
        window = str(c["window"].iloc[0]) if len(c) else headline_window(m)
        last = c["period_end"].iloc[-1] if len(c) else self.period_end
        text = f"{UNIT_NAMES[m.unit].capitalize()}, {window_label(window, last)}."
        points = {
            "quarterly": " One point a quarter, at the quarter ends.",
            "annual": f" One point a year, as at {pd.Timestamp(last):%-d %B} (an annual return).",
        }
        text += points.get(m.cadence, "")
        if len(c) and str(c["chart"].iloc[0]) == "spc":
            trial = bool(c.loc[c["upper"].notna(), "trial"].astype(bool).any())
            if trial:
                text += " Trial limits: fewer than 12 points in a period."
            if c["segment"].nunique() > 1:
                starts = sorted(set(c["segment_start"]))[1:]
                text += (
                    " Limits recalculated from " + ", ".join(format_month(d) for d in starts) + "."
                )
        elif len(c):
            note = c["note"].dropna()
            text += f" A trend line only, no SPC ({note.iloc[-1]})." if len(note) else ""
        return f"{text} {POLARITY_TEXT[m.polarity]}."

    # ---- shared blocks ---------------------------------------------------------
    def title_block(
        self,
        title: str,
        subtitle: str,
        facts: dict[str, str] | None = None,
        areas: list[str] | None = None,
    ) -> HTML:
        """A report's heading: council, title, the month and a few facts.

        ``areas``: the service areas the report shows (default all), whose subject
        ("children", "referrals", ...) the suppression note names.
        """
        return render(
            "report_title.html.j2",
            council=self.config.council.name,
            title=title,
            subtitle=subtitle,
            facts={
                **(facts or {}),
                "Figures to": format_date(self.period_end),
                "Audience": self.config.audience.capitalize(),
            },
            suppressing=self.suppressing,
            suppressed_note=self.suppressed_note(areas),
        )

    def tiles(self, kpi_ids: list[str]) -> HTML:
        """Headline tiles: each KPI's figure, RAG and direction of travel in words."""
        return render("tiles.html.j2", tiles=[self.kpi_facts(k) for k in kpi_ids])

    def kpi_table(self, kpi_ids: list[str], caption: str) -> HTML:
        """The dashboard's row per KPI for some KPIs."""
        return render(
            "kpi_table.html.j2", rows=[self.kpi_facts(k) for k in kpi_ids], caption=caption
        )

    def charts(self, kpi_ids: list[str], *, months: int = CHART_MONTHS) -> HTML:
        """An SPC chart per KPI with a caption and its sentence."""
        items = []
        for kid in kpi_ids:
            m = self.metas[kid]
            c = self.chart(kid, months=months)
            f = self.kpi_facts(kid)
            items.append(
                {
                    "kpi_id": kid,
                    "title": m.title,
                    "img": Markup(c.to_html()) if c else None,
                    "caption": self.chart_caption(kid),
                    "sentence": f["sentence"],
                }
            )
        return render("spc_charts.html.j2", charts=items)

    def commentary_block(self, area: str, *, heading_level: int = 3) -> HTML:
        """The Head of Service's commentary for an area, rendered safely."""
        c = self.commentary(area)
        return render(
            "commentary.html.j2",
            area_title=self._area_title(area),
            commentary=c,
            sections=[s for s in c.sections if s.filled],
            h=heading_level,
        )

    def actions_block(self, area: str) -> HTML:
        """The area's open and overdue improvement actions from the actions log."""
        return render("actions.html.j2", **self.actions(area))

    def actions(self, area: str) -> dict:
        """Open and overdue improvement actions at the month end, as the KPIs count them.

        Each action's state is :func:`pmf_lib.compute.kpis.improvement_actions.action_states`,
        the computation behind ``actions_open_count`` and ``actions_overdue_pct``,
        so a page never lists other actions than its figures count. The
        improvement actions area (whose KPIs count every action) lists every
        action; another area lists its own. A log without the actions' history
        says so for a month its published figures leave missing (``unknown``),
        rather than listing today's status as that month's.
        """
        from pmf_lib.compute.kpis.improvement_actions import action_states

        base = {"month": self.month_long, "unknown": False, "open": [], "overdue": []}
        files = self.config.data.local.improvement_actions
        if not files:
            return {**base, "configured": False}
        from pmf_lib.read.local import concat_tables, read_local

        log = concat_tables(
            read_local("improvement_actions", self.config.files("local.improvement_actions"))
        )
        if log.empty:
            return {**base, "configured": True}
        # The published figure says whether this month can be told from the log: a
        # log without history has figures only for the month its status describes.
        h = self.history_full
        at = h[(h["kpi_id"] == "actions_open_count") & (h["period_end"] == self.period_end)]
        published = bool(
            len(at)
            and (
                pd.notna(at["value"].iloc[0])
                or ("suppressed" in at and bool(at["suppressed"].fillna(False).iloc[0]))
            )
        )
        states = action_states(log, self.period_end, current=published)
        if states is None:
            return {**base, "configured": True, "unknown": True}
        counted_here = any(
            m.area == "improvement_actions"
            for k, m in self.metas.items()
            if k in self.area_kpis(area)
        )
        mine = pd.Series(True, index=log.index)
        if not counted_here:
            mine = (log["area"].astype("string") == area).fillna(False).astype(bool)
        titles = {k: m.title for k, m in self.metas.items()}

        def status_then(r) -> str:
            now = str(r.status).replace("_", " ").capitalize()
            if r.status in ("not_started", "in_progress", "overdue"):
                return now
            return f"Open then; {now.lower()} {format_date(r.completed_date)}"

        def rows(mask) -> list[dict]:
            out = []
            for r in (
                log[mask & mine].sort_values(["due_date", "action_id"]).itertuples(index=False)
            ):
                out.append(
                    {
                        "id": r.action_id,
                        "kpi": titles.get(r.kpi_id, r.kpi_id),
                        "action": r.action,
                        "owner": r.owner,
                        "due": format_date(r.due_date),
                        "status": status_then(r),
                    }
                )
            return out

        return {
            **base,
            "configured": True,
            "open": rows(states["open"] & ~states["overdue"]),
            "overdue": rows(states["overdue"]),
        }

    def definitions(self, kpi_ids: list[str]) -> HTML:
        """Each KPI's definition (the registry's words)."""
        items = []
        for kid in kpi_ids:
            m = self.metas[kid]
            items.append(
                {
                    "id": kid,
                    "title": m.title,
                    "definition": m.definition,
                    "numerator": m.numerator,
                    "denominator": m.denominator or "None: the measure is a count",
                    "unit": UNIT_NAMES[m.unit].capitalize(),
                    "windows": "; ".join(window_label(w, self.period_end) for w in m.windows),
                    "polarity": POLARITY_TEXT[m.polarity],
                    "source": m.source,
                    "comparator": m.comparator,
                }
            )
        return render("definitions.html.j2", items=items)

    def breakdown_items(self, kpi_ids: list[str]) -> list[dict]:
        """Each KPI's breakdowns at the period end in its headline window, as shown.

        One item per KPI with breakdown rows: its title, window label and one
        table per dimension (rows of group, figure and, for counts, share of
        the total). For members and the public the breakdowns are the suppressed
        view's (:func:`~pmf_lib.assess.disclosure.suppress_breakdowns`): a
        withheld cell and its share read the configured wording.
        """
        b = self.breakdowns
        if b is None or b.empty:
            return []
        if self.rules is not None and "suppressed" not in b.columns:
            # Set after construction: read through the same decision.
            from pmf_lib.assess.disclosure import suppress_breakdowns

            b = suppress_breakdowns(b, self.metas, self.history, self.rules.max_count)
        b = b[pd.to_datetime(b["period_end"]).dt.normalize() == self.period_end]
        items = []
        for kid in kpi_ids:
            m = self.metas.get(kid)
            if m is None:
                continue
            rows = b[(b["kpi_id"] == kid) & (b["window"] == headline_window(m))]
            if rows.empty:
                continue
            tables = []
            for dim in [d for d in m.breakdowns if d in set(rows["dimension"])]:
                part = rows[rows["dimension"] == dim]
                groups = [str(g) for g in part["group"]]
                values = [float(v) for v in part["value"]]
                label = DIMENSION_LABELS.get(dim, dim.replace("_", " ").capitalize())
                tables.append(
                    {
                        "dimension": label,
                        "is_count": m.unit == "count",
                        "rows": self._breakdown_rows(m.unit, groups, values, part),
                        "charts": self._breakdown_charts(m, dim, label, part, b),
                    }
                )
            items.append(
                {
                    "id": kid,
                    "title": m.title,
                    "window": window_label(headline_window(m), self.period_end),
                    "unit": UNIT_NAMES[m.unit],
                    "tables": tables,
                }
            )
        return items

    def _breakdown_charts(
        self, m: KpiMeta, dim: str, label: str, part: pd.DataFrame, shown: pd.DataFrame
    ) -> list[dict]:
        """The charts beside one breakdown table, drawn from the figures the table shows.

        A bar per group (teams sorted, with their spread; a percentage, mean or rate
        against the KPI's overall figure); for a count by ethnic group also
        each group's share beside its share of all children in need in the CIN census
        (``cin_count``'s breakdown in ``shown``; no population by ethnicity is read:
        ``docs/deviations.md``). Withheld cells get no bar.
        """
        from pmf_lib.render.breakdown_charts import breakdown_chart, make_up_chart, shares_of

        groups = [str(g) for g in part["group"]]
        values = [float(v) for v in part["value"]]
        hidden = (
            [bool(x) for x in part["suppressed"].fillna(False)]
            if "suppressed" in part.columns
            else [False] * len(groups)
        )
        window = window_label(headline_window(m), self.period_end)
        withheld = (
            f"fewer than {(self.rules or Disclosure()).max_count + 1} {subject_noun([m.area])}"
        )
        overall = None
        if m.unit != "count" and m.id in self.assessed.index:
            r = self.row(m.id)
            if not bool(r.get("suppressed", False)) and not is_missing(r.get("value")):
                overall = float(r["value"])
        out = []
        bars = breakdown_chart(
            m.title,
            label,
            window,
            m.unit,
            groups,
            values,
            hidden,
            overall=overall,
            withheld=withheld,
            sort=dim == "team",
        )
        if bars is not None:
            by = label[:1].lower() + label[1:]
            caption = f"{m.title} by {by} ({window}): the figures in the table above."
            if dim == "team":
                caption += " Teams sorted from the highest, to show the spread between them."
            if overall is not None:
                everyone = format_value(overall, m.unit)
                caption += f" The dashed line is the overall figure ({everyone})."
            out.append({"img": Markup(bars.to_html()), "caption": caption})
        if dim == "ethnicity" and m.unit == "count" and m.id != ETHNICITY_REFERENCE_KPI:
            ref = shown[
                (shown["kpi_id"] == ETHNICITY_REFERENCE_KPI) & (shown["dimension"] == "ethnicity")
            ]
            if len(ref):
                ref_hidden = (
                    [bool(x) for x in ref["suppressed"].fillna(False)]
                    if "suppressed" in ref.columns
                    else [False] * len(ref)
                )
                ref_vals = [float(v) for v in ref["value"]]
                ref_shares = (
                    [float(x) for x in ref["share"]]
                    if "share" in ref.columns
                    else shares_of(ref_vals, ref_hidden)
                )
                reference = {
                    str(g): v
                    for g, v, h in zip(ref["group"], ref_shares, ref_hidden, strict=True)
                    if not h
                }
                own = (
                    [float(x) for x in part["share"]]
                    if "share" in part.columns
                    else shares_of(values, hidden)
                )
                mix = make_up_chart(
                    m.title, window, groups, own, hidden, reference, withheld=withheld
                )
                if mix is not None:
                    out.append(
                        {
                            "img": Markup(mix.to_html()),
                            "caption": "Disproportionality: each ethnic group's share of "
                            f"{m.title.lower()} beside its share of all children in need "
                            "(CIN census). The inputs hold no population by ethnic group, so "
                            "rates per 10,000 by ethnic group cannot be shown.",
                        }
                    )
        return out

    def _breakdown_rows(self, unit: str, groups, values, part: pd.DataFrame) -> list[dict]:
        hidden = (
            [bool(x) for x in part["suppressed"].fillna(False)]
            if "suppressed" in part.columns
            else [False] * len(groups)
        )
        if unit == "count":
            if "share" in part.columns:
                shares = [float(x) for x in part["share"]]
            else:
                total = sum(v for v in values if not is_missing(v))
                shares = [
                    100.0 * v / total if total and not is_missing(v) else float("nan")
                    for v in values
                ]
            return [
                {
                    "group": g,
                    "figure": self._value_text(v, "count", h),
                    "share": self._value_text(sh, "percent", h),
                }
                for g, v, sh, h in zip(groups, values, shares, hidden, strict=True)
            ]
        return [
            {"group": g, "figure": self._value_text(v, unit, h), "share": ""}
            for g, v, h in zip(groups, values, hidden, strict=True)
        ]

    def breakdowns_block(self, kpi_ids: list[str]) -> HTML:
        """Tables of each KPI's figure by age band, sex, ethnicity or team (empty: none)."""
        items = self.breakdown_items(kpi_ids)
        return HTML(
            _env()
            .from_string(_BREAKDOWNS_TEMPLATE)
            .render(
                items=items,
                note=self.suppressed_note(kpi_ids=kpi_ids) if self.suppressing else "",
            )
        )


def month_label(period_end) -> str:
    """``Oct 2026`` (re-exported for notebooks)."""
    return format_month(period_end)
