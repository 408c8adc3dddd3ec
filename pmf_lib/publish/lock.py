"""One run per month at a time: an exclusive lock file in the month's output folder.

The lock is a :class:`filelock.FileLock` on ``.pmf-run.lock`` (``flock`` on
Unix, ``LockFileEx`` on Windows): the operating system releases it when the
holding process ends, however it ends (a crash or ``kill -9`` leaves no stale
lock to clear by hand).

While it is held, ``.pmf-run.owner`` beside it holds one line: the run's id, its
pid and start time (``<run id> <pid> <start>``), so that a refused run can say
who holds the lock and so that **a run publishes only while it holds its lock**:
before every rename into the folder, the publishing process (the batch, or a
report worker) checks that the lock is still held and the owner line still names
its run (:func:`check_held`). A report worker left running by a killed batch is
refused, as is any run whose lock was taken over by a newer run. The owner file
is removed on release. (The line is not kept in the lock file itself: filelock
releases before the 2026 fix truncate the lock file on every contended attempt,
which would erase the holder's line each time a second run is refused.)

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> with RunLock(d, label="2026-10", run_id="20261101T0900-ab12cd") as lock:
...     check_held(d, "20261101T0900-ab12cd")          # the holder may publish
...     try:
...         with RunLock(d, label="2026-10"):
...             pass
...     except PmfError as e:
...         print("refused:", "pid" in e.message)
refused: True
>>> try:
...     check_held(d, "20261101T0900-ab12cd")          # released: no longer
... except PmfError as e:
...     print(e.message[:36])
refused to publish: run 20261101T090
"""

from __future__ import annotations

import os
import secrets
from datetime import datetime
from pathlib import Path

import filelock

from pmf_lib.errors import PmfError
from pmf_lib.publish.atomic import OutputError, ensure_dir

LOCK_NAME = ".pmf-run.lock"
OWNER_NAME = ".pmf-run.owner"


def new_run_id() -> str:
    """A new run id: the local start time and six random hex digits.

    Examples
    --------
    >>> import re
    >>> bool(re.fullmatch(r"\\d{8}T\\d{6}-[0-9a-f]{6}", new_run_id()))
    True
    """
    return f"{datetime.now():%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


def _holder(directory: Path) -> list[str]:
    try:
        with open(directory / OWNER_NAME, encoding="utf-8", errors="replace") as f:
            return f.read(300).split()
    except OSError:
        return []


def _refused(path: Path, run_id: str, why: str) -> PmfError:
    return PmfError(
        f"refused to publish: run {run_id} {why}; a stopped or killed run must not "
        "overwrite what a newer run publishes",
        file=path,
    )


def check_held(directory: str | Path, run_id: str, target: str | Path | None = None) -> None:
    """Raise unless the run lock of ``directory`` is held right now, by run ``run_id``.

    Called (through :func:`pmf_lib.publish.atomic.publish_guard`) just before
    each file is renamed into place, by any process of the run: the lock file
    must name ``run_id``, and the lock must be held (a process that can take it
    proves its holder is gone; it lets it go at once).

    Raises
    ------
    PmfError
        Naming ``target`` (or the lock file) and why the write is refused.
    """
    path = Path(directory) / LOCK_NAME
    where = target if target is not None else path
    holder = _holder(Path(directory))
    if not holder or holder[0] != run_id:
        other = f"run {holder[0]}" if holder else "no run"
        raise _refused(Path(where), run_id, f"no longer holds the run lock ({other} does)")
    probe = filelock.FileLock(str(path), timeout=0, thread_local=False)
    try:
        probe.acquire(timeout=0)
    except filelock.Timeout:
        return  # held, and by this run
    except OSError as e:
        raise OutputError(path, e, "cannot check the run lock") from None
    probe.release()
    raise _refused(Path(where), run_id, "has ended (its run lock was released)")


class RunLock:
    """Hold the run lock of ``directory`` for the ``with`` block.

    Parameters
    ----------
    directory : str or Path
        The month's output folder (created if needed).
    label : str
        How refusals name the run (``"Demo County Council 2026-10"``).
    run_id : str, optional
        This run's id (default: :func:`new_run_id`).

    Raises
    ------
    PmfError
        When another process holds it, naming that process's pid; an
        :class:`~pmf_lib.publish.atomic.OutputError` when the folder cannot be
        written (read-only, a file, full).
    """

    def __init__(self, directory: str | Path, label: str = "", run_id: str | None = None):
        self.directory = Path(directory)
        self.path = self.directory / LOCK_NAME
        self.label = label or self.directory.name
        self.run_id = run_id or new_run_id()
        self._lock: filelock.FileLock | None = None

    def acquire(self) -> RunLock:
        ensure_dir(self.directory)
        lock = filelock.FileLock(str(self.path), timeout=0, thread_local=False)
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            holder = _holder(self.directory)
            pid = holder[1] if len(holder) > 1 else "unknown"
            since = f", started {holder[2]}" if len(holder) > 2 else ""
            raise PmfError(
                f"another pmf run for {self.label} is in progress (pid {pid}{since}); "
                "wait for it to finish, or stop that process",
                file=self.path,
            ) from None
        except OSError as e:
            raise OutputError(self.path, e, "cannot take the run lock") from None
        stamp = datetime.now().astimezone().isoformat(timespec="seconds")
        # Written in place (no other process of this run exists yet; a stray
        # process of a killed run reading it half-written is refused all the same).
        try:
            with open(self.directory / OWNER_NAME, "a+", encoding="utf-8") as f:
                f.truncate(0)
                f.write(f"{self.run_id} {os.getpid()} {stamp}\n")
        except OSError as e:
            lock.release()
            raise OutputError(self.path, e, "cannot take the run lock") from None
        self._lock = lock
        return self

    def check(self, target: str | Path | None = None) -> None:
        """Raise unless this object holds the lock and the lock file still names this run.

        The holding process's own check (see :func:`check_held` for any other
        process): a lock file deleted and re-created by a newer run names that run.
        """
        if self._lock is None:
            raise _refused(Path(target or self.path), self.run_id, "does not hold the run lock")
        holder = _holder(self.directory)
        if not holder or holder[0] != self.run_id:
            other = f"run {holder[0]}" if holder else "no run"
            raise _refused(
                Path(target or self.path),
                self.run_id,
                f"no longer holds the run lock ({other} does)",
            )

    def release(self) -> None:
        lock, self._lock = self._lock, None
        if lock is None:
            return
        try:
            if _holder(self.directory)[:1] == [self.run_id]:
                (self.directory / OWNER_NAME).unlink()
        except OSError:  # a read-only or vanished folder: the OS releases the lock anyway
            pass
        lock.release()

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
