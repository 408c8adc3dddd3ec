"""The options of one monthly batch (``pmf run``), checked before any work.

:class:`RunOptions` is a pydantic model: every option's type and range is
declared once, and a bad value is one :class:`~pmf_lib.errors.PmfError` naming
the option (``field month: expected YYYY-MM or 'latest', got 'Oct 2026'``).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from pmf_lib.errors import PmfError

#: Seconds allowed for each report unless ``timeout`` says otherwise.
DEFAULT_TIMEOUT = 600.0
ENGINES = ("warm", "papermill")
_MONTH_RE = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


class RunOptions(BaseModel):
    """How one month's batch runs (:func:`pmf_lib.publish.batch.run_batch`).

    Attributes
    ----------
    month : str
        ``YYYY-MM`` or ``latest``.
    areas : list of str, optional
        Area ids to run (default: every area of the config).
    jobs : int, optional
        Reports run in parallel (default: the number of CPU cores); at least 1.
    quiet : bool
        No progress output.
    notebook : Path, optional
        Run this notebook for every report instead of each spec's own (tests).
    timeout : float
        Seconds allowed for each report: a positive, finite number.
    executor : str or executor
        ``local``, ``dask`` or an executor object (reused, not closed).
    scheduler : str, optional
        The dask scheduler's address.
    engine : str
        ``warm`` or ``papermill``.
    force, retry_failed : bool
        Run every report / only those that failed last time (not both).

    Examples
    --------
    >>> RunOptions.check(month="2026-10", jobs=2).jobs
    2
    >>> try:
    ...     RunOptions.check(month="Oct 2026")
    ... except PmfError as e:
    ...     print(e)
    field month: expected YYYY-MM or 'latest', got 'Oct 2026'
    >>> try:
    ...     RunOptions.check(force=True, retry_failed=True)
    ... except PmfError as e:
    ...     print(e)
    field retry_failed: give --force or --retry-failed, not both
    """

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, frozen=True)

    month: str = "latest"
    areas: list[str] | None = None
    jobs: Any = None
    quiet: bool = False
    notebook: Path | None = None
    timeout: Any = DEFAULT_TIMEOUT
    executor: Any = "local"
    scheduler: str | None = None
    engine: str = "warm"
    force: bool = False
    retry_failed: bool = False

    @field_validator("month", mode="before")
    @classmethod
    def _month(cls, v):
        if v != "latest" and not _MONTH_RE.fullmatch(str(v)):
            raise ValueError(f"expected YYYY-MM or 'latest', got {v!r}")
        return str(v)

    @field_validator("jobs", mode="before")
    @classmethod
    def _jobs(cls, v):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
            raise ValueError(f"jobs must be a whole number of at least 1, got {v!r}")
        return v

    @field_validator("engine", mode="before")
    @classmethod
    def _engine(cls, v):
        if v not in ENGINES:
            raise ValueError(f"unknown engine {v!r}; expected warm or papermill")
        return v

    @field_validator("timeout", mode="before")
    @classmethod
    def _timeout(cls, v):
        ok = isinstance(v, int | float) and not isinstance(v, bool)
        if not ok or not (math.isfinite(v) and v > 0):  # nan and inf too
            raise ValueError(f"timeout must be a positive number of seconds, got {v!r}")
        return float(v)

    @model_validator(mode="after")
    def _force_or_retry(self):
        if self.force and self.retry_failed:
            raise ValueError("give --force or --retry-failed, not both")
        return self

    @classmethod
    def check(cls, **options) -> RunOptions:
        """The options, or the first bad one as a :class:`~pmf_lib.errors.PmfError`."""
        try:
            return cls(**options)
        except ValidationError as e:
            err = e.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "retry_failed"
            message = str(err["msg"]).removeprefix("Value error, ")
            raise PmfError(message, field=where) from None
