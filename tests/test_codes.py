"""DfE code lists (pmf_lib.codes): one list each, consistent with each other."""

from __future__ import annotations

from pmf_lib import codes


def test_ethnicity_codes_and_groups_agree():
    assert len(codes.ETHNICITY_CODES) == 20 == len(set(codes.ETHNICITY_CODES))
    assert set(codes.ETHNICITY_CODES) == set(codes.ETHNICITY_GROUPS)
    assert codes.ETHNICITY_GROUPS["WROM"] == "White"
    assert codes.ETHNICITY_GROUPS["REFU"] == codes.NOT_KNOWN


def test_workforce_list_is_the_childrens_without_two_codes():
    assert set(codes.ETHNICITY_CODES) - set(codes.WORKFORCE_ETHNICITY_CODES) == {"WIRT", "WROM"}
    # in the children's order
    kept = [c for c in codes.ETHNICITY_CODES if c in codes.WORKFORCE_ETHNICITY_CODES]
    assert tuple(kept) == codes.WORKFORCE_ETHNICITY_CODES


def test_903_lists_have_no_repeats():
    for name in (
        "LEGAL_STATUS_CODES",
        "CATEGORY_OF_NEED_CODES",
        "PLACEMENT_CODES",
        "PLACEMENT_PROVIDER_CODES",
        "REASON_EPISODE_CEASED_CODES",
        "REASON_NEW_EPISODE_CODES",
        "SEX_CODES",
    ):
        values = getattr(codes, name)
        assert len(values) == len(set(values)), name
