"""Write files and folders whole or not at all (stage-neutral).

Every file is written to a temporary name beside its target (flushed and
``fsync``-ed), then renamed over it with :func:`os.replace`, which is atomic
within one file system: a reader (a browser, a colleague's script, the next
month's run) sees either the previous file or the complete new one, never half
a file. If the writing fails, the temporary file is removed and the target is
left as it was. A folder (the demo data, a benchmarks snapshot) is built beside
its target and swapped into place the same way (:func:`atomic_dir`).

* **Output errors are one line.** A full disk, a read-only or unwritable
  folder, an outputs path that is a file: :class:`OutputError` (a
  :class:`~pmf_lib.errors.PmfError`) naming the path and the reason, never an
  ``OSError`` traceback.
* **A check before each rename.** Inside :func:`before_replace` every rename
  and removal first calls the check, which raises to refuse it (publishing uses
  this for "this run still holds the month's run lock":
  :func:`pmf_lib.publish.atomic.publish_guard`).

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
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from pmf_lib.errors import PmfError

#: The check every rename makes first (None: no check), see :func:`before_replace`.
_CHECK: contextvars.ContextVar[Callable[[Path], None] | None] = contextvars.ContextVar(
    "pmf_before_replace", default=None
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
    >>> blocked = pathlib.Path(tempfile.mkstemp()[1])  # a file where a folder should be
    >>> for folder in (blocked / "2026-10", blocked.parent / "new" / "2026-10"):
    ...     try:
    ...         print(check_folder_path(folder) == folder, folder.exists())
    ...     except OutputError as e:
    ...         print(e.message)
    cannot use the folder: it is a file, not a folder
    True False
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
    _temp_beside(path).unlink()
    return path


def _temp_beside(path: Path) -> Path:
    """A new empty file ``.<name>.<random>.tmp`` in ``path``'s folder (created if needed)."""
    ensure_dir(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise OutputError(path, e) from None
    os.close(fd)
    return Path(tmp)


@contextlib.contextmanager
def before_replace(check: Callable[[Path], None]) -> Iterator[None]:
    """Within the block, every atomic write calls ``check(path)`` just before its rename.

    ``check`` raises to refuse the write (the temporary file is then removed and
    ``path`` is left as it was); :func:`remove` calls it too.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> def refuse(path):
    ...     raise PmfError("not now", file=path)
    >>> with before_replace(refuse):
    ...     try:
    ...         write_text_atomic("late", d / "report.html")
    ...     except PmfError as e:
    ...         print(e.message)
    not now
    >>> list(d.iterdir())
    []
    """
    token = _CHECK.set(check)
    try:
        yield
    finally:
        _CHECK.reset(token)


def _check(path: Path) -> None:
    check = _CHECK.get()
    if check is not None:
        check(path)


def replace(src: str | Path, dst: str | Path) -> Path:
    """``os.replace(src, dst)`` after the :func:`before_replace` check (if any).

    Raises
    ------
    OutputError
        When the rename fails (naming ``dst``).
    """
    dst = Path(dst)
    _check(dst)
    try:
        os.replace(src, dst)
    except OSError as e:
        raise OutputError(dst, e) from None
    return dst


def remove(path: str | Path) -> None:
    """Remove the file ``path`` if it exists, after the :func:`before_replace` check (if any).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "old.html"
    >>> _ = p.write_text("x")
    >>> remove(p), remove(p), p.exists()
    (None, None, False)
    """
    path = Path(path)
    if not path.exists():
        return
    _check(path)
    try:
        path.unlink(missing_ok=True)
    except OSError as e:
        raise OutputError(path, e, "cannot remove") from None


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path``; on success it is renamed to ``path``.

    The directory is created if needed. If the ``with`` block raises, the
    temporary file is removed and ``path`` is left as it was. An ``OSError``
    (full disk, read-only folder, ...) becomes :class:`OutputError`. The file
    is made readable by all (``0o644``), as an ordinary file is.

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
    tmp_path = _temp_beside(path)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        replace(tmp_path, path)
    except OSError as e:
        tmp_path.unlink(missing_ok=True)
        raise OutputError(path, e) from None
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_bytes_atomic(data: bytes, path: str | Path) -> Path:
    """Write ``data`` to ``path`` atomically (flushed and fsync-ed first); return ``path``."""
    path = Path(path)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    return path


def write_text_atomic(text: str, path: str | Path) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically, line endings as given; return ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = write_text_atomic("a\\r\\nb\\n", pathlib.Path(tempfile.mkdtemp()) / "t.csv")
    >>> p.read_bytes()
    b'a\\r\\nb\\n'
    """
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


def write_csv_atomic(df, path: str | Path) -> Path:
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


def write_parquet_atomic(df, path: str | Path) -> Path:
    """Write a DataFrame as Parquet (no index) atomically; return ``path``."""
    path = Path(path)
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, index=False)
    return path


@contextlib.contextmanager
def atomic_dir(path: str | Path) -> Iterator[Path]:
    """A new empty folder beside ``path``; on success it replaces ``path`` whole.

    The old ``path`` (if any) is moved aside, the new folder renamed into its
    place, and only then the old one removed; if that rename fails the old
    folder is put back. If the ``with`` block raises, the new folder is removed
    and ``path`` is left as it was. The folder gets the permissions an
    ordinary new folder gets (the umask's), not a temporary folder's private ones.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_dir(d / "store") as tmp:
    ...     _ = (tmp / "a.txt").write_text("first")
    >>> try:
    ...     with atomic_dir(d / "store") as tmp:
    ...         _ = (tmp / "b.txt").write_text("half")
    ...         raise RuntimeError("failed half way")
    ... except RuntimeError:
    ...     pass
    >>> sorted(p.name for p in d.iterdir()), sorted(p.name for p in (d / "store").iterdir())
    (['store'], ['a.txt'])
    """
    path = Path(path)
    ensure_dir(path.parent)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    except OSError as e:
        raise OutputError(path, e, "cannot create the folder") from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
        yield tmp
        old = None
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
            os.replace(path, old / path.name)
        try:
            os.replace(tmp, path)
        except OSError:
            if old is not None:
                os.replace(old / path.name, path)
            raise
        finally:
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
