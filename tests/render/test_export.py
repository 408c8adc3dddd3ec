"""The pmf HTML template: no code, prompts, scripts or external loads; CSP, header, contents."""

from __future__ import annotations

import base64
import re

import nbformat
import pytest
from lxml import html as lxml_html
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from pmf_lib.errors import PmfError
from pmf_lib.render.export import export_html

PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def executed_notebook() -> nbformat.NotebookNode:
    """A notebook as papermill leaves it: code with HTML, stream and stderr outputs."""
    code = new_code_cell("SECRET_CODE_TEXT = 1\nreport.headline_table()", execution_count=2)
    code.outputs = [
        new_output(
            "execute_result",
            data={
                "text/html": "<table><thead><tr><th scope='col'>Measure</th></tr></thead></table>",
                "text/plain": "<IPython.core.display.HTML object>",
            },
            execution_count=2,
        ),
        new_output("stream", name="stderr", text="UserWarning: STDERR_NOISE\n"),
    ]
    return new_notebook(
        cells=[
            new_code_cell("area = 'x'", metadata={"tags": ["parameters"]}, execution_count=1),
            new_markdown_cell("## Headline figures\n\nSome words."),
            code,
            new_markdown_cell("## Trends over 24 months\n\n### Not in the contents"),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )


@pytest.fixture(scope="module")
def page() -> str:
    return export_html(
        executed_notebook(), council="Testshire County Council", title="Front door – October 2026"
    )


def test_no_external_resource_at_all(page):
    assert not re.search(r"https?://", page)
    assert "//cdn" not in page
    doc = lxml_html.document_fromstring(page)
    for el in doc.iter():
        for attr in ("src", "href", "srcset", "action"):
            v = el.get(attr)
            if v is not None:
                assert v.startswith(("data:", "#")), (el.tag, attr, v[:80])
    assert doc.findall(".//script") == []
    assert doc.findall(".//link") == []  # styles are inline
    for style in doc.findall(".//style"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", style.text or ""):
            assert url.startswith("data:"), url[:80]


def test_content_security_policy_forbids_external_loads(page):
    doc = lxml_html.document_fromstring(page)
    (meta,) = doc.xpath("//meta[@http-equiv='Content-Security-Policy']")
    policy = meta.get("content")
    assert "default-src 'none'" in policy
    assert "img-src data:" in policy
    assert "script-src 'none'" in policy
    # The policy comes before any style or image.
    assert page.index("Content-Security-Policy") < page.index("<style")


def test_no_code_no_prompts_no_stderr(page):
    assert "SECRET_CODE_TEXT" not in page
    assert "area = " not in page
    assert "In&nbsp;[" not in page and "Out[" not in page
    assert "STDERR_NOISE" not in page
    assert '<th scope="col">Measure</th>' in page or "<th scope='col'>Measure</th>" in page


def test_language_header_contents_and_print_styles(page):
    doc = lxml_html.document_fromstring(page)
    assert doc.get("lang") == "en-GB"
    assert doc.findtext(".//title") == "Front door – October 2026 – Testshire County Council"
    assert "Testshire County Council" in doc.find(".//header").text_content()
    nav = doc.find(".//nav")
    links = [(a.get("href"), a.text) for a in nav.iter("a")]
    assert links == [
        ("#Headline-figures", "Headline figures"),
        ("#Trends-over-24-months", "Trends over 24 months"),
    ]
    for href, _ in links:  # every contents link has its target
        assert doc.get_element_by_id(href[1:]).tag == "h2"
    assert "@page" in page and "size: A4" in page and "@media print" in page
    assert doc.find(".//main") is not None and doc.find(".//footer") is not None


def test_logo_is_embedded_as_data_uri(tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG_1PX)
    page = export_html(executed_notebook(), council="Testshire", title="T", logo=logo)
    doc = lxml_html.document_fromstring(page)
    (img,) = doc.xpath("//header//img")
    assert img.get("src") == "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()
    assert img.get("alt") == "Testshire logo"


def test_logo_must_be_an_image(tmp_path):
    bad = tmp_path / "logo.txt"
    bad.write_text("not an image")
    with pytest.raises(PmfError, match="PNG, SVG") as e:
        export_html(executed_notebook(), council="C", title="T", logo=bad)
    assert e.value.field == "council.logo"


def test_logo_named_png_but_not_an_image_is_refused(tmp_path):
    # The suffix says PNG; the bytes say text: the contents decide.
    bad = tmp_path / "logo.png"
    bad.write_text("<html>not an image</html>")
    with pytest.raises(PmfError, match="PNG, SVG") as e:
        export_html(executed_notebook(), council="C", title="T", logo=bad)
    assert e.value.field == "council.logo"


EVIL_COUNCIL = "<b onmouseover=x>Evil</b>"
EVIL_TITLE = 'Front <i style="color:red">door</i> & "co" <script>alert(1)</script>'


def test_council_name_title_and_headings_are_escaped():
    nb = executed_notebook()
    nb.cells.append(new_markdown_cell("## Heading with <b>markup</b> & more"))
    page = export_html(nb, council=EVIL_COUNCIL, title=EVIL_TITLE)
    doc = lxml_html.document_fromstring(page)
    # No element the names could have made: no <b>, <i> or <script> anywhere in the
    # masthead, title, contents or footer; their text is the names, character for character.
    for where in (".//header", ".//nav", ".//footer", ".//title"):
        el = doc.find(where)
        assert el.xpath(".//b | .//i | .//script") == [], where
    assert doc.find(".//header").text_content().split() == (
        EVIL_COUNCIL.split() + EVIL_TITLE.split()
    )
    assert doc.findtext(".//title") == f"{EVIL_TITLE} – {EVIL_COUNCIL}"
    assert EVIL_COUNCIL in doc.find(".//footer").text_content()
    assert doc.find(".//nav").text_content().count("Heading with markup & more") == 1
    assert "&lt;b onmouseover=x&gt;Evil&lt;/b&gt;" in page
    assert "<b onmouseover" not in page and "onmouseover=x>" not in page
    # pmf's own Markup (the stylesheet, the CSP) is written as is, not escaped.
    assert "@page" in page and "&gt;" not in "".join(
        re.findall(r"<style>(.*?)</style>", page, re.S)
    )
    (meta,) = doc.xpath("//meta[@http-equiv='Content-Security-Policy']")
    assert "script-src 'none'" in meta.get("content")
