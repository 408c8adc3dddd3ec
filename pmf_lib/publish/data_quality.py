"""The data-quality report written by ``pmf validate``: ``outputs/YYYY-MM/data_quality.html``.

One self-contained HTML page (inline CSS, no scripts, no external resources, a
Content-Security-Policy forbidding any) marked INTERNAL, because it lists child
ids. It shows: the files that could not be read (each with the one-line
message ``pmf run`` stops with); the rows read, accepted and reported per
source and file; the issue counts by source and rule with the KPIs each rule
touches and the first rows at fault; and the data-quality confidence of each
KPI for the month (a KPI fed by an unreadable file is Low, with no share).
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from pmf_lib.publish.atomic import write_text_atomic
from pmf_lib.render.export import standalone_page

FIRST_ROWS = 10


def _e(v) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)):
        return ""
    return html.escape(str(v))


def _table(
    df: pd.DataFrame,
    numeric: tuple[str, ...] = (),
    classes: dict | None = None,
    caption: str = "",
) -> str:
    if df.empty:
        return "<p>None.</p>"
    head = "".join(f"<th scope='col'>{_e(c)}</th>" for c in df.columns)
    body = []
    for _, row in df.iterrows():
        cells = []
        for c in df.columns:
            cls = []
            if c in numeric:
                cls.append("n")
            if classes and c in classes:
                cls.append(_e(row[c]))
            attr = f" class='{' '.join(cls)}'" if cls else ""
            cells.append(f"<td{attr}>{_e(row[c])}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    return (
        f"<table class='pmf-dq-table'>{cap}<thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _text(v) -> str | None:
    return None if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)) else str(v)


def _feed_of(source: str, table: str | None) -> tuple[str, str | None]:
    """An issue's (source, table) as the feeds name it (local files: ``local``, dataset)."""
    if source.startswith("local/"):
        return "local", source.removeprefix("local/")
    if source == "workforce_monthly":
        return "local", "workforce_monthly"
    return source, table


def kpis_by_rule(issues: pd.DataFrame, feeds: dict) -> dict[tuple[str, str], list[str]]:
    """The KPIs each (source, rule) touches: those reading a table the rule flags.

    A rule on a child-level table (903 header, CIN children) touches every KPI
    of that source, as the confidence calculation counts it against them all;
    so does a national file that could not be read (no table: rule S00). An
    issue of a local file touches the KPIs reading that dataset.

    Examples
    --------
    >>> import pandas as pd
    >>> from pmf_lib.compute.registry import kpi_feeds
    >>> issues = pd.DataFrame({"source": ["local/lado"], "rule": ["S00"], "table": [pd.NA]})
    >>> kpis_by_rule(issues, kpi_feeds())[("local/lado", "S00")][:2]
    ['lado_open_count', 'lado_open_over_3m_count']
    """
    child_level = {"ssda903": "header", "cin_census": "children"}
    out: dict[tuple[str, str], set[str]] = {}
    for (source, rule, table), _ in issues.groupby(["source", "rule", "table"], dropna=False):
        source, rule, table = _text(source) or "", _text(rule) or "", _text(table)
        fsource, ftable = _feed_of(source, table)
        touched = set()
        for kpi_id, kfeeds in feeds.items():
            for f in kfeeds:
                if f.source != fsource:
                    continue
                if ftable is None or f.table == ftable or child_level.get(fsource) == ftable:
                    touched.add(kpi_id)
        out.setdefault((source, rule), set()).update(touched)
    return {k: sorted(v) for k, v in out.items()}


def summary_by_rule(issues: pd.DataFrame, feeds: dict) -> pd.DataFrame:
    """Issue counts by source and rule, with severity, message and the KPIs touched."""
    if issues.empty:
        return pd.DataFrame(
            columns=["source", "rule", "severity", "issues", "rows", "children", "message", "kpis"]
        )
    touched = kpis_by_rule(issues, feeds)
    g = issues.groupby(["source", "rule"], dropna=False, sort=True)
    out = g.agg(
        severity=("severity", "first"),
        issues=("rule", "size"),
        rows=("row_or_element", "nunique"),
        children=("child_id", "nunique"),
        message=("message", "first"),
    ).reset_index()
    out["kpis"] = [
        ", ".join(touched.get((_text(s) or "", _text(r) or ""), []))
        for s, r in zip(out["source"], out["rule"], strict=True)
    ]
    return out.sort_values(["severity", "issues"], ascending=[True, False], ignore_index=True)


def render_data_quality(
    issues: pd.DataFrame,
    reconciliation: pd.DataFrame,
    confidence: pd.DataFrame,
    *,
    council: str,
    month: str,
    feeds: dict,
    first_rows: int = FIRST_ROWS,
    unreadable: list | None = None,
    as_of=None,
    rebase_proposals: pd.DataFrame | None = None,
    target_reviews: pd.DataFrame | str | None = None,
    annex_a: pd.DataFrame | None = None,
) -> str:
    """The report as an HTML string.

    ``annex_a`` (:func:`pmf_lib.assess.reconcile.reconciliation`, when the config
    names Annex A workbooks) adds a section reconciling Annex A's figures with the
    national returns' for the month.

    ``target_reviews`` (:func:`pmf_lib.assess.targets.reviews_overdue` at the month
    end, or the targets file's one-line error as a string) adds a section listing
    the targets in force that are past their six-monthly review.

    ``rebase_proposals`` (the last ``pmf run``'s ``spc_rebase_proposals.csv``, from
    :func:`pmf_lib.assess.spc_table.rebase_proposals`) adds a section listing the
    KPIs whose SPC chart ends in a sustained shift, with a proposed rebase date.

    ``unreadable`` lists the files that could not be read, as
    ``(source, file, PmfError)``; each is shown with its one-line message.

    Examples
    --------
    >>> import pandas as pd
    >>> from pmf_lib.validate import ISSUE_COLUMNS
    >>> page = render_data_quality(pd.DataFrame(columns=ISSUE_COLUMNS), pd.DataFrame(),
    ...                            pd.DataFrame(), council="Demo <CC>", month="2025-03", feeds={})
    >>> "INTERNAL" in page and "Demo &lt;CC&gt;" in page and "://" not in page
    True
    >>> from pmf_lib.errors import PmfError
    >>> bad = [("cin_census", "cin.xml", PmfError("not well-formed XML", file="cin.xml",
    ...                                           location="line 3"))]
    >>> page = render_data_quality(pd.DataFrame(columns=ISSUE_COLUMNS), pd.DataFrame(),
    ...     pd.DataFrame(), council="Demo", month="2025-03", feeds={}, unreadable=bad)
    >>> "cin.xml, line 3: not well-formed XML" in page
    True
    """
    parts = [
        "<div class='pmf-dq'>",
        "<p class='pmf-internal'>INTERNAL: lists child ids. Do not publish or forward outside "
        "the council.</p>",
        f"<h1>Data quality: {_e(council)}</h1><p>Month: {_e(month)}</p>",
    ]
    errors = int((issues["severity"] == "error").sum()) if len(issues) else 0
    warnings = int((issues["severity"] == "warning").sum()) if len(issues) else 0
    parts.append(f"<p>{errors} error(s) and {warnings} warning(s) found.</p>")
    if as_of is not None and not pd.isna(as_of):
        parts.append(
            f"<p>Dates after {_e(pd.Timestamp(as_of).date())} (the returns' latest reference "
            "date) are called in the future, except planned dates (due dates, planned "
            "reviews).</p>"
        )

    parts.append("<h2>Files that could not be read</h2>")
    if unreadable:
        parts.append(
            "<p>Nothing from these files is used: <code>pmf run</code> stops at each with the "
            "message shown, and every KPI they feed is rated Low here.</p>"
        )
        rows = pd.DataFrame(
            [
                {
                    "source": source,
                    "file": file,
                    "row or element": getattr(err, "location", None),
                    "field": getattr(err, "field", None),
                    "message": str(err),
                }
                for source, file, err in unreadable
            ]
        )
        parts.append(_table(rows, caption="Files that could not be read, with pmf run's message"))
    else:
        parts.append("<p>None: every configured file was read.</p>")

    parts.append("<h2>Rows read, accepted and reported</h2>")
    parts.append(
        "<p>Every row read is either accepted (no error) or reported (at least one "
        "error); none is dropped.</p>"
    )
    parts.append(
        _table(
            reconciliation,
            numeric=("rows_read", "accepted", "reported", "blank_rows"),
            caption="Rows read, accepted and reported, by source and file",
        )
    )

    parts.append("<h2>Data-quality confidence by KPI</h2>")
    if len(confidence):
        c = confidence.copy()
        c["period_end"] = pd.to_datetime(c["period_end"]).dt.strftime("%Y-%m-%d")
        c["dq_error_share"] = (100 * c["dq_error_share"]).map(
            lambda x: (
                "not rated: a file could not be read or lacks a required column"
                if pd.isna(x)
                else f"{x:.1f}%"
            )
        )
        c = c.rename(columns={"dq_error_share": "records in error", "dq_confidence": "confidence"})
        parts.append(
            _table(
                c,
                numeric=("records in error",),
                classes={"confidence": True},
                caption=f"Data-quality confidence of each KPI for {month}",
            )
        )
    else:
        parts.append("<p>No KPI confidence computed.</p>")

    parts.append("<h2>Issues by source and rule</h2>")
    summary = summary_by_rule(issues, feeds)
    parts.append(
        _table(
            summary,
            numeric=("issues", "rows", "children"),
            classes={"severity": True},
            caption="Issues by source and rule, with the KPIs each rule touches",
        )
    )

    parts.append(f"<h2>First rows at fault (up to {first_rows} per rule)</h2>")
    for (source, rule), grp in issues.groupby(["source", "rule"], dropna=False, sort=True):
        shown = grp.head(first_rows)[["file", "row_or_element", "child_id", "field", "message"]]
        parts.append(
            f"<details><summary>{_e(source)} {_e(rule)}: {len(grp)} issue(s)</summary>"
            f"{_table(shown, caption=f'{source} {rule}: first rows at fault')}</details>"
        )
    parts.append(_rebase_section(rebase_proposals))  # helper A (issue 10): SPC rebases
    parts.append(_target_review_section(target_reviews, month))  # helper K (issue 12)
    if annex_a is not None:
        parts.append(_annex_a_section(annex_a, month))  # helper K (issue 15)
    parts.append("</div>")
    return standalone_page(
        "\n".join(parts),
        council=council,
        title=f"Data quality {month} (INTERNAL)",
        noindex=True,
        nav=_nav(month),
        footer=f"{council}. Data quality report for {month}, produced by pmf validate and "
        "pmf run. INTERNAL: it lists child ids; do not publish it.",
    )


def _nav(month: str) -> list[dict]:
    """The reports' navigation bar (none for a month that is not YYYY-MM)."""
    from pmf_lib.publish.index import MONTH_DIR, nav_links

    return nav_links(month, current="data_quality.html") if MONTH_DIR.match(str(month)) else []


# ---- SPC: proposed rebase dates (helper A, issue 10) ---------------------------------
def _rebase_section(proposals: pd.DataFrame | None) -> str:
    """The SPC rebase proposals for the analyst to decide on (none: says so).

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"kpi_id": ["k"], "shift_from": ["2026-04-30"],
    ...                   "rebase_from": ["2026-04-01"], "points": [7], "side": ["below"],
    ...                   "reason": ["the last 7 points ... a sustained shift"]})
    >>> "k: 2026-04-01" in _rebase_section(p) or "<td>2026-04-01</td>" in _rebase_section(p)
    True
    >>> "has not run" in _rebase_section(None)
    True
    """
    head = "<h2>SPC: proposed rebase dates</h2>"
    if proposals is None:
        return head + (
            "<p>None listed: <code>pmf run</code> has not run for this month yet (it writes "
            "<code>spc_rebase_proposals.csv</code>).</p>"
        )
    if proposals.empty:
        return head + "<p>None: no SPC chart ends in a sustained shift.</p>"
    cols = [c for c in ("kpi_id", "shift_from", "rebase_from", "points", "side", "reason")]
    return (
        head + "<p>Each chart below ends in a sustained shift (7 or more points on one side of its "
        "mean). If the process changed then (a new way of working, a restructure), declare "
        "the date under <code>spc.rebase</code> in the config so the period gets its own "
        "limits; never rebase only to make a signal go away.</p>"
        + _table(
            proposals[[c for c in cols if c in proposals.columns]],
            numeric=("points",),
            caption="KPIs whose SPC chart ends in a sustained shift, with a proposed rebase date",
        )
    )


# ---- Targets past their six-monthly review (helper K, issue 12) ------------------------
def _target_review_section(reviews: pd.DataFrame | str | None, month: str) -> str:
    """The targets in force at the month end whose review date has passed (none: says so).

    Examples
    --------
    >>> import datetime as dt, pandas as pd
    >>> r = pd.DataFrame({"kpi_id": ["k"], "from": [dt.date(2026, 4, 1)], "target": [85.0],
    ...                   "baseline": [80.0], "set_on": [dt.date(2026, 4, 1)],
    ...                   "review_by": [dt.date(2026, 10, 1)], "days_past": [30]})
    >>> html = _target_review_section(r, "2026-10")
    >>> "<td>k</td>" in html and "2026-10-01" in html and "1 target" in html
    True
    >>> "None:" in _target_review_section(r.iloc[:0], "2026-10")
    True
    """
    head = "<h2 id='target-reviews'>Targets past their six-monthly review</h2>"
    if reviews is None:
        return head + "<p>None listed: the config names no targets file.</p>"
    if isinstance(reviews, str):
        return head + f"<p>Not checked: the targets file could not be read: {_e(reviews)}</p>"
    if reviews.empty:
        return head + (
            f"<p>None: every target in force at the end of {_e(month)} is within its review "
            "date.</p>"
        )
    n = len(reviews)
    shown = reviews.copy()
    for col in ("from", "set_on", "review_by"):
        if col in shown.columns:
            shown[col] = pd.to_datetime(shown[col]).dt.strftime("%Y-%m-%d")
    return (
        head + f"<p>{n} target{'s' if n != 1 else ''} in force at the end of {_e(month)} "
        f"{'are' if n != 1 else 'is'} past the date set for {'their' if n != 1 else 'its'} "
        "review. Targets are reviewed every six months: agree each one again (or a new one) "
        "and add a period to <code>parameters/targets.yaml</code> with its <code>set_on</code> "
        "and <code>review_by</code> dates.</p>"
        + _table(
            shown,
            numeric=("target", "baseline", "days_past"),
            caption=f"Targets in force at the end of {month} past their review date",
        )
    )


# ---- Annex A reconciled with the national returns (helper K, issue 15) ----------------
def _annex_a_section(recon: pd.DataFrame, month: str) -> str:
    """The month's Annex A figures beside the national returns', each with its likely reason.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"kpi_id": ["referrals_count", "cla_missing_pct"],
    ...     "period_end": pd.to_datetime(["2026-10-31"] * 2), "window": ["month"] * 2,
    ...     "national_value": [482.0, 9.1], "annex_a_value": [482.0, None],
    ...     "difference": [0.0, None], "headline": ["national"] * 2,
    ...     "likely_reason": ["agree", "not supported"], "detail": ["", "no dates"]})
    >>> html = _annex_a_section(r, "2026-10")
    >>> "1 agree" in html and "1 not supported" in html and "<td>no dates</td>" in html
    True
    """
    head = "<h2 id='annex-a'>Annex A beside the national returns</h2>"
    end = pd.Timestamp(month) + pd.offsets.MonthEnd(0)
    shown = recon[pd.to_datetime(recon["period_end"]) == end].copy()
    if shown.empty:
        return head + f"<p>None: the Annex A lists do not cover {_e(month)}.</p>"
    counts = shown["likely_reason"].value_counts()
    summary = ", ".join(f"{int(n)} {_e(r)}" for r, n in counts.items())
    shown["period_end"] = pd.to_datetime(shown["period_end"]).dt.strftime("%Y-%m-%d")
    if shown["national_value"].isna().all():  # Annex A alone: nothing to set beside it
        head = "<h2 id='annex-a'>Annex A: the figures its lists give</h2>"
        head += "<p>The config names no SSDA903 or CIN census return.</p>"
    return (
        head + f"<p>Each KPI the Annex A lists feed, for {_e(month)}: the national figure "
        "(SSDA903, CIN census or the local dataset), the Annex A figure, the difference "
        "(Annex A less national) and its likely reason (definition, timing, data quality; "
        f"<code>docs/deviations.md</code>, Annex A). By window: {summary}. Every month "
        "of the lists' period is in <code>annex_a_reconciliation.csv</code>.</p>"
        + _table(
            shown,
            numeric=("national_value", "annex_a_value", "difference"),
            caption=f"Annex A and national figures for {month}",
        )
    )


def write_data_quality(
    out_dir: str | Path,
    month: str,
    issues: pd.DataFrame,
    reconciliation: pd.DataFrame,
    confidence: pd.DataFrame,
    *,
    council: str,
    feeds: dict,
    unreadable: list | None = None,
    as_of=None,
    target_reviews: pd.DataFrame | str | None = None,
    annex_a: pd.DataFrame | None = None,
) -> Path:
    """Write ``<out_dir>/<month>/data_quality.html`` atomically and return its path."""
    path = Path(out_dir) / month / "data_quality.html"
    beside = path.with_name("spc_rebase_proposals.csv")  # from the last pmf run, if any
    proposals = pd.read_csv(beside) if beside.is_file() else None
    page = render_data_quality(
        issues,
        reconciliation,
        confidence,
        council=council,
        month=month,
        feeds=feeds,
        unreadable=unreadable,
        as_of=as_of,
        rebase_proposals=proposals,
        target_reviews=target_reviews,
        annex_a=annex_a,
    )
    return write_text_atomic(page, path)
