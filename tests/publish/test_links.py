"""A link checker over the published demo month (``outputs/2026-10/``).

Every ``href`` of every page resolves: a local file exists, and a ``#fragment``
names an element id in that file (or in the page itself). Nothing links to
the internet (or anywhere outside the outputs folder): no scheme, no ``//`` host.
Images are ``data:`` URIs only. The checker is first shown to catch each fault
on hand-made pages, so that passing on the demo month means something.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import html as lxml_html

from tests.conftest import ROOT

OUTPUTS = ROOT / "outputs"
PUBLISHED = OUTPUTS / "2026-10"


@lru_cache(maxsize=256)
def _page(path: Path):
    return lxml_html.document_fromstring(path.read_bytes())


def _ids(path: Path) -> frozenset[str]:
    doc = _page(path)
    return frozenset(
        [e.get("id") for e in doc.iter() if isinstance(e.tag, str) and e.get("id")]
        + [a.get("name") for a in doc.iter("a") if a.get("name")]
    )


def broken_links(page: Path, root: Path) -> list[str]:
    """Every fault of ``page``'s links, as ``<page>: <href>: <why>`` (empty: none).

    ``root`` is the outputs folder: a link may not leave it.
    """
    faults = []
    doc = _page(page)
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in ("href", "src"):
            value = el.get(attr)
            if value is None:
                continue
            where = f"{page.name}: <{el.tag} {attr}={value[:60]!r}>"
            parts = urlsplit(value)
            if attr == "src" or el.tag == "link":
                if parts.scheme != "data":
                    faults.append(f"{where}: loads something that is not a data: URI")
                continue
            if parts.scheme or parts.netloc or value.startswith("//"):
                faults.append(f"{where}: links outside the outputs folder")
                continue
            if not value.strip():
                faults.append(f"{where}: empty link")
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_relative_to(root.resolve()):
                faults.append(f"{where}: links outside the outputs folder")
                continue
            if not target.is_file():
                faults.append(f"{where}: no such file")
                continue
            anchor = unquote(parts.fragment)
            if anchor and target.suffix == ".html" and anchor not in _ids(target):
                faults.append(f"{where}: no element with id {anchor!r} in {target.name}")
    return faults


def test_the_checker_finds_each_kind_of_broken_link(tmp_path):
    month = tmp_path / "2026-10"
    month.mkdir()
    (month / "b.html").write_text('<html><body><h2 id="here">B</h2></body></html>')
    (month / "a.html").write_text(
        "<html><body>"
        '<a href="b.html#here">fine</a> <a href="#top">fine</a> <p id="top">x</p>'
        '<a href="b.html#gone">missing anchor</a> <a href="c.html">missing file</a>'
        '<a href="https://example.org/">internet</a> <a href="//example.org/x">host</a>'
        '<a href="../../elsewhere.html">outside</a> <a href="#nowhere">missing in-page</a>'
        '<img src="chart.png" alt="x"> <img src="data:image/png;base64,AA==" alt="ok">'
        "</body></html>"
    )
    faults = broken_links(month / "a.html", tmp_path)
    reasons = [f.split(": ", 2)[2] for f in faults]
    # Expected, in page order: the missing anchor in b.html, the missing file, the two
    # outside links (scheme, host), the link out of the folder, the missing in-page
    # anchor, and the image that is not a data: URI. The two good links are not listed.
    assert reasons == [
        "no element with id 'gone' in b.html",
        "no such file",
        "links outside the outputs folder",
        "links outside the outputs folder",
        "links outside the outputs folder",
        "no element with id 'nowhere' in a.html",
        "loads something that is not a data: URI",
    ]


@pytest.fixture(scope="module")
def pages() -> list[Path]:
    if not (PUBLISHED / "index.html").is_file():
        pytest.skip("the demo month is not published: run `pmf run --month 2026-10`")
    if not (PUBLISHED / "glossary.html").is_file():
        pytest.skip("the published month predates the glossary: republish it (pmf run --force)")
    return sorted(PUBLISHED.glob("*.html")) + [OUTPUTS / "index.html"]


def test_no_broken_link_or_anchor_in_the_published_month(pages):
    faults = [f for p in pages for f in broken_links(p, OUTPUTS)]
    assert faults == [], f"{len(faults)} broken link(s):\n" + "\n".join(faults[:40])


def test_every_report_links_to_the_index_dashboard_and_glossary(pages):
    for page in pages:
        if page.parent != PUBLISHED:
            continue
        nav = _page(page).xpath("//nav[@class='pmf-nav']//a/@href")
        assert {"index.html", "dashboard.html", "glossary.html"} <= set(nav), page.name


def test_the_exceptions_report_links_each_kpi_to_its_chart_and_definition(pages):
    doc = _page(PUBLISHED / "exceptions.html")
    articles = doc.xpath("//article[contains(@class, 'pmf-exception')]")
    assert articles, "the demo month has exceptions to link"
    for art in articles:
        kpi = art.get("id").split("-", 1)[1]
        hrefs = art.xpath(".//a/@href")
        charts = [h for h in hrefs if h.endswith(f"#chart-{kpi}")]
        definitions = [h for h in hrefs if h.endswith(f"#definition-{kpi}")]
        assert charts and definitions, f"{kpi}: {hrefs}"
        # ... to the area report that shows that KPI (the checker resolves the anchors).
        assert charts[0].split("#")[0] == definitions[0].split("#")[0]
