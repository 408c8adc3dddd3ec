"""Commentary is rendered as markdown and nothing typed into it can run or load anything."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from pmf_lib.errors import PmfError
from pmf_lib.render.commentary import (
    PROMPT,
    parse_commentary,
    read_commentary,
    render_markdown,
    safe_link,
)

HOSTILE = [
    "<script>window.__pwned = 1</script>",
    '<img src=x onerror="window.__pwned = 1">',
    "[click](javascript:window.__pwned=1)",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[ext](https://evil.example/x)",
    "[proto](//evil.example/x)",
    "![pic](https://evil.example/p.png)",
    "<iframe src='https://evil.example'></iframe>",
    "<a href='javascript:alert(1)'>x</a>",
    '<svg onload="alert(1)"></svg>',
    "<style>body{background:url(https://evil.example)}</style>",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_commentary_renders_inert(text):
    out = str(render_markdown(text))
    doc = lxml_html.fragment_fromstring(out, create_parent="div")
    # No element that runs, embeds or loads anything; no event handler; no unsafe link.
    for el in doc.iter():
        assert el.tag not in ("script", "img", "iframe", "svg", "style", "object", "embed")
        assert not [a for a in el.attrib if a.lower().startswith("on")]
    for a in doc.iter("a"):
        assert safe_link(a.get("href", ""))


def test_markdown_still_works():
    out = str(render_markdown("**Bold**, _it_\n\n- one\n- two\n\n[see](#actions)"))
    assert "<strong>Bold</strong>" in out and "<em>it</em>" in out
    assert "<li>one</li>" in out and '<a href="#actions">see</a>' in out


def test_sections_and_prompt(tmp_path):
    d = tmp_path / "2026-10"
    d.mkdir()
    (d / "front_door.md").write_text(
        "---\narea: front_door\nmonth: 2026-10\nauthor: A. Head\n---\n# Title line\n"
        f"## Exception: Referrals\n> sentence\n\n{PROMPT}\n\n## Overall\nWe are recruiting.\n",
        encoding="utf-8",
    )
    c = read_commentary(d, "front_door", "2026-10")
    assert c.author == "A. Head"
    # The heading line before the first section belongs to a leading free section.
    by = {s.heading: s for s in c.sections}
    assert by["Exception: Referrals"].body == "> sentence"
    assert by["Overall"].body == "We are recruiting."
    assert c.filled
    assert not read_commentary(d, "assessment", "2026-10").sections  # no file: empty
    assert not read_commentary(None, "front_door", "2026-10").filled


def test_commentary_for_another_month_is_refused():
    with pytest.raises(PmfError, match="for month '2026-09'"):
        parse_commentary("---\nmonth: 2026-09\n---\n", area="a", month="2026-10", source="a.md")
