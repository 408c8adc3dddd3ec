"""The processes of a run die with it: parent-death signals, process trees, stop signals.

``pmf run`` starts worker processes (a process pool) and each worker starts
Jupyter kernels. If ``pmf run`` ends abnormally, none of them may outlive it:

* **Killed outright** (``kill -9``, the out-of-memory killer): nothing of
  ``pmf run`` itself runs, so each child asks the kernel to kill it when its
  parent dies (Linux ``prctl(PR_SET_PDEATHSIG)``): every worker with SIGKILL
  when ``pmf run`` dies, every kernel with SIGKILL when its worker dies
  (:func:`set_parent_death_signal`, :func:`die_with_parent_cmd`). Elsewhere this is a
  no-op; ipykernel's own parent poller then ends orphaned kernels.
* **Stopped** (SIGTERM, SIGHUP, Ctrl-C): :func:`stop_on_signals` turns the signal
  into :class:`StopRequested` (SIGINT stays :class:`KeyboardInterrupt`) in the main
  thread, so every ``finally`` runs: the executor kills its workers and their
  kernels (:func:`kill_tree`), temporary files are removed, and the run lock is
  released. ``pmf run`` then exits with ``128 + signal number`` (143 for SIGTERM,
  129 for SIGHUP, 130 for Ctrl-C).

Examples
--------
>>> import signal
>>> StopRequested(signal.SIGTERM).exit_code
143
>>> str(StopRequested(signal.SIGTERM))
'stopped by SIGTERM'
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterable, Iterator

#: prctl option number of PR_SET_PDEATHSIG (linux/prctl.h).
PR_SET_PDEATHSIG = 1
#: SIGKILL (9; Windows has no such name).
SIGKILL = getattr(signal, "SIGKILL", 9)
#: The signals that stop a run (those this platform has).
STOP_SIGNALS = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n))

#: Run as ``python -c`` in front of a kernel's command line: set the parent-death
#: signal, give up at once if the parent has already gone, then exec the kernel
#: (same process id, so the kernel manager's handle stays right; the setting
#: survives exec).
_TRAMPOLINE = (
    "import ctypes,os,sys;"
    "ctypes.CDLL(None,use_errno=True).prctl(1,9,0,0,0);"
    "os.getppid()==int(sys.argv[1]) or os._exit(1);"
    "os.execvp(sys.argv[2],sys.argv[2:])"
)


class StopRequested(BaseException):
    """The run was asked to stop by a signal (raised in the main thread).

    A :class:`BaseException`, like :class:`KeyboardInterrupt`, so that no
    ``except Exception`` swallows it on the way out.
    """

    def __init__(self, signum: int):
        self.signum = int(signum)
        super().__init__(signum)

    @property
    def exit_code(self) -> int:
        """``128 + signal number``, the shell's convention."""
        return 128 + self.signum

    def __str__(self) -> str:
        return f"stopped by {signal.Signals(self.signum).name}"


def _libc_prctl():
    import ctypes

    return ctypes.CDLL(None, use_errno=True).prctl


def set_parent_death_signal(sig: int = SIGKILL, parent_pid: int | None = None) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent dies.

    Returns False (and does nothing) off Linux. When ``parent_pid`` is given and
    the parent has already died (the process was re-parented before the call),
    the process kills itself with ``sig`` at once.

    Examples
    --------
    >>> set_parent_death_signal(0) == sys.platform.startswith("linux")   # 0 clears it
    True
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        ok = _libc_prctl()(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):  # no libc prctl (an unusual libc)
        return False
    if ok and sig and parent_pid is not None and os.getppid() != parent_pid:
        os.kill(os.getpid(), sig)
    return ok


def die_with_parent_cmd(cmd: list[str]) -> list[str]:
    """``cmd`` wrapped so that the process it starts is killed when this process dies.

    On Linux the command is run through a tiny ``python -c`` trampoline that sets
    the parent-death signal (SIGKILL) and then ``exec``\\ s ``cmd`` (no
    ``preexec_fn``, which is unsafe in a process with threads). Elsewhere
    ``cmd`` is returned unchanged.

    Examples
    --------
    >>> cmd = die_with_parent_cmd(["/usr/bin/python3", "-m", "ipykernel_launcher"])
    >>> cmd[-3:]
    ['/usr/bin/python3', '-m', 'ipykernel_launcher']
    >>> (cmd[0] == sys.executable) == sys.platform.startswith("linux")
    True
    """
    if not sys.platform.startswith("linux") or not cmd:
        return list(cmd)
    return [sys.executable, "-I", "-S", "-c", _TRAMPOLINE, str(os.getpid()), *cmd]


def descendants(pids: Iterable[int]) -> list:
    """The processes ``pids`` and all their descendants, as :class:`psutil.Process`.

    Empty when psutil is not installed (then only the parent-death signal
    protects the run).

    Examples
    --------
    >>> [p.pid for p in descendants([os.getpid()])][0] == os.getpid()
    True
    """
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with ipykernel
        return []
    found = []
    for pid in pids:
        try:
            p = psutil.Process(pid)
            found += [p, *p.children(recursive=True)]
        except psutil.Error:  # already gone
            continue
    return found


def kill_tree(pids: Iterable[int], known: Iterable = (), timeout: float = 5.0) -> None:
    """SIGKILL the processes ``pids``, their descendants and ``known`` processes; wait for them.

    ``known`` are :class:`psutil.Process` objects found earlier (a kernel whose
    worker has already exited is no longer its descendant). A process that is
    gone, or whose pid has been reused (psutil compares start times), is left
    alone.
    """
    pids = list(pids)
    procs = {p.pid: p for p in [*known, *descendants(pids)]}
    try:
        import psutil
    except ImportError:  # pragma: no cover
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, SIGKILL)
        return
    alive = []
    for p in procs.values():
        if p.pid == os.getpid():
            continue
        try:
            if p.is_running():
                p.kill()
                alive.append(p)
        except psutil.Error:
            continue
    psutil.wait_procs(alive, timeout=timeout)


@contextlib.contextmanager
def stop_on_signals(signums=STOP_SIGNALS) -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise :class:`StopRequested` in the main thread.

    Only the first signal raises: later ones are ignored while the run cleans
    up. Outside the main thread (where Python cannot set handlers) this does
    nothing. The previous handlers are restored on exit.

    Examples
    --------
    >>> import os, signal
    >>> try:
    ...     with stop_on_signals():
    ...         os.kill(os.getpid(), signal.SIGTERM)
    ...         signal.pause() if hasattr(signal, "pause") else None
    ... except StopRequested as e:
    ...     print(e, e.exit_code)
    stopped by SIGTERM 143
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stopping = []

    def handler(signum, _frame):
        if stopping:
            return
        stopping.append(signum)
        raise StopRequested(signum)

    previous = {}
    for s in signums:
        with contextlib.suppress(OSError, ValueError):
            previous[s] = signal.signal(s, handler)
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
