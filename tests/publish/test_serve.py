"""``pmf serve``: Datasette over the demo month's store, queried over HTTP on a free local port.

The published demo month (``outputs/2026-10``) is recorded into a temporary store
(pmf_lib.publish.store.record_month, as ``pmf run`` does), then ``pmf serve`` is
started on it as a separate process, as an intranet service would be.
"""

from __future__ import annotations

import base64
import io
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pandas as pd
import pytest

from pmf_lib.cli import main
from pmf_lib.publish import store
from tests.conftest import ROOT

MONTH = ROOT / "outputs" / "2026-10"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, auth: tuple[str, str] | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(url)
    if auth:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        req.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@pytest.fixture(scope="module")
def stores(demo_dir, tmp_path_factory):
    from pmf_lib.config import load_config

    if not (MONTH / "run.json").is_file():
        pytest.skip("the demo month is not published: run `pmf run --month 2026-10`")
    out = tmp_path_factory.mktemp("serve")
    config = load_config(ROOT / "parameters" / "config.yaml")
    if config.audience != "internal":
        pytest.skip("the demo config is not an internal one")
    config = config.model_copy(update={"outputs": str(out)})
    internal, members = store.record_month(config, MONTH)
    from datasette_auth_passwords.utils import hash_password

    passwords = out / "passwords"
    # A cheap hash (few iterations) keeps each request fast; the format is the plugin's.
    passwords.write_text(f"ann:{hash_password('correct horse', iterations=1000)}\n")
    return {"internal": internal, "members": members, "passwords": passwords, "out": out}


@pytest.fixture(scope="module")
def server(stores):
    port = free_port()
    log = stores["out"] / "serve.log"
    with open(log, "wb") as f:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from pmf_lib.cli import main; sys.exit(main())",
                "serve",
                "--store",
                str(stores["internal"]),
                "--port",
                str(port),
                "--passwords",
                str(stores["passwords"]),
            ],
            cwd=ROOT,
            stdout=f,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if get(f"{base}/-/versions.json")[0] == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"pmf serve did not start: {log.read_text()[-2000:]}")
            time.sleep(0.5)
        yield {"base": base, "log": log, **stores}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def kpi_csv(server, db: str, kpi_id: str, auth=None) -> pd.DataFrame:
    status, body = get(f"{server['base']}/{db}/kpi_history.csv?kpi_id={kpi_id}&month=", auth)
    assert status == 200, body[:300]
    return pd.read_csv(io.BytesIO(body), parse_dates=["period_end"])


@pytest.mark.parametrize("kpi_id", ["contacts_count", "contacts_decided_1wd_pct"])
def test_a_kpis_history_over_http_is_the_published_kpi_history(server, kpi_id):
    published = pd.read_csv(MONTH / "kpi_history.csv", parse_dates=["period_end"])
    want = published[published["kpi_id"] == kpi_id].sort_values(["period_end", "window"])
    got = kpi_csv(server, "pmf", kpi_id, auth=("ann", "correct horse"))
    assert len(want) > 12 and len(got) == len(want)
    cols = list(published.columns)  # kpi_id, period_end, window, value, ..., dq_confidence
    pd.testing.assert_frame_equal(
        got[cols].reset_index(drop=True), want[cols].reset_index(drop=True), check_dtype=False
    )


def test_the_internal_store_needs_a_login_and_the_members_store_does_not(server):
    base = server["base"]
    assert get(f"{base}/pmf")[0] == 403
    assert get(f"{base}/pmf/figures.csv")[0] == 403
    assert get(f"{base}/pmf?sql=select+count(*)+from+figures")[0] == 403
    assert get(f"{base}/pmf/figures.json", auth=("ann", "wrong"))[0] == 403
    assert get(f"{base}/pmf/figures.json", auth=("ann", "correct horse"))[0] == 200
    assert get(f"{base}/pmf-members/figures.json")[0] == 200
    # Localhost only by default.
    assert f"http://127.0.0.1:{base.rsplit(':', 1)[1]}" in server["log"].read_text()


def test_the_members_history_is_the_members_suppressed_series(server):
    from pmf_lib.publish.store import connect_readonly

    got = kpi_csv(server, "pmf-members", "contacts_decided_1wd_pct")
    with connect_readonly(server["members"]) as c:
        want = pd.read_sql(
            "select * from figures where kpi_id = 'contacts_decided_1wd_pct' order by period_end",
            c,
            parse_dates=["period_end"],
        )
    assert set(got["window"]) == {"month"} and len(got) == len(want)
    assert got["value"].tolist() == pytest.approx(want["value"].tolist(), nan_ok=True)


def test_metadata_titles_facets_and_canned_queries(server):
    import json

    base = server["base"]
    status, body = get(f"{base}/pmf-members/kpis.json?kpi_id=contacts_count&_shape=objects")
    row = json.loads(body)["rows"][0]
    from pmf_lib.compute.registry import all_kpis

    meta = all_kpis()["contacts_count"].meta
    assert (row["unit"], row["definition"]) == (meta.unit, meta.definition)
    status, body = get(f"{base}/pmf-members/figures.json?_facet=area")
    assert status == 200
    facets = json.loads(body)["facet_results"]
    assert {"area", "kpi_id", "month"} <= set(facets)
    for db, name in (("pmf-members", "restated_figures"), ("pmf-members", "where_we_rank")):
        status, body = get(f"{base}/{db}/{name}.json?kpi_id=&month=&area=")
        assert status == 200, (name, body[:300])
    auth = ("ann", "correct horse")
    status, body = get(f"{base}/pmf/my_team_over_time.json?team=&kpi_id=&_shape=objects", auth)
    assert status == 200 and json.loads(body)["rows"] == []  # no team called ''
    teams = pd.read_parquet(MONTH / "breakdowns.parquet").query("dimension == 'team'")
    if len(teams):
        team = teams["group"].iloc[0]
        url = f"{base}/pmf/my_team_over_time.json?team={urllib.parse.quote(team)}&kpi_id="
        status, body = get(url + "&_shape=objects", auth)
        assert len(json.loads(body)["rows"]) == (teams["group"] == team).sum()
    assert get(f"{base}/pmf-members/my_team_over_time.json?team=x&kpi_id=")[0] == 404


def test_without_passwords_only_the_members_store_is_served(stores, capsys, monkeypatch):
    from pmf_lib.cli import serve

    called = {}
    monkeypatch.setattr(
        "datasette.cli.cli.main", lambda args, **kw: called.setdefault("args", args)
    )
    monkeypatch.delenv("PMF_SERVE_PASSWORDS", raising=False)
    assert main(["serve", "--store", str(stores["internal"])]) == 0
    args = called["args"]
    assert [args[i + 1] for i, a in enumerate(args) if a == "--immutable"] == [
        str(stores["members"])
    ]
    assert args[args.index("--host") + 1] == "127.0.0.1"
    assert "needs a login" in capsys.readouterr().err
    assert serve.read_passwords(stores["passwords"]).keys() == {"ann"}


def test_no_store_or_a_bad_passwords_file_is_one_line_and_exit_2(tmp_path, capsys, stores):
    assert main(["serve", "--store", str(tmp_path / "none.sqlite")]) == 2
    assert "no store to serve" in capsys.readouterr().err
    bad = tmp_path / "passwords"
    bad.write_text("ann:letmein\n")
    assert main(["serve", "--store", str(stores["internal"]), "--passwords", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "line 1, field hash: not a password hash" in err
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    assert main(["serve", "--store", str(tmp_path / "x.sqlite"), "--members-only"]) == 2
    capsys.readouterr()
    members = tmp_path / "junk-members.sqlite"
    members.write_bytes(junk.read_bytes())
    assert main(["serve", "--store", str(junk)]) == 2
    assert "not a readable pmf store" in capsys.readouterr().err


def test_reports_link_each_measure_to_pmf_serve_only_where_configured(demo_dir):
    from pmf_lib.config import StoreSettings, load_config
    from pmf_lib.render import blocks
    from pmf_lib.render.month_data import MonthTables

    if not (MONTH / "run.json").is_file():
        pytest.skip("the demo month is not published: run `pmf run --month 2026-10`")
    config = load_config(ROOT / "parameters" / "config.yaml")
    tables = {n: pd.read_parquet(MONTH / f"{n}.parquet") for n in ("kpi_history", "kpis", "spc")}

    def definitions(cfg) -> str:
        data = MonthTables.from_tables(
            cfg, "2026-10", tables["kpi_history"], tables["kpis"], spc=tables["spc"]
        )
        return blocks.definitions(data, ["contacts_count", "cla_count"]).data

    plain = definitions(config)
    assert "Explore this measure" not in plain and "pmf-explore" not in plain
    linked = definitions(
        config.model_copy(update={"store": StoreSettings(explore_url="https://pmf.intranet/pmf")})
    )
    assert linked.count("Explore this measure") == 2
    assert 'href="https://pmf.intranet/pmf/figures?kpi_id=contacts_count"' in linked
    # Without the link the block is exactly as before (the demo's HTML is unchanged).
    assert re.sub(r'\n?<p class="pmf-explore">.*?</p>', "", linked) == plain
