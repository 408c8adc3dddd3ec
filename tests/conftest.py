"""Shared fixtures: where ../shared/ is, and skipping when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEMO = ROOT / "data" / "demo"


def need_shared(*parts: str) -> Path:
    """Path under ../shared/, or skip the test with the reason when it is absent."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"needs {p} (the shared data pack beside the checkout), which is absent")
    return p


@pytest.fixture
def shared_data() -> Path:
    return need_shared("data")


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    """The demo council's data (written by `make demo`)."""
    if not (DEMO / ".complete").exists():
        pytest.skip("demo data absent: run `make demo` (make test does it first)")
    return DEMO
