"""The board pack (``pmf pack``): a month's board reports printed into one PDF.

The Performance Assurance and Action Board meets the month's reports in this
order: the dashboard, the exceptions report, then each service area's
highlight report (in the config's order of areas). The pack prints them, as
published in the month's folder, through headless Chromium -- Debian's
``/usr/bin/chromium`` driven by Playwright (never a browser Playwright
downloads) -- and merges them with pypdf behind a contents page, with the
glossary at the end as an appendix.

* Each report starts on a new page (it is its own print job) and keeps the
  print stylesheet of its HTML: A4, the dashboard's scorecard on A4 landscape
  pages, tables that fit the page.
* Every page has a header (the report and the council) and a footer with the
  pack's page number, "Page n of N", drawn by Chromium's header and footer
  templates. Chromium numbers each print job from 1, so each report is printed
  in two passes: the first counts its pages, the second prints it after as many
  blank pages as come before it in the pack, which are then left out
  (``page_ranges``), so that Chromium's own page number is the pack's.
* The pack is of one edition: the folder's ``run.json`` says which audience its
  reports were run for, and a members' pack is refused unless the folder holds
  the members' edition (the same suppression as the members' HTML, since it is
  that HTML that is printed).

Nothing is judged here: the pack prints what the batch published.

Examples
--------
>>> run = {"parameters": {"config": {"audience": "internal"}}, "reports": [
...     {"id": "highlight_b", "kind": "highlight", "title": "B: highlight report", "status": "ok"},
...     {"id": "front_door", "kind": "area", "title": "Front door", "status": "ok"},
...     {"id": "exceptions", "kind": "exceptions", "title": "Exceptions", "status": "ok"},
...     {"id": "dashboard", "kind": "dashboard", "title": "Dashboard", "status": "ok"}]}
>>> [i.id for i in pack_items(run)]
['dashboard', 'exceptions', 'highlight_b']
"""

from __future__ import annotations

import html
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pmf_lib import __version__
from pmf_lib.errors import PmfError

CHROMIUM = Path("/usr/bin/chromium")
#: Flags for a headless Chromium that talks to nothing but the files it prints.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PACK_NAME = "board_pack.pdf"
#: The report kinds of the pack, in the order the board meets them.
PACK_KINDS = ("dashboard", "exceptions", "highlight")
AUDIENCES = ("internal", "members", "public")
EDITION = {
    "internal": "internal edition",
    "members": "members' edition",
    "public": "public edition",
}
#: Seconds allowed for loading or printing one page.
TIMEOUT_S = 120


@dataclass
class PackItem:
    """One document of the pack: a report (or the contents page or glossary)."""

    id: str
    title: str
    kind: str
    status: str = "ok"
    pages: int = 0
    first_page: int = 0

    @property
    def file(self) -> str:
        return f"{self.id}.html"


@dataclass
class PackResult:
    """What :func:`build_pack` wrote: the PDF, its documents (with their first page) and
    its page count."""

    path: Path
    items: list[PackItem]
    pages: int
    contents_pages: int
    audience: str


def pack_items(run: dict) -> list[PackItem]:
    """The run's reports the pack prints, in the board's order (:data:`PACK_KINDS`).

    Within a kind, the run's order (the plan's: the config's order of areas).
    """
    reports = [r for r in run.get("reports", []) if isinstance(r, dict)]
    return [
        PackItem(id=r["id"], title=r.get("title") or r["id"], kind=k, status=r.get("status", ""))
        for k in PACK_KINDS
        for r in reports
        if r.get("kind") == k
    ]


def run_audience(run: dict) -> str | None:
    """The audience a month's run was made for (``run.json``), or None.

    >>> run_audience({"parameters": {"config": {"audience": "members"}}})
    'members'
    """
    audience = ((run.get("parameters") or {}).get("config") or {}).get("audience")
    return audience if audience in AUDIENCES else None


def _run_first(month: str, audience: str) -> str:
    if audience == "internal":
        return f"run `pmf run --month {month}` first"
    return (
        f"run `pmf run --month {month} --config <a config with audience: {audience}>` first, "
        f"then `pmf pack --month {month} --audience {audience} --config <that config>`"
    )


def load_run(out_dir: Path, month: str, audience: str) -> dict:
    """The month's ``run.json``, checked to be of ``audience``'s edition.

    Raises
    ------
    PmfError
        One line: no run for the month, or a run for another audience, saying
        which ``pmf run`` to run first.

    Examples
    --------
    >>> import tempfile, pathlib, json
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "run.json").write_text(json.dumps({"parameters": {"config": {
    ...     "audience": "internal"}}, "reports": []}))
    >>> try:
    ...     load_run(d, "2026-10", "members")
    ... except PmfError as e:
    ...     print(e.message[:78])
    the folder holds the internal edition of 2026-10, not the members' edition: ru
    """
    path = out_dir / "run.json"
    try:
        run = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PmfError(
            f"no {EDITION[audience]} of the reports for {month} has been published here: "
            + _run_first(month, audience),
            file=out_dir,
        ) from None
    except (OSError, ValueError) as e:
        raise PmfError(f"cannot read the month's run manifest ({e})", file=path) from None
    if not isinstance(run, dict):
        raise PmfError("the month's run manifest is not a JSON object", file=path)
    found = run_audience(run)
    if found != audience:
        raise PmfError(
            f"the folder holds the {EDITION.get(found, 'unknown edition')} of {month}, not "
            f"the {EDITION[audience]}: " + _run_first(month, audience),
            file=out_dir,
        )
    return run


def check_reports(out_dir: Path, items: list[PackItem], month: str, audience: str) -> None:
    """Every report of the pack is published, with a dashboard and an exceptions report.

    Raises
    ------
    PmfError
        Naming the first missing report and the ``pmf run`` to run.
    """
    kinds = {i.kind for i in items}
    for kind, name in (("dashboard", "dashboard.html"), ("exceptions", "exceptions.html")):
        if kind not in kinds:
            raise PmfError(
                f"the month's run has no {kind} report, so there is no board pack to print: "
                + _run_first(month, audience),
                file=out_dir / name,
            )
    for item in items:
        if not (out_dir / item.file).is_file():
            raise PmfError(
                f"the {EDITION[audience]} of {item.title!r} for {month} is not published: "
                + _run_first(month, audience),
                file=out_dir / item.file,
            )


def _month_long(month: str) -> str:
    from pmf_lib.render.format import format_month_long

    return format_month_long(f"{month}-01")


def contents_html(
    *, council: str, month: str, audience: str, items: list[PackItem], glossary: PackItem | None
) -> str:
    """The pack's contents page: each document with the pack page it starts on."""
    from pmf_lib.render.export import standalone_page

    e = html.escape
    rows = []
    for n, item in enumerate([*items, *([glossary] if glossary else [])], start=1):
        note = ""
        if item.status not in ("ok", ""):
            note = (
                ' <span class="pmf-muted">(this month\'s run of this report failed: '
                "the last good version is printed)</span>"
            )
        rows.append(
            f'<tr><td class="pmf-num">{n}</td><th scope="row">{e(item.title)}{note}</th>'
            f'<td class="pmf-num">{item.first_page or "–"}</td></tr>'
        )
    body = (
        f"<h1>Board pack: {e(_month_long(month))}</h1>"
        '<p class="pmf-subtitle">For the Performance Assurance and Action Board: the '
        "dashboard, the exceptions report and each service area's highlight report, in "
        f"the order the board takes them. This is the {e(EDITION[audience])}.</p>"
        '<table class="pmf-headline pmf-pack-contents">'
        f"<caption>Contents of the board pack for {e(_month_long(month))}</caption>"
        '<thead><tr><th scope="col">No.</th><th scope="col">Report</th>'
        '<th scope="col">Page</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        '<p class="pmf-note">Each measure\'s definition is in its service area report; the '
        "glossary at the end explains the terms used.</p>"
    )
    return standalone_page(
        body,
        council=council,
        title=f"Board pack, {_month_long(month)}",
        footer=f"{council}. Board pack produced by pmf {__version__}.",
    )


def _header(council: str, title: str) -> str:
    e = html.escape
    return (
        '<div style="font-family: Arial, sans-serif; font-size: 7.5pt; color: #4a4a4a; '
        'width: 100%; margin: 0 10mm; display: flex; justify-content: space-between;">'
        f"<span>{e(title)}</span><span>{e(council)}</span></div>"
    )


def _footer(label: str, total: int | str) -> str:
    e = html.escape
    return (
        '<div style="font-family: Arial, sans-serif; font-size: 7.5pt; color: #4a4a4a; '
        'width: 100%; margin: 0 10mm; display: flex; justify-content: space-between;">'
        f'<span>{e(label)}</span><span>Page <span class="pageNumber"></span> of {e(str(total))}'
        "</span></div>"
    )


#: Puts ``n`` empty pages before the document (for the pack's page numbering).
_BLANK_PAGES = """n => {
  for (let i = 0; i < n; i++) {
    const d = document.createElement('div');
    d.setAttribute('aria-hidden', 'true');
    d.style.breakAfter = 'page';
    d.style.height = '1px';
    document.body.prepend(d);
  }
}"""


class _Printer:
    """One headless Chromium (Playwright) printing pages to PDF bytes."""

    def __init__(self, chromium: Path):
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise PmfError(
                "pmf pack needs the Python package playwright (pip install 'pmf[pack]'); "
                f"it drives the Chromium at {chromium}, so never run `playwright install`"
            ) from None
        self._pw = sync_playwright().start()
        try:
            self.browser = self._pw.chromium.launch(
                executable_path=str(chromium), args=CHROMIUM_ARGS, timeout=TIMEOUT_S * 1000
            )
        except Exception as e:  # Playwright raises its own Error types
            self._pw.stop()
            first = (str(e).strip().splitlines() or [""])[0]
            raise PmfError(f"cannot start Chromium ({first[:200]})", file=chromium) from None
        self.page = self.browser.new_page()
        self.page.set_default_timeout(TIMEOUT_S * 1000)

    def close(self) -> None:
        try:
            self.browser.close()
        finally:
            self._pw.stop()

    def pdf(self, path: Path, *, header: str, footer: str, offset: int = 0) -> bytes:
        """The page at ``path`` printed (A4; its own @page rules win), numbered from
        ``offset + 1``.

        Raises
        ------
        PmfError
            One line naming the page, when Chromium cannot load or print it.
        """
        options = {
            "format": "A4",
            "print_background": True,
            "prefer_css_page_size": True,
            "display_header_footer": True,
            "header_template": header,
            "footer_template": footer,
        }
        try:
            self.page.goto(path.resolve().as_uri(), wait_until="load")
            self.page.emulate_media(media="print")
            if offset:
                self.page.evaluate(_BLANK_PAGES, offset)
                options["page_ranges"] = f"{offset + 1}-"
            return self.page.pdf(**options)
        except Exception as e:  # Playwright's Error and TimeoutError
            first = (str(e).strip().splitlines() or [type(e).__name__])[0]
            raise PmfError(
                f"Chromium could not print the page ({first[:200]})", file=path
            ) from None


def _count_pages(data: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def _require_pypdf() -> None:
    try:
        import pypdf  # noqa: F401
    except ImportError:
        raise PmfError(
            "pmf pack needs the Python package pypdf (pip install 'pmf[pack]')"
        ) from None


def build_pack(
    config,
    month: str,
    *,
    audience: str | None = None,
    out: str | Path | None = None,
    chromium: str | Path | None = None,
) -> PackResult:
    """Print the month's board pack into one PDF (default ``<month folder>/board_pack.pdf``).

    Parameters
    ----------
    config : Config
        The config whose ``outputs`` folder holds the month.
    month : str
        ``YYYY-MM``.
    audience : str, optional
        The edition to print (default: the config's audience); the month's folder
        must hold that edition.
    out : path, optional
        Where to write the PDF.
    chromium : path, optional
        The Chromium executable (default :data:`CHROMIUM`, Debian's ``/usr/bin/chromium``).

    Raises
    ------
    PmfError
        One line, before anything is printed: a missing Chromium, Playwright or
        pypdf, a month with no run or a run of another edition, a missing report;
        or the month's run lock held by a run in progress.
    """
    from pmf_lib.publish.atomic import check_writable, write_bytes_atomic
    from pmf_lib.publish.lock import RunLock

    audience = audience or config.audience
    if audience not in AUDIENCES:
        raise PmfError(f"unknown audience {audience!r}; expected one of {', '.join(AUDIENCES)}")
    out_dir = config.outputs_dir / month
    run = load_run(out_dir, month, audience)
    items = pack_items(run)
    check_reports(out_dir, items, month, audience)
    chromium = Path(chromium or CHROMIUM)
    if not chromium.is_file():
        raise PmfError(
            "Chromium not found: pmf pack prints through Debian's chromium package "
            "(apt-get install chromium)",
            file=chromium,
        )
    _require_pypdf()
    glossary = PackItem("glossary", "Glossary", "glossary")
    if not (out_dir / glossary.file).is_file():
        glossary = None
    target = Path(out) if out else out_dir / PACK_NAME
    check_writable(target)  # an unwritable --out fails before anything is printed
    council = config.council.name if config.council else ""
    label = f"Board pack, {_month_long(month)} ({EDITION[audience]})"
    docs = [*items, *([glossary] if glossary else [])]

    # A run in progress would be publishing into the folder: print a consistent set.
    with RunLock(out_dir, label=month), tempfile.TemporaryDirectory() as tmp:
        contents_path = Path(tmp) / "contents.html"
        printer = _Printer(chromium)
        try:
            # Pass 1: each document's page count (the footer's text does not change it).
            for doc in docs:
                doc.pages = _count_pages(
                    printer.pdf(
                        out_dir / doc.file,
                        header=_header(council, doc.title),
                        footer=_footer(label, 0),
                    )
                )
            contents_path.write_text(
                contents_html(
                    council=council, month=month, audience=audience, items=items, glossary=glossary
                ),
                encoding="utf-8",
            )
            contents_pages = _count_pages(
                printer.pdf(
                    contents_path, header=_header(council, "Contents"), footer=_footer(label, 0)
                )
            )
            page = contents_pages + 1
            for doc in docs:
                doc.first_page, page = page, page + doc.pages
            total = page - 1
            # Pass 2: the contents with its page numbers, then each document numbered
            # from its first page in the pack.
            contents_path.write_text(
                contents_html(
                    council=council, month=month, audience=audience, items=items, glossary=glossary
                ),
                encoding="utf-8",
            )
            parts = [
                printer.pdf(
                    contents_path, header=_header(council, "Contents"), footer=_footer(label, total)
                )
            ]
            for doc in docs:
                parts.append(
                    printer.pdf(
                        out_dir / doc.file,
                        header=_header(council, doc.title),
                        footer=_footer(label, total),
                        offset=doc.first_page - 1,
                    )
                )
        finally:
            printer.close()
        data = _merge(parts, [("Contents", 1)] + [(d.title, d.first_page) for d in docs], label)
    if _count_pages(data) != total:  # a document's layout changed between the passes
        raise PmfError(
            f"the pack's page count changed while printing (expected {total}); run pmf pack again",
            file=target,
        )
    write_bytes_atomic(data, target)
    return PackResult(
        path=target, items=docs, pages=total, contents_pages=contents_pages, audience=audience
    )


def _merge(parts: list[bytes], outline: list[tuple[str, int]], title: str) -> bytes:
    """The PDFs in ``parts`` as one, with a bookmark per document (``outline``: title and
    first page, from 1)."""
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for data in parts:
        writer.append(PdfReader(io.BytesIO(data)))
    for text, first in outline:
        writer.add_outline_item(title=text, page_number=first - 1)
    writer.add_metadata({"/Title": title, "/Producer": f"pmf {__version__} (Chromium, pypdf)"})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()
