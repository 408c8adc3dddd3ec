"""Several councils in one run (a ``councils:`` config): one month's batch for each.

Each council's batch is :func:`pmf_lib.publish.batch.run_batch` with the
council's own config (its outputs in ``outputs/<id>/YYYY-MM/``); one executor
(one pool of warm kernels, or one dask cluster) serves them all.
"""

from __future__ import annotations

import pandas as pd

from pmf_lib.config import Config
from pmf_lib.errors import PmfError


def run_councils(
    config: Config,
    month: str = "latest",
    councils: str | list[str] | None = "all",
    *,
    kpi_tables: dict[str, pd.DataFrame] | None = None,
    executor="local",
    jobs: int | None = None,
    scheduler: str | None = None,
    engine: str = "warm",
    **options,
) -> list:
    """Run the month's batch for each council of a config (one, or ``councils:``).

    Parameters
    ----------
    config : Config
        A single-council config (then ``councils`` must be ``all`` or None), or a
        multi-council one whose councils' outputs go to ``outputs/<id>/YYYY-MM/``.
    councils : str or list of str
        ``all`` or council ids.
    kpi_tables : dict, optional
        Precomputed KPI histories by council id (default: computed per council).
    executor, jobs, scheduler, engine
        As :func:`~pmf_lib.publish.batch.run_batch`; one executor (one dask
        cluster) serves every council.
    **options
        Passed to :func:`~pmf_lib.publish.batch.run_batch` (``areas``,
        ``quiet``, ``timeout``, ``force``, ``retry_failed``).

    Returns
    -------
    list of BatchResult
        One per council, in order.

    Raises
    ------
    PmfError
        For an unknown council id, checked before any work.
    """
    if not config.multi:
        if councils not in (None, "all", []):
            raise PmfError(
                "this config is for one council; --councils needs a councils: config",
                field="councils",
            )
        ids, configs = [None], [config]
    else:
        ids = config.council_ids() if councils in (None, "all") else list(councils)
        configs = [config.for_council(c) for c in ids]  # raises for an unknown id
    from pmf_lib.publish.executors import make_executor

    runner = (
        make_executor(executor, jobs, scheduler, engine) if isinstance(executor, str) else executor
    )
    from pmf_lib.publish import batch  # at call time: the batch module calls back here

    results = []
    try:
        for cid, one in zip(ids, configs, strict=True):
            table = (kpi_tables or {}).get(cid) if cid else (kpi_tables or {}).get(None)
            results.append(
                batch.run_batch(
                    one,
                    month,
                    jobs=jobs,
                    kpi_table=table,
                    executor=runner,
                    engine=engine,
                    **options,
                )
            )
    finally:
        if isinstance(executor, str):
            runner.close()
    return results
