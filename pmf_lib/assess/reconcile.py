"""Annex A beside the national returns: which figure is headline, and how the two reconcile.

A council may configure its Ofsted Annex A workbooks (``data.annex_a``) alone or
beside the SSDA903 and CIN census returns. The KPIs are computed by the same
functions from the canonical tables Annex A maps into
(:mod:`pmf_lib.read.annex_a_inputs`); this module makes the one decision about
them, here in ``assess``:

* :func:`annex_a_kpis`: the figures Annex A cannot give are missing, never 0: a KPI
  it does not support (:func:`~pmf_lib.read.annex_a_inputs.support`), a window
  starting before the lists' period (or without the year before it a
  re-referral needs), a figure the lists give only at their extract date at any
  other month end;
* :func:`headline_table`: the KPI table with a ``source`` column per figure
  (``annex_a``, ``national`` for SSDA903/CIN census, ``local`` for a local
  dataset); where both give a figure, the config's ``sources.headline`` chooses
  (``national`` by default), the other source filling a figure the headline
  lacks;
* :func:`reconciliation`: per KPI, month and window in the lists' period, the
  national and Annex A figures side by side, the difference and its likely
  reason: ``agree``, ``definition``, ``timing``, ``data quality``, ``not
  supported`` or ``no national figure``, and which is ``headline`` (``national``,
  ``annex_a``, or ``none`` when neither gives a figure) (the analyst's data quality
  report and ``annex_a_reconciliation.csv``);
* :func:`annex_a_confidence` and :func:`annex_a_quality`: the data quality
  confidence of a figure from Annex A, rated the same way as a national one
  (:func:`pmf_lib.validate.confidence.confidence_table`, the KPI's declared
  feeds) over the Annex A records that feed it, each list's validation issues
  placed on the canonical records made from its rows
  (:meth:`~pmf_lib.read.annex_a_inputs.AnnexAData.issues_on_tables`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from pmf_lib.dates import Window
from pmf_lib.read.annex_a_inputs import AT_EXTRACT, DIFFERS, SAME, AnnexAData, support

#: The columns of the reconciliation table.
RECONCILIATION_COLUMNS = [
    "kpi_id",
    "period_end",
    "window",
    "national_value",
    "annex_a_value",
    "difference",
    "headline",
    "likely_reason",
    "detail",
]
DQ_COLUMNS = ("dq_error_share", "dq_confidence")


def annex_a_fed(kpi_id: str, feeds: dict, contacts: bool = True) -> bool:
    """Whether a KPI reads a table Annex A maps into (CIN census, SSDA903, local contacts).

    ``contacts``: whether the contacts come from Annex A's List 1 (not when the
    council's own contacts dataset is configured beside Annex A alone).

    Examples
    --------
    >>> from pmf_lib.feeds import Feed
    >>> feeds = {"a": (Feed("local", "contacts", "contact_date"),),
    ...          "b": (Feed("local", "lado", kind="all"),)}
    >>> annex_a_fed("a", feeds), annex_a_fed("b", feeds), annex_a_fed("a", feeds, False)
    (True, False, False)
    """
    return any(
        f.source in ("cin_census", "ssda903")
        or (contacts and f.source == "local" and f.table == "contacts")
        for f in feeds.get(kpi_id, ())
    )


def _lists_sent(kpi_id: str, annex: AnnexAData, feeds: dict) -> bool:
    """Whether every table the KPI reads that Annex A makes was made from a list sent."""
    return all(
        annex.sent(f.source, f.table)
        for f in feeds.get(kpi_id, ())
        if f.source != "local" or f.table == "contacts"
    )


def _covered(table: pd.DataFrame, annex: AnnexAData) -> pd.Series:
    """Which rows' windows the lists cover (with each KPI's history and extract-only rule)."""
    if annex.coverage_start is None or annex.extract_date is None:
        return pd.Series(False, index=table.index)
    start = annex.coverage_start
    last_end = (annex.extract_date + pd.offsets.MonthEnd(0)).normalize()
    ok = []
    for kpi_id, end, window in zip(
        table["kpi_id"], pd.to_datetime(table["period_end"]), table["window"], strict=True
    ):
        s = support(kpi_id)
        if s.status == AT_EXTRACT:
            ok.append(end.normalize() == last_end)
            continue
        w_start = Window.of(window, end).start
        need = (start + pd.DateOffset(months=s.history)).normalize()
        ok.append(bool(w_start >= need and end <= last_end))
    return pd.Series(ok, index=table.index)


def annex_a_kpis(
    table: pd.DataFrame, annex: AnnexAData, feeds: dict, contacts: bool = True
) -> pd.DataFrame:
    """The KPI table computed from Annex A with every figure it cannot give made missing.

    ``table`` is the KPI history over :class:`~pmf_lib.read.annex_a_inputs.AnnexAData`'s
    tables; ``feeds`` each KPI's declared inputs. Rows of KPIs not fed by a table
    Annex A maps into are returned untouched (local datasets). A KPI over a
    table whose lists were not sent (:meth:`AnnexAData.sent`) is missing too.

    Examples
    --------
    >>> a = AnnexAData(extract_date=pd.Timestamp("2026-10-31"),
    ...                coverage_start=pd.Timestamp("2025-11-01"), lists={"list_3"})
    >>> from pmf_lib.feeds import Feed
    >>> f = Feed("cin_census", "referrals", "CINreferralDate")
    >>> t = pd.DataFrame({"kpi_id": ["referrals_count", "referrals_count", "rereferrals_12m_pct",
    ...                              "cla_missing_pct"],
    ...     "period_end": pd.to_datetime(["2026-10-31", "2025-10-31", "2026-10-31", "2026-10-31"]),
    ...     "window": ["rolling_12m", "month", "month", "month"],
    ...     "value": [10.0, 5.0, 20.0, 0.0], "numerator": [10.0, 5.0, 2.0, 0.0],
    ...     "denominator": [np.nan, np.nan, 10.0, 3.0]})
    >>> feeds = {k: (f,) for k in t["kpi_id"]}
    >>> annex_a_kpis(t, a, feeds)["value"].tolist()
    [10.0, nan, nan, nan]

    The second row's month (October 2025) is before the lists' period, the
    re-referral needs a year of lists before its month, and Annex A does not
    support missing episodes (no dates): missing, not 0.
    """
    out = table.copy()
    fed = out["kpi_id"].map(lambda k: annex_a_fed(k, feeds, contacts)).astype(bool)
    supported = (
        out["kpi_id"]
        .map(lambda k: support(k).status != "none" and _lists_sent(k, annex, feeds))
        .astype(bool)
    )
    keep = ~fed | (supported & _covered(out, annex))
    for col in ("value", "numerator", "denominator"):
        if col in out:
            out[col] = out[col].astype("float64")
            out.loc[~keep, col] = np.nan
    return out


def _source(kpi_id: str, feeds: dict) -> str:
    return "national" if any(f.source != "local" for f in feeds.get(kpi_id, ())) else "local"


def headline_table(
    national: pd.DataFrame | None,
    annex: pd.DataFrame,
    feeds: dict,
    headline: str = "national",
    contacts: bool = True,
) -> pd.DataFrame:
    """One KPI table with a ``source`` per figure, the config's headline source first.

    ``national`` is the KPI table over the national returns (None when the council
    sends Annex A alone), ``annex`` the one over Annex A (:func:`annex_a_kpis`).
    A figure from Annex A takes no confidence from ``national`` (rated on the
    national returns' records); :func:`with_annex_a` gives it Annex A's own
    (:func:`annex_a_confidence`).

    Examples
    --------
    >>> from pmf_lib.feeds import Feed
    >>> feeds = {"referrals_count": (Feed("cin_census", "referrals", "CINreferralDate"),)}
    >>> key = {"kpi_id": ["referrals_count"] * 2, "window": ["month"] * 2,
    ...        "period_end": pd.to_datetime(["2026-09-30", "2026-10-31"])}
    >>> nat = pd.DataFrame({**key, "value": [5.0, 6.0], "numerator": [5.0, 6.0],
    ...                     "denominator": [np.nan] * 2, "dq_confidence": ["High"] * 2})
    >>> ann = pd.DataFrame({**key, "value": [np.nan, 7.0], "numerator": [np.nan, 7.0],
    ...                     "denominator": [np.nan] * 2})
    >>> t = headline_table(nat, ann, feeds, "annex_a")
    >>> t[["value", "source", "dq_confidence"]].values.tolist()
    [[5.0, 'national', 'High'], [7.0, 'annex_a', nan]]
    >>> headline_table(nat, ann, feeds)["source"].tolist()
    ['national', 'national']
    """
    fed = annex["kpi_id"].map(lambda k: annex_a_fed(k, feeds, contacts)).astype(bool)
    ann = annex.copy()
    ann["source"] = np.where(fed, "annex_a", [_source(k, feeds) for k in ann["kpi_id"]])
    for c in DQ_COLUMNS:
        if c in ann:
            ann[c] = ann[c].astype("object")
            ann.loc[fed, c] = np.nan
    if national is None:
        return ann
    nat = national.copy()
    nat["source"] = [_source(k, feeds) for k in nat["kpi_id"]]
    keys = ["kpi_id", "period_end", "window"]
    a = ann.set_index(keys).reindex(pd.MultiIndex.from_frame(nat[keys]))
    a.index = nat.index
    has_a = fed.groupby(ann["kpi_id"]).any().reindex(nat["kpi_id"]).fillna(False).to_numpy()
    a_ok = a["value"].notna().to_numpy() & has_a
    n_ok = nat["value"].notna().to_numpy()
    use_a = a_ok & ~n_ok if headline == "national" else a_ok
    cols = [c for c in ("value", "numerator", "denominator") if c in nat]
    for c in cols:
        nat[c] = nat[c].astype("float64")
        nat.loc[use_a, c] = a.loc[use_a, c].astype("float64")
    nat.loc[use_a, "source"] = "annex_a"
    for c in DQ_COLUMNS:
        if c in nat:
            nat[c] = nat[c].astype("object")
            nat.loc[use_a, c] = np.nan
    return nat


def _reason(kpi_id: str, nv: float, av: float, covered: bool, sent: bool) -> tuple[str, str]:
    """The likely reason the two figures differ, and its detail."""
    s = support(kpi_id)
    if s.status == "none":
        return "not supported", s.reason
    if not sent:
        return "not supported", "the workbook has not the list(s) it is made from"
    if not covered or np.isnan(av):
        why = s.reason if s.status in (AT_EXTRACT, DIFFERS) or s.history else ""
        return "timing", why or "the window starts before the Annex A lists' period"
    if np.isnan(nv):
        return "no national figure", s.reason
    if not np.isnan(nv) and abs(nv - av) < 1e-9:
        return "agree", ""
    if s.status == DIFFERS:
        return "definition", s.reason
    if s.status == AT_EXTRACT:
        return "timing", s.reason
    if s.status == SAME:
        return (
            "data quality",
            "the same definition over the same period: the lists and the returns hold "
            "different records (" + s.reason + ")",
        )
    return "definition", s.reason


def reconciliation(
    national: pd.DataFrame,
    annex: pd.DataFrame,
    annex_data: AnnexAData,
    feeds: dict,
    headline: str = "national",
) -> pd.DataFrame:
    """The national and Annex A figures side by side, per KPI, month and window.

    Only KPIs fed by a table Annex A maps into, at the month ends of the lists'
    period (from the month of their first record to the extract date).
    ``difference`` is Annex A's figure less the national one.

    Examples
    --------
    >>> from pmf_lib.feeds import Feed
    >>> a = AnnexAData(extract_date=pd.Timestamp("2026-10-31"),
    ...                coverage_start=pd.Timestamp("2025-11-01"), lists={"list_3"})
    >>> f = Feed("cin_census", "referrals", "CINreferralDate")
    >>> key = {"kpi_id": ["referrals_count", "rereferrals_12m_pct", "cla_missing_pct"],
    ...        "period_end": pd.to_datetime(["2026-10-31"] * 3), "window": ["month"] * 3}
    >>> nat = pd.DataFrame({**key, "value": [482.0, 21.6, 9.0]})
    >>> ann = pd.DataFrame({**key, "value": [480.0, np.nan, np.nan]})
    >>> r = reconciliation(nat, ann, a, {k: (f,) for k in key["kpi_id"]})
    >>> r[["kpi_id", "difference", "likely_reason"]].values.tolist()
    [['cla_missing_pct', nan, 'not supported'], ['referrals_count', -2.0, 'data quality'], \
['rereferrals_12m_pct', nan, 'timing']]
    """
    if annex_data.coverage_start is None or annex_data.extract_date is None:
        return pd.DataFrame(columns=RECONCILIATION_COLUMNS)
    keys = ["kpi_id", "period_end", "window"]
    n = national[keys + ["value"]].rename(columns={"value": "national_value"})
    a = annex[keys + ["value"]].rename(columns={"value": "annex_a_value"})
    m = n.merge(a, on=keys, how="outer")
    m = m[m["kpi_id"].map(lambda k: annex_a_fed(k, feeds)).astype(bool)]
    ends = pd.to_datetime(m["period_end"])
    last = (annex_data.extract_date + pd.offsets.MonthEnd(0)).normalize()
    m = m[(ends >= annex_data.coverage_start) & (ends <= last)].copy()
    covered = _covered(m, annex_data)
    m["difference"] = m["annex_a_value"] - m["national_value"]
    reasons = [
        _reason(k, float(nv), float(av), bool(c), _lists_sent(k, annex_data, feeds))
        for k, nv, av, c in zip(
            m["kpi_id"], m["national_value"], m["annex_a_value"], covered, strict=True
        )
    ]
    m["likely_reason"] = [r[0] for r in reasons]
    m["detail"] = [r[1] for r in reasons]
    m["headline"] = np.where(
        (headline == "annex_a") & m["annex_a_value"].notna().to_numpy(), "annex_a", "national"
    )
    m.loc[m["national_value"].isna() & m["annex_a_value"].notna(), "headline"] = "annex_a"
    # neither figure: none is published (e.g. Annex A alone, a KPI it cannot give)
    m.loc[m["national_value"].isna() & m["annex_a_value"].isna(), "headline"] = "none"
    return m.sort_values(keys, kind="stable")[RECONCILIATION_COLUMNS].reset_index(drop=True)


def _contacts_from_annex_a(config) -> bool:
    """Whether the contacts are List 1's (not the council's own beside Annex A alone)."""
    alone = not (config.data.ssda903 or config.data.cin_census)
    return not (alone and config.data.local.contacts)


def annex_a_confidence(
    issues: pd.DataFrame,
    read,
    period_ends,
    feeds: dict,
    *,
    contacts: bool = True,
    high: float = 0.01,
    medium: float = 0.05,
) -> pd.DataFrame:
    """The confidence of every KPI Annex A feeds, over the Annex A records feeding it.

    Rated exactly as a national figure is
    (:func:`~pmf_lib.validate.confidence.confidence_table` with the KPI's declared
    ``feeds``), over the canonical tables made from the lists (``read.annex``):
    the lists' issues (``issues``, :func:`pmf_lib.validate.validate`'s table)
    are placed on the records made from their rows
    (:meth:`~pmf_lib.read.annex_a_inputs.AnnexAData.issues_on_tables`), a local
    dataset's on its frame's records
    (:func:`~pmf_lib.validate.confidence.local_issues_on_frames`); the national
    returns' issues are not (their records are not these). ``contacts``: whether
    the contacts are List 1's (:func:`annex_a_fed`).

    Returns
    -------
    pandas.DataFrame
        ``kpi_id, period_end, dq_error_share, dq_confidence`` for each KPI Annex A
        feeds; a KPI is rated Low with no share when an Annex A workbook could not
        be read (nothing of it could be checked).
    """
    from pmf_lib.validate.confidence import confidence_table, local_issues_on_frames

    annex = read.annex
    frames = {**read.data.local, **(annex.local if contacts else {})}
    on_local = local_issues_on_frames(issues, read.sources.files, frames)
    on_local = on_local[on_local["source"] == "local"]
    on_annex = annex.issues_on_tables(issues, read.sources.files)
    placed = pd.concat([on_local, on_annex], ignore_index=True)
    fed = {k: f for k, f in feeds.items() if annex_a_fed(k, feeds, contacts)}
    conf = confidence_table(
        placed, annex.cin, annex.cla, period_ends, feeds=fed, local=frames, high=high, medium=medium
    )
    if any(source == "annex_a" for source, _file, _err in read.unreadable):
        conf["dq_error_share"] = np.nan  # a workbook not read: nothing of it checked
        conf["dq_confidence"] = "Low"
    return conf


def annex_a_quality(config, quality, read, period_ends, feeds: dict):
    """The month's data quality with Annex A's confidence where Annex A is the source.

    ``quality`` is :func:`pmf_lib.validate.quality.assess_quality`'s result over
    the month's sources (its confidence rated on the national returns' records).
    Returned with ``annex_a_confidence`` (:func:`annex_a_confidence`), and in
    ``confidence`` (the data quality report's table) Annex A's rating in place of
    the national one for each KPI Annex A feeds when the council sends Annex A
    alone, and, with ``sources.headline: annex_a``, for each KPI Annex A supports
    at the month ends of the lists' period. With the national returns headline,
    ``confidence`` is unchanged (a figure Annex A fills takes its own rating in
    the KPI table, :func:`with_annex_a`). An Annex A workbook that could not be
    read leaves the KPIs it feeds unrated (``unrated``).
    """
    annex = read.annex
    alone = not (config.data.ssda903 or config.data.cin_census)
    contacts = _contacts_from_annex_a(config)
    conf_a = annex_a_confidence(
        quality.issues,
        read,
        period_ends,
        feeds,
        contacts=contacts,
        high=config.data_quality.high,
        medium=config.data_quality.medium,
    )
    unrated = dict(quality.unrated)
    bad = [str(f) for source, f, _err in read.unreadable if source == "annex_a"]
    if bad:
        for k in conf_a["kpi_id"].unique():
            unrated.setdefault(k, []).extend(bad)
    conf = quality.confidence
    if alone or config.sources.headline == "annex_a":
        ends = pd.to_datetime(conf_a["period_end"])
        take = pd.Series(True, index=conf_a.index)
        if not alone:
            supported = conf_a["kpi_id"].map(
                lambda k: support(k).status != "none" and _lists_sent(k, annex, feeds)
            )
            take = supported.astype(bool)
            if annex.coverage_start is None or annex.extract_date is None:
                take[:] = False
            else:
                last = (annex.extract_date + pd.offsets.MonthEnd(0)).normalize()
                take &= (ends >= annex.coverage_start) & (ends <= last)
        keys = ["kpi_id", "period_end"]
        ours = conf_a[take.to_numpy()].set_index(keys)
        conf = conf.copy()
        idx = pd.MultiIndex.from_arrays(
            [conf["kpi_id"], pd.to_datetime(conf["period_end"])], names=keys
        )
        hit = idx.isin(ours.index)
        for c in DQ_COLUMNS:
            conf[c] = conf[c].astype(ours[c].dtype)
            conf.loc[hit, c] = ours[c].reindex(idx[hit]).to_numpy()
    return replace(quality, confidence=conf, annex_a_confidence=conf_a, unrated=unrated)


def _with_annex_a_confidence(table: pd.DataFrame, confidence: pd.DataFrame | None):
    """Each figure from Annex A with Annex A's confidence at its month end."""
    if confidence is None or "source" not in table:
        return table
    keys = ["kpi_id", "period_end"]
    conf = confidence.assign(period_end=pd.to_datetime(confidence["period_end"]))
    conf = conf.set_index(keys)
    out = table.copy()
    idx = pd.MultiIndex.from_arrays([out["kpi_id"], pd.to_datetime(out["period_end"])], names=keys)
    hit = (out["source"] == "annex_a").to_numpy() & idx.isin(conf.index)
    for c in DQ_COLUMNS:
        if c not in out:
            out[c] = np.nan
        out[c] = out[c].astype("float64" if c == "dq_error_share" else "object")
        out.loc[hit, c] = conf[c].reindex(idx[hit]).to_numpy()
    return out


def with_annex_a(config, kpi_table: pd.DataFrame, read, period_ends, confidence=None):
    """The month's KPI table with Annex A's figures, and the reconciliation table.

    ``read`` is the month's :class:`~pmf_lib.assess.build.MonthRead` (its ``annex``
    the tables made from the lists). A council sending Annex A alone computed
    ``kpi_table`` from them: its unsupported and uncovered figures are made
    missing and each figure's ``source`` recorded (the second table then lists
    only what Annex A gives and why not, in the reconciliation table's form).
    Beside the national returns, the KPIs are
    computed once more over the Annex A tables, the config's
    ``sources.headline`` chooses each figure and the two are reconciled.
    ``confidence`` (:func:`annex_a_confidence`) rates each figure from Annex A;
    without it such a figure has no rating.
    """
    from pmf_lib.compute.engine import compute_kpi_table
    from pmf_lib.compute.registry import KpiInputs, kpi_feeds

    annex = read.annex
    feeds = kpi_feeds()
    headline = config.sources.headline
    if not (config.data.ssda903 or config.data.cin_census):
        # the council's own contacts dataset, when configured, is the contacts read
        contacts = _contacts_from_annex_a(config)
        table = annex_a_kpis(kpi_table, annex, feeds, contacts)
        # nothing to reconcile with: the table says which figures Annex A gives, and why not
        recon = reconciliation(table.assign(value=np.nan), table, annex, feeds, "annex_a")
        recon = recon[recon["kpi_id"].map(lambda k: annex_a_fed(k, feeds, contacts))]
        table = headline_table(None, table, feeds, contacts=contacts)
        return _with_annex_a_confidence(table, confidence), recon.reset_index(drop=True)
    inputs = KpiInputs(
        cin=annex.cin,
        cla=annex.cla,
        population=read.data.population,
        local={**read.data.local, **annex.local},
    )
    # every KPI Annex A feeds, the unsupported ones too (missing, for the reconciliation)
    fed = [k for k in feeds if annex_a_fed(k, feeds)]
    annex_table = annex_a_kpis(compute_kpi_table(inputs, period_ends, kpi_ids=fed), annex, feeds)
    table = _with_annex_a_confidence(
        headline_table(kpi_table, annex_table, feeds, headline), confidence
    )
    return table, reconciliation(kpi_table, annex_table, annex, feeds, headline)


def with_source(assessed: pd.DataFrame, kpi_table: pd.DataFrame) -> pd.DataFrame:
    """The assessed table with each figure's ``source`` from the KPI table (last column).

    Examples
    --------
    >>> t = pd.DataFrame({"kpi_id": ["a"], "period_end": pd.to_datetime(["2026-10-31"]),
    ...                   "window": ["month"], "source": ["annex_a"]})
    >>> a = pd.DataFrame({"kpi_id": ["a", "b"], "period_end": ["2026-10-31"] * 2,
    ...                   "window": ["month"] * 2, "value": [1.0, 2.0]})
    >>> with_source(a, t)["source"].tolist()
    ['annex_a', nan]
    """
    keys = ["kpi_id", "period_end", "window"]
    src = kpi_table[keys + ["source"]].copy()
    src["period_end"] = pd.to_datetime(src["period_end"])
    out = assessed.drop(columns="source", errors="ignore")
    ends = pd.to_datetime(out["period_end"])
    merged = out.assign(_end=ends).merge(
        src.rename(columns={"period_end": "_end"}), on=["kpi_id", "_end", "window"], how="left"
    )
    merged.index = out.index
    return merged.drop(columns="_end")


def annex_a_breakdowns(breakdowns: pd.DataFrame, kpi_table: pd.DataFrame) -> pd.DataFrame:
    """The breakdowns with every group of a figure Annex A cannot give made missing.

    A breakdown computed over the Annex A tables of a KPI whose own figure is
    missing (:func:`annex_a_kpis`) is not a figure either.

    Examples
    --------
    >>> t = pd.DataFrame({"kpi_id": ["a", "b"], "period_end": ["2026-10-31"] * 2,
    ...                   "window": ["month"] * 2, "value": [np.nan, 5.0],
    ...                   "source": ["annex_a"] * 2})
    >>> b = pd.DataFrame({"kpi_id": ["a", "b"], "period_end": ["2026-10-31"] * 2,
    ...                   "window": ["month"] * 2, "group": ["Male"] * 2,
    ...                   "value": [0.0, 3.0], "numerator": [0.0, 3.0], "denominator": [2.0, 5.0]})
    >>> annex_a_breakdowns(b, t)["value"].tolist()
    [nan, 3.0]
    """
    keys = ["kpi_id", "period_end", "window"]
    gone = kpi_table[(kpi_table["source"] == "annex_a") & kpi_table["value"].isna()][keys]
    gone = set(zip(gone["kpi_id"], pd.to_datetime(gone["period_end"]), gone["window"], strict=True))
    hit = [
        (k, e, w) in gone
        for k, e, w in zip(
            breakdowns["kpi_id"],
            pd.to_datetime(breakdowns["period_end"]),
            breakdowns["window"],
            strict=True,
        )
    ]
    out = breakdowns.copy()
    for col in ("value", "numerator", "denominator"):
        if col in out:
            out[col] = out[col].astype("float64")
            out.loc[hit, col] = np.nan
    return out
