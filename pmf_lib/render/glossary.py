"""The plain-English glossary published as ``glossary.html`` in every month's folder.

Its words live in one file, ``glossary.yaml`` beside this module (package data):
groups of terms, each with an id (its anchor on the page is ``term-<id>``), the
term as the reports print it and one or more paragraphs. A few placeholders are
filled from the council's config, so the page says what the reports do:
``{threshold}`` (the smallest count a members' or public report shows),
``{wording}`` (what a withheld figure reads), ``{dq_high}`` and ``{dq_medium}``
(the data quality confidence thresholds).

Examples
--------
>>> g = load_glossary()
>>> "hit-and-miss" in [t.id for grp in g.groups for t in grp.terms]
True
>>> body, contents = glossary_body(g, glossary_values(max_count=4))
>>> 'id="term-pp"' in body, "fewer than 5 children" in body, "{" in body
(True, True, False)
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pmf_lib.errors import PmfError
from pmf_lib.yamlio import load_model

GLOSSARY_FILE = Path(__file__).resolve().parent / "glossary.yaml"
TITLE = "Glossary"
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Term(_Strict):
    """One term: ``id`` (lower-case words joined by hyphens), ``term`` and paragraphs."""

    id: str
    term: str = Field(min_length=1)
    text: list[str] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(f"expected lower-case words joined by hyphens, got {v!r}")
        return v


class Group(_Strict):
    """A heading on the page and its terms."""

    title: str = Field(min_length=1)
    terms: list[Term] = Field(min_length=1)


class Glossary(_Strict):
    """The glossary file: an introduction and groups of terms."""

    intro: str = ""
    groups: list[Group] = Field(min_length=1)


def load_glossary(path: str | Path = GLOSSARY_FILE) -> Glossary:
    """Read and check a glossary file.

    Raises
    ------
    PmfError
        Naming the file and the key of a missing, misspelt or invalid entry, or a
        term id used twice.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "g.yaml"
    >>> text = "groups:\\n  - title: T\\n    terms:\\n      - {id: a, term: A, txt: [x]}\\n"
    >>> _ = p.write_text(text)
    >>> try:
    ...     load_glossary(p)
    ... except PmfError as e:
    ...     print(e.field)
    groups.0.terms.0.text
    """
    path = Path(path)
    glossary = load_model(path, Glossary)
    seen: set[str] = set()
    for i, group in enumerate(glossary.groups):
        for j, term in enumerate(group.terms):
            if term.id in seen:
                raise PmfError(
                    f"the term id {term.id!r} is used twice",
                    file=path,
                    field=f"groups.{i}.terms.{j}.id",
                )
            seen.add(term.id)
    return glossary


def _share_text(share: float) -> str:
    """A share as "n in 100" (a councillor reads it more easily than a percentage).

    >>> _share_text(0.01), _share_text(0.025), _share_text(0.05)
    ('1 in 100', '2.5 in 100', '5 in 100')
    """
    return f"{round(share * 100, 2):g} in 100"


def glossary_values(
    *,
    max_count: int = 4,
    wording: str | None = None,
    dq_high: float = 0.01,
    dq_medium: float = 0.05,
) -> dict[str, str]:
    """The placeholders' values: the config's suppression and data quality settings.

    Examples
    --------
    >>> glossary_values(max_count=5)["threshold"], glossary_values()["wording"]
    ('6', 'suppressed (fewer than 5)')
    """
    return {
        "threshold": str(max_count + 1),
        "wording": wording or f"suppressed (fewer than {max_count + 1})",
        "dq_high": _share_text(dq_high),
        "dq_medium": _share_text(dq_medium),
    }


def values_for_config(config) -> dict[str, str]:
    """:func:`glossary_values` from a :class:`~pmf_lib.config.Config`."""
    return glossary_values(
        max_count=config.suppression.max_count,
        wording=config.suppression.wording,
        dq_high=config.data_quality.high,
        dq_medium=config.data_quality.medium,
    )


def fill(text: str, values: dict[str, str], *, where: str = "") -> str:
    """``text`` with each ``{name}`` replaced by ``values[name]``.

    Raises
    ------
    PmfError
        For a placeholder ``values`` has no value for.

    Examples
    --------
    >>> fill("fewer than {threshold} children", {"threshold": "5"})
    'fewer than 5 children'
    >>> try:
    ...     fill("{treshold}", {"threshold": "5"}, where="groups.0.terms.3.text")
    ... except PmfError as e:
    ...     print(e)
    field groups.0.terms.3.text: unknown placeholder {treshold}; known: {threshold}
    """

    def one(m: re.Match) -> str:
        if m.group(1) not in values:
            known = ", ".join("{" + k + "}" for k in values)
            raise PmfError(f"unknown placeholder {m.group(0)}; known: {known}", field=where)
        return values[m.group(1)]

    return _PLACEHOLDER.sub(one, text)


def group_anchor(title: str) -> str:
    """A group heading's id.

    >>> group_anchor("Ratings and comparisons")
    'group-ratings-and-comparisons'
    """
    return "group-" + "-".join(re.findall(r"[a-z0-9]+", title.lower()))


def glossary_body(glossary: Glossary, values: dict[str, str]) -> tuple[str, list[dict]]:
    """The page's HTML (every text escaped) and its contents entries (one per group).

    Each term is a ``<dt id="term-<id>">`` and its paragraphs a ``<dd>``.
    """
    e = html.escape
    parts = [f"<h1>{e(TITLE)}</h1>"]
    if glossary.intro:
        parts.append(
            f'<p class="pmf-subtitle">{e(fill(glossary.intro, values, where="intro"))}</p>'
        )
    contents = []
    for i, group in enumerate(glossary.groups):
        anchor = group_anchor(group.title)
        contents.append({"id": anchor, "text": group.title})
        parts.append(f'<h2 id="{anchor}">{e(group.title)}</h2>')
        parts.append('<dl class="pmf-glossary">')
        for j, term in enumerate(group.terms):
            where = f"groups.{i}.terms.{j}.text"
            paragraphs = "".join(f"<p>{e(fill(p, values, where=where))}</p>" for p in term.text)
            parts.append(f'<dt id="term-{term.id}">{e(term.term)}</dt><dd>{paragraphs}</dd>')
        parts.append("</dl>")
    return "\n".join(parts), contents


def term_ids(glossary: Glossary | None = None) -> list[str]:
    """Every term's id, in page order (``term-<id>`` is its anchor).

    >>> term_ids()[:2]
    ['spc', 'common-cause']
    """
    glossary = glossary or load_glossary()
    return [t.id for g in glossary.groups for t in g.terms]
