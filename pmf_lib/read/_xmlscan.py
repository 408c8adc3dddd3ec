"""A vectorised scanner for plain XML: the fast path of the CIN census reader.

"Plain" XML has only start and end tags without attributes or namespace
prefixes (``<Name>``, ``</Name>``) and text: no comments, processing
instructions, CDATA sections, DOCTYPE, entity or character references, or
empty-element tags (``<Name/>``). In plain XML every ``<`` opens a tag and the
first ``>`` after it closes the tag, so the markup can be found with NumPy over
the bytes, with no Python work per element. A CIN census return as councils'
systems write it is plain XML; anything else is left to the lxml reader.

:func:`scan` does *not* check well-formedness (the caller parses the file with
lxml for that); it returns None for text that is not plain XML or does not hold
whole elements, and the caller then reads the file the ordinary way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# The characters Python's str.strip() removes: the reader strips text as lxml
# hands it to Python, so the fast path strips exactly the same characters.
PY_WHITESPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_NOT_PLAIN = (b"&", b"<!", b"<?", b"/>")
_MAX_NAME, _MAX_NAMES = 64, 10_000  # longest tag name, most distinct names
_LT, _GT, _SLASH, _BANG, _QUESTION, _AMP = 60, 62, 47, 33, 63, 38
_PRIME = np.uint64(0x100000001B3)


@dataclass
class Scan:
    """The elements of a run of whole elements, as arrays, in document order.

    Element ``i`` (its start tag is token ``tok[i]`` of the text's tags) is named
    ``names[code[i]]``, lies at depth ``level[i]`` (0: the top-level elements of
    the text) and its parent is element ``parent[i]`` (-1 at the top).
    """

    pieces: pa.LargeStringArray  # 2k: tag k ("<...>"), 2k + 1: the text after it (raw)
    tok: np.ndarray
    code: np.ndarray
    level: np.ndarray
    parent: np.ndarray
    names: list[str]
    cr: bool  # the text holds a carriage return somewhere

    def __post_init__(self) -> None:
        # elements grouped by name, each group in document order
        self._order = np.argsort(self.code.astype(np.int16), kind="stable")
        self._bounds = np.searchsorted(self.code[self._order], np.arange(len(self.names) + 1))

    def __len__(self) -> int:
        return len(self.code)

    def code_of(self, name: str) -> int:
        """The code of a tag name, or -1 when the text has no such element."""
        try:
            return self.names.index(name)
        except ValueError:
            return -1

    def starts(self, name: str) -> np.ndarray:
        """The elements named ``name``, in document order."""
        c = self.code_of(name)
        if c < 0:
            return np.empty(0, np.int64)
        return self._order[self._bounds[c] : self._bounds[c + 1]]

    def text(self, idx: np.ndarray) -> pa.LargeStringArray | None:
        """Each element's text before its first child (lxml's ``.text``), stripped as
        ``str.strip`` does, empty text null.

        Raises ``pyarrow.ArrowInvalid`` if a text is not UTF-8. None if a text holds a
        carriage return inside it (an XML parser turns it into a line feed).
        """
        raw = self.pieces.take(pa.array(2 * self.tok[idx] + 1, pa.int64()))
        raw.validate(full=True)
        text = pc.utf8_trim(raw, characters=PY_WHITESPACE)
        if self.cr and pc.any(pc.match_substring(text, "\r")).as_py():
            return None
        # empty text is null: a validity bitmap from the lengths (no text is null before)
        _, offsets, data = text.buffers()
        o = text.offset
        ends = np.frombuffer(offsets, np.int64)[o : o + len(text) + 1]
        valid = np.concatenate([np.ones(o, bool), np.diff(ends) > 0])
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
        return pa.Array.from_buffers(
            pa.large_string(), len(text), [bitmap, offsets, data], offset=o
        )


def is_plain(data: bytes) -> bool:
    """Whether ``data`` holds none of the markup :func:`scan` leaves to an XML parser.

    Examples
    --------
    >>> is_plain(b"<A><B>1</B></A>"), is_plain(b"<A>&amp;</A>"), is_plain(b"<A/>")
    (True, False, False)
    """
    return not any(m in data for m in _NOT_PLAIN)


def scan(data: bytes) -> Scan | None:
    """Tokenise plain XML holding whole elements; None if it is not that.

    Parameters
    ----------
    data : bytes
        UTF-8 text of zero or more whole elements (and text between them).

    Examples
    --------
    >>> s = scan(b"<A> <B>1</B><C>x</C></A><A><B>2</B></A>")
    >>> [s.names[c] for c in s.code], s.level.tolist(), s.parent.tolist()
    (['A', 'B', 'C', 'A', 'B'], [0, 1, 1, 0, 1], [-1, 0, 0, -1, 3])
    >>> s.text(s.starts("B")).to_pylist(), s.text(s.starts("A")).to_pylist()
    (['1', '2'], [None, None])
    >>> scan(b"<A x='1'></A>") is None, scan(b"<A><B></B>") is None, scan(b"<A>&lt;</A>")
    (True, True, None)
    """
    if b"&" in data:  # an entity or character reference
        return None
    a = np.frombuffer(data, np.uint8)
    # '<' (60) and '>' (62) in one pass: both are 62 with bit 1 set
    marks = np.flatnonzero((a | 2) == _GT)
    is_lt = a[marks] == _LT
    lt = marks[is_lt]
    n = len(lt)
    if n == 0:
        return None
    if n * 2 == len(marks) and is_lt[0::2].all():
        gt = marks[1::2]  # '<' and '>' alternate: no '>' in the text
    else:
        # '>' may also stand in text: each tag ends at the first '>' after its '<'
        gt_all = marks[~is_lt]
        g = np.searchsorted(gt_all, lt)
        if g[-1] >= len(gt_all):
            return None
        gt = gt_all[g]
        if n > 1 and not (gt[:-1] < lt[1:]).all():
            return None
    after = a[lt + 1]
    # no comments, CDATA, DOCTYPE, processing instructions or empty-element tags
    if (after == _BANG).any() or (after == _QUESTION).any() or (a[gt - 1] == _SLASH).any():
        return None
    close = after == _SLASH
    depth = np.cumsum(1 - 2 * close.view(np.int8), dtype=np.int32)
    if depth.min() < 0 or depth[-1] != 0:
        return None
    tok = np.flatnonzero(~close)
    length = gt[tok] - lt[tok] - 1
    if length.min() < 1 or length.max() > _MAX_NAME:
        return None
    code, names = _names(a, lt[tok] + 1, length)
    if code is None:
        return None
    # an element is at the depth after its start tag, minus one
    level = depth[tok] - 1
    parent = np.full(len(tok), -1, np.int64)
    above = np.flatnonzero(level == 0)
    for lv in range(1, int(level.max()) + 1):
        here = np.flatnonzero(level == lv)
        parent[here] = above[np.searchsorted(above, here) - 1]
        above = here
    # tags and texts in turn, as one Arrow array over the bytes (no copy)
    offsets = np.empty(2 * n + 1, np.int64)
    offsets[0:-1:2] = lt
    offsets[1::2] = gt + 1
    offsets[-1] = len(a)
    pieces = pa.Array.from_buffers(
        pa.large_string(), 2 * n, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    return Scan(pieces, tok, code, level, parent, names, b"\r" in data)


def _names(a: np.ndarray, start: np.ndarray, length: np.ndarray):
    """Each name (bytes ``start`` to ``start + length``) as a code into the list of
    distinct names: exact (hashed, then every name compared with its code's)."""
    words = -(-int(length.max()) // 8)
    if int((start + 8 * words).max()) > len(a):  # a word would run off the end
        a = np.concatenate([a, np.zeros(8 * words, np.uint8)])
    # the bytes as overlapping little-endian 64-bit words, one starting at each byte
    u64 = np.ndarray((len(a) - 7,), np.uint64, buffer=a, strides=(1,))

    def word(at: np.ndarray, size: np.ndarray) -> np.ndarray:
        """The ``size`` (at most 8) bytes from ``at``, as a 64-bit word."""
        w = u64[at]
        short = size < 8
        if short.any():
            bits = size[short].astype(np.uint64) * np.uint64(8)
            w[short] &= (np.uint64(1) << bits) - np.uint64(1)
        return w

    # the first and the last 8 bytes and the length: a name of up to 16 bytes whole
    first8 = word(start, np.minimum(length, 8))
    last8 = np.where(length > 8, u64[start + np.maximum(length - 8, 0)], 0)
    h = (first8 * _PRIME ^ last8) * _PRIME ^ length.astype(np.uint64)
    code, _ = pd.factorize(h)
    # factorize numbers the hashes in order of first appearance
    first = np.flatnonzero(np.diff(np.maximum.accumulate(code), prepend=-1) > 0)
    if len(first) > _MAX_NAMES:
        return None, None
    rep = first[code]  # each name's representative: the first with its hash
    same = (first8 == first8[rep]).all() and (last8 == last8[rep]).all()
    same = same and (length == length[rep]).all()
    long = np.flatnonzero(length > 16)
    for j in range(1, words - 1):  # the middle of longer names
        if not same:
            break
        long = long[length[long] > 8 * j + 8]
        size = np.minimum(length[long] - 8 * j, 8)
        same = (word(start[long] + 8 * j, size) == word(start[rep[long]] + 8 * j, size)).all()
    if not same:  # a hash collision: give up
        return None, None
    names = []
    for f in first:
        try:
            name = bytes(a[start[f] : start[f] + length[f]]).decode("ascii")
        except UnicodeDecodeError:
            return None, None
        if not _NAME.fullmatch(name):
            return None, None
        names.append(name)
    return code.astype(np.int64), names
