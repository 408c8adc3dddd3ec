"""DfE SSDA903 validation rules that change CLA KPI figures.

Codes and messages are DfE's (as published in the 2024-25 rule list of
data-to-insight's 903 validator, MIT licence). Each function returns the rows
at fault. The chosen rules guard the fields the CLA KPIs read: episode dates
and their order, reason for new episode, legal status (short breaks are
excluded by LS), placement codes, and date of birth (age conditions).
"""

from __future__ import annotations

import pandas as pd

from pmf_lib.codes import CATEGORY_OF_NEED_CODES as CIN
from pmf_lib.codes import ETHNICITY_CODES as ETHNIC
from pmf_lib.codes import LEGAL_STATUS_CODES as LS
from pmf_lib.codes import PLACEMENT_CODES as PLACE
from pmf_lib.codes import PLACEMENT_PROVIDER_CODES as PLACE_PROVIDER
from pmf_lib.codes import REASON_EPISODE_CEASED_CODES as REC
from pmf_lib.codes import REASON_NEW_EPISODE_CODES as RNE
from pmf_lib.codes import SEX_CODES as SEX
from pmf_lib.validate.rules import Context, invalid_code, mask, rule, with_child, years_between

S = "ssda903"


def _episodes(ctx: Context) -> pd.DataFrame:
    return ctx.table("episodes", S)


def _header(ctx: Context) -> pd.DataFrame:
    return ctx.table("header", S)


def _year_end(df: pd.DataFrame) -> pd.Series:
    year = pd.to_numeric(df["collection_year"], errors="coerce")
    if not len(df):
        return pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    out = pd.to_datetime({"year": year, "month": 3, "day": 31}, errors="coerce")
    out.index = df.index
    return out


def _sorted(ep: pd.DataFrame) -> pd.DataFrame:
    return ep.sort_values(["CHILD", "DECOM"], kind="stable")


def _same_child(e: pd.DataFrame, periods: int) -> pd.Series:
    """Whether the row ``periods`` before (1) or after (-1) is the same child's."""
    return e["CHILD"].eq(e["CHILD"].shift(periods)).fillna(False).astype(bool)


# ---- Header ------------------------------------------------------------------


@rule("101", "Gender code is not valid.", source=S, table="header", fields=("SEX",))
def r101(ctx):
    return invalid_code(_header(ctx), "SEX", SEX, required=True)


@rule("102", "Date of birth is not a valid date.", source=S, table="header", fields=("DOB",))
def r102(ctx):
    h = _header(ctx)
    return h[h["DOB"].isna()]


@rule(
    "103",
    "The ethnicity code is either not valid or has not been entered.",
    source=S,
    table="header",
    fields=("ETHNIC",),
)
def r103(ctx):
    return invalid_code(_header(ctx), "ETHNIC", ETHNIC, required=True)


@rule("301", "Date of birth falls after the year ended.", source=S, table="header", fields=("DOB",))
def r301(ctx):
    h = _header(ctx)
    return mask(h, h["DOB"] > _year_end(h))


@rule(
    "INT32",
    "Internal Check: Child should only exist once in Header.",
    source=S,
    table="header",
    fields=("CHILD",),
)
def rint32(ctx):
    h = _header(ctx)
    return h[h.duplicated(["CHILD", "collection_year"], keep=False)]


# ---- Episodes: codes -----------------------------------------------------------


@rule(
    "141", "Date episode began is not a valid date.", source=S, table="episodes", fields=("DECOM",)
)
def r141(ctx):
    e = _episodes(ctx)
    return e[e["DECOM"].isna()]


@rule(
    "143",
    "The reason for new episode code is not a valid code.",
    source=S,
    table="episodes",
    fields=("RNE",),
)
def r143(ctx):
    return invalid_code(_episodes(ctx), "RNE", RNE, required=True)


@rule(
    "144", "The legal status code is not a valid code.", source=S, table="episodes", fields=("LS",)
)
def r144(ctx):
    return invalid_code(_episodes(ctx), "LS", LS, required=True)


@rule(
    "145", "Category of need code is not a valid code.", source=S, table="episodes", fields=("CIN",)
)
def r145(ctx):
    return invalid_code(_episodes(ctx), "CIN", CIN, required=True)


@rule(
    "146", "Placement type code is not a valid code.", source=S, table="episodes", fields=("PLACE",)
)
def r146(ctx):
    return invalid_code(_episodes(ctx), "PLACE", PLACE, required=True)


@rule(
    "148",
    "Date episode ceased and reason episode ceased must both be coded, or both left blank.",
    source=S,
    table="episodes",
    fields=("DEC", "REC"),
)
def r148(ctx):
    e = _episodes(ctx)
    rec = e["REC"].astype("string").str.strip().replace("", pd.NA)
    return mask(e, e["DEC"].notna() != rec.notna())


@rule(
    "149", "Reason episode ceased code is not valid. ", source=S, table="episodes", fields=("REC",)
)
def r149(ctx):
    return invalid_code(_episodes(ctx), "REC", REC, required=False)


@rule(
    "178",
    "Placement provider code is not a valid code.",
    source=S,
    table="episodes",
    fields=("PLACE_PROVIDER",),
)
def r178(ctx):
    return invalid_code(_episodes(ctx), "PLACE_PROVIDER", PLACE_PROVIDER, required=False)


@rule(
    "445",
    "D1 is not a valid code for episodes starting after December 2005.",
    source=S,
    table="episodes",
    fields=("DECOM", "LS"),
)
def r445(ctx):
    e = _episodes(ctx)
    return mask(e, (e["LS"] == "D1") & (e["DECOM"] > pd.Timestamp("2005-12-30")))


@rule(
    "446",
    "E1 is not a valid code for episodes starting before December 2005.",
    source=S,
    table="episodes",
    fields=("DECOM", "LS"),
)
def r446(ctx):
    e = _episodes(ctx)
    return mask(e, (e["LS"] == "E1") & (e["DECOM"] < pd.Timestamp("2005-12-30")))


# ---- Episodes: dates and sequence ---------------------------------------------


@rule(
    "142",
    "A new episode has started, but the previous episode has not ended.",
    source=S,
    table="episodes",
    fields=("DEC", "REC"),
)
def r142(ctx):
    e = _sorted(_episodes(ctx))
    has_next = _same_child(e, -1)
    return mask(e, has_next & e["DEC"].isna())


@rule(
    "501",
    "A new episode has started before the end date of the previous episode.",
    source=S,
    table="episodes",
    fields=("DEC", "DECOM"),
)
def r501(ctx):
    e = _sorted(_episodes(ctx))
    same = _same_child(e, 1)
    return mask(e, same & (e["DECOM"] < e["DEC"].shift(1)))


@rule(
    "353",
    "No episode submitted can start before 14 October 1991.",
    source=S,
    table="episodes",
    fields=("DECOM",),
)
def r353(ctx):
    e = _episodes(ctx)
    return mask(e, e["DECOM"] < pd.Timestamp("1991-10-14"))


@rule(
    "354",
    "Date episode ceased must be on or before the end of the current collection year.",
    source=S,
    table="episodes",
    fields=("DECOM",),
)
def r354(ctx):
    e = _episodes(ctx)
    return mask(e, e["DEC"] > _year_end(e))


@rule(
    "355",
    "Episode appears to have lasted for less than 24 hours",
    source=S,
    table="episodes",
    fields=("DEC", "DECOM"),
)
def r355(ctx):
    e = _episodes(ctx)
    return mask(e, e["DEC"] == e["DECOM"])


@rule(
    "356",
    "The date the episode ceased is before the date the same episode started.",
    source=S,
    table="episodes",
    fields=("DECOM",),
)
def r356(ctx):
    e = _episodes(ctx)
    return mask(e, e["DEC"] < e["DECOM"])


@rule(
    "357",
    "If this is the first episode ever for this child, reason for new episode must "
    "be S.  Check whether there is an episode immediately preceding this one, which has been "
    "left out. If not the reason for new episode code must be amended to S.",
    source=S,
    table="episodes",
    fields=("RNE",),
)
def r357(ctx):
    e = _sorted(_episodes(ctx))
    first = ~_same_child(e, 1)
    year_start = _year_end(e) - pd.DateOffset(years=1) + pd.Timedelta(days=1)
    # only where the episode began in its own return's year, so an earlier
    # episode would be in the data if there were one
    return mask(e, first & (e["RNE"] != "S") & (e["DECOM"] >= year_start))


@rule(
    "437",
    "Reason episode ceased is child has died or is aged 18 or over but there are further episodes.",
    source=S,
    table="episodes",
    fields=("REC",),
)
def r437(ctx):
    e = _sorted(_episodes(ctx))
    has_next = _same_child(e, -1)
    return mask(e, has_next & e["REC"].isin(["E2", "E15"]))


def _longer_than(ctx, ls: str, days: int):
    e = _episodes(ctx)
    return mask(e, (e["LS"] == ls) & ((e["DEC"] - e["DECOM"]).dt.days > days))


@rule(
    "361",
    "Police protection legal status lasted longer than maximum 72 hours allowed in "
    "the Children Act 1989.",
    source=S,
    table="episodes",
    fields=("DEC", "DECOM", "LS"),
)
def r361(ctx):
    return _longer_than(ctx, "L1", 3)


@rule(
    "362",
    "Emergency protection order (EPO) lasted longer than 21 days",
    source=S,
    table="episodes",
    fields=("DEC", "DECOM", "LS"),
)
def r362(ctx):
    return _longer_than(ctx, "L2", 21)


@rule(
    "363",
    "Child assessment order (CAO) lasted longer than 7 days allowed in the Children Act 1989.",
    source=S,
    table="episodes",
    fields=("DEC", "DECOM", "LS"),
)
def r363(ctx):
    return _longer_than(ctx, "L3", 7)


@rule(
    "365",
    "Any individual short- term respite placement must not exceed 17 days.",
    source=S,
    table="episodes",
    fields=("DEC", "DECOM", "LS"),
)
def r365(ctx):
    return _longer_than(ctx, "V3", 17)


# ---- Episodes against Header ---------------------------------------------------


def _with_dob(ctx) -> pd.DataFrame:
    return with_child(_episodes(ctx), _header(ctx), "CHILD", ["DOB"])


@rule(
    "302",
    "First episode starts before child was born.",
    source=S,
    table="episodes",
    fields=("DECOM", "DOB"),
)
def r302(ctx):
    e = _with_dob(ctx)
    return mask(e, e["DECOM"] < e["_DOB"])


@rule(
    "352",
    "Child who started to be looked after was aged 18 or over.",
    source=S,
    table="episodes",
    fields=("DECOM", "RNE"),
)
def r352(ctx):
    e = _with_dob(ctx)
    return mask(e, (e["RNE"] == "S") & (years_between(e["_DOB"], e["DECOM"]) >= 18))


@rule(
    "358",
    "Child with this legal status should not be under 10.",
    source=S,
    table="episodes",
    fields=("DECOM", "DOB", "LS"),
)
def r358(ctx):
    e = _with_dob(ctx)
    return mask(e, e["LS"].isin(["J1", "J2", "J3"]) & (years_between(e["_DOB"], e["DECOM"]) < 10))


@rule(
    "460",
    "Reason episode ceased is that child stayed with current carers at age 18 (or "
    "above), but child is aged under 18.",
    source=S,
    table="episodes",
    fields=("DEC", "REC"),
)
def r460(ctx):
    e = _with_dob(ctx)
    return mask(e, (e["REC"] == "E17") & (years_between(e["_DOB"], e["DEC"]) < 18))


@rule(
    "INT03",
    "Internal Check: Child in Episodes does not exist in Header.",
    source=S,
    table="episodes",
    fields=("CHILD",),
)
def rint03(ctx):
    e = _episodes(ctx)
    return e[~e["CHILD"].isin(_header(ctx)["CHILD"]).fillna(False).astype(bool).to_numpy()]
