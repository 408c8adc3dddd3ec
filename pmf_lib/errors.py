"""The one error type pmf raises for bad input.

The command line catches :class:`PmfError` and prints its message without a
traceback, so each message must say, on its own, which file, which row or XML
element and which field is at fault.
"""

from __future__ import annotations

import re
from pathlib import Path

_BREAK_BEFORE_PUNCTUATION = re.compile(r"\s*[\r\n]+\s*(?=[,.;:)\]])")
_BREAK = re.compile(r"\s*[\r\n]+\s*")


def one_line(text: str) -> str:
    """``text`` with its line breaks made spaces, so a message is always one line.

    Libraries' own messages (lxml's, openpyxl's) sometimes carry a newline.

    Examples
    --------
    >>> one_line("Invalid character: Char 0x0 out of allowed range\\n, line 6")
    'Invalid character: Char 0x0 out of allowed range, line 6'
    >>> one_line("first\\r\\n  second")
    'first second'
    """
    return _BREAK.sub(" ", _BREAK_BEFORE_PUNCTUATION.sub("", text))


class PmfError(Exception):
    """A problem with the user's input, parameters or environment.

    The message, file, location and field are each kept to one line (line
    breaks become spaces): the command line prints the error as one line.

    Parameters
    ----------
    message : str
        What is wrong, in plain English.
    file : str or Path, optional
        The file at fault.
    location : str, optional
        The row (``"row 12"``) or XML element (``"Child[3]/CINdetails[1]"``).
    field : str, optional
        The column, element or parameter name.

    Examples
    --------
    >>> str(PmfError("not a date: '31/02/2024'", file="episodes.csv",
    ...              location="row 4", field="DECOM"))
    "episodes.csv, row 4, field DECOM: not a date: '31/02/2024'"
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        location: str | None = None,
        field: str | None = None,
    ) -> None:
        self.message = one_line(str(message))
        self.file = one_line(str(file)) if file is not None else None
        self.location = one_line(str(location)) if location is not None else None
        self.field = one_line(str(field)) if field is not None else None
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.location:
            parts.append(self.location)
        if self.field:
            parts.append(f"field {self.field}")
        prefix = ", ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message
