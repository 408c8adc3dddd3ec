"""Every report kind opened in headless Chromium: no console error, no outside request,
hostile commentary inert; a screenshot of each kind written to outputs/screenshots/.

Slow (one notebook run per report kind): marked ``slow``; it runs in ``make test``.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import render_month
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

SCREENSHOTS = ROOT / "outputs" / "screenshots"
#: True when nothing hostile ran and nothing that could run or load is in the page.
INERT = (
    "window.__pwned === undefined && "
    "!document.querySelector('script, iframe, object, embed, [onerror], [onload], "
    'a[href^="javascript:" i], a[href^="http" i], img:not([src^="data:"])\')'
)


@pytest.fixture(scope="module")
def pages(tmp_path_factory, chromium):  # chromium first: skip before rendering anything
    # 2026-09 is a quarter end, so the quarterly reports are planned as well.
    return render_month(tmp_path_factory.mktemp("reports") / "2026-09", "2026-09")


def test_every_report_kind_is_clean_in_chromium(pages, chromium):
    kinds = {p.stem for p in pages}
    assert {"dashboard", "front_door", "exceptions", "highlight_front_door", "schedule"} <= kinds
    assert any(k.startswith("quarterly_") for k in kinds)
    for page in pages:
        assert page.stat().st_size < 2_000_000, f"{page.name} is over 2 MB"
        kind = (
            page.stem.split("_")[0]
            if page.stem.startswith(("quarterly", "highlight"))
            else (page.stem if page.stem in ("dashboard", "exceptions", "schedule") else "area")
        )
        seen = chromium.visit(page, screenshot=SCREENSHOTS / f"{kind}.png", check_js=INERT)
        assert seen["errors"] == [], f"{page.name}: console errors {seen['errors']}"
        assert seen["requests"] == [], f"{page.name}: requests {seen['requests']}"
        assert seen["check"] is True, f"{page.name}: something active or external is in the page"


def test_hostile_commentary_is_shown_as_text(pages):
    html = next(p for p in pages if p.stem == "front_door").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html
    assert "<strong>All</strong> in hand" in html


def test_the_browser_test_detects_a_violation(tmp_path, chromium):
    # The same check on a page that breaks the rules must fail: an outside image
    # blocked by the CSP (a console error) and an inline script that runs.
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; script-src 'unsafe-inline'\"></head><body>"
        '<img src="https://evil.example/p.png" alt=""><script>window.__pwned = 1;'
        "console.error('boom')</script></body></html>"
    )
    seen = chromium.visit(page, check_js=INERT)
    assert seen["errors"] and seen["check"] is False
