"""The one data quality computation that ``pmf validate`` and ``pmf run`` share.

Both commands rate every KPI and month with :func:`assess_quality`, on the
same records, the same issues and the same reference date, so the confidence
beside a figure in the dashboard, the area reports and ``kpis.csv`` is the one
``data_quality.html`` and ``data_quality_confidence.csv`` give for it:

* **reference date** (:func:`extract_date`): a date is "in the future" (rule
  S06) when it is after the national returns' latest reference date (the
  extract date of a year-to-date extract), never after the day the command
  happens to run; planned dates (due dates, planned review dates, marked
  ``future: true`` in the schemas) are not checked at all;
* **issues**: :func:`pmf_lib.validate.validate` over the national returns and
  every configured local dataset and monthly workforce file, each local file
  read against its schema (:func:`read_other_sources`);
* **records**: the stacked local frames the KPIs read, the local issues placed
  on them by file and row (:func:`~pmf_lib.validate.confidence.local_issues_on_frames`);
* **a file that could not be read** (rule S00; S01 for a required column
  missing): every KPI it feeds is rated Low with no error share (nothing of it
  could be checked). ``pmf run`` refuses such a file outright; ``pmf
  validate`` lists it in the report and exits 2 with the same one-line
  message (:func:`read_sources` reads each file with the same reader ``pmf
  run`` uses);
* **a council running anyway** without a required column
  (``data_quality.missing_columns: run_anyway``): the file is read, its
  missing column an S01 error on every record, and every KPI over that
  dataset is rated Low with no share, its figures missing in the KPI table
  (:func:`pmf_lib.compute.blank_unsupplied`), never 0 rated High.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from pmf_lib.errors import PmfError
from pmf_lib.read.local import concat_tables
from pmf_lib.read.tables import CinCensus, Ssda903
from pmf_lib.validate import Sources, read_other_sources, reconcile, validate
from pmf_lib.validate.confidence import confidence_table, local_issues_on_frames

#: Month ends rated, ending with the report month (as the KPI table's history).
HISTORY_MONTHS = 36


@dataclass
class DataQuality:
    """Everything one data quality computation yields.

    ``issues`` is :func:`~pmf_lib.validate.validate`'s table (file rows);
    ``reconciliation`` rows read, accepted and reported; ``confidence`` one row
    per KPI and period end (``kpi_id, period_end, dq_error_share,
    dq_confidence``); ``as_of`` the reference date of rule S06; ``unrated``
    the KPIs fed by a file that could not be read, with the files;
    ``annex_a_confidence`` the same table rated over the Annex A records
    (:func:`pmf_lib.assess.reconcile.annex_a_quality`; None without Annex A).
    """

    issues: pd.DataFrame
    reconciliation: pd.DataFrame
    confidence: pd.DataFrame
    as_of: pd.Timestamp
    unrated: dict[str, list[str]]
    annex_a_confidence: pd.DataFrame | None = None


def extract_date(cin: CinCensus, cla: Ssda903) -> pd.Timestamp | None:
    """The national returns' latest reference date, or None when there is none.

    Examples
    --------
    >>> import pandas as pd
    >>> cin = CinCensus()
    >>> cin.returns = pd.DataFrame({"reference_date": pd.to_datetime(["2026-03-31", "2026-10-31"])})
    >>> extract_date(cin, Ssda903()).date()
    datetime.date(2026, 10, 31)
    >>> extract_date(CinCensus(), Ssda903()) is None
    True
    """
    dates = []
    for data in (cin, cla):
        r = getattr(data, "returns", None)
        if r is not None and "reference_date" in r:
            dates.append(pd.to_datetime(r["reference_date"]))
    if not dates:
        return None
    ref = pd.concat(dates).max()
    return None if pd.isna(ref) else pd.Timestamp(ref).normalize()


def read_national(reader, files, source: str, unreadable: list) -> object:
    """``reader(files)``; a file it cannot read is recorded and the others read again.

    The error recorded is the very :class:`~pmf_lib.errors.PmfError` ``pmf run``
    stops with for that file (the same reader on the same file). An error not
    naming one of ``files`` is raised.
    """
    files = list(files)
    while True:
        try:
            return reader(files)
        except PmfError as e:
            bad = next((f for f in files if e.file and str(f) == str(e.file)), None)
            if bad is None:
                raise
            unreadable.append((source, str(bad), e))
            files.remove(bad)


def strict_columns(config) -> bool:
    """Whether a required column missing stops the read (``data_quality.missing_columns``)."""
    return getattr(config.data_quality, "missing_columns", "error") == "error"


def read_sources(config) -> Sources:
    """Every configured source, each file read as ``pmf run`` reads it, none stopping the rest.

    National returns, Annex A, the workforce census and monthly file, and the
    local datasets; a file that cannot be read is in ``Sources.unreadable``.
    """
    from pmf_lib.read.cin_census import read_cin_census
    from pmf_lib.read.local import LOCAL_DATASETS
    from pmf_lib.read.ssda903 import read_ssda903

    local = {name: config.files(f"local.{name}") for name in LOCAL_DATASETS}
    sources = read_other_sources(
        {k: v for k, v in local.items() if v},
        config.files("annex_a"),
        config.files("workforce_census"),
        config.files("workforce_monthly"),
        strict_columns=strict_columns(config),
    )
    sources.cin = read_national(
        read_cin_census, config.files("cin_census"), "cin_census", sources.unreadable
    )
    sources.cla = read_national(
        read_ssda903, config.files("ssda903"), "ssda903", sources.unreadable
    )
    return sources


def stack_frames(files) -> dict[str, pd.DataFrame]:
    """The frames the KPIs read (``SourceData.local``) from the files read against a schema.

    Each local dataset's (and the monthly workforce data's) files stacked in
    read order, keyed by dataset name, exactly as ``pmf run`` stacks them.
    """
    by_name: dict[str, list] = {}
    for t in files:
        if t.source.startswith("local/") or t.source == "workforce_monthly":
            by_name.setdefault(t.source.removeprefix("local/"), []).append(t)
    return {name: concat_tables(ts) for name, ts in by_name.items()}


def _feed_key(source: str) -> tuple[str, str | None] | None:
    """The (feed source, feed table) an unreadable file's source stands for."""
    if source in ("cin_census", "ssda903"):
        return (source, None)
    if source.startswith("local/"):
        return ("local", source.removeprefix("local/"))
    if source == "workforce_monthly":
        return ("local", "workforce_monthly")
    return None


def unrated_kpis(unreadable: Iterable, feeds: Mapping) -> dict[str, list[str]]:
    """KPI id -> the unreadable files feeding it (``Sources.unreadable`` entries).

    A file read though it lacks a required column (the council runs anyway)
    counts as unreadable here too: give it as ``(source, file, None)``.

    Examples
    --------
    >>> from pmf_lib.errors import PmfError
    >>> from pmf_lib.feeds import Feed
    >>> feeds = {"lado_open_count": (Feed("local", "lado", kind="all"),),
    ...          "lado_open_over_3m_count": (Feed("local", "lado", kind="all"),),
    ...          "referrals_count": (Feed("cin_census", "referrals", "CINreferralDate"),)}
    >>> u = unrated_kpis([("local/lado", "lado.csv", PmfError("the file is empty"))], feeds)
    >>> sorted(u)[:2], u["lado_open_count"]
    (['lado_open_count', 'lado_open_over_3m_count'], ['lado.csv'])
    """
    out: dict[str, list[str]] = {}
    for source, file, _err in unreadable:
        key = _feed_key(source)
        if key is None:
            continue
        for kpi_id, kfeeds in feeds.items():
            if any(f.source == key[0] and key[1] in (None, f.table) for f in kfeeds):
                out.setdefault(kpi_id, []).append(str(file))
    return out


def assess_quality(
    sources: Sources,
    period_ends,
    *,
    frames: Mapping[str, pd.DataFrame] | None = None,
    high: float = 0.01,
    medium: float = 0.05,
    as_of=None,
    feeds: Mapping,
    rules=None,
) -> DataQuality:
    """Issues, reconciliation and the confidence of every KPI at every period end.

    Parameters
    ----------
    sources : Sources
        What was read (:func:`read_sources`, or the run's national tables and
        :func:`read_other_sources`).
    period_ends : iterable of dates
    frames : mapping, optional
        The stacked local frames the KPIs read (default: :func:`stack_frames`
        of ``sources.files``, which is what ``pmf run`` reads).
    high, medium : float
        Thresholds of :func:`~pmf_lib.validate.confidence.rate`.
    as_of : date, optional
        Reference date of rule S06 (default :func:`extract_date`, else today).
    feeds : mapping
        KPI id to its feeds: the KPIs' declared inputs
        (:func:`pmf_lib.compute.registry.kpi_feeds`; ``validate`` cannot import
        ``compute``, so the caller passes them).
    rules : optional
        The DfE/logic rules run (default all).

    Examples
    --------
    >>> import pandas as pd
    >>> from pmf_lib.feeds import Feed
    >>> from pmf_lib.read.tables import CIN_COLUMNS, conform
    >>> cin = CinCensus()
    >>> cin.tables["referrals"] = conform(pd.DataFrame({"LAchildID": ["a", "b"],
    ...     "CINreferralDate": pd.to_datetime(["2025-03-03", "2025-04-04"]),
    ...     "ReferralNFA": ["0", "0"], "source_file": ["cin.xml"] * 2}),
    ...     CIN_COLUMNS["referrals"])
    >>> cin.returns = pd.DataFrame({"reference_date": [pd.Timestamp("2025-03-31")]})
    >>> q = assess_quality(Sources(cin=cin), ["2025-03-31"], rules=[],
    ...     feeds={"referrals_count": (Feed("cin_census", "referrals", "CINreferralDate"),)})
    >>> # the referral of 4 April is after the extract date (31 March), not after today
    >>> q.as_of.date(), q.issues[["rule", "record"]].values.tolist()
    (datetime.date(2025, 3, 31), [['S06', 1]])
    """
    if as_of is None:
        as_of = extract_date(sources.cin, sources.cla)
    as_of = pd.Timestamp(as_of if as_of is not None else pd.Timestamp.today()).normalize()
    frames = stack_frames(sources.files) if frames is None else frames
    issues = validate(sources, as_of=as_of, rules=rules)
    recon = reconcile(sources, issues)
    placed = local_issues_on_frames(issues, sources.files, frames)
    conf = confidence_table(
        placed,
        sources.cin,
        sources.cla,
        period_ends,
        feeds=feeds,
        local=frames,
        high=high,
        medium=medium,
    )
    lacking = [(t.source, t.file, None) for t in sources.files if t.missing_columns]
    unrated = unrated_kpis([*sources.unreadable, *lacking], feeds)
    if unrated:  # nothing of the file could be checked: no share, rated Low
        hit = conf["kpi_id"].isin(list(unrated))
        conf.loc[hit, "dq_error_share"] = float("nan")
        conf.loc[hit, "dq_confidence"] = "Low"
    return DataQuality(issues, recon, conf, as_of, unrated)


def history_ends(month: str, months: int = HISTORY_MONTHS) -> list[pd.Timestamp]:
    """The ``months`` month ends ending with ``month`` (``YYYY-MM``).

    Examples
    --------
    >>> e = history_ends("2025-03")
    >>> len(e), e[0].date(), e[-1].date()
    (36, datetime.date(2022, 4, 30), datetime.date(2025, 3, 31))
    """
    from pmf_lib.dates import month_end, month_ends

    last = month_end(month)
    return list(month_ends(last - pd.DateOffset(months=months - 1), last))
