"""Heads of Service's commentary: read a commentary file and render it as safe HTML.

A commentary file (``parameters/commentary/YYYY-MM/<area>.md``, written pre-filled by
``pmf commentary``) is markdown: a front-matter block between ``---`` lines naming
the area and month, then one ``## `` section per exception and a free section.
Lines equal to :data:`PROMPT` are the unfilled prompt and are dropped.

Rendering is safe whatever is typed: raw HTML is shown as text (markdown-it with
``html=False``), images are not rendered, and links are kept only when they point
within the page (``#...``) or to a relative path; ``javascript:``, ``data:``,
``file:`` and any other scheme, and ``//host`` links, are refused (shown as text).

Examples
--------
>>> str(render_markdown("**Good** <script>alert(1)</script> [x](javascript:alert(1))"))
'<p><strong>Good</strong> &lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:alert(1))</p>\\n'
>>> str(render_markdown("[actions](#actions) and [report](front_door.html)"))
'<p><a href="#actions">actions</a> and <a href="front_door.html">report</a></p>\\n'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markupsafe import Markup

from pmf_lib.errors import PmfError

#: The line a pre-filled section holds until someone writes in it.
PROMPT = "_(Write your commentary here.)_"
#: The heading of the free section at the end of every file.
GENERAL_HEADING = "Overall"
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*)\s*:")
_FRONT = re.compile(r"\A---\r?\n(.*?)\r?\n---\r?\n?", re.DOTALL)


def safe_link(url: str) -> bool:
    """Whether a commentary link may be kept: in-page anchors and relative paths only.

    Examples
    --------
    >>> [safe_link(u) for u in ("#a", "x.html", "javascript:alert(1)", " JaVaScRiPt:x",
    ...                         "data:text/html,x", "https://example.org", "//evil.test/x")]
    [True, True, False, False, False, False, False]
    """
    u = url.strip()
    # Browsers ignore tabs and newlines inside a scheme ("java\tscript:"): test without them.
    squeezed = re.sub(r"[\x00-\x20]", "", u)
    if not u or _SCHEME.match(squeezed) or squeezed.startswith(("//", "\\\\", "/\\", "\\/")):
        return False
    return True


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image", "heading", "lheading"])
    md.validateLink = safe_link
    return md


def render_markdown(text: str) -> Markup:
    """Markdown to HTML with raw HTML escaped, no images and only safe links."""
    return Markup(_markdown().render(text or ""))


@dataclass
class Section:
    """One ``## `` section of a commentary file."""

    heading: str
    body: str

    @property
    def filled(self) -> bool:
        """Whether anything beyond the prompt and pmf's quoted sentence (``> ``) was written."""
        return any(x.strip() and not x.lstrip().startswith(">") for x in self.body.splitlines())

    def html(self) -> Markup:
        """The section's text as safe HTML."""
        return render_markdown(self.body)


@dataclass
class Commentary:
    """An area's commentary for a month (empty when no file was written)."""

    area: str
    month: str
    author: str = ""
    sections: list[Section] = field(default_factory=list)
    path: Path | None = None

    @property
    def filled(self) -> bool:
        """Whether any section was written in."""
        return any(s.filled for s in self.sections)

    def section(self, heading: str) -> Section | None:
        """The section with this heading (None when absent)."""
        return next((s for s in self.sections if s.heading == heading), None)


def parse_commentary(text: str, *, area: str, month: str, source: str | Path = "") -> Commentary:
    """A commentary file's text as sections (prompt lines dropped).

    Raises
    ------
    PmfError
        When the front matter is not YAML or names another area or month.

    Examples
    --------
    >>> c = parse_commentary("---\\narea: a\\nmonth: 2026-10\\nauthor: J. Smith\\n---\\n"
    ...     "## Exception: X\\n" + PROMPT + "\\n## Overall\\nAll well.\\n", area="a",
    ...     month="2026-10")
    >>> [(s.heading, s.filled) for s in c.sections], c.author
    ([('Exception: X', False), ('Overall', True)], 'J. Smith')
    """
    meta: dict = {}
    m = _FRONT.match(text)
    if m:
        try:
            meta = yaml.safe_load(m.group(1)) or {}
        except yaml.YAMLError as e:
            raise PmfError(f"the front matter is not valid YAML ({e})", file=source) from None
        if not isinstance(meta, dict):
            raise PmfError("the front matter must be `key: value` lines", file=source)
        text = text[m.end() :]
    for key, want in (("area", area), ("month", month)):
        got = meta.get(key)
        if got is not None and str(got) != want:
            raise PmfError(
                f"this commentary is for {key} {got!r}, not {want!r}", file=source, field=key
            )
    sections: list[Section] = []
    heading, lines = None, []
    for line in text.splitlines():
        if line.startswith("## "):
            if heading is not None or any(x.strip() for x in lines):
                sections.append(Section(heading or GENERAL_HEADING, "\n".join(lines).strip()))
            heading, lines = line[3:].strip(), []
        elif line.strip() != PROMPT:
            lines.append(line)
    if heading is not None or any(x.strip() for x in lines):
        sections.append(Section(heading or GENERAL_HEADING, "\n".join(lines).strip()))
    return Commentary(
        area=area,
        month=month,
        author=str(meta.get("author") or ""),
        sections=sections,
        path=Path(source) if source else None,
    )


def commentary_path(commentary_dir: str | Path, area: str) -> Path:
    """Where an area's commentary file is: ``<commentary_dir>/<area>.md``."""
    return Path(commentary_dir) / f"{area}.md"


def read_commentary(commentary_dir: str | Path | None, area: str, month: str) -> Commentary:
    """An area's commentary for the month; empty when there is no directory or file.

    Raises
    ------
    PmfError
        When the file cannot be read or is not UTF-8.
    """
    if not commentary_dir:
        return Commentary(area, month)
    path = commentary_path(commentary_dir, area)
    if not path.is_file():
        return Commentary(area, month)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise PmfError(f"not UTF-8 text ({e.reason})", file=path) from None
    except OSError as e:
        raise PmfError(f"cannot read the commentary ({e.strerror})", file=path) from None
    return parse_commentary(text, area=area, month=month, source=path)
