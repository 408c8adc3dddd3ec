"""Text and YAML reading (pmf_lib.textio): encodings, located value errors, alias budget."""

from __future__ import annotations

import pytest

from pmf_lib.errors import PmfError
from pmf_lib.textio import ALIAS_BUDGET, decode_text, load_yaml, parse_yaml, short_repr


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_decodes_what_councils_save(encoding):
    # é, the en dash and curly quotes are different bytes in each encoding.
    assert decode_text("Café – “quoted”".encode(encoding)) == "Café – “quoted”"


@pytest.mark.parametrize(
    "data,words",
    [
        ("a: 1\n".encode("utf-16"), "NUL bytes"),
        (b"a: 1\x01\n", "control character 0x01"),
        (b"a: \x81\x8d\n", "byte 0x81 is neither UTF-8 nor Windows-1252"),
    ],
)
def test_what_is_not_text_is_one_error(data, words, tmp_path):
    p = tmp_path / "x.yaml"
    p.write_bytes(data)
    with pytest.raises(PmfError, match=words) as e:
        load_yaml(p)
    assert e.value.file == str(p)


def test_value_error_names_the_key_path_in_lists_and_mappings():
    text = "k:\n  - {from: 2024-04-01}\n  - {from: 2024-02-30}\n"
    with pytest.raises(PmfError) as e:
        parse_yaml(text, "t.yaml")
    # The second period (index 1) on line 3.
    assert (e.value.location, e.value.field) == ("line 3", "k[1].from")


def test_aliases_within_the_budget_are_fine():
    # 2 levels of 9: 9 + 81 = 90 values added, far inside the budget.
    text = "a: &a [1, 2]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n"
    data = parse_yaml(text)
    assert data["c"][3][8] == [1, 2]
    assert ALIAS_BUDGET == 10_000


def test_short_repr_never_walks_a_shared_structure():
    # 9**40 leaves if walked: short_repr stops at its limit.
    v = ["x"]
    for _ in range(40):
        v = [v] * 9
    assert len(short_repr(v)) <= 60
    assert short_repr("y" * 10_000).endswith("...") and len(short_repr("y" * 10_000)) == 60


def test_a_source_file_is_hashed_whole_from_its_one_opening(tmp_path):
    import hashlib
    import io

    from pmf_lib.textio import FileHash, file_key, open_source, recording_hashes

    p = tmp_path / "cin.xml"
    body = b"<Message>" + b"<Child/>" * 1000 + b"</Message>"
    p.write_bytes(body)
    with recording_hashes() as hashes:
        with open_source(p) as f:
            assert f.read(9) == b"<Message>"  # sniff the root
            f.seek(0)  # rewind: the same opening, the first 9 bytes hashed once
            assert f.read(17) == b"<Message><Child/>"
            with pytest.raises(io.UnsupportedOperation):
                f.seek(100)  # never past what was read (that would skip bytes)
        # closed after reading 17 bytes: the rest is read and hashed on closing
    assert hashes == {file_key(p): FileHash(len(body), hashlib.sha256(body).hexdigest())}
