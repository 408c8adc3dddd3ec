"""DfE code lists, once each (stage-neutral).

The codes the SSDA903 (children looked after), CIN census and CSWW (children's
social work workforce) returns use, as the DfE's 2024-25 guidance lists them.
The reader, the validation rules, the breakdowns and the demo generator all use
these lists; none keeps its own copy.
"""

from __future__ import annotations

#: The label of a group for a missing, refused or unrecognised code.
NOT_KNOWN = "Not known"

#: DfE ethnicity codes (SSDA903 ``ETHNIC``, CIN census ``Ethnicity``) to the DfE
#: major groups; refused (REFU) and not obtained (NOBT) are "Not known".
ETHNICITY_GROUPS: dict[str, str] = {
    **dict.fromkeys(("WBRI", "WIRI", "WOTH", "WIRT", "WROM"), "White"),
    **dict.fromkeys(("MWBC", "MWBA", "MWAS", "MOTH"), "Mixed"),
    **dict.fromkeys(("AIND", "APKN", "ABAN", "AOTH"), "Asian or Asian British"),
    **dict.fromkeys(("BCRB", "BAFR", "BOTH"), "Black or Black British"),
    **dict.fromkeys(("CHNE", "OOTH"), "Other ethnic group"),
    **dict.fromkeys(("REFU", "NOBT"), NOT_KNOWN),
}

#: The DfE ethnicity codes of children (SSDA903 and CIN census), in the DfE's order.
ETHNICITY_CODES: tuple[str, ...] = tuple(ETHNICITY_GROUPS)

#: The CSWW census's ethnicity codes for social workers: the children's list
#: without the Traveller of Irish heritage (WIRT) and Gypsy/Roma (WROM) codes,
#: which the workforce census schema does not have.
WORKFORCE_ETHNICITY_CODES: tuple[str, ...] = tuple(
    c for c in ETHNICITY_CODES if c not in ("WIRT", "WROM")
)

#: Sex codes (SSDA903 ``SEX``, CIN census ``Sex``) and their labels.
SEX_GROUPS: dict[str, str] = {"1": "Male", "2": "Female"}
SEX_CODES: tuple[str, ...] = tuple(SEX_GROUPS)

#: SSDA903 reason for new episode (``RNE``).
REASON_NEW_EPISODE_CODES = ("S", "L", "P", "T", "B", "U")

#: SSDA903 legal status (``LS``).
LEGAL_STATUS_CODES = ("C1", "C2", "D1", "E1", "V2", "V3", "V4", "L1", "L2", "L3", "J1", "J2", "J3")

#: SSDA903 category of need (``CIN``), N1 abuse or neglect to N8 absent parenting.
CATEGORY_OF_NEED_CODES = ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8")

#: CIN census primary need (``PrimaryNeedCode``): the 903 categories plus N9 (cases
#: other than children in need) and N0 (not stated).
CIN_PRIMARY_NEED_CODES = ("N0", *CATEGORY_OF_NEED_CODES, "N9")

#: CIN census initial category of abuse of a child protection plan
#: (``InitialCategoryOfAbuse``): neglect, physical, sexual, emotional, multiple.
CP_CATEGORY_OF_ABUSE_CODES = ("NEG", "PHY", "SAB", "EMO", "MUL")

#: SSDA903 placement type (``PLACE``).
PLACEMENT_CODES = (
    "A3",
    "A4",
    "A5",
    "A6",
    "H5",
    "K1",
    "K2",
    "P1",
    "P2",
    "P3",
    "R1",
    "R2",
    "R3",
    "R5",
    "S1",
    "T0",
    "T1",
    "T2",
    "T3",
    "T4",
    "U1",
    "U2",
    "U3",
    "U4",
    "U5",
    "U6",
    "Z1",
)

#: SSDA903 placement provider (``PLACE_PROVIDER``).
PLACEMENT_PROVIDER_CODES = ("PR0", "PR1", "PR2", "PR3", "PR4", "PR5")

#: SSDA903 reason episode ceased (``REC``); X1 is "episode ceases, care continues".
REASON_EPISODE_CEASED_CODES = (
    "X1",
    "E11",
    "E12",
    "E2",
    "E3",
    "E4A",
    "E4B",
    "E13",
    "E41",
    "E45",
    "E46",
    "E47",
    "E48",
    "E5",
    "E6",
    "E7",
    "E8",
    "E9",
    "E14",
    "E15",
    "E16",
    "E17",
)
