"""The plain-XML scanner behind the CIN census fast path."""

from __future__ import annotations

import pytest

from pmf_lib.read._xmlscan import scan


def names(s):
    return [s.names[c] for c in s.code]


def test_long_names_alike_at_both_ends_are_not_taken_for_one_another():
    # same length (26), same first 8 and last 8 bytes: only the middle differs, which
    # the hash does not see; the exact comparison finds them unlike, and the text is
    # left to an XML parser rather than read with the two names confused
    a, b = "AssessmentActualStartDate1", "AssessmentXXXXXXStartDate1"
    assert len(a) == len(b) and a[:8] == b[:8] and a[-8:] == b[-8:]
    assert scan(f"<R><{a}>1</{a}><{b}>2</{b}></R>".encode()) is None
    s = scan(f"<R><{a}>1</{a}><{a}>3</{a}></R>".encode())
    assert names(s) == ["R", a, a]
    assert s.text(s.starts(a)).to_pylist() == ["1", "3"]


def test_levels_parents_and_text_before_the_first_child():
    s = scan(b"<A>x<B> y <C>z</C>w</B></A>\n<A></A>")
    assert names(s) == ["A", "B", "C", "A"]
    assert s.level.tolist() == [0, 1, 2, 0]
    assert s.parent.tolist() == [-1, 0, 1, -1]
    # an element's text is what comes before its first child, stripped; empty is null
    assert s.text(s.starts("B")).to_pylist() == ["y"]
    assert s.text(s.starts("A")).to_pylist() == ["x", None]


def test_greater_than_in_text_and_multibyte_text():
    s = scan("<A><B>a > b</B><B>\u00e9\u00a0</B></A>".encode())
    assert s.text(s.starts("B")).to_pylist() == ["a > b", "\u00e9"]


@pytest.mark.parametrize(
    "text",
    [
        b"<A><!-- c --></A>",
        b"<A><![CDATA[x]]></A>",
        b"<A><?pi x?></A>",
        b"<A>&amp;</A>",
        b"<A><B/></A>",
        b'<A b="1"></A>',
        b"<A ></A>",
        b"<x:A></x:A>",
        b"<A><B></B>",  # not whole elements
        b"</A><A>",
        b"just text",
    ],
)
def test_not_plain_xml_is_none(text):
    assert scan(text) is None


def test_a_carriage_return_inside_a_text_is_left_to_the_parser():
    s = scan(b"<A><B>x\r\ny</B><C> z\r\n</C></A>")
    assert s.text(s.starts("B")) is None  # an XML parser gives "x\ny"
    assert s.text(s.starts("C")).to_pylist() == ["z"]  # at the ends: stripped either way
