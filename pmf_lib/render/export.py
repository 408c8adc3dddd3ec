"""Export an executed report notebook to one self-contained HTML page, in-process.

Uses nbconvert's :class:`~nbconvert.HTMLExporter` with pmf's own template
(``templates/pmf``, inheriting JupyterLab's ``lab``): no code, no prompts, no
scripts, nothing loaded from outside the file (a Content-Security-Policy forbids
it), the council's name and logo in a header, a contents list and an A4 print
stylesheet.

Examples
--------
>>> import nbformat
>>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## Headline figures")])
>>> page = export_html(nb, council="Demo County Council", title="Front door")
>>> '<html lang="en-GB">' in page, 'href="#Headline-figures"' in page, "<script" in page
(True, True, False)
"""

from __future__ import annotations

import base64
import re
from datetime import datetime
from pathlib import Path

import nbformat
from lxml import html as lxml_html
from markupsafe import Markup

from pmf_lib import __version__
from pmf_lib.config import image_type
from pmf_lib.errors import PmfError

TEMPLATES = Path(__file__).resolve().parent / "templates"
STYLESHEET = TEMPLATES / "pmf" / "report.css"

#: Nothing may be loaded from anywhere; images only as data: URIs, styles only inline.
CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
    "script-src 'none'; connect-src 'none'; object-src 'none'; frame-src 'none'; "
    "base-uri 'none'; form-action 'none'"
)

_LOGO_TYPES = {
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
}


_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
#: nbconvert's HTMLExporter makes every input (markdown) and output block a Tab stop
#: (``tabindex="0"``) with no role or name: stops that do nothing for a keyboard user.
_FOCUS_STOP = re.compile(
    r'(<div class="[^"]*\b(?:jp-Cell-inputWrapper|jp-OutputArea-output)\b[^"]*"[^>]*?)'
    r'\s+tabindex="0"'
)


def drop_focus_stops(page: str) -> str:
    """The page without nbconvert's ``tabindex="0"`` on input and output blocks.

    Examples
    --------
    >>> drop_focus_stops('<div class="jp-Cell-inputWrapper" tabindex="0"><p>x</p></div>')
    '<div class="jp-Cell-inputWrapper"><p>x</p></div>'
    >>> drop_focus_stops('<div class="jp-OutputArea-output x" id="o" tabindex="0">')
    '<div class="jp-OutputArea-output x" id="o">'
    """
    return _FOCUS_STOP.sub(r"\1", page)


def strip_css_comments(css: str) -> Markup:
    """CSS (or ``<style>`` elements) without ``/* comments */``.

    Examples
    --------
    >>> str(strip_css_comments("a { color: red; } /* see https://example.org */"))
    'a { color: red; } '
    """
    return Markup(_CSS_COMMENT.sub("", str(css)))


def logo_data_uri(path: str | Path | None) -> str:
    """A logo file as a ``data:`` URI ("" for no logo).

    Raises
    ------
    PmfError
        When the file is missing or its contents are not a PNG, SVG, JPEG or GIF.

    Examples
    --------
    >>> logo_data_uri(None)
    ''
    """
    if not path:
        return ""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise PmfError(
            f"cannot read the logo ({e.strerror})", file=path, field="council.logo"
        ) from None
    mime = image_type(path)  # from the contents: a renamed text file is not an image
    if mime not in _LOGO_TYPES.values():
        raise PmfError(
            "the logo must be a PNG, SVG, JPEG or GIF file", file=path, field="council.logo"
        )
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def contents_entries(nb: nbformat.NotebookNode, level: int = 2) -> list[dict[str, str]]:
    """The notebook's markdown headings of one level, with the ids nbconvert gives them.

    Headings are rendered by nbconvert's own ``markdown2html`` filter (the one the
    template uses), so each ``id`` matches the exported page's anchor.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_markdown_cell("## Trends over 24 months\\n\\ntext\\n### Sub")])
    >>> contents_entries(nb)
    [{'id': 'Trends-over-24-months', 'text': 'Trends over 24 months'}]
    """
    from nbconvert.filters.markdown import markdown2html

    entries = []
    for cell in nb.cells:
        if cell.cell_type != "markdown" or not cell.source.strip():
            continue
        fragment = lxml_html.fragment_fromstring(markdown2html(cell.source), create_parent="div")
        for h in fragment.iter(f"h{level}"):
            for a in h.findall("a"):
                if "anchor-link" in (a.get("class") or ""):
                    h.remove(a)
            text = " ".join(h.text_content().split())
            if h.get("id") and text:
                entries.append({"id": h.get("id"), "text": text})
    return entries


def export_html(
    nb: nbformat.NotebookNode | str | Path,
    *,
    council: str,
    title: str,
    logo: str | Path | None = None,
    generated: datetime | None = None,
    nav: list[dict] | None = None,
) -> str:
    """An executed report notebook as a self-contained HTML page.

    Parameters
    ----------
    nb : NotebookNode or path
        The executed notebook.
    council : str
        The council's name for the header.
    title : str
        The page title (e.g. the service area and month).
    logo : str or Path, optional
        A PNG/SVG/JPEG/GIF logo, embedded as a ``data:`` URI.
    generated : datetime, optional
        When the report was produced (default: now), shown in the footer.
    nav : list of dict, optional
        The navigation bar's links (``href``, ``text``, ``current``): the month's
        index, the dashboard, the glossary and the report's previous edition
        (:func:`pmf_lib.publish.index.nav_links`).

    Returns
    -------
    str
        The HTML page.
    """
    from nbconvert import HTMLExporter

    if not isinstance(nb, nbformat.NotebookNode):
        nb = nbformat.read(str(nb), as_version=4)
    exporter = HTMLExporter(
        template_name="pmf",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        filters={"strip_css_comments": strip_css_comments},
    )
    when = (generated or datetime.now()).strftime("%d %B %Y at %H:%M").lstrip("0")
    resources = {
        "metadata": {"name": title},
        "pmf": {
            "council": council,
            "title": title,
            "logo_uri": logo_data_uri(logo),
            "contents": contents_entries(nb),
            # The template autoescapes: the council, title, contents and footer are
            # plain text (escaped there); only pmf's own CSP and stylesheet are Markup.
            "csp": Markup(CSP),
            "stylesheet": Markup(STYLESHEET.read_text(encoding="utf-8")),
            "version": __version__,
            "nav": nav or [],
            "footer": f"{council}. Produced by pmf {__version__} on {when}. "
            "Figures are computed from the council's statutory returns. Each measure's "
            "definition is in the Definitions section of its service area report; the "
            "glossary explains the terms used.",
        },
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return drop_focus_stops(body)


def standalone_page(
    body: str,
    *,
    council: str,
    title: str,
    contents: list[dict[str, str]] | None = None,
    footer: str = "",
    noindex: bool = False,
    logo: str | Path | None = None,
    generated: datetime | None = None,
    nav: list[dict] | None = None,
) -> str:
    """A page that is not a notebook in the reports' template (``templates/pmf/page.html.j2``).

    The same head (Content-Security-Policy, generator, stylesheet), skip link,
    masthead, contents list, ``<main>`` and footer as :func:`export_html`'s pages.
    ``body`` is trusted HTML (the caller escapes what it shows); everything else
    is escaped. ``nav`` is the navigation bar's links, as for :func:`export_html`.

    Examples
    --------
    >>> page = standalone_page("<h2 id='a'>A</h2>", council="Demo <CC>", title="Data quality",
    ...                        contents=[{"id": "a", "text": "A"}])
    >>> '<a class="pmf-skip" href="#main">' in page, '<main id="main">' in page
    (True, True)
    >>> "Demo &lt;CC&gt;" in page, '<meta name="generator" content="pmf ' in page
    (True, True)
    """
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES / "pmf")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    when = (generated or datetime.now()).strftime("%d %B %Y at %H:%M").lstrip("0")
    pmf = {
        "council": council,
        "title": title,
        "logo_uri": logo_data_uri(logo),
        "contents": contents or [],
        "csp": Markup(CSP),
        "stylesheet": Markup(STYLESHEET.read_text(encoding="utf-8")),
        "version": __version__,
        "noindex": noindex,
        "nav": nav or [],
        "footer": footer or f"{council}. Produced by pmf {__version__} on {when}.",
    }
    return env.get_template("page.html.j2").render(pmf=pmf, body=Markup(body))
