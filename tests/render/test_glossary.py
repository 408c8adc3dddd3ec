"""The glossary: one source file, checked, with the council's settings filled in."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from pmf_lib.errors import PmfError
from pmf_lib.render.glossary import (
    fill,
    glossary_body,
    glossary_values,
    load_glossary,
    term_ids,
)

#: What the issue asks the glossary to explain, by term id.
REQUIRED = {
    "spc",
    "common-cause",
    "special-cause",
    "process-limits",
    "trial-limits",
    "hit-and-miss",
    "icons",
    "pp",
    "quartile",
    "rag",
    "direction-of-travel",
    "statistical-neighbours",
    "rate-per-10000",
    "data-quality",
    "suppression",
}


def test_the_shipped_glossary_explains_every_term_the_reports_use():
    assert REQUIRED <= set(term_ids())


def test_the_page_fills_the_councils_settings_and_escapes_text():
    # A council withholding 1-5 (max_count 5) with its own wording and DQ thresholds of
    # 2% and 10%: the page says "fewer than 6", quotes the wording and "2 in 100".
    values = glossary_values(max_count=5, wording="not shown (<6)", dq_high=0.02, dq_medium=0.1)
    body, contents = glossary_body(load_glossary(), values)
    doc = lxml_html.fragment_fromstring(body, create_parent="div")
    text = doc.text_content()
    assert "fewer than 6 children" in text and '"not shown (<6)"' in text
    assert "at most 2 in 100" in text and "at most 10 in 100" in text
    assert "{" not in text  # every placeholder filled
    assert "not shown (&lt;6)" in body  # escaped
    assert [c["id"] for c in contents] == doc.xpath("//h2/@id")
    pp = doc.xpath("//dt[@id='term-pp']")[0]
    assert pp.text_content() == "pp (percentage points)"
    assert "5 percentage points" in pp.getnext().text_content()


def _write(tmp_path, text: str):
    p = tmp_path / "glossary.yaml"
    p.write_text(text)
    return p


def test_a_misspelt_key_or_duplicate_id_names_the_field(tmp_path):
    bad_key = "groups:\n  - title: T\n    terms:\n      - {id: a, term: A, text: [x], txet: y}\n"
    with pytest.raises(PmfError) as e:
        load_glossary(_write(tmp_path, bad_key))
    assert e.value.field == "groups.0.terms.0.txet"
    twice = (
        "groups:\n  - title: T\n    terms:\n      - {id: a, term: A, text: [x]}\n"
        "  - title: U\n    terms:\n      - {id: a, term: B, text: [y]}\n"
    )
    with pytest.raises(PmfError, match="used twice") as e:
        load_glossary(_write(tmp_path, twice))
    assert e.value.field == "groups.1.terms.0.id"
    with pytest.raises(PmfError) as e:
        load_glossary(
            _write(
                tmp_path,
                "groups:\n  - title: T\n    terms:\n      - {id: A B, term: A, text: [x]}\n",
            )
        )
    assert e.value.field == "groups.0.terms.0.id"


def test_an_unknown_placeholder_is_an_error_not_printed():
    with pytest.raises(PmfError, match=r"unknown placeholder \{limit\}"):
        fill("fewer than {limit}", glossary_values())
    assert fill("no placeholders {", glossary_values()) == "no placeholders {"
