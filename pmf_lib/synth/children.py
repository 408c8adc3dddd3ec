"""The simulated children: who they are (sex, ethnicity, disability, age, ids, UPNs).

Children are created as the simulation needs them (:class:`ChildRegistry`), each
with a date of birth and the day they first appear; :meth:`ChildRegistry.finish`
draws the rest and numbers them in order of first appearance.
"""

from __future__ import annotations

import numpy as np

from pmf_lib.synth.draws import choice, zfill

# Share of each DfE ethnicity code (pmf_lib.codes) among the simulated children, in the
# order the generator draws them (the order fixes the demo data).
ETHNIC_SHARES = {
    "WBRI": 0.74,
    "WOTH": 0.05,
    "WIRI": 0.005,
    "WIRT": 0.003,
    "WROM": 0.007,
    "MWBC": 0.02,
    "MWBA": 0.01,
    "MWAS": 0.015,
    "MOTH": 0.02,
    "AIND": 0.01,
    "APKN": 0.015,
    "ABAN": 0.005,
    "AOTH": 0.01,
    "BCRB": 0.01,
    "BAFR": 0.02,
    "BOTH": 0.005,
    "CHNE": 0.002,
    "OOTH": 0.01,
    "REFU": 0.003,
    "NOBT": 0.005,
}

ETHNIC = (list(ETHNIC_SHARES), list(ETHNIC_SHARES.values()))

DISAB = ["MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON", "AUT", "DDA"]

# Age (whole years) at a first referral.
AGE_P = np.array([9.0, 4.5, 4.5, 4.5, 4.5, 5, 5, 5, 5, 5, 6.3, 6.3, 6.3, 6.3, 6.3, 6.3, 5.5, 4.5])


class ChildRegistry:
    """Children created as the simulation needs them (arrays grown in blocks)."""

    def __init__(self) -> None:
        self.dob: list[np.ndarray] = []
        self.created: list[np.ndarray] = []
        self.n = 0

    def add(self, dob: np.ndarray, created: np.ndarray) -> np.ndarray:
        idx = np.arange(self.n, self.n + len(dob), dtype=np.int64)
        self.dob.append(np.asarray(dob, dtype=np.int64))
        self.created.append(np.asarray(created, dtype=np.int64))
        self.n += len(dob)
        return idx

    def finish(self, rng) -> dict[str, np.ndarray]:
        dob = np.concatenate(self.dob) if self.dob else np.zeros(0, np.int64)
        created = np.concatenate(self.created) if self.created else np.zeros(0, np.int64)
        n = len(dob)
        sex = np.where(rng.random(n) < 0.52, "1", "2").astype(object)
        ethnic = choice(rng, ETHNIC, n)
        # 8% of children have a disability, one or two codes.
        disab_1 = np.where(rng.random(n) < 0.08, rng.choice(DISAB, size=n), "NONE").astype(object)
        disab_2 = np.where(
            (disab_1 != "NONE") & (rng.random(n) < 0.3), rng.choice(DISAB, size=n), ""
        ).astype(object)
        disab_2 = np.where(disab_2 == disab_1, "", disab_2).astype(object)
        # Ids follow first appearance, so numbering is stable and readable.
        order = np.lexsort((np.arange(n), created))
        rank = np.empty(n, np.int64)
        rank[order] = np.arange(1, n + 1)
        width = max(7, len(str(n)))
        ids = np.char.add("DC", zfill(rank, width)).astype(object)
        upn = fake_upns(rng, n)
        return {
            "id": ids,
            "dob": dob,
            "created": created,
            "sex": sex,
            "ethnic": ethnic,
            "disab_1": disab_1,
            "disab_2": disab_2,
            "upn": upn,
        }


def fake_upns(rng, n: int) -> np.ndarray:
    """UPN-shaped fakes: a check letter, LA 938, establishment 99xx, year and serial.

    The check letter follows the DfE algorithm (weights 2-13 on the 12 digits,
    sum mod 23 into ``ABCDEFGHJKLMNPQRTUVWXYZ``), so validators accept them.
    """
    digits = np.zeros((n, 12), dtype=np.int64)
    digits[:, 0:3] = [9, 3, 8]
    digits[:, 3:5] = 9
    digits[:, 5:12] = rng.integers(0, 10, size=(n, 7))
    check = (digits * np.arange(2, 14)).sum(axis=1) % 23
    letters = np.array(list("ABCDEFGHJKLMNPQRTUVWXYZ"), dtype=object)
    number = (digits * (10 ** np.arange(11, -1, -1, dtype=np.int64))).sum(axis=1)
    body = zfill(number, 12).astype(object)
    return (letters[check] + body).astype(object)
