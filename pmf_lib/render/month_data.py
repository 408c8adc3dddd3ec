"""A month's published tables, loaded once and selected for what a report shows.

:class:`MonthTables` holds the config and the month's tables as the batch
published them beside each other in ``outputs/YYYY-MM/``:

* ``kpi_history.parquet``: the tidy KPI history;
* ``kpis.parquet``: the assessed table (value, target, RAG, SPC icons, flags,
  sentence; :func:`pmf_lib.assess.assess_for_config`);
* ``spc.parquet``: every chart's points, limits and verdicts;
* ``breakdowns.parquet``: the KPIs by group (absent when the batch had no source
  data: then there are no breakdowns to show);
* ``actions.parquet``: each improvement action's state at the month end
  (:mod:`pmf_lib.assess.actions`; published when the config names a log).

It reads only those tables: a table that is not there is one
:class:`~pmf_lib.errors.PmfError` naming the file, never a computation in its
place. For an audience of members or the public it reads them through the one
suppression decision, :func:`pmf_lib.assess.disclosure.published_tables` (tables
published in that form give themselves back), so every block shows the same
suppressed view. What it gives is still data (rows of those tables, for a KPI or
an area); the HTML is :mod:`pmf_lib.render.blocks`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pmf_lib.assess.assessed import headline_window
from pmf_lib.compute.registry import KpiMeta
from pmf_lib.config import Config, load_config
from pmf_lib.dates import month_end
from pmf_lib.errors import PmfError
from pmf_lib.render.commentary import Commentary, read_commentary
from pmf_lib.render.format import format_month_long, is_missing
from pmf_lib.render.suppress import Disclosure, suppresses

CHART_MONTHS = 24
_MONTH_RE = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
#: The KPI area whose measures count every improvement action (its pages list them all).
ACTIONS_AREA = "improvement_actions"


def read_table(path: str | Path, what: str) -> pd.DataFrame:
    """A published table (``.parquet`` or ``.csv``); absent or unreadable: a PmfError naming it.

    Examples
    --------
    >>> try:
    ...     read_table("/nowhere/spc.parquet", "SPC table")
    ... except PmfError as e:
    ...     print(e)
    /nowhere/spc.parquet: SPC table not found
    """
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


def _dates(df: pd.DataFrame, column: str = "period_end") -> pd.DataFrame:
    return df.assign(**{column: pd.to_datetime(df[column]).dt.normalize()})


@dataclass
class MonthTables:
    """The config and one month's published tables, as reports select from them."""

    config: Config
    period_end: pd.Timestamp
    #: The history as published for the audience (members/public: the suppressed view).
    history_full: pd.DataFrame
    #: The same with a ``suppressed`` flag on every row (False for an internal audience).
    history: pd.DataFrame
    #: The assessed table, indexed by ``kpi_id``, with its ``suppressed`` flags.
    assessed: pd.DataFrame
    metas: dict[str, KpiMeta]
    commentary_dir: Path | None = None
    #: KPI breakdowns by group (``breakdowns.parquet``; None: not published).
    breakdowns: pd.DataFrame | None = None
    #: The month's SPC table (``spc.parquet``): every chart's points, limits and verdicts.
    spc: pd.DataFrame | None = None
    #: The suppression rule (None: an internal audience, every figure shown).
    rules: Disclosure | None = None
    #: Each improvement action's state at the month end (``actions.parquet``; None: no log,
    #: or not yet read from ``actions_path``).
    actions_table: pd.DataFrame | None = None
    #: The published action table, read when a report first shows the actions.
    actions_path: Path | None = None

    # ---- construction ---------------------------------------------------------
    @classmethod
    def load(
        cls,
        config_path: str | Path,
        month: str,
        kpi_table: str | Path = "",
        assessed_table: str | Path = "",
        commentary_dir: str | Path = "",
    ):
        """Load a month's published tables as the report notebooks do.

        Parameters
        ----------
        config_path : str or Path
            The pmf config (the batch passes the month's resolved copy).
        month : str
            ``YYYY-MM`` (or ``latest``: the last month of the KPI history).
        kpi_table : str or Path
            The tidy KPI history (``kpi_history.parquet``); empty: the month's
            published history in the config's outputs folder (the latest
            published month for ``latest``). The SPC, breakdowns and actions
            tables are read from beside it.
        assessed_table : str or Path
            The month's assessed table; empty: ``kpis.parquet`` beside the history.
        commentary_dir : str or Path
            Where the month's commentary files are (empty: none).

        Raises
        ------
        PmfError
            Naming the file, for a table not published (the month not run:
            ``pmf run --month YYYY-MM`` publishes it) or unreadable.
        """
        if month != "latest" and not _MONTH_RE.fullmatch(str(month)):
            raise PmfError(f"expected YYYY-MM or 'latest', got {month!r}", field="month")
        config = load_config(config_path, check_files=False)
        if not kpi_table:
            kpi_table, _ = published_tables(config, month)
            if not kpi_table:
                where = config.outputs_dir / ("" if month == "latest" else month)
                raise PmfError(
                    f"no published month {month} (run `pmf run --month {month}` first)",
                    file=where / "kpi_history.parquet" if month != "latest" else where,
                )
        folder = Path(kpi_table).parent
        history = read_table(kpi_table, "KPI history")
        assessed = read_table(assessed_table or folder / "kpis.parquet", "assessed table")
        spc = read_table(folder / "spc.parquet", "SPC table")
        beside = folder / "breakdowns.parquet"
        breakdowns = read_table(beside, "breakdowns table") if beside.is_file() else None
        return cls.from_tables(
            config,
            month,
            history,
            assessed,
            commentary_dir=commentary_dir,
            breakdowns=breakdowns,
            spc=spc,
            actions_path=folder / "actions.parquet",
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
        actions: pd.DataFrame | None = None,
        actions_path: str | Path | None = None,
    ):
        """From tables in memory (scripts and tests); :meth:`load` reads the published ones.

        A table not given is made now by the assess stage from ``history``, as
        the batch makes it: ``assessed`` by
        :func:`~pmf_lib.assess.pipeline.assess_for_config`, ``spc`` by
        :func:`~pmf_lib.assess.pipeline.spc_for_config` and, when the config
        names an improvement actions log and no ``actions_path`` (the published
        ``actions.parquet``, read when a report first shows the actions) is
        given, ``actions`` by :func:`~pmf_lib.assess.actions.actions_for_config`.

        For members and the public every table is read through
        :func:`~pmf_lib.assess.disclosure.published_tables` (tables already
        published in that form give themselves back).
        """
        from pmf_lib.assess.pipeline import assess_for_config, configured_kpis, spc_for_config
        from pmf_lib.assess.spc_table import suppress_spc_table

        history = _dates(history)
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
        if actions is None and actions_path is None and config.data.local.improvement_actions:
            from pmf_lib.assess.actions import actions_for_config

            actions = actions_for_config(config, history, month)
        spc = _dates(spc)
        assessed = _dates(assessed)
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
        return cls(
            config=config,
            period_end=end,
            history_full=full,
            history=shown,
            assessed=assessed.set_index("kpi_id", drop=False),
            metas=metas,
            commentary_dir=Path(commentary_dir) if commentary_dir else None,
            breakdowns=breakdowns,
            rules=rules,
            spc=spc,
            actions_table=actions,
            actions_path=Path(actions_path) if actions_path else None,
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
    def disclosure(self) -> Disclosure:
        """The suppression rule's wording and threshold (the default for an internal audience)."""
        return self.rules or Disclosure()

    @property
    def withheld_text(self) -> str:
        """What a withheld figure reads (the config's wording)."""
        return self.disclosure.text

    def area_kpis(self, area: str) -> list[str]:
        """An area's KPI ids, in report order."""
        if area not in self.config.areas:
            raise PmfError(
                f"unknown service area {area!r}; the config has {', '.join(self.config.areas)}",
                field="area",
            )
        return list(self.config.areas[area].kpis)

    def area_title(self, area: str) -> str:
        """A configured area's title."""
        return self.config.areas[area].title

    def areas_of(self, kpi_ids: list[str]) -> list[str]:
        """The KPI areas (sorted, each once) of some KPIs."""
        return sorted({self.metas[k].area for k in kpi_ids if k in self.metas})

    def report_kpis(
        self, areas: list[str] | None = None, kpi_ids: list[str] | None = None
    ) -> list[str]:
        """``kpi_ids`` if given, else the KPIs of ``areas`` (configured ids, default all)."""
        if kpi_ids is not None:
            return kpi_ids
        chosen = areas if areas is not None else list(self.config.areas)
        return [k for a in chosen if a in self.config.areas for k in self.area_kpis(a)]

    def row(self, kpi_id: str) -> pd.Series:
        """The KPI's assessed row."""
        return self.assessed.loc[kpi_id]

    def shown_value(self, kpi_id: str) -> float | None:
        """The KPI's assessed figure, or None when it is missing or withheld."""
        if kpi_id not in self.assessed.index:
            return None
        r = self.row(kpi_id)
        if bool(r.get("suppressed", False)) or is_missing(r.get("value")):
            return None
        return float(r["value"])

    def commentary(self, area: str) -> Commentary:
        """The area's commentary for the month (empty when none was written)."""
        return read_commentary(self.commentary_dir, area, self.month)

    # ---- charts ----------------------------------------------------------------
    def chart_rows(self, kpi_id: str) -> pd.DataFrame:
        """The KPI's rows of the published SPC table (its chart points, in time order)."""
        if self.spc is None:
            return pd.DataFrame()
        return self.spc[self.spc["kpi_id"] == kpi_id].sort_values("period_end")

    def chart_span(self, kpi_id: str, months: int = CHART_MONTHS) -> int:
        """Months a KPI's chart spans: quarterly and annual charts at least 36 (12 quarters)."""
        return months if self.metas[kpi_id].cadence in ("monthly", "rolling") else max(months, 36)

    def withheld_periods(self, kpi_id: str, window: str) -> list[pd.Timestamp]:
        """The period ends at which the KPI's figure in ``window`` is withheld."""
        sh = self.history
        return list(
            sh.loc[
                (sh["kpi_id"] == kpi_id) & (sh["window"] == window) & sh["suppressed"].astype(bool),
                "period_end",
            ]
        )

    def comparators(self, kpi_id: str) -> dict[str, float]:
        """The KPI's England, region and statistical neighbours' figures (those it has)."""
        r = self.row(kpi_id)
        out = {}
        for key, label in (
            ("england", "England"),
            ("region", "Region"),
            ("sn", "Statistical neighbours"),
        ):
            if not is_missing(r.get(key)):
                out[label] = float(r[key])
        return out

    # ---- improvement actions ---------------------------------------------------
    def action_rows(self, area: str) -> dict:
        """The area's rows of the published action table at the month end.

        ``configured`` (the config names a log), ``unknown`` (the log cannot tell
        this month: :mod:`pmf_lib.assess.actions`), and the ``open`` (not
        overdue) and ``overdue`` actions as rows of the table, by due date, and
        the ``withheld`` rows (members and the public: an area whose actions are
        not listed, :func:`~pmf_lib.assess.actions.withhold_lists`). The
        improvement actions area (whose KPIs count every action) has every
        action; another area its own (the log's ``area``).
        """
        base = {"configured": False, "unknown": False}
        empty = pd.DataFrame()
        if not self.config.data.local.improvement_actions:
            return {**base, "open": empty, "overdue": empty, "withheld": empty}
        if self.actions_table is None and self.actions_path is not None:
            self.actions_table = read_table(self.actions_path, "improvement actions table")
        t = self.actions_table
        if t is None:
            raise PmfError(
                "no improvement actions table: the config names a log, so the month's "
                "actions.parquet is needed",
                field="actions",
            )
        base["configured"] = True
        if len(t) and (t["state"] == "unknown").all():
            return {**base, "unknown": True, "open": empty, "overdue": empty, "withheld": empty}
        counted_here = any(
            m.area == ACTIONS_AREA for k, m in self.metas.items() if k in self.area_kpis(area)
        )
        mine = pd.Series(True, index=t.index)
        if not counted_here:
            mine = (t["area"].astype("string") == area).fillna(False).astype(bool)
        ordered = t[mine].sort_values(["due_date", "action_id"], kind="stable")
        return {
            **base,
            "open": ordered[ordered["state"] == "open"],
            "overdue": ordered[ordered["state"] == "overdue"],
            "withheld": ordered[ordered["state"] == "withheld"],
        }

    # ---- breakdowns --------------------------------------------------------------
    def month_breakdowns(self) -> pd.DataFrame:
        """The published breakdowns at the month end, as shown (empty: none)."""
        b = self.breakdowns
        if b is None or b.empty:
            return pd.DataFrame()
        if self.rules is not None and "suppressed" not in b.columns:
            # Set after construction: read through the same decision.
            from pmf_lib.assess.disclosure import suppress_breakdowns

            b = suppress_breakdowns(b, self.metas, self.history, self.rules.max_count)
        return b[pd.to_datetime(b["period_end"]).dt.normalize() == self.period_end]

    def breakdown_parts(self, kpi_id: str) -> list[tuple[str, pd.DataFrame]]:
        """The KPI's breakdown rows in its headline window, one part per dimension.

        The dimensions in the order the KPI declares them, each with its rows of
        :meth:`month_breakdowns`; empty for an unconfigured KPI or one without rows.
        """
        m = self.metas.get(kpi_id)
        b = self.month_breakdowns()
        if m is None or b.empty:
            return []
        rows = b[(b["kpi_id"] == kpi_id) & (b["window"] == headline_window(m))]
        if rows.empty:
            return []
        return [
            (d, rows[rows["dimension"] == d]) for d in m.breakdowns if d in set(rows["dimension"])
        ]

    def reference_breakdown(self, kpi_id: str, dimension: str) -> pd.DataFrame:
        """Another KPI's breakdown rows at the month end in one dimension (all windows)."""
        b = self.month_breakdowns()
        if b.empty:
            return b
        return b[(b["kpi_id"] == kpi_id) & (b["dimension"] == dimension)]
