"""The quarterly report "What children and families told us" (issue 16, kind ``voice``).

:class:`VoiceReport` draws, for the latest complete quarter of the financial
year at the report month's end and the four before it
(:func:`pmf_lib.assess.voice.quarter_ends`): the survey results (children in care answering
positively, overall and on each question; responses per 100 children looked
after), participation, complaints and compliments by
theme, and the survey comments the council chose to publish; and Mind of My
Own timeliness in the report month (a monthly measure).

It decides nothing. The figures, their withheld flags (members and public: no
count of 1 to 4, nor one worked out from a total: the themes' partition rule,
:mod:`pmf_lib.assess.voice`) and the quotes (only those marked to publish,
naming no one) are the month's published tables. Each quote is HTML-escaped (the
templates escape every value) and marked as the respondent's own words.

Examples
--------
>>> quarter_label(pd.Timestamp("2026-10-31")), quarter_label(pd.Timestamp("2026-01-31"))
('Aug–Oct 2026', 'Nov 2025–Jan 2026')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from pmf_lib.assess.disclosure import suppress_breakdowns
from pmf_lib.assess.voice import QUOTE_QUARTERS, quarter_ends, suppress_quotes
from pmf_lib.compute.kpis.voice import THEME_PARTITIONS, THEMES
from pmf_lib.formatting import MISSING, format_value, is_missing
from pmf_lib.render.month import MonthData, render
from pmf_lib.render.month_data import published_tables, read_table

VOICE_AREA = "voice"
QUOTES_TABLE = "voice_quotes.parquet"
QUESTIONS_TABLE = "voice_questions.parquet"
SURVEY_KPIS = ("voice_cic_positive_pct", "voice_survey_responses_per_100_cla")
MOMO_KPIS = ("momo_received_count", "momo_responded_timely_pct")
PARTICIPATION_KPIS = ("voice_participation_events_count", "voice_participation_attendees_count")
CHART_KPIS = SURVEY_KPIS + MOMO_KPIS + PARTICIPATION_KPIS
#: The theme tables: (heading, the total KPI).
THEME_TABLES = (
    ("Complaints by theme", "complaints_received_count"),
    ("Compliments by theme", "compliments_count"),
)


def quarter_label(end: pd.Timestamp) -> str:
    """The three months ending ``end``, as a column heading."""
    start = end - pd.DateOffset(months=2)
    if start.year == end.year:
        return f"{start:%b}–{end:%b %Y}"
    return f"{start:%b %Y}–{end:%b %Y}"


def _folder(config_path, month: str, kpi_table) -> Path:
    """The published month's folder, as :meth:`MonthData.load` finds it."""
    if kpi_table:
        return Path(kpi_table).parent
    from pmf_lib.config import load_config

    found, _ = published_tables(load_config(config_path, check_files=False), month)
    return Path(found).parent


def quarter_cells(data: MonthData, kpi_id: str, ends: list[pd.Timestamp]) -> list[str]:
    """The KPI's figure in its quarter window at each of ``ends``, as shown.

    A withheld figure reads the config's wording; a figure not computed (the
    dataset not supplied, or before the data) reads as missing.
    """
    h = data.history
    rows = h[(h["kpi_id"] == kpi_id) & (h["window"] == "quarter")]
    at = {
        pd.Timestamp(e).normalize(): r
        for e, r in zip(rows["period_end"], rows.itertuples(), strict=True)
    }
    unit = data.metas[kpi_id].unit
    out = []
    for end in ends:
        r = at.get(end)
        if r is None:
            out.append(MISSING)
        elif bool(getattr(r, "suppressed", False)):
            out.append(data.withheld_text)
        elif is_missing(r.value):
            out.append(MISSING)
        else:
            out.append(format_value(r.value, unit))
    return out


@dataclass
class VoiceReport:
    """ "What children and families told us": the quarterly report (every audience)."""

    data: MonthData
    quotes: pd.DataFrame | None
    #: Children in care's answers by question at each quarter's end (None: not published).
    questions: pd.DataFrame | None = None

    @classmethod
    def load(
        cls,
        config_path: str | Path,
        month: str,
        kpi_table: str | Path = "",
        assessed_table: str | Path = "",
    ) -> VoiceReport:
        """Load the published month (:meth:`MonthData.load`), its quotes and its questions.

        For members and the public both are read through the month build's one
        decision (:func:`~pmf_lib.assess.voice.suppress_quotes`,
        :func:`~pmf_lib.assess.disclosure.suppress_breakdowns`; tables published in
        that form give themselves back), as :class:`MonthData` reads its tables.
        """
        data = MonthData.load(config_path, month, kpi_table, assessed_table)
        folder = _folder(config_path, month, kpi_table)
        path = folder / QUOTES_TABLE
        quotes = read_table(path, "voice quotes table") if path.is_file() else None
        path = folder / QUESTIONS_TABLE
        questions = read_table(path, "voice questions table") if path.is_file() else None
        if data.rules is not None:
            quotes = suppress_quotes(quotes, data.rules.max_count)
            if questions is not None and "suppressed" not in questions.columns:
                questions = suppress_breakdowns(
                    questions, data.metas, data.history, data.rules.max_count
                )
        return cls(data, quotes, questions)

    # ---- what the report shows --------------------------------------------------
    @property
    def ends(self) -> list[pd.Timestamp]:
        """The quarter ends shown as columns, oldest first: the latest complete quarter last."""
        return quarter_ends(self.data.month, QUOTE_QUARTERS)

    def configured(self, wanted) -> list[str]:
        """The KPIs of ``wanted`` the voice area shows, in the area's order."""
        if VOICE_AREA not in self.data.config.areas:
            return []
        return [k for k in self.data.area_kpis(VOICE_AREA) if k in wanted]

    def _none(self, what: str) -> HTML:
        return HTML(
            f'<p class="pmf-note">No {what}: the config\'s voice area does not show it.</p>'
        )

    def title_block(self) -> HTML:
        return self.data.title_block(
            "What children and families told us",
            "Surveys, participation, and complaints and compliments by theme in the quarter "
            f"{quarter_label(self.ends[-1])} and the four before it; Mind of My Own in "
            f"{self.data.month_long}.",
            {
                "Meeting": "Performance Assurance and Action Board (PAAB), quarterly",
                "Owner": "Head of Participation",
            },
            areas=[VOICE_AREA] if VOICE_AREA in self.data.config.areas else None,
        )

    def _quarters_table(self, rows: list[dict], caption: str, first: str, note: str) -> HTML:
        return render(
            "voice_quarters.html.j2",
            caption=caption,
            first=first,
            headers=[quarter_label(e) for e in self.ends],
            rows=rows,
            note=note,
        )

    def survey_quarters(self) -> HTML:
        """The survey measures over the last five quarters."""
        ids = self.configured(SURVEY_KPIS)
        if not ids:
            return self._none("survey measures")
        rows = [
            {
                "label": self.data.metas[k].title,
                "total": False,
                "cells": quarter_cells(self.data, k, self.ends),
            }
            for k in ids
        ]
        return self._quarters_table(
            rows,
            "Survey results by quarter",
            "Measure",
            "A positive answer is the council's reading of each survey's scale. Responses "
            "per 100 children looked after counts questionnaires, not answers.",
        )

    def survey_questions(self) -> HTML:
        """Children in care answering each question positively, quarter by quarter.

        From the published ``voice_questions`` table (the breakdown by question at
        each quarter's end); without it, the month's breakdowns (the three months to
        the report month only, labelled so).
        """
        kid = "voice_cic_positive_pct"
        if kid not in self.configured(SURVEY_KPIS):
            return self._none("survey questions")
        if self.questions is not None:
            return self._questions_by_quarter(self.questions)
        parts = dict(self.data.breakdown_parts(kid))
        b = parts.get("question")
        if b is None or b.empty:
            return HTML(
                '<p class="pmf-note">No answers by question (no survey responses were '
                "published for the month).</p>"
            )
        b = b.assign(period_end=self.data.period_end)
        return self._questions_by_quarter(
            b,
            [self.data.period_end],
            f"Children in care answering each question positively, the three months to "
            f"{self.data.month_long}",
        )

    def _questions_by_quarter(self, b: pd.DataFrame, ends=None, caption=None) -> HTML:
        ends = ends or self.ends
        b = b.assign(
            period_end=pd.to_datetime(b["period_end"]).dt.normalize(),
            withheld=b["suppressed"].fillna(False).astype(bool)
            if "suppressed" in b.columns
            else False,
        )
        rows = []
        for question, part in b.groupby("group", sort=True):
            at = {r.period_end: r for r in part.itertuples()}
            cells = []
            for end in ends:
                r = at.get(end)
                if r is None:
                    cells.append(MISSING)
                elif r.withheld:
                    cells.append(self.data.withheld_text)
                else:
                    cells.append(format_value(r.value, "percent"))
            rows.append({"label": str(question), "total": False, "cells": cells})
        return render(
            "voice_quarters.html.j2",
            caption=caption or "Children in care answering each question positively, by quarter",
            first="Question",
            headers=[quarter_label(e) for e in ends],
            rows=rows,
            note="A question no child in care answered in a quarter shows no figure for it.",
        )

    def momo(self) -> HTML:
        """Mind of My Own statements received and answered within the council's timescale."""
        ids = self.configured(MOMO_KPIS)
        if not ids:
            return self._none("Mind of My Own measures")
        days = self.data.config.voice.response_working_days
        table = self.data.kpi_table(ids, f"Mind of My Own, {self.data.month_long}")
        note = (
            f'<p class="pmf-note">The council answers a statement within {days} working '
            "days (voice.response_working_days in the config); a statement not yet answered "
            "is counted once that time has run out.</p>"
        )
        return HTML(table.data + "\n" + note)

    def participation(self) -> HTML:
        """Participation events and attendances over the last five quarters."""
        ids = self.configured(PARTICIPATION_KPIS)
        if not ids:
            return self._none("participation measures")
        rows = [
            {
                "label": self.data.metas[k].title,
                "total": False,
                "cells": quarter_cells(self.data, k, self.ends),
            }
            for k in ids
        ]
        return self._quarters_table(
            rows,
            "Participation by quarter",
            "Measure",
            "Attendances count a young person or parent once per event they took part in.",
        )

    def themes(self) -> HTML:
        """Complaints and compliments by theme over the last five quarters."""
        shown = (
            set(self.data.config.areas.get(VOICE_AREA).kpis)
            if (VOICE_AREA in self.data.config.areas)
            else set()
        )
        out = []
        labels = dict(THEMES)
        for heading, total in THEME_TABLES:
            ids = [k for k in THEME_PARTITIONS[total] if k in shown]
            if not ids:
                continue
            rows = [
                {
                    "label": labels[k.rsplit("_theme_", 1)[1].removesuffix("_count")],
                    "total": False,
                    "cells": quarter_cells(self.data, k, self.ends),
                }
                for k in ids
            ]
            if total in self.data.metas:
                rows.append(
                    {
                        "label": "All (" + self.data.metas[total].title.lower() + ")",
                        "total": True,
                        "cells": quarter_cells(self.data, total, self.ends),
                    }
                )
            out.append(
                self._quarters_table(
                    rows,
                    f"{heading}, by quarter",
                    "Theme",
                    "Each complaint or compliment has one theme, so the themes add up to "
                    "the total; for members and the public enough are withheld that none "
                    "can be worked out from it.",
                ).data
            )
        if not out:
            return self._none("themes")
        return HTML("\n".join(out))

    def quotes_block(self) -> HTML:
        """The quarter's published comments, escaped and marked as their own words."""
        end = self.ends[-1]
        q = self.quotes
        rows = [] if q is None else q[pd.to_datetime(q["quarter_end"]) == end]
        quotes = [
            {
                "quote": str(r["quote"]),
                "who": str(r["respondent_group"]),
                "survey": str(r["survey"]),
                "question": str(r["question"]),
            }
            for _, r in (rows.iterrows() if len(rows) else [])
        ]
        if q is None:
            empty = "No survey responses are published for this month, so there are no quotes."
        elif self.data.suppressing:
            empty = (
                "No quotes this quarter: none was marked to publish, or fewer than "
                f"{self.data.disclosure.max_count + 1} were (so few could point to the "
                "people who wrote them)."
            )
        else:
            empty = "No comment this quarter was marked to publish."
        return render(
            "voice_quotes.html.j2",
            heading=f"In their own words, {quarter_label(end)}",
            intro=(
                "Comments children, young people and parents wrote in the survey, in their "
                "own words, shown as written (only those the council marked to publish with "
                "their consent; no names, teams or dates). The same words from several "
                "people are shown once."
            ),
            quotes=quotes,
            empty=empty,
        )

    def charts(self) -> HTML:
        return self.data.charts(self.configured(CHART_KPIS))

    def definitions(self) -> HTML:
        shown = (
            list(self.data.area_kpis(VOICE_AREA)) if VOICE_AREA in self.data.config.areas else []
        )
        return self.data.definitions(shown)
