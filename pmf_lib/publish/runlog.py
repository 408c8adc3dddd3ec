"""The run's log (``run-<start time>.log`` beside ``run.json``) and its progress bar.

Every line the batch logs (``pmf.run``) goes to the month's log file; a tqdm
bar on stderr, with one line per finished report, shows progress unless the
run is quiet. A record that cannot be written (a full disk) is dropped
quietly: the write that matters fails as one line.
"""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path

from pmf_lib.publish.atomic import OutputError, ensure_dir

log = logging.getLogger("pmf.run")


class Progress:
    """A tqdm bar on stderr with one line per finished report (silent when quiet)."""

    def __init__(self, total: int, quiet: bool, desc: str = "reports"):
        from tqdm import tqdm

        self.quiet = quiet
        self.bar = tqdm(total=total, unit="report", desc=desc, disable=quiet, file=sys.stderr)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.bar.close()

    def __call__(self, r: dict) -> None:
        line = f"{r['id']}: {'published' if r['status'] == 'ok' else 'FAILED'}"
        line += f" in {r['seconds']:.1f} s"
        if r["error"]:
            line += f" — {r['error']}"
        log.info(line)
        self.bar.update(1)
        if not self.quiet:
            self.bar.write(line, file=sys.stderr)


class RunLogHandler(logging.FileHandler):
    """The run's log file; a record that cannot be written (a full disk) is dropped quietly.

    logging's default prints a traceback on the console for each such record;
    the write that matters fails as one line (:class:`OutputError`).
    """

    def handleError(self, record) -> None:  # noqa: N802 (logging's name)
        pass

    def flush(self) -> None:
        try:
            super().flush()
        except OSError:
            pass

    def close(self) -> None:
        try:
            super().close()
        except OSError:  # the buffered tail of the log is lost with the disk full
            pass


def start_log(out_dir: Path, started: str) -> logging.FileHandler:
    """Log this run to ``run-<start time>.log`` beside its manifest."""
    ensure_dir(out_dir)
    stamp = re.sub(r"[^0-9T]", "", started[:19])
    path = out_dir / f"run-{stamp}.log"
    try:
        handler = RunLogHandler(path, encoding="utf-8")
    except OSError as e:
        raise OutputError(path, e, "cannot start the run's log") from None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger("pmf")
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    return handler
