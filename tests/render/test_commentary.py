"""Commentary is rendered as markdown and nothing typed into it can run or load anything;
pmf's guidance is never published; a template-only file is not written; the sign-off is
checked and shown; UTF-8, UTF-8 with BOM and Windows-1252 files are read."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from pmf_lib.errors import PmfError
from pmf_lib.render.commentary import (
    LEGACY_GUIDANCE,
    PROMPT,
    PROMPT_COMMENT,
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
        "---\narea: front_door\nmonth: 2026-10\nauthor: A. Head\n---\n"
        "# Front door: commentary for October 2026\n"
        f"## Exception: Referrals\n> sentence\n\n{PROMPT}\n\n## Overall\nWe are recruiting.\n",
        encoding="utf-8",
    )
    c = read_commentary(d, "front_door", "2026-10")
    assert c.author == "A. Head"
    # The title line pmf wrote is dropped; the old prompt line is dropped.
    by = {s.heading: s for s in c.sections}
    assert list(by) == ["Exception: Referrals", "Overall"]
    assert by["Exception: Referrals"].body == "> sentence"
    assert not by["Exception: Referrals"].filled  # only pmf's quoted sentence
    assert by["Overall"].body == "We are recruiting."
    assert c.filled
    assert not read_commentary(d, "assessment", "2026-10").sections  # no file: empty
    assert not read_commentary(None, "front_door", "2026-10").filled


def test_commentary_for_another_month_is_refused():
    with pytest.raises(PmfError, match="for month '2026-09'"):
        parse_commentary("---\nmonth: 2026-09\n---\n", area="a", month="2026-10", source="a.md")


def test_guidance_in_html_comments_is_never_published():
    text = (
        "---\narea: a\nmonth: 2026-10\nauthor: ''  # your name\n---\n"
        "# A: commentary for October 2026\n\n"
        "<!-- Guidance from pmf (never published):\nwrite under each heading. -->\n\n"
        f"## Exception: Visits\n> Visits fell.\n\n{PROMPT_COMMENT}\n\n"
        f"## Overall\n\nStaffing is the cause.<!-- note to self: check -->\n\n{PROMPT_COMMENT}\n"
    )
    c = parse_commentary(text, area="a", month="2026-10")
    html = "".join(str(s.html()) for s in c.sections)
    for hidden in (
        "Guidance",
        "write under",
        "Write your commentary",
        "note to self",
        "<!--",
        "&lt;!--",
        "commentary for October",
    ):
        assert hidden not in html
    assert "Staffing is the cause." in html
    assert c.author == ""  # the YAML comment is not the author


def test_old_template_guidance_lines_are_dropped_too():
    # The plain-text guidance earlier versions of `pmf commentary` wrote.
    text = "\n".join(
        ["# A: commentary for October 2026", "", *LEGACY_GUIDANCE, "", "## Overall", "", PROMPT, ""]
    )
    c = parse_commentary(text, area="a", month="2026-10")
    assert not c.filled
    assert all("Markdown works" not in s.body and "author:" not in s.body for s in c.sections)


def test_template_only_file_is_not_written_and_has_one_overall(tmp_path):
    import pandas as pd

    from pmf_lib.publish.commentary import commentary_text

    assessed = pd.DataFrame(
        {
            "kpi_id": ["k"],
            "title": ["Visits"],
            "exception": [True],
            "sentence": ["Visits fell to 60.0%."],
        }
    )
    template = commentary_text("a", "Area A", "2026-10", assessed)
    c = parse_commentary(template, area="a", month="2026-10")
    assert not c.filled
    assert [s.heading for s in c.sections] == ["Exception: Visits", "Overall"]
    # Text written above the first heading joins the Overall section: still one heading.
    written = template.replace("## Exception", "Before any heading.\n\n## Exception", 1)
    written = written.replace("## Overall\n", "## Overall\nAfter the heading.\n")
    c = parse_commentary(written, area="a", month="2026-10")
    assert [s.heading for s in c.sections].count("Overall") == 1
    assert c.section("Overall").body == "Before any heading.\n\nAfter the heading."


def test_unclosed_comment_is_refused_naming_the_row():
    with pytest.raises(PmfError, match="never closed") as e:
        parse_commentary(
            "## Overall\nGood.\n<!-- oops\nHidden?\n", area="a", month="2026-10", source="a.md"
        )
    assert e.value.file == "a.md" and e.value.location == "row 3"


def _front(extra: str) -> str:
    return f"---\narea: a\nmonth: 2026-10\nauthor: H. Service\n{extra}---\n## Overall\nFine.\n"


def test_sign_off_states():
    draft = parse_commentary(_front(""), area="a", month="2026-10")
    assert draft.status == "draft" and draft.sign_off_text == "Draft — not yet signed off"
    done = parse_commentary(
        _front("status: signed_off\nsigned_off_by: A. Director\nsigned_off_date: 2026-11-05\n"),
        area="a",
        month="2026-10",
    )
    assert done.signed_off
    assert done.sign_off_text == "Signed off by A. Director on 5 November 2026"
    quoted = parse_commentary(
        _front("status: signed_off\nsigned_off_by: A. D.\nsigned_off_date: '2026-11-05'\n"),
        area="a",
        month="2026-10",
    )
    assert quoted.signed_off_date == done.signed_off_date


@pytest.mark.parametrize(
    "extra, field, message",
    [
        ("status: signed off\n", "status", "unknown status 'signed off'"),
        ("status: approved\n", "status", "expected draft or signed_off"),
        ("status: signed_off\nsigned_off_date: 2026-11-05\n", "signed_off_by", "nobody"),
        ("status: signed_off\nsigned_off_by: A. D.\n", "signed_off_date", "no date"),
        (
            "status: signed_off\nsigned_off_by: A. D.\nsigned_off_date: 5/11/2026\n",
            "signed_off_date",
            "YYYY-MM-DD",
        ),
        ("signed_of_by: A. D.\n", "signed_of_by", "unknown key"),
    ],
)
def test_bad_sign_off_is_one_line_naming_file_and_field(extra, field, message):
    with pytest.raises(PmfError, match=message) as e:
        parse_commentary(_front(extra), area="a", month="2026-10", source="c/a.md")
    assert e.value.file == "c/a.md" and e.value.field == field
    assert "\n" not in str(e.value)


def test_impossible_yaml_date_is_a_pmf_error():
    # PyYAML raises ValueError (not YAMLError) for 2026-13-01: still one line, naming the
    # file's line (row 1 is "---", area and month are lines 2 and 3) and the key.
    text = "---\narea: a\nmonth: 2026-10\nauthor: H. Service\nsigned_off_date: 2026-13-01\n---\n"
    with pytest.raises(PmfError, match="not a valid date: '2026-13-01'") as e:
        parse_commentary(text, area="a", month="2026-10", source="a.md")
    assert (e.value.file, e.value.location, e.value.field) == ("a.md", "line 5", "signed_off_date")


def test_alias_bomb_in_front_matter_is_refused_at_once():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    lines += [
        f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    text = "---\n" + "\n".join(lines) + "\nauthor: *i\n---\n## Overall\nx\n"
    with pytest.raises(PmfError, match="alias"):
        parse_commentary(text, area="a", month="2026-10", source="a.md")


@pytest.mark.parametrize(
    "encoding, prefix", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b"")]
)
def test_utf8_bom_and_windows_1252_files_are_read(tmp_path, encoding, prefix):
    text = _front("").replace("Fine.", "Café closures — “waiting lists” fell.")
    (tmp_path / "a.md").write_bytes(prefix + text.encode(encoding))
    c = read_commentary(tmp_path, "a", "2026-10")
    assert c.author == "H. Service"  # the front matter was found despite a BOM
    assert c.section("Overall").body == "Café closures — “waiting lists” fell."


def test_unreadable_bytes_are_one_line_naming_the_file(tmp_path):
    (tmp_path / "a.md").write_bytes("## Overall\n".encode("utf-16"))
    with pytest.raises(PmfError, match="NUL bytes") as e:
        read_commentary(tmp_path, "a", "2026-10")
    assert e.value.file == str(tmp_path / "a.md")


def test_highlight_and_area_reports_show_sign_off(tmp_path):
    import pandas as pd

    from pmf_lib.config import Area, Config, Council, DataSources
    from pmf_lib.render.month import MonthData
    from pmf_lib.render.reports import HighlightReport, ServiceAreaReport

    ends = pd.date_range("2024-11-30", "2026-10-31", freq="ME")
    history = pd.DataFrame(
        {
            "kpi_id": "referrals_count",
            "period_end": ends,
            "window": "month",
            "value": 40.0,
            "numerator": 40.0,
            "denominator": float("nan"),
        }
    )
    config = Config(
        council=Council(code=938, name="Testshire"),
        data=DataSources(ssda903="a", cin_census="b", population="p.csv"),
        areas={
            "front_door": Area(title="Front door", kpis=["referrals_count"]),
            "protection": Area(title="Protection", kpis=["referrals_count"]),
        },
        base_dir=tmp_path,
    )
    folder = tmp_path / "commentary" / "2026-10"
    folder.mkdir(parents=True)
    (folder / "front_door.md").write_text(
        "---\nstatus: signed_off\nsigned_off_by: A. Director\nsigned_off_date: 2026-11-05\n---\n"
        "## Overall\nSteady month.\n",
        encoding="utf-8",
    )
    (folder / "protection.md").write_text("## Overall\nA first draft.\n", encoding="utf-8")
    data = MonthData.from_tables(config, "2026-10", history, commentary_dir=folder)

    def words(html) -> str:
        return " ".join(lxml_html.fromstring(f"<div>{html.data}</div>").text_content().split())

    signed = words(HighlightReport(data, "front_door").commentary())
    assert "Signed off by A. Director on 5 November 2026." in signed and "Steady" in signed
    draft = words(ServiceAreaReport(data, "protection").commentary())
    assert "Draft — not yet signed off." in draft and "A first draft." in draft
    assert "Not written" not in words(HighlightReport(data, "front_door").title_block())
    # A file still holding only the template that `pmf commentary` wrote: not written.
    from pmf_lib.publish.commentary import commentary_text

    no_flags = pd.DataFrame({"kpi_id": [], "title": [], "exception": [], "sentence": []})
    (folder / "protection.md").write_text(
        commentary_text("protection", "Protection", "2026-10", no_flags), encoding="utf-8"
    )
    assert "Not written" in words(HighlightReport(data, "protection").title_block())
    empty = words(ServiceAreaReport(data, "protection").commentary())
    assert empty == "No commentary has been written for Protection this month."


def test_bad_front_matter_yaml_is_one_line_naming_the_row():
    # Row 1 is the opening "---"; the unclosed list is on row 3.
    text = "---\narea: a\nauthor: [unclosed\n---\nReferrals fell.\n"
    with pytest.raises(PmfError, match="not valid YAML") as e:
        parse_commentary(text, area="a", month="2026-10", source="a.md")
    assert e.value.file == "a.md" and e.value.location == "line 3"
    assert "\n" not in str(e.value)
