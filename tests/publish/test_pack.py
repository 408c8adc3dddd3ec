"""``pmf pack``: the board pack as one PDF.

Refusals (no run, another edition's folder, a missing report, no Chromium) are one
line with exit 2 and need no browser. The printing tests need Debian's
``/usr/bin/chromium`` and skip without it: a pack of tiny hand-made pages whose
page counts are known, then the published demo month (copied, so that its run
lock is not taken), checked with pypdf (pages, numbering, contents) and with
Playwright in print emulation (no table wider than its page).
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
import yaml

from pmf_lib.cli import main
from pmf_lib.config import load_config
from pmf_lib.errors import PmfError
from pmf_lib.publish import pack
from pmf_lib.publish.pack import CHROMIUM, CHROMIUM_ARGS, build_pack
from tests.conftest import ROOT

PUBLISHED = ROOT / "outputs" / "2026-10"
MM = 96 / 25.4  # CSS pixels per millimetre
A4_MM = (210, 297)


def _config_file(tmp_path: Path, outputs: Path, audience: str = "internal") -> Path:
    raw = yaml.safe_load((ROOT / "parameters" / "config.yaml").read_text(encoding="utf-8"))
    raw.update(outputs=str(outputs), audience=audience)
    for key in ("targets", "kpi_catalogue"):
        if raw.get(key):
            raw[key] = str((ROOT / "parameters" / raw[key]).resolve())
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
    "<style>@page {{ size: A4; margin: 15mm 12mm; }} .p {{ break-after: page; }}</style>"
    "</head><body>{body}</body></html>"
)


def _tiny_month(root: Path, audience: str = "members", pages: dict | None = None) -> Path:
    """A month folder holding a run of ``audience`` and tiny reports of known lengths:
    the dashboard 3 pages, the exceptions report 1, highlight A 2 and highlight B 1."""
    pages = pages or {"dashboard": 3, "exceptions": 1, "highlight_a": 2, "highlight_b": 1}
    titles = {
        "dashboard": "Dashboard",
        "exceptions": "Exceptions",
        "highlight_a": "A: highlight report",
        "highlight_b": "B: highlight report",
    }
    kinds = {"dashboard": "dashboard", "exceptions": "exceptions"}
    out = root / "2026-10"
    out.mkdir(parents=True)
    reports = [{"id": "front_door", "kind": "area", "title": "Front door", "status": "ok"}]
    # The run lists the highlights before the exceptions report: the pack reorders.
    for rid in ("dashboard", "highlight_a", "highlight_b", "exceptions"):
        kind = kinds.get(rid, "highlight")
        reports.append({"id": rid, "kind": kind, "title": titles[rid], "status": "ok"})
        body = (
            "".join(
                f'<div class="p"><h1>{titles[rid]}</h1><p>page {i + 1}</p></div>'
                for i in range(pages[rid] - 1)
            )
            + f"<h1>{titles[rid]}</h1><table><tr><td>last</td></tr></table>"
        )
        (out / f"{rid}.html").write_text(PAGE.format(title=titles[rid], body=body))
    run = {"parameters": {"config": {"audience": audience}}, "reports": reports}
    (out / "run.json").write_text(json.dumps(run))
    return out


# ---- refusals: one line, exit 2 -----------------------------------------------------
def test_a_members_pack_needs_the_members_run(tmp_path, capsys):
    _tiny_month(tmp_path / "out", audience="internal")
    config = _config_file(tmp_path, tmp_path / "out")
    code = main(["pack", "--month", "2026-10", "--audience", "members", "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "internal edition of 2026-10, not the members' edition" in err
    assert "pmf run --month 2026-10 --config <a config with audience: members>" in err
    assert not (tmp_path / "out" / "2026-10" / "board_pack.pdf").exists()


def test_no_run_for_the_month(tmp_path, capsys):
    (tmp_path / "out").mkdir()
    config = _config_file(tmp_path, tmp_path / "out", audience="members")
    assert main(["pack", "--month", "2026-10", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "no members' edition of the reports for 2026-10" in err and "audience: members" in err


def test_a_missing_report_is_named(tmp_path):
    out = _tiny_month(tmp_path / "out", audience="internal")
    (out / "highlight_b.html").unlink()
    config = load_config(_config_file(tmp_path, tmp_path / "out"), check_files=False)
    with pytest.raises(PmfError, match="'B: highlight report' for 2026-10 is not published") as e:
        build_pack(config, "2026-10")
    assert e.value.file.endswith("/2026-10/highlight_b.html")


def test_a_missing_chromium_is_one_line_naming_it(tmp_path, capsys, monkeypatch):
    assert CHROMIUM == Path("/usr/bin/chromium")
    _tiny_month(tmp_path / "out", audience="internal")
    config = _config_file(tmp_path, tmp_path / "out")
    monkeypatch.setattr(pack, "CHROMIUM", tmp_path / "usr" / "bin" / "chromium")
    assert main(["pack", "--month", "2026-10", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"{tmp_path}/usr/bin/chromium" in err and "Chromium not found" in err


# ---- printing -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def chromium_present():
    if not CHROMIUM.is_file():
        pytest.skip(f"needs Debian's Chromium at {CHROMIUM}, which is absent")
    pytest.importorskip("playwright.sync_api")
    pytest.importorskip("pypdf")


def _pages_text(path: Path) -> list[str]:
    from pypdf import PdfReader

    # NFKC: Chromium's PDFs set "ffi" and the like as ligatures.
    return [unicodedata.normalize("NFKC", p.extract_text()) for p in PdfReader(path).pages]


def _footer_numbers(texts: list[str]) -> list[tuple[int, int]]:
    return [tuple(map(int, re.findall(r"Page (\d+) of (\d+)", t)[-1])) for t in texts]


def test_a_pack_of_known_pages_is_numbered_and_in_the_boards_order(tmp_path, chromium_present):
    from pypdf import PdfReader

    _tiny_month(tmp_path / "out", audience="members")
    config = load_config(_config_file(tmp_path, tmp_path / "out", "members"), check_files=False)
    result = build_pack(config, "2026-10", audience="members")
    # Contents 1 page; then the dashboard 3 (pages 2-4), the exceptions report 1 (5),
    # highlight A 2 (6-7) and highlight B 1 (8): 8 pages. No glossary in this folder.
    assert result.contents_pages == 1
    assert [(i.id, i.first_page, i.pages) for i in result.items] == [
        ("dashboard", 2, 3),
        ("exceptions", 5, 1),
        ("highlight_a", 6, 2),
        ("highlight_b", 8, 1),
    ]
    texts = _pages_text(result.path)
    assert len(texts) == result.pages == 8
    assert _footer_numbers(texts) == [(n, 8) for n in range(1, 9)]
    assert all("members' edition" in t for t in texts)
    contents = texts[0]
    for title, first in (("Dashboard", 2), ("Exceptions", 5), ("A: highlight report", 6)):
        assert re.search(rf"{re.escape(title)}\s*{first}\b", contents), (title, contents)
    # Each report starts its own page: the dashboard's second page is pack page 3.
    assert "page 2" in texts[2] and "last" in texts[3] and "A: highlight report" in texts[5]
    reader = PdfReader(result.path)
    marks = [(o.title, reader.get_destination_page_number(o) + 1) for o in reader.outline]
    assert marks == [
        ("Contents", 1),
        ("Dashboard", 2),
        ("Exceptions", 5),
        ("A: highlight report", 6),
        ("B: highlight report", 8),
    ]


#: For each table: its right edge and widths, and the @page rule it is printed on.
_TABLES_JS = """() => {
  const pageOf = el => {
    for (let e = el; e; e = e.parentElement) {
      const p = getComputedStyle(e).page;
      if (p && p !== 'auto') return p;
    }
    return '';
  };
  const left = document.body.getBoundingClientRect().left;
  return [...document.querySelectorAll('table')].map((t, i) => ({
    i, page: pageOf(t), caption: (t.caption ? t.caption.textContent : '').slice(0, 60),
    right: t.getBoundingClientRect().right - left,
    scroll: t.scrollWidth, client: t.clientWidth,
    wrapScroll: t.parentElement.scrollWidth, wrapClient: t.parentElement.clientWidth,
  }));
}"""
#: The page's @page rules: name, size and left and right margins (as written).
_PAGE_RULES_JS = """() => {
  const out = [];
  for (const sheet of document.styleSheets) {
    for (const r of sheet.cssRules) {
      if (r instanceof CSSPageRule) out.push({
        name: r.selectorText, size: r.style.getPropertyValue('size'),
        left: r.style.getPropertyValue('margin-left'),
        right: r.style.getPropertyValue('margin-right')});
    }
  }
  return out;
}"""


def _px(length: str) -> float:
    m = re.fullmatch(r"([\d.]+)(mm|cm|in|px|pt)", length.strip())
    assert m, f"unexpected @page length {length!r}"
    n, unit = float(m.group(1)), m.group(2)
    return n * {"mm": MM, "cm": 10 * MM, "in": 96, "px": 1, "pt": 96 / 72}[unit]


def content_widths(rules: list[dict]) -> dict[str, float]:
    """The printable width (CSS px) of each @page name ('' the default): A4, portrait
    unless the rule says landscape, less the rule's margins (the named page's own, else
    the default's)."""
    default = next((r for r in rules if r["name"] == ""), {"size": "", "left": "", "right": ""})
    widths = {}
    for r in [default] + [r for r in rules if r["name"]]:
        size = r["size"] or default["size"]
        paper = A4_MM[1] if "landscape" in size else A4_MM[0]
        left, right = r["left"] or default["left"], r["right"] or default["right"]
        widths[r["name"]] = paper * MM - _px(left or "0px") - _px(right or "0px")
    return widths


@pytest.fixture(scope="module")
def demo_pack(tmp_path_factory, chromium_present):
    if not (PUBLISHED / "glossary.html").is_file():
        pytest.skip("the demo month is not published with a glossary: run `pmf run --force`")
    tmp = tmp_path_factory.mktemp("pack")
    month = tmp / "out" / "2026-10"
    shutil.copytree(
        PUBLISHED, month, ignore=shutil.ignore_patterns(".pmf-run.*", "*.ipynb", "*.pdf")
    )
    config = _config_file(tmp, tmp / "out")
    assert main(["pack", "--month", "2026-10", "--config", str(config)]) == 0
    pdfs = sorted(month.glob("*.pdf"))
    assert [p.name for p in pdfs] == ["board_pack.pdf"]  # one PDF
    return load_config(config, check_files=False), month, pdfs[0]


@pytest.mark.slow  # packs the whole published demo month in Chromium
@pytest.mark.demo
def test_the_demo_pack_has_contents_page_numbers_and_every_report(demo_pack):
    from pypdf import PdfReader

    config, month, pdf = demo_pack
    run = json.loads((month / "run.json").read_text())
    highlights = [r["title"] for r in run["reports"] if r["kind"] == "highlight"]
    # One highlight report per configured area, in the config's order.
    assert len(highlights) == len(config.areas)
    texts = _pages_text(pdf)
    n = len(texts)
    assert _footer_numbers(texts) == [(i, n) for i in range(1, n + 1)]
    reader = PdfReader(pdf)
    marks = [(o.title, reader.get_destination_page_number(o) + 1) for o in reader.outline]
    titles = [t for t, _ in marks]
    assert titles == [
        "Contents",
        "Children's Social Care Indicators",
        "Exceptions and good practice",
        *highlights,
        "Glossary",
    ]
    firsts = [p for _, p in marks]
    assert firsts == sorted(firsts) and len(set(firsts)) == len(firsts)  # each a new page
    contents = " ".join(texts[: firsts[1] - 1])
    flat = " ".join(contents.split())
    for title, first in marks[1:]:
        # The contents page gives each report's first page, and that page is the report's.
        assert re.search(rf"{re.escape(title)}[^0-9]*?{first}\b", flat), title
        assert title.split(":")[0] in texts[first - 1], (title, first)
    for page in reader.pages:  # A4, either way round (points)
        w, h = sorted((float(page.mediabox.width), float(page.mediabox.height)))
        assert abs(w - 595.3) < 2 and abs(h - 841.9) < 2


def tables_too_wide(page, path: Path) -> list[str]:
    """The tables of ``path`` wider than the printable width of the page they print on,
    or scrolling inside their wrapper, laid out in print emulation at that width."""
    page.goto(path.as_uri())
    page.emulate_media(media="print")
    found = []
    for page_name, width in content_widths(page.evaluate(_PAGE_RULES_JS)).items():
        # Lay the page out at that page's printable width, as Chromium prints it.
        page.set_viewport_size({"width": int(width), "height": 1000})
        for t in page.evaluate(_TABLES_JS):
            if t["page"] == page_name and (
                t["right"] > width + 1
                or t["scroll"] > t["client"] + 1
                or t["wrapScroll"] > t["wrapClient"] + 1
            ):
                found.append(f"{path.name} table {t['i']} {t['caption']!r}: {t}")
    return found


@pytest.fixture(scope="module")
def browser_page(chromium_present):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def test_the_width_check_finds_a_table_too_wide_for_its_page(tmp_path, browser_page):
    # A4 portrait less 12 mm margins each side is 186 mm (703 px): a 900 px table is too
    # wide there, and fits on the 277 mm (1047 px) of a landscape named page.
    style = (
        "@page { size: A4; margin: 15mm 12mm; } @page wide { size: A4 landscape; "
        "margin: 10mm; } .wide { page: wide; } table { border-collapse: collapse; }"
    )
    cells = '<table><tr><td><div style="width: 900px">x</div></td></tr></table>'
    page = tmp_path / "p.html"
    page.write_text(
        f"<html><head><style>{style}</style></head><body>{cells}"
        f'<div class="wide">{cells}</div></body></html>'
    )
    found = tables_too_wide(browser_page, page)
    assert [f.split(" ")[2] for f in found] == ["0"]  # the first table only


@pytest.mark.slow
@pytest.mark.demo
def test_no_table_in_the_pack_is_wider_than_its_page(demo_pack, browser_page):
    config, month, _ = demo_pack
    run = json.loads((month / "run.json").read_text())
    files = [f"{r['id']}.html" for r in run["reports"] if r["kind"] in pack.PACK_KINDS]
    too_wide = [
        f for name in [*files, "glossary.html"] for f in tables_too_wide(browser_page, month / name)
    ]
    assert too_wide == [], "\n".join(too_wide[:20])
