"""Heads of Service's commentary: read a commentary file and render it as safe HTML.

A commentary file (``parameters/commentary/YYYY-MM/<area>.md``, written pre-filled by
``pmf commentary``) is markdown: a front-matter block between ``---`` lines naming
the area and month, the author and the sign-off, then one ``## `` section per
exception and a free section (``## Overall``).

What pmf writes as guidance is never published: HTML comments (``<!-- ... -->``,
how ``pmf commentary`` marks its guidance and prompts), YAML comments in the front
matter, the title line ``# <area>: commentary for <Month YYYY>`` and the prompt
lines of earlier versions (:data:`PROMPT`, :data:`LEGACY_GUIDANCE`). A file still
holding only the template has no section written in: it counts as not written.

Sign-off (the Assistant Director agrees a Head of Service's commentary before the
board): ``status: draft`` (the default) or ``status: signed_off`` with
``signed_off_by`` and ``signed_off_date`` (YYYY-MM-DD). Any other status, a
missing name or date, or a misspelt key is an error naming the file and field.

A file may be UTF-8 (with or without BOM) or Windows-1252, as the data files.

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

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup

from pmf_lib.errors import PmfError
from pmf_lib.render.format import format_date
from pmf_lib.textio import decode_text, parse_yaml

#: The prompt line of files written by earlier versions of ``pmf commentary``
#: (dropped on read; today's prompt is an HTML comment, :data:`PROMPT_COMMENT`).
PROMPT = "_(Write your commentary here.)_"
#: The prompt ``pmf commentary`` writes under each heading (an HTML comment: never published).
PROMPT_COMMENT = "<!-- Write your commentary here, in place of this line. -->"
#: The guidance lines earlier versions of ``pmf commentary`` wrote as plain text.
LEGACY_GUIDANCE = (
    "Write under each heading, replacing the prompt line; leave a prompt to say nothing.",
    "Markdown works (**bold**, lists, [links](#within-the-report)); HTML, images and links",
    "to other sites are shown as plain text. Put your name after `author:` above.",
)
#: The heading of the free section at the end of every file.
GENERAL_HEADING = "Overall"
#: The sign-off states a commentary file may declare (``status:``).
STATUSES = ("draft", "signed_off")
#: The keys a commentary file's front matter may hold.
FRONT_MATTER_KEYS = ("area", "month", "author", "status", "signed_off_by", "signed_off_date")
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*)\s*:")
_FRONT = re.compile(r"\A---\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_TITLE = re.compile(r"^# .*: commentary for [A-Z][a-z]+ \d{4}\s*$")


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
    """One ``## `` section of a commentary file (guidance already removed)."""

    heading: str
    body: str

    @property
    def filled(self) -> bool:
        """Whether anything beyond pmf's quoted sentence (``> ``) was written."""
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
    status: str = "draft"
    signed_off_by: str = ""
    signed_off_date: dt.date | None = None

    @property
    def filled(self) -> bool:
        """Whether any section was written in (a template-only file is not)."""
        return any(s.filled for s in self.sections)

    @property
    def signed_off(self) -> bool:
        """Whether the commentary is signed off (``status: signed_off``)."""
        return self.status == "signed_off"

    @property
    def sign_off_text(self) -> str:
        """The sign-off state in words, as the reports show it.

        Examples
        --------
        >>> Commentary("a", "2026-10").sign_off_text
        'Draft — not yet signed off'
        >>> Commentary("a", "2026-10", status="signed_off", signed_off_by="A. Director",
        ...            signed_off_date=dt.date(2026, 11, 5)).sign_off_text
        'Signed off by A. Director on 5 November 2026'
        """
        if not self.signed_off:
            return "Draft — not yet signed off"
        return f"Signed off by {self.signed_off_by} on {format_date(self.signed_off_date)}"

    def section(self, heading: str) -> Section | None:
        """The section with this heading (None when absent)."""
        return next((s for s in self.sections if s.heading == heading), None)


def strip_guidance(text: str, source: str | Path = "") -> str:
    r"""The text without what pmf wrote as guidance: HTML comments, old prompts, the title.

    Raises
    ------
    PmfError
        When an HTML comment is opened (``<!--``) and never closed: everything after
        it would be hidden.

    Examples
    --------
    >>> strip_guidance("# Front door: commentary for October 2026\n<!-- say what -->\nOurs.\n")
    '\nOurs.\n'
    """
    stripped = _COMMENT.sub("", text)
    if "<!--" in stripped:
        row = text[: text.rindex("<!--")].count("\n") + 1
        raise PmfError(
            "a comment opened with `<!--` is never closed with `-->` (everything after it "
            "would be hidden)",
            file=source or None,
            location=f"row {row}",
        )
    keep = [
        line
        for line in stripped.split("\n")
        if line.strip() != PROMPT and line.strip() not in LEGACY_GUIDANCE and not _TITLE.match(line)
    ]
    return "\n".join(keep)


def _front_matter(text: str, source: str | Path) -> tuple[dict, str]:
    m = _FRONT.match(text)
    if not m:
        return {}, text
    # The one YAML path (pmf_lib.textio): syntax errors, impossible dates and alias bombs
    # are one line naming the file, the line ("\n": counted from the opening "---") and key.
    meta = parse_yaml("\n" + m.group(1), source or None) or {}
    if not isinstance(meta, dict):
        raise PmfError("the front matter must be `key: value` lines", file=source or None)
    unknown = [str(k) for k in meta if k not in FRONT_MATTER_KEYS]
    if unknown:
        raise PmfError(
            f"unknown key {unknown[0][:40]!r}; a commentary file's front matter holds "
            f"{', '.join(FRONT_MATTER_KEYS)}",
            file=source or None,
            field=unknown[0][:40],
        )
    return meta, text[m.end() :]


def _text(meta: dict, key: str) -> str:
    value = meta.get(key)
    return "" if value is None else str(value).strip()


def _sign_off(meta: dict, source: str | Path) -> tuple[str, str, dt.date | None]:
    """``status``, ``signed_off_by`` and ``signed_off_date`` from the front matter, checked."""
    where = source or None
    status = _text(meta, "status") or "draft"
    if status not in STATUSES:
        raise PmfError(
            f"unknown status {status[:40]!r}; expected draft or signed_off",
            file=where,
            field="status",
        )
    by = _text(meta, "signed_off_by")
    raw = meta.get("signed_off_date")
    day = None
    if isinstance(raw, dt.datetime):
        day = raw.date()
    elif isinstance(raw, dt.date):
        day = raw
    elif raw not in (None, ""):
        try:
            day = dt.date.fromisoformat(str(raw).strip())
        except ValueError:
            raise PmfError(
                f"not a date as YYYY-MM-DD: {str(raw)[:40]!r}", file=where, field="signed_off_date"
            ) from None
    if status == "signed_off":
        if not by:
            raise PmfError(
                "status is signed_off but nobody is named: give signed_off_by",
                file=where,
                field="signed_off_by",
            )
        if day is None:
            raise PmfError(
                "status is signed_off but no date is given: signed_off_date: YYYY-MM-DD",
                file=where,
                field="signed_off_date",
            )
    return status, by, day


def parse_commentary(text: str, *, area: str, month: str, source: str | Path = "") -> Commentary:
    r"""A commentary file's text as sections, guidance removed and the sign-off checked.

    Text before the first ``## `` heading belongs to the free section
    (:data:`GENERAL_HEADING`); sections with the same heading are one section, so
    no heading is ever shown twice.

    Raises
    ------
    PmfError
        When the front matter is not YAML, holds an unknown key, names another area
        or month, or has an unknown status or an incomplete sign-off.

    Examples
    --------
    >>> c = parse_commentary("---\narea: a\nmonth: 2026-10\nauthor: J. Smith\n---\n"
    ...     "## Exception: X\n" + PROMPT_COMMENT + "\n## Overall\nAll well.\n", area="a",
    ...     month="2026-10")
    >>> [(s.heading, s.filled) for s in c.sections], c.author, c.sign_off_text
    ([('Exception: X', False), ('Overall', True)], 'J. Smith', 'Draft — not yet signed off')
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    meta, body = _front_matter(text, source)
    for key, want in (("area", area), ("month", month)):
        got = meta.get(key)
        if got is not None and str(got) != want:
            raise PmfError(
                f"this commentary is for {key} {str(got)[:40]!r}, not {want!r}",
                file=source or None,
                field=key,
            )
    status, by, day = _sign_off(meta, source)
    bodies: dict[str, list[str]] = {}
    heading, lines = GENERAL_HEADING, []
    leading = True
    for line in strip_guidance(body, source).splitlines():
        if line.startswith("## "):
            if not leading or any(x.strip() for x in lines):
                bodies.setdefault(heading, []).append("\n".join(lines).strip())
            heading, lines, leading = line[3:].strip() or GENERAL_HEADING, [], False
        else:
            lines.append(line)
    if not leading or any(x.strip() for x in lines):
        bodies.setdefault(heading, []).append("\n".join(lines).strip())
    sections = [Section(h, "\n\n".join(p for p in parts if p)) for h, parts in bodies.items()]
    return Commentary(
        area=area,
        month=month,
        author=_text(meta, "author"),
        sections=sections,
        path=Path(source) if source else None,
        status=status,
        signed_off_by=by,
        signed_off_date=day,
    )


def commentary_path(commentary_dir: str | Path, area: str) -> Path:
    """Where an area's commentary file is: ``<commentary_dir>/<area>.md``."""
    return Path(commentary_dir) / f"{area}.md"


def read_commentary(commentary_dir: str | Path | None, area: str, month: str) -> Commentary:
    """An area's commentary for the month; empty when there is no directory or file.

    Raises
    ------
    PmfError
        When the file cannot be read, is in neither UTF-8 nor Windows-1252, or is
        invalid (:func:`parse_commentary`).
    """
    if not commentary_dir:
        return Commentary(area, month)
    path = commentary_path(commentary_dir, area)
    if not path.is_file():
        return Commentary(area, month)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise PmfError(f"cannot read the commentary ({e.strerror})", file=path) from None
    return parse_commentary(decode_text(data, path), area=area, month=month, source=path)
