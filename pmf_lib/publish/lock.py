"""One run per month at a time: an exclusive lock file in the month's output folder.

The lock is :func:`fcntl.flock` on ``.pmf-run.lock``: the operating system
releases it when the holding process ends, however it ends (a crash or
``kill -9`` leaves no stale lock to clear by hand). The file holds the
holder's pid and start time so that a refused run can say who holds it.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> with RunLock(d, label="2026-10"):
...     try:
...         with RunLock(d, label="2026-10"):
...             pass
...     except PmfError as e:
...         print("refused:", "pid" in e.message)
refused: True
"""

from __future__ import annotations

import fcntl
import os
from datetime import datetime
from pathlib import Path

from pmf_lib.errors import PmfError

LOCK_NAME = ".pmf-run.lock"


class RunLock:
    """Hold the run lock of ``directory`` for the ``with`` block.

    Raises
    ------
    PmfError
        When another process holds it, naming that process's pid.
    """

    def __init__(self, directory: str | Path, label: str = ""):
        self.path = Path(directory) / LOCK_NAME
        self.label = label or Path(directory).name
        self._fd: int | None = None

    def acquire(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").split()
            os.close(fd)
            pid = holder[0] if holder else "unknown"
            since = f", started {holder[1]}" if len(holder) > 1 else ""
            raise PmfError(
                f"another pmf run for {self.label} is in progress (pid {pid}{since}); "
                "wait for it to finish, or stop that process",
                file=self.path,
            ) from None
        os.ftruncate(fd, 0)
        stamp = datetime.now().astimezone().isoformat(timespec="seconds")
        os.pwrite(fd, f"{os.getpid()} {stamp}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
