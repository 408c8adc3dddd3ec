"""The one error type pmf raises for bad input.

The command line catches :class:`PmfError` and prints its message without a
traceback, so each message must say, on its own, which file, which row or XML
element and which field is at fault.
"""

from __future__ import annotations

from pathlib import Path


class PmfError(Exception):
    """A problem with the user's input, parameters or environment.

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
        self.message = message
        self.file = str(file) if file is not None else None
        self.location = location
        self.field = field
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
