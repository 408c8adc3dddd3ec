"""Small vectorised helpers the simulation's parts share: coded draws and padded numbers."""

from __future__ import annotations

import numpy as np


def choice(rng, codes_p, n):
    codes, p = codes_p
    p = np.asarray(p, dtype=float)
    return np.asarray(codes, dtype=object)[rng.choice(len(codes), size=n, p=p / p.sum())]


def zfill(values: np.ndarray, width: int) -> np.ndarray:
    """Strings of ``values`` zero-padded to ``width`` (``np.char.zfill``, safe when empty).

    Examples
    --------
    >>> zfill(np.array([7]), 3).tolist(), zfill(np.array([], dtype=int), 3).tolist()
    (['007'], [])
    """
    values = np.asarray(values).astype(str)
    return np.char.zfill(values, width) if len(values) else values
