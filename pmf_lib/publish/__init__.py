"""Stage 6 — publish: the monthly batch of reports, their index pages and run manifest.

* :func:`~pmf_lib.publish.batch.run_batch` — ``pmf run`` (one council;
  :mod:`~pmf_lib.publish.councils` several): its options
  (:mod:`~pmf_lib.publish.options`), checks before any work
  (:mod:`~pmf_lib.publish.checks`), fingerprints of what each report depends on
  (:mod:`~pmf_lib.publish.fingerprint`), the month's tables and data quality report
  from its one build (:mod:`~pmf_lib.publish.tables`) and its log
  (:mod:`~pmf_lib.publish.runlog`);
* :mod:`~pmf_lib.publish.atomic` — whole-or-nothing file writes;
* :mod:`~pmf_lib.publish.lock` — one run per month; a run publishes only while it holds it;
* :mod:`~pmf_lib.publish.procs` — workers and kernels die with the run; stop signals;
* :mod:`~pmf_lib.publish.execute` — one report: papermill, HTML export, publication;
* :mod:`~pmf_lib.publish.index` and :mod:`~pmf_lib.publish.manifest` — ``index.html``, ``run.json``.
"""

from __future__ import annotations

from pmf_lib.publish.batch import BatchResult, ReportResult, run_batch

__all__ = ["BatchResult", "ReportResult", "run_batch"]
