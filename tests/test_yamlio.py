"""YAML plus pydantic (pmf_lib.yamlio): one line naming the file and the key."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict, field_validator

from pmf_lib.errors import PmfError
from pmf_lib.yamlio import load_model, plain_message


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    size: int = 1

    @field_validator("name")
    @classmethod
    def _no_spaces(cls, v: str) -> str:
        if " " in v:
            raise ValueError(f"name {v!r} has a space")
        return v


class File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[Item] = []


def test_empty_file_is_the_defaults(tmp_path):
    p = tmp_path / "f.yaml"
    p.write_text("")
    assert load_model(p, File).items == []


@pytest.mark.parametrize(
    "text,field,pydantic_words,plain_words",
    [
        (
            "items: [{name: a, colour: red}]\n",
            "items.0.colour",
            "Extra inputs are not permitted",
            "unknown key",
        ),
        ("items: [{size: 2}]\n", "items.0.name", "Field required", "required key is missing"),
        (
            "items: [{name: a b}]\n",
            "items.0.name",
            "Value error, name 'a b' has a space",
            "name 'a b' has a space",
        ),
        (
            "items: [{name: a, size: lots}]\n",
            "items.0.size",
            "Input should be a valid integer, unable to parse string as an integer",
            "Input should be a valid integer, unable to parse string as an integer (got 'lots')",
        ),
    ],
)
def test_first_problem_names_file_and_key(tmp_path, text, field, pydantic_words, plain_words):
    p = tmp_path / "f.yaml"
    p.write_text(text)
    with pytest.raises(PmfError) as e:
        load_model(p, File)
    assert (e.value.file, e.value.field, e.value.message) == (str(p), field, pydantic_words)
    with pytest.raises(PmfError) as e:
        load_model(p, File, message=plain_message)
    assert e.value.message == plain_words


def test_yaml_errors_come_from_textio(tmp_path):
    p = tmp_path / "f.yaml"
    p.write_text("items: [\n")
    with pytest.raises(PmfError, match=r"f.yaml, line \d+: not valid YAML"):
        load_model(p, File)
