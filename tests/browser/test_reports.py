"""Reports holding hostile commentary opened in headless Chromium: no console error, no
outside request, the hostile input inert and shown as text.

The front door's area and highlight reports of a hand-made month carry the hostile
commentary (every other report kind is opened from the published month in
test_layout.py). Slow (two notebook runs): marked ``slow``; it runs in ``make test``.
"""

from __future__ import annotations

import pytest

from tests.browser.checks import visit
from tests.browser.conftest import render_month

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pages(tmp_path_factory, browser):  # browser first: skip before rendering anything
    return render_month(
        tmp_path_factory.mktemp("reports") / "2026-09",
        "2026-09",
        ids={"front_door", "highlight_front_door"},
    )


def test_hostile_commentary_is_inert_in_chromium(pages, browser):
    assert {p.stem for p in pages} == {"front_door", "highlight_front_door"}
    for page in pages:
        assert page.stat().st_size < 2_000_000, f"{page.name} is over 2 MB"
        seen = visit(browser, page)
        assert seen["errors"] == [], f"{page.name}: console errors {seen['errors']}"
        assert seen["requests"] == [], f"{page.name}: requests {seen['requests']}"
        assert seen["inert"] is True, f"{page.name}: something active or external is in the page"


def test_hostile_commentary_is_shown_as_text(pages):
    html = next(p for p in pages if p.stem == "front_door").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html
    assert "<strong>All</strong> in hand" in html


def test_the_browser_test_detects_a_violation(tmp_path, browser):
    # The same check on a page that breaks the rules must fail: an outside image
    # blocked by the CSP (a console error) and an inline script that runs.
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; script-src 'unsafe-inline'\"></head><body>"
        '<img src="https://evil.example/p.png" alt=""><script>window.__pwned = 1;'
        "console.error('boom')</script></body></html>"
    )
    seen = visit(browser, page)
    assert seen["errors"] and seen["inert"] is False
