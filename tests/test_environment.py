"""The declared dependencies: pyproject.toml, environment.yml (conda) and requirements.lock agree,
and every package pmf_lib imports is declared."""

from __future__ import annotations

import re
import tomllib

import yaml

from tests.conftest import ROOT


def _name(req: str) -> str:
    return re.split(r"[<>=!\[ ;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    wanted |= {_name(r) for r in project["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    # Packages conda-forge lacks come from PyPI through the file's pip section.
    for d in env["dependencies"]:
        if isinstance(d, dict):
            conda |= {_name(r) for r in d.get("pip", []) if not r.startswith("-")}
    assert conda == wanted, (
        f"only in environment.yml: {sorted(conda - wanted)}; "
        f"only in pyproject.toml: {sorted(wanted - conda)}"
    )


def _declared() -> set[str]:
    """Every package pyproject.toml names: dependencies and every extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_name(r) for r in project["dependencies"]}
    for reqs in project["optional-dependencies"].values():
        names |= {_name(r) for r in reqs}
    return names


def _third_party_imports() -> set[str]:
    """Top-level modules pmf_lib imports that are neither the standard library nor pmf_lib."""
    import ast
    import sys

    found = set()
    for path in (ROOT / "pmf_lib").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"pmf_lib"}


def test_every_package_pmf_lib_imports_is_declared():
    from importlib.metadata import packages_distributions

    dists = packages_distributions()
    # dask[distributed] declares distributed through dask's own extra.
    declared = _declared() | {"distributed"}
    missing = {
        module: sorted({_name(d) for d in dists.get(module, [module])})
        for module in _third_party_imports()
        if not {_name(d) for d in dists.get(module, [module])} & declared
    }
    assert not missing, f"imported by pmf_lib, not in pyproject.toml: {missing}"


def test_the_lock_pins_every_declared_package():
    lock = (ROOT / "requirements.lock").read_text()
    pinned = {
        _name(line.split("==")[0]) for line in lock.splitlines() if "==" in line and line[0] != " "
    }
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    for extra in ("test", "dask"):
        wanted |= {_name(r) for r in project["optional-dependencies"][extra]}
    assert not wanted - pinned, f"run `make lock`: not in requirements.lock: {wanted - pinned}"


#: Modules and calls Windows lacks (analysts' council laptops run Windows).
POSIX_ONLY_MODULES = {"fcntl", "resource", "termios", "pwd", "grp", "posix"}
POSIX_ONLY_ATTRIBUTES = {
    ("os", "setsid"),
    ("os", "killpg"),
    ("os", "fork"),
    ("os", "getuid"),
    ("os", "setpgrp"),
    ("signal", "SIGKILL"),
    ("signal", "SIGHUP"),
    ("signal", "SIGALRM"),
    ("signal", "alarm"),
}


def _posix_only_uses(source: str) -> list[str]:
    """Direct uses of POSIX-only modules or names in ``source`` (``getattr`` with a
    default, the portable spelling, is not one).

    >>> _posix_only_uses("import fcntl\\nimport os\\nos.setsid()\\nos.getpid()")
    ['import fcntl', 'os.setsid']
    >>> _posix_only_uses("import signal\\nK = getattr(signal, 'SIGKILL', 9)")
    []
    """
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name in POSIX_ONLY_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module in POSIX_ONLY_MODULES:
            found.append(f"import {node.module}")
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id, node.attr) in POSIX_ONLY_ATTRIBUTES
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_pmf_lib_uses_no_posix_only_calls():
    bad = {
        str(p.relative_to(ROOT)): uses
        for p in sorted((ROOT / "pmf_lib").rglob("*.py"))
        if (uses := _posix_only_uses(p.read_text(encoding="utf-8")))
    }
    assert not bad, f"POSIX-only (not on Windows): {bad}"


def test_worker_processes_start_with_spawn():
    # fork is POSIX-only and unsafe with threads: every process pool names spawn, except
    # one that forks only on Linux and only from a process running a single thread (the
    # KPI engine's workers, which share the month's inputs without copying them).
    for path in sorted((ROOT / "pmf_lib").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "ProcessPoolExecutor(" in text or "multiprocessing.Pool(" in text:
            if 'get_context("fork")' in text:
                assert "threading.active_count() > 1" in text, path.relative_to(ROOT)
                assert 'sys.platform.startswith("linux")' in text, path.relative_to(ROOT)
                continue
            assert 'get_context("spawn")' in text, path.relative_to(ROOT)


def test_the_kpi_engine_forks_no_worker_beside_another_thread():
    import threading

    from pmf_lib.compute.engine import PARALLEL_FROM, worker_count

    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert worker_count(PARALLEL_FROM * 10) == 1
    finally:
        stop.set()
        other.join()
