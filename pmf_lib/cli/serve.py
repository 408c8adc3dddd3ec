"""``pmf serve``: the store of published figures in Datasette, read-only, for staff and members.

Datasette serves each store ``--immutable`` (read-only: it never writes to it),
on 127.0.0.1 unless ``--host`` says otherwise, with pmf's metadata
(:func:`pmf_lib.publish.store.datasette_metadata`): the KPI registry's titles,
definitions and units, facets by area, KPI, month and team, and the canned
queries "my team over time", "restated figures" and "where we rank". Every
table and query downloads as CSV or JSON.

The members'/public store is open to anyone who can reach the server. The
internal store needs a login (the datasette-auth-passwords plugin): it is served
only with a passwords file (``--passwords`` or ``$PMF_SERVE_PASSWORDS``), one
``user:hash`` line per account, the hash made by ``datasette hash-password``.
``docs/operations.md`` shows how to run it as a service on a council's intranet.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from pathlib import Path

from pmf_lib.cli import add_config_arg
from pmf_lib.errors import PmfError

#: An account name (it names the plugin's setting and an environment variable).
_USER = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_HASH = re.compile(r"pbkdf2_sha256\$\d+\$[^$\s]+\$[^$\s]+")


def register(sub) -> None:
    p = sub.add_parser(
        "serve",
        help="serve the store of every published figure with Datasette (read-only)",
        description=__doc__.splitlines()[0],
    )
    add_config_arg(p)
    p.add_argument(
        "--store",
        default=None,
        help="the internal store (default: the config's, <outputs>/pmf.sqlite); the "
        "members' store is the file beside it named <name>-members.sqlite",
    )
    p.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    p.add_argument("--port", type=int, default=8001, help="port (default: %(default)s)")
    p.add_argument(
        "--passwords",
        default=os.environ.get("PMF_SERVE_PASSWORDS"),
        help="file of user:hash lines (hashes from `datasette hash-password`); without it "
        "only the members' store is served (default: $PMF_SERVE_PASSWORDS)",
    )
    p.add_argument(
        "--members-only", action="store_true", help="serve only the members'/public store"
    )
    p.add_argument(
        "--base-url",
        default="/",
        help="the path the server is reached at behind a reverse proxy (default: /)",
    )
    p.set_defaults(func=run)


def read_passwords(path: str | Path) -> dict[str, str]:
    """The accounts of a passwords file: ``user:hash`` per line; blank lines and ``#`` skipped.

    Raises
    ------
    PmfError
        Naming the file and line of a malformed entry.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "passwords"
    >>> _ = p.write_text("# staff\\nann:pbkdf2_sha256$1000$salt$abc=\\n")
    >>> read_passwords(p)
    {'ann': 'pbkdf2_sha256$1000$salt$abc='}
    >>> _ = p.write_text("ann:secret\\n")
    >>> try:
    ...     read_passwords(p)
    ... except PmfError as e:
    ...     print(str(e).split(", ", 1)[1])
    line 1, field hash: not a password hash (make one with `datasette hash-password`)
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise PmfError(f"cannot read the passwords file ({e.strerror})", file=path) from None
    users: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, hashed = line.partition(":")
        if not sep or not _USER.fullmatch(user):
            raise PmfError(
                "expected user:hash (a user name of letters, digits, '.', '_' or '-')",
                file=path,
                location=f"line {n}",
                field="user",
            )
        if not _HASH.fullmatch(hashed):
            raise PmfError(
                "not a password hash (make one with `datasette hash-password`)",
                file=path,
                location=f"line {n}",
                field="hash",
            )
        if user in users:
            raise PmfError(f"user {user!r} twice", file=path, location=f"line {n}", field="user")
        users[user] = hashed
    return users


def _check_store(path: Path) -> None:
    """A store this pmf can serve (a readable pmf store of a known schema version)."""
    import sqlite3

    from pmf_lib.publish.store import MIGRATIONS, connect_readonly, schema_version

    try:
        with connect_readonly(path) as c:
            version = schema_version(c)
    except sqlite3.Error as e:
        raise PmfError(f"not a readable pmf store ({e})", file=path) from None
    if version == 0:
        raise PmfError("not a pmf store (no schema_version table)", file=path)
    if version > MIGRATIONS[-1].version:
        raise PmfError(f"the store's schema version {version} is newer than this pmf", file=path)


def run(args) -> int:
    """Start Datasette over the store(s); returns when the server stops."""
    from pmf_lib.publish.store import MEMBERS_SUFFIX, datasette_metadata, store_paths

    council = None
    if args.store:
        internal = Path(args.store)
        members = internal.with_name(f"{internal.stem}{MEMBERS_SUFFIX}{internal.suffix}")
    else:
        from pmf_lib.config import load_config

        config = load_config(args.config, check_files=False)
        internal, members = store_paths(config)
        council = config.council.name
    if not 0 <= args.port <= 65535:
        raise PmfError(f"expected a port from 0 to 65535, got {args.port}", field="--port")
    users = read_passwords(args.passwords) if args.passwords else {}
    served: dict[str, tuple[Path, str]] = {}
    if members.is_file():
        served[members.stem] = (members, "members")
    if internal.is_file() and not args.members_only:
        if users:
            served[internal.stem] = (internal, "internal")
        else:
            print(
                f"pmf serve: {internal} needs a login and no --passwords file was given, "
                "so only the members' store is served",
                file=sys.stderr,
            )
    if not served:
        raise PmfError("no store to serve: `pmf run` writes it", file=members)
    for path, _ in served.values():
        _check_store(path)
    try:
        from datasette.cli import cli
    except ImportError:  # pragma: no cover - datasette is a dependency
        raise PmfError("Datasette is not installed (pip install datasette)") from None

    env = {u: f"PMF_SERVE_HASH_{i}" for i, u in enumerate(users)}
    for u, name in env.items():
        os.environ[name] = users[u]
    metadata = datasette_metadata(
        {name: audience for name, (_, audience) in served.items()},
        council=council,
        users=list(users) if "internal" in {a for _, a in served.values()} else [],
        password_env=env.get,
    )
    with tempfile.TemporaryDirectory(prefix="pmf-serve-") as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(metadata, indent=1), encoding="utf-8")
        argv = ["serve"]
        for path, _ in served.values():
            argv += ["--immutable", str(path)]
        argv += ["--host", args.host, "--port", str(args.port), "--metadata", str(meta)]
        argv += [
            "--setting",
            "base_url",
            args.base_url if args.base_url.endswith("/") else args.base_url + "/",
        ]
        # Queries over every run of several years: more than Datasette's default second.
        argv += ["--setting", "sql_time_limit_ms", "5000"]
        cli.main(args=argv, prog_name="pmf serve", standalone_mode=False)
    return 0
