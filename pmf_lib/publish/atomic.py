"""Write files whole or not at all: to a temporary name in the same directory, then rename.

A reader (a browser, a colleague's script, the next month's run) sees either the
previous file or the complete new one, never a half-written file, because
:func:`os.replace` is atomic within one file system.

Two more guarantees:

* **Only the run that holds the lock publishes.** Inside :func:`publish_guard`
  every rename first calls the guard (the batch's is "this run still holds the
  month's run lock", :meth:`pmf_lib.publish.lock.RunLock.check`); a guard that
  raises refuses the write and the temporary file is removed.
* **Output errors are one line.** A full disk, a read-only or unwritable
  folder, an outputs path that is a file: :class:`OutputError` (a
  :class:`~pmf_lib.errors.PmfError`) naming the path and the reason, never an
  ``OSError`` traceback.

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
import contextvars
import errno
import json
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

from pmf_lib.errors import PmfError

#: The check every rename makes first (None: no check), see :func:`publish_guard`.
_GUARD: contextvars.ContextVar[Callable[[Path], None] | None] = contextvars.ContextVar(
    "pmf_publish_guard", default=None
)

_REASONS = {
    getattr(errno, name): reason
    for name, reason in (
        ("ENOSPC", "the disk is full (no space left on device)"),
        ("EDQUOT", "the disk quota is exceeded"),
        ("EROFS", "the file system is read-only"),
        ("EACCES", "permission denied (this user cannot write there)"),
        ("EPERM", "permission denied (the file or folder is protected)"),
        ("ENOTDIR", "a part of the path is a file, not a folder"),
        ("EISDIR", "it is a folder, not a file"),
        ("ENAMETOOLONG", "the name is too long"),
        ("ENOENT", "the folder does not exist"),
    )
    if hasattr(errno, name)
}


class OutputError(PmfError):
    """An output could not be written: the path and the reason, in one line.

    Examples
    --------
    >>> print(OutputError("/srv/out/kpis.csv", OSError(errno.ENOSPC, "No space left")))
    /srv/out/kpis.csv: cannot write: the disk is full (no space left on device)
    >>> OutputError("k.parquet", OSError("Error writing. Detail: [errno 28] No space")).message
    'cannot write: the disk is full (no space left on device)'
    """

    def __init__(self, path: str | Path, exc: OSError | str, doing: str = "cannot write"):
        self.errno = getattr(exc, "errno", None)
        if self.errno is None and not isinstance(exc, str):  # pyarrow: "[errno 28] ..."
            found = re.search(r"errno (\d+)", str(exc), re.IGNORECASE)
            self.errno = int(found.group(1)) if found else None
        reason = exc if isinstance(exc, str) else _REASONS.get(self.errno) or _oneline(exc)
        super().__init__(f"{doing}: {reason}", file=path)


def _oneline(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return text.strip().splitlines()[0][:200]


def ensure_dir(path: str | Path) -> Path:
    """Create the folder ``path`` (and its parents) or raise :class:`OutputError`.

    The error names the part of the path that is a file when there is one.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "outputs").write_text("not a folder")
    >>> try:
    ...     ensure_dir(d / "outputs" / "2026-10")
    ... except OutputError as e:
    ...     print(e.message, e.file == str(d / "outputs"))
    cannot create the folder: it is a file, not a folder True
    """
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        for part in [path, *path.parents]:
            if part.exists() and not part.is_dir():
                raise OutputError(
                    part, "it is a file, not a folder", "cannot create the folder"
                ) from None
        raise OutputError(path, e, "cannot create the folder") from None
    return path


def check_folder_path(path: str | Path) -> Path:
    """Check ``path`` can be a folder: neither it nor a parent is a file (nothing is created).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "outputs").write_text("not a folder")
    >>> try:
    ...     check_folder_path(d / "outputs" / "2026-10")
    ... except OutputError as e:
    ...     print(e.message)
    cannot use the folder: it is a file, not a folder
    >>> check_folder_path(d / "new" / "2026-10") == d / "new" / "2026-10"
    True
    """
    path = Path(path)
    for part in [path, *path.parents]:
        if part.exists():
            if not part.is_dir():
                raise OutputError(part, "it is a file, not a folder", "cannot use the folder")
            break
    return path


def check_target(path: str | Path) -> Path:
    """Check ``path`` may be replaced by a new file: it is absent or a regular file.

    A folder, a device (``/dev/full``), a pipe or a socket is never replaced.

    Examples
    --------
    >>> try:
    ...     check_target("/dev/null")
    ... except OutputError as e:
    ...     print(e)
    /dev/null: cannot write: it is not a regular file (a device, pipe or socket)
    """
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return path
    except NotADirectoryError:  # a parent is a file: name it
        ensure_dir(path.parent)
        raise OutputError(path, "a part of the path is a file, not a folder") from None
    except OSError as e:
        raise OutputError(path, e) from None
    if stat.S_ISDIR(mode):
        raise OutputError(path, "it is a folder, not a file")
    if not stat.S_ISREG(mode):
        raise OutputError(path, "it is not a regular file (a device, pipe or socket)")
    return path


def check_writable(path: str | Path) -> Path:
    """Check, before any work, that a file can be written at ``path``.

    Creates the folder if needed and a temporary file in it (removed at once).

    Raises
    ------
    OutputError
        Naming the path and the reason (not a folder, read-only, no permission, ...).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> check_writable(d / "new" / "kpis.csv").parent.is_dir()
    True
    """
    path = check_target(path)
    ensure_dir(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise OutputError(path, e) from None
    os.close(fd)
    os.unlink(tmp)
    return path


@contextlib.contextmanager
def publish_guard(check: Callable[[Path], None]) -> Iterator[None]:
    """Within the block, every atomic write calls ``check(path)`` just before its rename.

    ``check`` raises to refuse the write (the temporary file is then removed and
    ``path`` is left as it was).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> def refuse(path):
    ...     raise PmfError("the run lock is gone", file=path)
    >>> with publish_guard(refuse):
    ...     try:
    ...         write_text_atomic("late", d / "report.html")
    ...     except PmfError as e:
    ...         print(e.message)
    the run lock is gone
    >>> list(d.iterdir())
    []
    """
    token = _GUARD.set(check)
    try:
        yield
    finally:
        _GUARD.reset(token)


def publish_replace(src: str | Path, dst: str | Path) -> Path:
    """``os.replace(src, dst)`` after the :func:`publish_guard` check (if any)."""
    dst = Path(dst)
    guard = _GUARD.get()
    if guard is not None:
        guard(dst)
    try:
        os.replace(src, dst)
    except OSError as e:
        raise OutputError(dst, e) from None
    return dst


def publish_unlink(path: str | Path) -> None:
    """Remove ``path`` if it exists, after the :func:`publish_guard` check (if any)."""
    path = Path(path)
    if not path.exists():
        return
    guard = _GUARD.get()
    if guard is not None:
        guard(path)
    try:
        path.unlink(missing_ok=True)
    except OSError as e:
        raise OutputError(path, e, "cannot remove") from None


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path``; on success it is renamed to ``path``.

    The directory is created if needed. If the ``with`` block raises, the
    temporary file is removed and ``path`` is left as it was. An ``OSError``
    (full disk, read-only folder, ...) becomes :class:`OutputError`.

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
    path = check_target(path)
    ensure_dir(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise OutputError(path, e) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        publish_replace(tmp_path, path)
    except OSError as e:
        tmp_path.unlink(missing_ok=True)
        raise OutputError(path, e) from None
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


def remove_temporaries(directory: str | Path) -> list[str]:
    """Remove the temporary files a stopped or killed run left in ``directory``.

    Only names this module and the report worker give temporary files
    (``.<name>.<random>.tmp`` and ``.<id>.<hex>.tmp.ipynb``); call it only while
    holding the folder's run lock. Returns the names removed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> for n in (".index.html.ab12.tmp", ".front_door.1a2b3c4d.tmp.ipynb", "keep.html"):
    ...     _ = (d / n).write_text("x")
    >>> remove_temporaries(d), sorted(p.name for p in d.iterdir())
    (['.front_door.1a2b3c4d.tmp.ipynb', '.index.html.ab12.tmp'], ['keep.html'])
    """
    removed = []
    try:
        entries = sorted(Path(directory).iterdir())
    except OSError:
        return removed
    for p in entries:
        if p.name.startswith(".") and (p.name.endswith(".tmp") or p.name.endswith(".tmp.ipynb")):
            with contextlib.suppress(OSError):
                p.unlink()
                removed.append(p.name)
    return removed
