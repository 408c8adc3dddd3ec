"""Reading text and YAML files the one way every stage does (stage-neutral).

* :func:`decode_text` / :func:`read_text` — UTF-8 (with or without a byte-order
  mark), else Windows-1252, as councils' exports come; a binary, UTF-16 or
  control-character file is one :class:`~pmf_lib.errors.PmfError` naming the
  file and the row.
* :func:`load_yaml` — a parameters file (config, targets, schedule, KPI
  catalogue) read with PyYAML's safe loader. A syntax error, and a value PyYAML
  cannot construct (``2022-13-01``, ``2024-02-30`` raise ``ValueError``, not
  ``YAMLError``), is one line naming the file, the line and the key. Aliases may
  expand to at most :data:`ALIAS_BUDGET` nodes in all, so an "alias bomb"
  (a billion laughs) is refused at once instead of hanging the command.
* :func:`short_repr` — a value for an error message, never longer than
  ``limit`` characters however large (or deeply shared) the value is.
* :func:`open_source` / :func:`read_bytes` — a data file opened once and
  hashed as it is read: within :func:`recording_hashes` each file's size and
  SHA-256 are recorded from the very bytes its reader parsed, so the month's
  fingerprint (:mod:`pmf_lib.publish.fingerprint`) never opens it again.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

import yaml

from pmf_lib.errors import PmfError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

#: Nodes that YAML aliases may add to a document in all (a config uses a handful).
ALIAS_BUDGET = 10_000


def short_repr(value, limit: int = 60) -> str:
    """``repr(value)`` cut to at most ``limit`` characters, built without formatting the rest.

    Safe for values whose full ``repr`` would be huge: a YAML alias bomb's nested
    lists share their members, so their ``repr`` is exponential in size.

    Examples
    --------
    >>> short_repr("2022-13-01")
    "'2022-13-01'"
    >>> bomb = ["lol"] * 9
    >>> for _ in range(30):
    ...     bomb = [bomb] * 9
    >>> s = short_repr(bomb, limit=20)
    >>> s, len(s) <= 20
    ('[[[[[[[[[[[[[[[[[...', True)
    """
    parts: list[str] = []
    room = [limit + 1]

    def emit(s: str) -> bool:
        if room[0] <= 0:
            return False
        parts.append(s[: room[0]])
        room[0] -= len(s)
        return room[0] > 0

    def walk(v) -> bool:
        if isinstance(v, dict):
            if not emit("{"):
                return False
            for i, (k, x) in enumerate(v.items()):
                if (i and not emit(", ")) or not walk(k) or not emit(": ") or not walk(x):
                    return False
            return emit("}")
        if isinstance(v, list | tuple):
            open_, close = ("[", "]") if isinstance(v, list) else ("(", ")")
            if not emit(open_):
                return False
            for i, x in enumerate(v):
                if (i and not emit(", ")) or not walk(x):
                    return False
            return emit(close)
        if isinstance(v, str | bytes) and len(v) > limit:
            v = v[: limit + 1]
        return emit(repr(v))

    walk(value)
    text = "".join(parts)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def decode_text(data: bytes, path: str | Path | None = None) -> str:
    """Bytes as text: UTF-8 (a byte-order mark is dropped), else Windows-1252.

    Raises
    ------
    PmfError
        For NUL bytes (binary or UTF-16), bytes that are neither encoding, or a
        control character, naming the file and the row.

    Examples
    --------
    >>> decode_text("Café".encode("utf-8-sig")), decode_text("Café".encode("cp1252"))
    ('Café', 'Café')
    >>> try:
    ...     decode_text("a\\nb".encode("utf-16"), "x.yaml")
    ... except PmfError as e:
    ...     print(e)
    x.yaml: not a text file (it contains NUL bytes: binary or UTF-16?)
    """
    if b"\x00" in data:
        raise PmfError("not a text file (it contains NUL bytes: binary or UTF-16?)", file=path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise PmfError(
                f"unreadable encoding: byte 0x{data[e.start]:02x} is neither UTF-8 nor "
                "Windows-1252 text",
                file=path,
                location=f"row {line}",
            ) from None
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise PmfError(
            f"not a text file (control character 0x{ord(bad.group()):02x}; "
            "binary data or a wrong encoding)",
            file=path,
            location=f"row {line}",
        )
    return text


def read_text(path: str | Path, *, allow_empty: bool = False) -> str:
    """A text file's contents, decoded by :func:`decode_text`.

    Raises
    ------
    PmfError
        For a file that cannot be opened, is empty (unless ``allow_empty``) or
        is not text.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.md"
    >>> _ = p.write_bytes("Résumé".encode("cp1252"))
    >>> read_text(p)
    'Résumé'
    """
    path = Path(path)
    try:
        data = read_bytes(path)
    except OSError as e:
        raise PmfError(f"cannot open the file ({e.strerror})", file=path) from None
    if not data.strip() and not allow_empty:
        raise PmfError("the file is empty", file=path)
    return decode_text(data, path)


@dataclass(frozen=True)
class FileHash:
    """A file's size in bytes and the SHA-256 of its bytes (hex)."""

    size: int
    sha256: str


_HASHES: ContextVar[dict[str, FileHash] | None] = ContextVar("pmf_file_hashes", default=None)


def file_key(path: str | Path) -> str:
    """The key of a file in :func:`recording_hashes`: its absolute path, as text.

    Examples
    --------
    >>> file_key("/data/a.csv")
    '/data/a.csv'
    """
    return os.path.abspath(os.fspath(path))


@contextmanager
def recording_hashes() -> Iterator[dict[str, FileHash]]:
    """Within the block, each file opened by :func:`open_source` is hashed as it is read.

    Yields the record, ``{file_key(path): FileHash}``, filled as each file is
    closed (in this thread; files read in worker processes are not recorded).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_bytes(b"abc")
    >>> with recording_hashes() as hashes:
    ...     data = read_bytes(p)
    >>> hashes[file_key(p)]  # doctest: +ELLIPSIS
    FileHash(size=3, sha256='ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    """
    record: dict[str, FileHash] = {}
    token = _HASHES.set(record)
    try:
        yield record
    finally:
        _HASHES.reset(token)


class SourceFile:
    """A data file open for reading in binary, hashed as it is read (:func:`open_source`).

    A binary file object for the readers (``read``, ``seek``, ``close``; a
    context manager). Rewinding (``seek`` back to a position already read)
    does not open the file again, so a reader may sniff the start, then parse
    from the beginning. When a recording is active (:func:`recording_hashes`),
    closing the file reads whatever its reader left unread and records the size
    and SHA-256 of all of it; otherwise nothing is hashed.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file = open(self.path, "rb")  # noqa: SIM115  (closed by close())
        self._record = _HASHES.get()
        self._hash = hashlib.sha256() if self._record is not None else None
        self._pos = 0  # where the next read starts
        self._seen = 0  # the bytes [0, _seen) were read (and are in the hash)

    def __enter__(self) -> SourceFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        return self._file.closed

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Move back (or forward within what was read); never past the bytes read."""
        target = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos}.get(whence)
        if target is None or not 0 <= target + offset <= self._seen:
            raise io.UnsupportedOperation("a source file is read in order (it may rewind)")
        self._pos = self._file.seek(target + offset)
        return self._pos

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes (all the rest for a negative or None ``size``)."""
        data = self._file.read(-1 if size is None else size)
        end = self._pos + len(data)
        if end > self._seen:
            if self._hash is not None:
                self._hash.update(memoryview(data)[self._seen - self._pos :])
            self._seen = end
        self._pos = end
        return data

    def close(self) -> None:
        """Close the file; when recording, first hash the rest and record the whole."""
        if self._file.closed:
            return
        try:
            if self._hash is not None:
                try:
                    self._file.seek(self._seen)
                    while block := self._file.read(1 << 20):
                        self._hash.update(block)
                        self._seen += len(block)
                except OSError:  # not recorded: the fingerprint hashes it itself
                    pass
                else:
                    self._record[file_key(self.path)] = FileHash(self._seen, self._hash.hexdigest())
        finally:
            self._file.close()


def open_source(path: str | Path) -> SourceFile:
    """Open a data file for reading in binary, once (:class:`SourceFile`).

    Raises ``OSError`` as :func:`open` does, for the caller to name the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.xml"
    >>> _ = p.write_bytes(b"<a>1</a>")
    >>> with recording_hashes() as hashes, open_source(p) as f:
    ...     head = f.read(3)
    ...     _ = f.seek(0)  # sniffed the start: parse from the beginning, same opening
    ...     whole = f.read()
    >>> head, whole, hashes[file_key(p)].size
    (b'<a>', b'<a>1</a>', 8)
    """
    return SourceFile(path)


def read_bytes(path: str | Path) -> bytes:
    """A data file's bytes, read through :func:`open_source` (hashed when recording)."""
    with open_source(path) as f:
        return f.read()


class _BadValue(Exception):
    def __init__(self, node, reason: str) -> None:
        super().__init__(reason)
        self.node, self.reason = node, reason


class _AliasBudget(Exception):
    def __init__(self, mark) -> None:
        super().__init__("alias budget")
        self.mark = mark


def _node_size(node, memo: dict[int, int]) -> int:
    """Nodes in a composed YAML node, counting shared sub-nodes each time they occur."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = 1  # a recursive alias counts once (PyYAML refuses it anyway)
    if isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_node_size(n, memo) for n in node.value)
    elif isinstance(node, yaml.MappingNode):
        size = 1 + sum(_node_size(k, memo) + _node_size(v, memo) for k, v in node.value)
    else:
        size = 1
    memo[key] = size
    return size


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader with an alias budget and located value errors."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self._expanded = 0
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            anchored = self.anchors.get(event.anchor)
            if anchored is not None:
                self._expanded += _node_size(anchored, self._sizes)
                if self._expanded > ALIAS_BUDGET:
                    raise _AliasBudget(event.start_mark)
        return super().compose_node(parent, index)

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, OverflowError) as e:
            if isinstance(e, _BadValue):
                raise
            raise _BadValue(node, str(e)) from None


def _key_paths(root) -> dict[int, str]:
    """Each node's key path (``a.b[0].c``) in a composed document (first occurrence)."""
    out: dict[int, str] = {}
    stack = [(root, "")]
    while stack:
        node, where = stack.pop()
        if id(node) in out:
            continue
        out[id(node)] = where
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                name = k.value if isinstance(k, yaml.ScalarNode) else "?"
                out.setdefault(id(k), where)
                stack.append((v, f"{where}.{name}" if where else str(name)))
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                stack.append((v, f"{where}[{i}]"))
    return out


def parse_yaml(text: str, path: str | Path | None = None):
    """Parse YAML text (see :func:`load_yaml`); ``path`` names the file in errors.

    Examples
    --------
    >>> parse_yaml("a: [1, 2]\\nwhen: 2024-04-01\\n")
    {'a': [1, 2], 'when': datetime.date(2024, 4, 1)}
    >>> try:
    ...     parse_yaml("k:\\n  - from: 2022-13-01\\n", "targets.yaml")
    ... except PmfError as e:
    ...     print(e)
    targets.yaml, line 2, field k[0].from: not a valid date: '2022-13-01' (month must be in 1..12)
    >>> bomb = "a: &a [x, x, x, x, x, x, x, x, x]\\n" + "".join(
    ...     f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\\n"
    ...     for p, c in zip("abcdefgh", "bcdefghi"))
    >>> try:
    ...     parse_yaml(bomb, "config.yaml")
    ... except PmfError as e:
    ...     print(e)  # doctest: +ELLIPSIS
    config.yaml, line ...: YAML aliases expand to more than 10000 values ...
    """
    loader = _Loader(text)
    paths: dict[int, str] = {}
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        paths = _key_paths(node)
        return loader.construct_document(node)
    except _AliasBudget as e:
        raise PmfError(
            f"YAML aliases expand to more than {ALIAS_BUDGET} values (an alias bomb?); "
            "write the values out instead of repeating anchors",
            file=path,
            location=f"line {e.mark.line + 1}",
        ) from None
    except _BadValue as e:
        value = e.node.value if isinstance(e.node, yaml.ScalarNode) else None
        shown = f": {short_repr(value)}" if value is not None else ""
        kind = "date" if e.node.tag == "tag:yaml.org,2002:timestamp" else "value"
        raise PmfError(
            f"not a valid {kind}{shown} ({short_repr(e.reason, 120)[1:-1]})",
            file=path,
            location=f"line {e.node.start_mark.line + 1}",
            field=paths.get(id(e.node)) or None,
        ) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or str(e)
        raise PmfError(
            f"not valid YAML ({short_repr(str(problem), 120)[1:-1]})",
            file=path,
            location=f"line {mark.line + 1}" if mark else None,
        ) from None
    except RecursionError:
        raise PmfError("YAML nested too deeply", file=path) from None
    finally:
        loader.dispose()


def load_yaml(path: str | Path):
    """A YAML parameters file, read as :func:`read_text` reads text (None when empty).

    Raises
    ------
    PmfError
        For a file that cannot be read or decoded, invalid YAML, a value PyYAML
        cannot construct, or aliases beyond :data:`ALIAS_BUDGET`; each names the
        file, the line and (for values) the key.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "config.yaml"
    >>> _ = p.write_bytes("council: {name: Bromley – Café}\\n".encode("cp1252"))
    >>> load_yaml(p)
    {'council': {'name': 'Bromley – Café'}}
    """
    return parse_yaml(read_text(path, allow_empty=True), path)
