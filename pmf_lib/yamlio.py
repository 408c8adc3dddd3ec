"""A YAML settings file validated by a pydantic model, the one way (stage-neutral).

Every settings file (config, targets, schedule, glossary, KPI overrides) is
read by :func:`pmf_lib.textio.load_yaml` (encoding, syntax and bad values are one
line naming the file, line and key), then validated by a pydantic model. The
first problem the model finds is one :class:`~pmf_lib.errors.PmfError` naming
the file and the key path (``quarterly.reports.0.area``), never a pydantic
traceback: :func:`load_model` for a whole file, :func:`validation_error` where a
caller validates parts of a file itself.

Two wordings of a pydantic error are offered: :func:`pydantic_message` (pydantic's
own text) and :func:`plain_message` (for people editing a file: "unknown key",
"required key is missing", a bad value shown in a bounded form).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from pmf_lib.errors import PmfError
from pmf_lib.textio import load_yaml, short_repr

M = TypeVar("M", bound=BaseModel)

#: The wording of an unknown key in :func:`plain_message` unless a caller says more.
UNKNOWN_KEY = "unknown key"


def key_path(loc: Sequence, prefix: str | None = None) -> str:
    """A pydantic error location as a dotted key path, under ``prefix`` if given.

    Examples
    --------
    >>> key_path(("quarterly", "reports", 0, "area"))
    'quarterly.reports.0.area'
    >>> key_path(("title",), "referrals_count"), key_path((), "referrals_count")
    ('referrals_count.title', 'referrals_count')
    """
    parts = [str(p) for p in loc]
    if prefix:
        parts.insert(0, prefix)
    return ".".join(parts)


def pydantic_message(err: dict, unknown: str | None = None) -> str:
    """Pydantic's own wording of one error (an unknown key as ``unknown`` if given).

    Examples
    --------
    >>> pydantic_message({"type": "extra_forbidden", "msg": "Extra inputs are not permitted"})
    'Extra inputs are not permitted'
    >>> pydantic_message({"type": "extra_forbidden", "msg": "Extra inputs..."}, UNKNOWN_KEY)
    'unknown key'
    """
    if unknown is not None and err["type"] == "extra_forbidden":
        return unknown
    return str(err["msg"])


def plain_message(err: dict, unknown: str = UNKNOWN_KEY) -> str:
    """One pydantic error in words for the person editing the file; a value is bounded.

    Examples
    --------
    >>> plain_message({"type": "int_parsing", "msg": "Input should be a valid integer",
    ...                "input": "x" * 500, "loc": ("code",)})  # doctest: +ELLIPSIS
    "Input should be a valid integer (got 'xxxxxxxx...)"
    >>> plain_message({"type": "value_error", "msg": "Value error, id 'a b' is bad",
    ...                "input": {"big": "dict"}, "loc": ("areas",)})
    "id 'a b' is bad"
    >>> plain_message({"type": "missing", "msg": "Field required"})
    'required key is missing'
    >>> plain_message({"type": "extra_forbidden", "msg": "..."}, "unknown key (expected a, b)")
    'unknown key (expected a, b)'
    """
    if err["type"] == "extra_forbidden":
        return unknown
    if err["type"] == "missing":
        return "required key is missing"
    msg = str(err["msg"])
    if err["type"] == "value_error":  # our own validators name the value themselves
        return msg.removeprefix("Value error, ")
    return f"{msg} (got {short_repr(err.get('input'))})"


def validation_error(
    e: ValidationError,
    path: str | Path | None,
    *,
    prefix: str | None = None,
    message: Callable[[dict], str] = pydantic_message,
    count_others: bool = False,
) -> PmfError:
    """The first error of a pydantic ``ValidationError`` as one :class:`PmfError`.

    Parameters
    ----------
    e : ValidationError
    path : str or Path or None
        The file, named in the message.
    prefix : str, optional
        The key path of the part validated (its errors' keys are below it).
    message : callable
        Wording of the error (:func:`pydantic_message` or :func:`plain_message`).
    count_others : bool
        Add "(and N more problem(s))" when the model found more than one.

    Examples
    --------
    >>> from pydantic import BaseModel, ConfigDict
    >>> class Entry(BaseModel):
    ...     model_config = ConfigDict(extra="forbid")
    ...     title: str
    >>> try:
    ...     Entry.model_validate({"titel": "x"})
    ... except ValidationError as e:
    ...     print(validation_error(e, "kpis.yaml", prefix="referrals_count",
    ...                            message=plain_message, count_others=True))
    kpis.yaml, field referrals_count.title: required key is missing (and 1 more problem(s))
    """
    errors = e.errors()
    err = errors[0]
    msg = message(err)
    if count_others and len(errors) > 1:
        msg += f" (and {len(errors) - 1} more problem(s))"
    return PmfError(msg, file=path, field=key_path(err["loc"], prefix) or None)


def load_model(
    path: str | Path,
    model: type[M],
    *,
    message: Callable[[dict], str] = pydantic_message,
) -> M:
    """A YAML file (empty: ``{}``) validated by the pydantic ``model``.

    Raises
    ------
    PmfError
        For a file that cannot be read or is not YAML (:func:`~pmf_lib.textio.load_yaml`),
        or the first value the model refuses, naming the file and the key path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from pydantic import BaseModel, ConfigDict
    >>> class Report(BaseModel):
    ...     model_config = ConfigDict(extra="forbid")
    ...     area: str
    ...     months: list = []
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "schedule.yaml"
    >>> _ = p.write_text("area: lado\\nmonths: [3, 9]\\n")
    >>> load_model(p, Report).months
    [3, 9]
    >>> _ = p.write_text("area: lado\\nmonth: 3\\n")
    >>> try:
    ...     load_model(p, Report)
    ... except PmfError as e:
    ...     print(e.field, "-", e.message)
    month - Extra inputs are not permitted
    """
    path = Path(path)
    raw = load_yaml(path) or {}
    try:
        return model.model_validate(raw)
    except ValidationError as e:
        raise validation_error(e, path, message=message) from None
