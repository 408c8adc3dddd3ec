"""Several councils in one config: each to outputs/<id>/YYYY-MM/, on the local executor and a
two-worker dask cluster, with identical outputs."""

from __future__ import annotations

import re

import pytest

from pmf_lib.config import load_config
from pmf_lib.errors import PmfError
from pmf_lib.publish import batch as batch_module
from tests.publish.test_faults import area_reports_only, kpi_table  # noqa: F401

CONFIG = """\
councils:
  north: {code: 938, name: North Council, data: {ssda903: n/903.csv, cin_census: n/cin.xml,
          population: n/pop.csv}}
  south: {code: 936, name: South Council, data: {ssda903: s/903.csv, cin_census: s/cin.xml,
          population: s/pop.csv}}
outputs: OUT
areas:
  good: {title: Good, kpis: [referrals_count]}
  other: {title: Other, kpis: [referrals_count]}
"""


def make(root, outputs):
    for d in ("n", "s"):
        (root / d).mkdir(exist_ok=True)
        for name in ("903.csv", "cin.xml", "pop.csv"):
            (root / d / name).write_text("x\n")
    (root / f"{outputs}.yaml").write_text(CONFIG.replace("OUT", outputs))
    return load_config(root / f"{outputs}.yaml")


def tables():
    south = kpi_table()
    south["value"] = south["value"] * 2  # South's October referrals: 2 * 111 = 222
    return {"north": kpi_table(), "south": south}


def notebook(root):
    import nbformat

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                'area: str = "good"  # area\nmonth: str = "latest"  # month\n'
                'config_path: str = ""  # config\nkpi_table: str = ""  # table',
                metadata={"tags": ["parameters"]},
            ),
            nbformat.v4.new_code_cell(
                "import pandas as pd, yaml\n"
                "name = yaml.safe_load(open(config_path))['council']['name']\n"
                "t = pd.read_parquet(kpi_table)\n"
                "print(name, area, month, t['value'].iloc[-1])"
            ),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "P", "language": "python"}},
    )
    nbformat.write(nb, root / "report.ipynb")
    return root / "report.ipynb"


def masked(html: str) -> str:
    """The report with its generation time and run id masked (all that differs run to run)."""
    html = re.sub(r'<meta name="pmf-run-id" content="[^"]*">', "<run id>", html)
    return re.sub(r"\d{1,2} \w+ \d{4} at \d\d:\d\d", "<generated>", html)


def test_unknown_council_is_refused(tmp_path):
    config = make(tmp_path, "out")
    with pytest.raises(PmfError, match="unknown council 'east'"):
        batch_module.run_councils(config, "2026-10", ["east"], kpi_tables=tables())


@pytest.mark.slow
@pytest.mark.dask
@pytest.mark.timeout(600)
def test_councils_on_local_and_dask_give_identical_outputs(tmp_path):
    pytest.importorskip("distributed")
    import dask
    from distributed import LocalCluster

    nb = notebook(tmp_path)
    common = dict(kpi_tables=tables(), quiet=True, notebook=nb, jobs=2)
    local = batch_module.run_councils(make(tmp_path, "local"), "2026-10", "all", **common)
    # If the cluster's workers vanish (seen on a loaded machine), the reports' tasks wait for
    # a worker forever: with no worker for 120 s they fail instead (NoWorkerError, reported as
    # failed reports, so the assertions below fail saying so), and the test's timeout is the
    # last guard.
    with (
        dask.config.set({"distributed.scheduler.no-workers-timeout": "120s"}),
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
    ):
        on_dask = batch_module.run_councils(
            make(tmp_path, "dask"),
            "2026-10",
            ["north", "south"],
            executor="dask",
            scheduler=cluster.scheduler_address,
            **common,
        )
    for a, b in zip(local, on_dask, strict=True):
        assert a.failed == b.failed == []
        assert a.out_dir.relative_to(tmp_path / "local") == b.out_dir.relative_to(tmp_path / "dask")
        for area in ("good", "other"):
            assert masked((a.out_dir / f"{area}.html").read_text()) == masked(
                (b.out_dir / f"{area}.html").read_text()
            )
        assert (a.out_dir / "kpis.csv").read_bytes() == (b.out_dir / "kpis.csv").read_bytes()
    north, south = (r.out_dir for r in local)
    assert north == tmp_path / "local" / "north" / "2026-10"
    assert "North Council good 2026-10 111.0" in (north / "good.html").read_text()
    assert "South Council other 2026-10 222.0" in (south / "other.html").read_text()
