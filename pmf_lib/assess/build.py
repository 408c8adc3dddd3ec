"""One build of a month: every table ``pmf run``, ``pmf validate`` and ``pmf kpis`` use.

:func:`build_month` is the month's one orchestration. It

1. reads each configured source once (:func:`read_month`): the national
   returns, the population, Annex A, the workforce census and monthly file and
   the local datasets, each file with the reader every command uses; a file
   that cannot be read is recorded, not raised, so ``pmf validate`` can report
   it beside the others; each file is opened once and hashed as it is read
   (``MonthRead.hashes``, the run's fingerprint);
2. validates once, with one reference date: the returns' latest reference
   date (:func:`pmf_lib.validate.quality.extract_date`), and rates the data
   quality confidence of every KPI and month
   (:func:`pmf_lib.validate.quality.assess_quality`) on the records the KPIs
   read;
3. computes the KPI history (36 month ends ending with the month), with each
   figure's confidence beside it;
4. assesses the month (the assessed table, its flags and sentences, the SPC
   table) and computes the breakdowns.

``through`` stops early: ``"quality"`` after step 2 (``pmf validate``),
``"kpis"`` after step 3 (``pmf kpis``). A file that could not be read stops a
build going past step 2, with the one line ``pmf run`` gives for it
(:meth:`MonthRead.raise_unreadable`).

:meth:`MonthBuild.published` gives the tables a members' or public output may
show (the one suppression decision, :mod:`pmf_lib.assess.disclosure`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from pmf_lib.config import Config
from pmf_lib.errors import PmfError
from pmf_lib.read import SourceData, latest_complete_month
from pmf_lib.textio import FileHash, recording_hashes
from pmf_lib.validate import Sources
from pmf_lib.validate.quality import HISTORY_MONTHS, DataQuality, history_ends

#: Month ends in the KPI history and rated for data quality, ending with the month.
#: How far a build goes (:func:`build_month`).
STAGES = ("quality", "kpis", "all")
# The order in which pmf run reports an unreadable file: the returns that date the
# data first, then the population, then the rest in the order they were read.
_FIRST = {"cin_census": 0, "ssda903": 1, "population": 2}


@dataclass
class MonthRead:
    """Every configured source of a council, each file read once.

    ``sources`` is what is validated (every file, with the files that could not
    be read in ``sources.unreadable``); ``data`` the KPIs' inputs taken from the
    same reads: the national returns, the population (None when it could not
    be read) and each local dataset's files stacked in read order. ``hashes``
    gives each file's size and SHA-256, taken from the very bytes its reader
    parsed (:func:`pmf_lib.textio.recording_hashes`, keyed by
    :func:`pmf_lib.textio.file_key`): the run's fingerprint and manifest use
    them, so no source file is opened a second time to hash it.
    """

    sources: Sources
    data: SourceData
    #: The canonical tables made from the Annex A lists (None without ``data.annex_a``).
    annex: object | None = None
    hashes: dict[str, FileHash] = field(default_factory=dict)

    @property
    def unreadable(self) -> list:
        """The files that could not be read, as ``(source, file, PmfError)``."""
        return self.sources.unreadable

    def raise_unreadable(self) -> None:
        """Raise the error of the first file that could not be read (none: return).

        The CIN census first, then the SSDA903 return and the population (as
        ``pmf run`` has always read them), then the others in read order.

        Examples
        --------
        >>> from pmf_lib.read.tables import CinCensus, Ssda903
        >>> s = Sources(unreadable=[("local/lado", "lado.csv", PmfError("empty", file="lado.csv")),
        ...                         ("ssda903", "header.csv", PmfError("bad", file="header.csv"))])
        >>> r = MonthRead(s, SourceData(CinCensus(), Ssda903(), None))
        >>> try:
        ...     r.raise_unreadable()
        ... except PmfError as e:
        ...     print(e)
        header.csv: bad
        """
        if self.unreadable:
            order = sorted(
                range(len(self.unreadable)),
                key=lambda i: (_FIRST.get(self.unreadable[i][0], 3), i),
            )
            raise self.unreadable[order[0]][2]


def read_month(config: Config) -> MonthRead:
    """Read every configured source once (:class:`MonthRead`).

    Each local dataset's and monthly workforce file is read against its schema
    once (:func:`pmf_lib.validate.quality.read_sources`, with the readers ``pmf
    run`` has always used); the frames the KPIs read are those reads stacked
    (:func:`pmf_lib.validate.quality.stack_frames`), never a second read. Each
    file is opened once and hashed as it is read (``MonthRead.hashes``), one
    file's bytes at a time.
    """
    from pmf_lib.read.population import read_population
    from pmf_lib.validate.quality import read_sources, stack_frames

    with recording_hashes() as hashes:
        sources = read_sources(config)
        try:
            population = read_population(config.population_file, la_code=config.council.code)
        except PmfError as e:
            population = None
            sources.unreadable.append(("population", str(config.population_file), e))
    data = SourceData(
        cin=sources.cin, cla=sources.cla, population=population, local=stack_frames(sources.files)
    )
    annex = None
    if config.data.annex_a:
        # Annex A as a KPI source (issue 15); alone, its tables are the KPIs' inputs
        from pmf_lib.read.annex_a_inputs import annex_a_inputs

        annex = annex_a_inputs(sources.files)
        if not (config.data.ssda903 or config.data.cin_census):
            data = SourceData(
                cin=annex.cin,
                cla=annex.cla,
                population=population,
                local={**annex.local, **data.local},
            )
    return MonthRead(sources, data, annex, hashes)


def resolve_month(month: str, read: MonthRead) -> str:
    """``latest`` becomes the latest complete month of the returns; any month is checked.

    A month outside the data is a :class:`~pmf_lib.errors.PmfError`
    (:func:`pmf_lib.dates.check_month_covered`); the check is left to the
    returns' own error when one of them could not be read.

    Examples
    --------
    >>> from pmf_lib.read.tables import CinCensus, Ssda903
    >>> cin = CinCensus()
    >>> cin.returns = pd.DataFrame({"collection_year": [2026, 2027],
    ...     "reference_date": pd.to_datetime(["2026-03-31", "2026-11-03"])})
    >>> r = MonthRead(Sources(cin=cin), SourceData(cin, Ssda903(), None))
    >>> resolve_month("latest", r), resolve_month("2026-10", r)
    ('2026-10', '2026-10')
    >>> try:
    ...     resolve_month("2026-12", r)
    ... except PmfError as e:
    ...     print(e.field)
    month
    """
    from pmf_lib.dates import check_month_covered, data_extent

    if month == "latest":
        return latest_complete_month(read.data)
    if read.unreadable:
        return month
    first, last = data_extent([read.data.cin.returns, read.data.cla.returns])
    if first is None or last is None:
        return month
    return check_month_covered(month, first, last)


@dataclass
class MonthBuild:
    """Everything one month's outputs are made from (:func:`build_month`).

    Attributes
    ----------
    month : str
        ``YYYY-MM``.
    period_ends : list of Timestamp
        The month ends of the history, ending with the month.
    read : MonthRead or None
        The sources as read (None for a build from a supplied KPI table).
    quality : DataQuality or None
        Issues, reconciliation, confidence and the reference date.
    target_reviews : DataFrame, str or None
        The targets in force past their review date (or the targets file's
        error); None without a targets file.
    kpi_table : DataFrame or None
        The tidy KPI history, with ``dq_error_share`` and ``dq_confidence``.
    assessed, spc, breakdowns : DataFrame or None
        The month's assessed table (value, target, RAG, SPC, flags, sentence),
        the SPC table (every chart's points, limits and verdicts) and the
        breakdowns (None when there is no source data).
    actions : DataFrame or None
        Each improvement action's state at the month end
        (:func:`pmf_lib.assess.actions.actions_for_config`); None without a log.
    annex_a_reconciliation : DataFrame or None
        Annex A's figures beside the national returns' (:mod:`pmf_lib.assess.reconcile`);
        None unless both are configured.
    scorecards : DataFrame or None
        Every configured scorecard's KPIs at its quarter ends
        (:mod:`pmf_lib.assess.scorecard`); None when the config names none.
    finance : FinanceTables or None
        The month's budget lines and high-cost placements (:mod:`pmf_lib.assess.finance`;
        the list internal only); None without finance data.
    voice_quotes : DataFrame or None
        The survey comments the council marked to publish, by quarter, naming no one
        (:mod:`pmf_lib.assess.voice`); None without survey responses.
    voice_questions : DataFrame or None
        Children in care answering each survey question positively at each quarter the
        voice report shows (breakdown rows; :func:`pmf_lib.assess.voice.question_quarters`).
    annual : DataFrame or None
        Every KPI's figure for each of the last three years to 31 March, with its
        direction on the year before (:mod:`pmf_lib.assess.annual`: the annual
        evidence packs read it).
    """

    month: str
    period_ends: list
    read: MonthRead | None = None
    quality: DataQuality | None = None
    target_reviews: pd.DataFrame | str | None = None
    kpi_table: pd.DataFrame | None = None
    assessed: pd.DataFrame | None = None
    spc: pd.DataFrame | None = None
    breakdowns: pd.DataFrame | None = None
    actions: pd.DataFrame | None = None
    annex_a_reconciliation: pd.DataFrame | None = None
    scorecards: pd.DataFrame | None = None
    finance: object | None = None  # pmf_lib.assess.finance.FinanceTables
    annual: pd.DataFrame | None = None
    voice_quotes: pd.DataFrame | None = None  # pmf_lib.assess.voice.quotes_table
    voice_questions: pd.DataFrame | None = None  # pmf_lib.assess.voice.question_quarters
    timings: dict = field(default_factory=dict)

    @property
    def month_quality(self) -> pd.DataFrame:
        """The confidence of every KPI at the month's end (``data_quality.html``)."""
        conf = self.quality.confidence
        return conf[conf["period_end"] == self.period_ends[-1]]

    def published(self, config: Config) -> MonthBuild:
        """The build as the config's audience may see it.

        For an internal audience, itself. For members or the public, the one
        suppression decision (:func:`pmf_lib.assess.disclosure.published_tables`):
        the history of each KPI's headline window with withheld figures blanked
        and flagged, the assessed table, the SPC table and the breakdowns
        following it, so no count of 1 to 4 reaches the month's folder.
        """
        from pmf_lib.assess.annual import suppress_annual
        from pmf_lib.assess.disclosure import Disclosure, published_tables, suppress_breakdowns
        from pmf_lib.assess.pipeline import configured_kpis
        from pmf_lib.assess.scorecard import suppress_scorecard
        from pmf_lib.assess.spc_table import suppress_spc_table
        from pmf_lib.assess.voice import suppress_quotes

        rules = Disclosure.from_config(config)
        if rules is None or self.kpi_table is None:
            return self
        metas = configured_kpis(config)
        view = published_tables(self.kpi_table, self.assessed, None, metas, rules)
        breakdowns = self.breakdowns
        if breakdowns is not None:
            breakdowns = suppress_breakdowns(breakdowns, metas, view.history, rules.max_count)
        return replace(
            self,
            kpi_table=view.history,
            assessed=view.assessed,
            spc=suppress_spc_table(self.spc, view.history),
            breakdowns=breakdowns,
            scorecards=suppress_scorecard(self.scorecards, view.history),
            finance=None if self.finance is None else self.finance.for_audience(True),
            annual=None
            if self.annual is None
            else suppress_annual(self.annual, view.history, metas, rules.max_count),
            voice_quotes=suppress_quotes(self.voice_quotes, rules.max_count),
            voice_questions=None
            if self.voice_questions is None
            else suppress_breakdowns(self.voice_questions, metas, view.history, rules.max_count),
        )


def target_reviews(config: Config, period_end) -> pd.DataFrame | str | None:
    """Targets in force at ``period_end`` past their review, or the targets file's error."""
    if not config.targets_file:
        return None
    from pmf_lib.assess.pipeline import configured_kpis
    from pmf_lib.assess.targets import load_targets, reviews_overdue

    try:
        targets = load_targets(config.targets_file, configured_kpis(config))
        return reviews_overdue(targets, period_end)
    except PmfError as e:
        return str(e)


def assess_table(config: Config, build: MonthBuild) -> MonthBuild:
    """``build`` with the month's assessed, SPC, action and scorecard tables from its KPI table.

    The improvement action log is the one read for the build (read again from
    its files only for a build from a supplied KPI table).
    """
    from pmf_lib.assess.actions import actions_for_config
    from pmf_lib.assess.pipeline import assess_for_config, spc_for_config

    build.assessed = assess_for_config(config, build.kpi_table, build.month)
    if "source" in build.kpi_table.columns:  # the config names Annex A (issue 15)
        from pmf_lib.assess.reconcile import with_source

        build.assessed = with_source(build.assessed, build.kpi_table)
    build.spc = spc_for_config(config, build.kpi_table, build.month)
    log = build.read.data.local.get("improvement_actions") if build.read is not None else None
    build.actions = actions_for_config(config, build.kpi_table, build.month, log)
    from pmf_lib.assess.scorecard import scorecards_for_config

    build.scorecards = scorecards_for_config(config, build.kpi_table, build.assessed, build.month)
    from pmf_lib.assess.annual import annual_points_for_config  # the annual evidence packs

    build.annual = annual_points_for_config(config, build.kpi_table, build.month)
    from pmf_lib.assess.voice import quotes_table  # issue 16: the quotes a council publishes

    survey = build.read.data.local.get("survey_responses") if build.read is not None else None
    build.voice_quotes = quotes_table(survey, build.month)
    return build


def build_month(
    config: Config,
    month: str = "latest",
    *,
    read: MonthRead | None = None,
    through: str = "all",
    history_months: int = HISTORY_MONTHS,
) -> MonthBuild:
    """The month's build: read once, validated once, KPIs, confidence, assessment, breakdowns.

    Parameters
    ----------
    config : Config
        A single council's config (``data_quality`` gives the confidence thresholds).
    month : str
        ``YYYY-MM`` or ``latest`` (the latest complete month of the returns).
    read : MonthRead, optional
        The sources already read (:func:`read_month`); default: read them now.
    through : str
        ``quality`` (stop after validation and confidence), ``kpis`` (after the
        KPI history) or ``all``.
    history_months : int
        Month ends in the history.

    Returns
    -------
    MonthBuild

    Raises
    ------
    PmfError
        For a month outside the data, a row reconciliation that does not add
        up, or (past ``quality``) the first file that could not be read.
    """
    import time

    from pmf_lib.compute.registry import kpi_feeds
    from pmf_lib.validate.quality import assess_quality

    if through not in STAGES:
        raise ValueError(f"through must be one of {', '.join(STAGES)}, got {through!r}")
    timings = {}
    t0 = time.monotonic()
    read = read if read is not None else read_month(config)
    timings["read"] = time.monotonic() - t0
    if through != "quality":
        read.raise_unreadable()
    month = resolve_month(month, read)
    ends = history_ends(month, history_months)

    t0 = time.monotonic()
    quality = assess_quality(
        read.sources,
        ends,
        feeds=kpi_feeds(),
        frames=read.data.local,
        high=config.data_quality.high,
        medium=config.data_quality.medium,
    )
    recon = quality.reconciliation
    if not (recon["rows_read"] == recon["accepted"] + recon["reported"]).all():
        raise PmfError("row reconciliation failed: rows read differ from accepted + reported")
    if read.annex is not None:  # Annex A's figures rated over its own records (issue 15)
        from pmf_lib.assess.reconcile import annex_a_quality

        quality = annex_a_quality(config, quality, read, ends, kpi_feeds())
    timings["quality"] = time.monotonic() - t0
    build = MonthBuild(
        month=month,
        period_ends=ends,
        read=read,
        quality=quality,
        target_reviews=target_reviews(config, ends[-1]),
        timings=timings,
    )
    if through == "quality":
        return build

    from pmf_lib.compute import kpi_history
    from pmf_lib.validate.confidence import attach

    t0 = time.monotonic()
    build.kpi_table = attach(kpi_history(read.data, ends, dict(config)), quality.confidence)
    if read.annex is not None:
        from pmf_lib.assess.reconcile import with_annex_a

        build.kpi_table, build.annex_a_reconciliation = with_annex_a(
            config, build.kpi_table, read, ends, quality.annex_a_confidence
        )
    timings["kpis"] = time.monotonic() - t0
    if through == "kpis":
        return build

    from pmf_lib.compute import inputs_from_sources
    from pmf_lib.compute.breakdowns import compute_breakdowns

    t0 = time.monotonic()
    assess_table(config, build)
    from pmf_lib.assess.finance import finance_tables  # issue 16: budget lines, high-cost list

    threshold = config.finance.high_cost_weekly_threshold
    build.finance = finance_tables(read.data.local, ends[-1], threshold)
    timings["assess"] = time.monotonic() - t0
    t0 = time.monotonic()
    inputs = inputs_from_sources(read.data, dict(config))
    build.breakdowns = compute_breakdowns(inputs, ends[-1])
    from pmf_lib.assess.voice import question_quarters  # issue 16: the voice report's questions

    build.voice_questions = question_quarters(inputs, build.month)
    if read.annex is not None and "source" in build.kpi_table.columns:
        from pmf_lib.assess.reconcile import annex_a_breakdowns

        build.breakdowns = annex_a_breakdowns(build.breakdowns, build.kpi_table)
    timings["breakdowns"] = time.monotonic() - t0
    return build


def build_from_table(config: Config, kpi_table: pd.DataFrame, month: str) -> MonthBuild:
    """The month's assessment from a KPI history supplied by the caller (no sources read).

    No data quality and no breakdowns (they need the source data).
    """
    ends = sorted(pd.to_datetime(kpi_table["period_end"]).unique())
    build = MonthBuild(month=month, period_ends=list(ends), kpi_table=kpi_table)
    return assess_table(config, build)
