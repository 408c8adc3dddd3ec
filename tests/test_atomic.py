"""Atomic writes (pmf_lib.atomic): the old file or folder survives a failed write."""

from __future__ import annotations

import os

import pytest

from pmf_lib.atomic import OutputError, atomic_dir, before_replace, remove, write_text_atomic
from pmf_lib.errors import PmfError


def test_written_file_is_readable_by_others(tmp_path):
    p = write_text_atomic("x", tmp_path / "a.txt")
    assert os.stat(p).st_mode & 0o777 == 0o644  # not mkstemp's private 0o600


def test_refused_rename_keeps_old_file_and_leaves_no_temporary(tmp_path):
    target = write_text_atomic("old", tmp_path / "r.html")

    def refuse(path):
        raise PmfError("refused", file=path)

    with before_replace(refuse), pytest.raises(PmfError, match="refused"):
        write_text_atomic("new", target)
    with before_replace(refuse), pytest.raises(PmfError, match="refused"):
        remove(target)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_folder_replaced_whole(tmp_path):
    with atomic_dir(tmp_path / "demo") as d:
        (d / "old.csv").write_text("1")
    with atomic_dir(tmp_path / "demo") as d:
        (d / "new.csv").write_text("2")
    assert [p.name for p in (tmp_path / "demo").iterdir()] == ["new.csv"]
    assert [p.name for p in tmp_path.iterdir()] == ["demo"]  # nothing left beside it


def test_unwritable_target_is_one_line(tmp_path):
    (tmp_path / "outputs").write_text("a file where a folder should be")
    with pytest.raises(OutputError, match="it is a file, not a folder"):
        write_text_atomic("x", tmp_path / "outputs" / "k.csv")
