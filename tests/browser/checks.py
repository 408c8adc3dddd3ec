"""What the browser tests measure in a page, as JavaScript run in it, and a page visit.

Each check returns a list of findings (empty: the page passes), each finding a short
string naming the element, so a failing test says where.
"""

from __future__ import annotations

from pathlib import Path

#: The screen the dashboard is read on, and an A4 page's printable width in CSS pixels
#: (96 px to the inch) inside the stylesheet's margins: portrait 210 mm less 24 mm, and
#: for the dashboard's scorecard (a named A4 landscape page) 297 mm less 20 mm.
SCREEN = {"width": 1366, "height": 768}
A4_PORTRAIT = round((210 - 24) / 25.4 * 96)  # 703
A4_LANDSCAPE = round((297 - 20) / 25.4 * 96)  # 1047

#: The axe-core rule tags of WCAG 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

#: True when nothing hostile ran and nothing that could run or load is in the page.
#: True when the page holds nothing active or external. The one exception is an inline
#: script whose SHA-256 the page's own Content-Security-Policy lists (`script-src
#: 'sha256-...'`, as the action lists page allows its sorting script): Chromium runs nothing
#: else, and any other script, src'd script, frame, handler or outside link fails the check.
INERT = """async () => {
  if (window.__pwned !== undefined) return false;
  if (document.querySelector('iframe, object, embed, [onerror], [onload], '
      + 'a[href^="javascript:" i], a[href^="http" i], img:not([src^="data:"]), script[src]'))
    return false;
  const meta = document.querySelector('meta[http-equiv="Content-Security-Policy" i]');
  const csp = meta ? meta.getAttribute('content') : '';
  for (const s of document.querySelectorAll('script')) {
    const bytes = new TextEncoder().encode(s.textContent);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    const b64 = btoa(String.fromCharCode(...digest));
    if (!csp.includes("'sha256-" + b64 + "'")) return false;
  }
  return true;
}"""

_JS_HELPERS = """
const hidden = (el) => {
  const cs = getComputedStyle(el);
  if (cs.display === 'none' || cs.visibility === 'hidden') return true;
  const clip = cs.clipPath !== 'none' || cs.clip !== 'auto';
  const r = el.getBoundingClientRect();
  return clip || (r.width === 0 && r.height === 0);
};
const name = (el) => {
  const tag = el.tagName.toLowerCase();
  const cls = (el.getAttribute('class') || '').trim().split(/\\s+/)[0];
  const id = el.id ? '#' + el.id : '';
  return tag + id + (cls ? '.' + cls : '');
};
"""

#: Tables (and anything that scrolls or clips) wider than their box, and anything whose
#: right edge is beyond the page, at the current viewport and media.
OVERFLOW = (
    "() => {"
    + _JS_HELPERS
    + """
  const out = [];
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width + 1)
    out.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`);
  for (const el of document.body.querySelectorAll('*')) {
    if (hidden(el)) continue;
    const r = el.getBoundingClientRect();
    if (el.tagName === 'TABLE') {
      const box = el.parentElement.clientWidth;
      if (r.width > box + 1) out.push(`${name(el)} ${Math.round(r.width)} px wide in ${box}`);
    }
    const cs = getComputedStyle(el);
    if (cs.overflowX !== 'visible' && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1)
      out.push(`${name(el)} clips or scrolls ${el.scrollWidth} px in ${el.clientWidth}`);
    if (r.width > 0 && r.right > width + 1)
      out.push(`${name(el)} ends at ${Math.round(r.right)} px, beyond ${width}`);
  }
  return [...new Set(out)].slice(0, 20);
}"""
)

#: Elements a keyboard reaches that have no role or no accessible name.
FOCUSABLE = (
    "() => {"
    + _JS_HELPERS
    + """
  const implicit = {A: 'link', BUTTON: 'button', SUMMARY: 'button', INPUT: 'textbox',
                    SELECT: 'combobox', TEXTAREA: 'textbox', AREA: 'link'};
  const sel = 'a[href], area[href], button, input, select, textarea, summary, iframe, '
            + '[tabindex]:not([tabindex="-1"]), [contenteditable="true"]';
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    if (el.disabled) continue;
    const role = el.getAttribute('role') || implicit[el.tagName] || '';
    let label = el.getAttribute('aria-label') || '';
    const by = el.getAttribute('aria-labelledby');
    if (!label && by) label = by.split(/\\s+/).map(
        (i) => (document.getElementById(i) || {}).textContent || '').join(' ');
    if (!label) label = el.textContent || '';
    if (!label.trim()) label = [...el.querySelectorAll('img[alt]')].map((i) => i.alt).join(' ');
    if (!label.trim()) label = el.getAttribute('title') || '';
    if (!role) out.push(`${name(el)}: focusable with no role`);
    else if (!label.trim()) out.push(`${name(el)}: ${role} with no name`);
  }
  return out.slice(0, 20);
}"""
)

#: Images without alt text (an empty alt is decoration: none of pmf's images is).
IMAGES = """() => [...document.images].filter((i) => !(i.getAttribute('alt') || '').trim())
  .map((i) => (i.getAttribute('class') || 'img') + ' ' + (i.src || '').slice(0, 30))"""

#: The report template's marks: generator, skip link first, masthead, <main>, footer and
#: pmf's stylesheet.
TEMPLATE = """() => {
  const gen = document.querySelector('meta[name="generator"]');
  const first = document.querySelector('a[href], button, [tabindex]');
  const css = [...document.querySelectorAll('style')].some(
      (s) => s.textContent.includes('pmf report stylesheet'));
  return {
    generator: gen ? gen.content.split(' ')[0] : '',
    skip: !!first && first.matches('a.pmf-skip[href="#main"]'),
    main: document.querySelectorAll('main#main').length === 1,
    masthead: !!document.querySelector('body > header.pmf-masthead'),
    footer: !!document.querySelector('body > footer.pmf-footer'),
    stylesheet: css,
    lang: document.documentElement.lang,
  };
}"""


def visit(browser, path: Path, *, landscape: bool = False, screenshot: Path | None = None) -> dict:
    """Open a report at 1366x768 and printed to A4; return every check's findings.

    Returns
    -------
    dict
        ``screen`` and ``print`` (:data:`OVERFLOW` at 1366 px and as printed on A4,
        landscape for the dashboard), ``focus`` (:data:`FOCUSABLE`), ``images``
        (:data:`IMAGES`), ``template`` (:data:`TEMPLATE`), ``axe`` (axe-core's
        WCAG 2.2 A/AA violations, as ``rule: n nodes``), ``errors`` (console errors)
        and ``requests`` (anything requested but the file and data: URIs).
    """
    from axe_playwright_python.sync_playwright import Axe

    url = path.resolve().as_uri()
    context = browser.new_context(viewport=SCREEN, device_scale_factor=1)
    page = context.new_page()
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "assert") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "request",
        lambda r: requests.append(r.url) if r.url != url and not r.url.startswith("data:") else 0,
    )
    try:
        page.goto(url, wait_until="load")
        found = {
            "screen": page.evaluate(OVERFLOW),
            "focus": page.evaluate(FOCUSABLE),
            "images": page.evaluate(IMAGES),
            "template": page.evaluate(TEMPLATE),
            "inert": page.evaluate(INERT),
        }
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot))  # the first screen
        results = Axe().run(
            page,
            options={
                "runOnly": {"type": "tag", "values": WCAG_TAGS},
                "resultTypes": ["violations"],
            },
        )
        found["axe"] = [
            f"{v['id']}: {len(v['nodes'])} node(s), e.g. {v['nodes'][0]['target']}"
            for v in results.response["violations"]
        ]
        page.emulate_media(media="print")
        page.set_viewport_size(
            {"width": A4_LANDSCAPE if landscape else A4_PORTRAIT, "height": 1123}
        )
        found["print"] = page.evaluate(OVERFLOW)
        found["print_font"] = page.evaluate(
            "getComputedStyle(document.querySelector('main .jp-RenderedHTMLCommon')"
            " || document.querySelector('main') || document.body).fontSize"
        )
    finally:
        context.close()
    found["errors"], found["requests"] = errors, requests
    return found
