"""The batch's options: each bad value is one PmfError naming the option, before any work."""

from __future__ import annotations

import pytest

from pmf_lib.errors import PmfError
from pmf_lib.publish.options import DEFAULT_TIMEOUT, RunOptions


def test_defaults():
    o = RunOptions.check()
    assert (o.month, o.jobs, o.timeout, o.engine, o.executor) == (
        "latest",
        None,
        DEFAULT_TIMEOUT,
        "warm",
        "local",
    )
    assert not (o.force or o.retry_failed or o.quiet)


@pytest.mark.parametrize(
    ("options", "field", "message"),
    [
        ({"month": "Oct 2026"}, "month", "expected YYYY-MM or 'latest', got 'Oct 2026'"),
        ({"month": "2026-13"}, "month", "expected YYYY-MM"),
        ({"jobs": 0}, "jobs", "jobs must be a whole number of at least 1, got 0"),
        ({"jobs": 1.5}, "jobs", "jobs must be a whole number"),
        ({"jobs": True}, "jobs", "jobs must be a whole number"),
        ({"engine": "hot"}, "engine", "unknown engine 'hot'; expected warm or papermill"),
        ({"timeout": float("nan")}, "timeout", "timeout must be a positive number"),
        ({"timeout": float("inf")}, "timeout", "timeout must be a positive number"),
        ({"timeout": 0}, "timeout", "timeout must be a positive number"),
        ({"timeout": "10"}, "timeout", "timeout must be a positive number"),
        ({"force": True, "retry_failed": True}, "retry_failed", "not both"),
        ({"colour": "red"}, "colour", "Extra inputs are not permitted"),
    ],
)
def test_a_bad_option_is_one_line_naming_it(options, field, message):
    with pytest.raises(PmfError) as e:
        RunOptions.check(**options)
    assert e.value.field == field
    assert message in str(e.value)


def test_good_values_pass_and_a_whole_timeout_becomes_seconds():
    o = RunOptions.check(month="2026-10", jobs=3, timeout=15, engine="papermill", force=True)
    assert (o.month, o.jobs, o.timeout, o.engine, o.force) == (
        "2026-10",
        3,
        15.0,
        "papermill",
        True,
    )
    assert isinstance(o.timeout, float)


def test_an_executor_object_is_accepted_as_it_is():
    runner = object()
    assert RunOptions.check(executor=runner).executor is runner
