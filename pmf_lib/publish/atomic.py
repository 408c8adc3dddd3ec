"""Publishing's atomic writes: :mod:`pmf_lib.atomic` plus the publish guard.

Files are written whole or not at all by :mod:`pmf_lib.atomic` (temporary file
beside the target, fsync, :func:`os.replace`; one-line :class:`OutputError`);
its names are importable from here too. What publishing adds:

* **Only the run that holds the lock publishes.** Inside :func:`publish_guard`
  every rename first calls the guard (the batch's is "this run still holds the
  month's run lock", :meth:`pmf_lib.publish.lock.RunLock.check`); a guard that
  raises refuses the write and the temporary file is removed.
* :func:`remove_temporaries` clears the temporary files a stopped run left in a
  month's folder (this module's and the report worker's names).

Examples
--------
>>> import pmf_lib.atomic
>>> write_csv_atomic is pmf_lib.atomic.write_csv_atomic  # the same writers, one copy
True
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from pmf_lib.atomic import (
    OutputError,
    atomic_path,
    before_replace,
    check_folder_path,
    check_target,
    check_writable,
    ensure_dir,
    write_bytes_atomic,
    write_csv_atomic,
    write_json_atomic,
    write_parquet_atomic,
    write_text_atomic,
)
from pmf_lib.atomic import remove as publish_unlink
from pmf_lib.atomic import replace as publish_replace

__all__ = [
    "OutputError",
    "atomic_path",
    "check_folder_path",
    "check_target",
    "check_writable",
    "ensure_dir",
    "publish_guard",
    "publish_replace",
    "publish_unlink",
    "remove_temporaries",
    "write_bytes_atomic",
    "write_csv_atomic",
    "write_json_atomic",
    "write_parquet_atomic",
    "write_text_atomic",
]


@contextlib.contextmanager
def publish_guard(check: Callable[[Path], None]) -> Iterator[None]:
    """Within the block, every atomic write calls ``check(path)`` just before its rename.

    ``check`` raises to refuse the write (the temporary file is then removed and
    ``path`` is left as it was); :func:`publish_unlink` and :func:`publish_replace`
    call it too. The batch's check is that the run still holds the month's lock.

    Examples
    --------
    A run whose lock has gone neither replaces nor removes a published file:

    >>> import tempfile, pathlib
    >>> from pmf_lib.errors import PmfError
    >>> old = write_text_atomic("published", pathlib.Path(tempfile.mkdtemp()) / "index.html")
    >>> def lock_lost(path):
    ...     raise PmfError("this run no longer holds the month's lock", file=path)
    >>> with publish_guard(lock_lost):
    ...     for attempt in (lambda: write_text_atomic("late", old), lambda: publish_unlink(old)):
    ...         try:
    ...             attempt()
    ...         except PmfError as e:
    ...             print(e.message)
    this run no longer holds the month's lock
    this run no longer holds the month's lock
    >>> old.read_text(), sorted(p.name for p in old.parent.iterdir())
    ('published', ['index.html'])
    """
    with before_replace(check):
        yield


def remove_temporaries(directory: str | Path) -> list[str]:
    """Remove the temporary files a stopped or killed run left in ``directory``.

    Only names :mod:`pmf_lib.atomic` and the report worker give temporary files
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
