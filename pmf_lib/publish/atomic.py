"""Write files whole or not at all: to a temporary name in the same directory, then rename.

A reader (a browser, a colleague's script, the next month's run) sees either the
previous file or the complete new one, never a half-written file, because
:func:`os.replace` is atomic within one file system.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> write_text_atomic("hello\\n", d / "a" / "note.txt").read_text()
'hello\\n'
>>> sorted(p.name for p in (d / "a").iterdir())   # no temporary file left behind
['note.txt']
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path``; on success it is renamed to ``path``.

    The directory is created if needed. If the ``with`` block raises, the
    temporary file is removed and ``path`` is left as it was.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
    >>> try:
    ...     with atomic_path(target) as tmp:
    ...         _ = tmp.write_text("partial")
    ...         raise RuntimeError("failed half way")
    ... except RuntimeError:
    ...     pass
    >>> target.exists(), list(target.parent.iterdir())
    (False, [])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_bytes_atomic(data: bytes, path: str | Path) -> Path:
    """Write ``data`` to ``path`` atomically; return ``path``."""
    path = Path(path)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    return path


def write_text_atomic(text: str, path: str | Path) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically; return ``path``."""
    return write_bytes_atomic(text.encode("utf-8"), path)


def write_json_atomic(obj, path: str | Path) -> Path:
    """Write ``obj`` as indented JSON atomically; return ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = write_json_atomic({"b": 1, "a": [1, 2]}, pathlib.Path(tempfile.mkdtemp()) / "x.json")
    >>> print(p.read_text(), end="")
    {
      "b": 1,
      "a": [
        1,
        2
      ]
    }
    """
    return write_text_atomic(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", path)


def write_csv_atomic(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a DataFrame as CSV (no index) atomically; return ``path``.

    Dates are written as ``YYYY-MM-DD``.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> df = pd.DataFrame({"period_end": pd.to_datetime(["2026-10-31"]), "value": [1.5]})
    >>> print(write_csv_atomic(df, pathlib.Path(tempfile.mkdtemp()) / "k.csv").read_text(), end="")
    period_end,value
    2026-10-31,1.5
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False, date_format="%Y-%m-%d", lineterminator="\n")
    return path


def write_parquet_atomic(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a DataFrame as Parquet (no index) atomically; return ``path``."""
    path = Path(path)
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, index=False)
    return path
