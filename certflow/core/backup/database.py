"""Engine-specific halves of backup and restore: a consistent dump, its row counts and event head, and loading it.

SQLite: the online backup API (a consistent copy while the application runs). PostgreSQL: pg_dump in
custom format from an exported snapshot, with the row counts and event head read in that same
snapshot, and pg_restore. Decision LG6 explains why there is no dumpdata fallback.
"""

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from django.db import connections


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why in Chinese and English."""


@dataclass(frozen=True)
class Snapshot:
    tool: str
    row_counts: dict[str, int]
    head: dict  # {"seq": int, "hash": str} as stored in the chain head row


def engine(alias: str = "default") -> str:
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"不支持的数据库 {vendor} / backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def dump_name(vendor: str) -> str:
    return {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[vendor]


def _head(cursor) -> dict:
    cursor.execute("SELECT seq, hash FROM events_chainhead WHERE id = 1")
    row = cursor.fetchone()
    return {"seq": row[0], "hash": row[1]} if row else {"seq": 0, "hash": "0" * 64}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _counts(cursor, tables) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 - names from the catalogue
        counts[table] = cursor.fetchone()[0]
    return counts


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [row[0] for row in rows]


def sqlite_path(alias: str = "default") -> Path:
    name = str(connections[alias].settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"数据库 {name} 不是文件 / the SQLite database {name!r} is not a file")
    return Path(name)


def _pg_env(alias: str) -> dict:
    settings = connections[alias].settings_dict
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings.get(key):
            env[variable] = str(settings[key])
    sslmode = (settings.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    env["PGDATABASE"] = settings["NAME"]
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"找不到 {name}，请安装 PostgreSQL 客户端（Debian: postgresql-client）/ "
            f"{name} is not on PATH: install the PostgreSQL client tools (Debian: postgresql-client)"
        )
    return path


def _run(args: list[str], env: dict) -> str:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} 失败 / {Path(args[0]).name} failed: {result.stderr.strip()}")
    return result.stdout


def dump(target: Path, alias: str = "default") -> Snapshot:
    """Write a consistent copy of the database to `target` and describe that copy."""
    vendor = engine(alias)
    if vendor == "sqlite":
        source = sqlite_path(alias)
        if not source.exists():
            raise BackupError(f"数据库文件不存在 / the database file {source} does not exist")
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
        # Counted in the copy itself, so the manifest describes exactly what was written.
        with closing(sqlite3.connect(target)) as copy:
            cursor = copy.cursor()
            return Snapshot("sqlite3 online backup API", _counts(cursor, _sqlite_tables(copy)), _head(cursor))

    pg_dump = _tool("pg_dump")
    version = _run([pg_dump, "--version"], os.environ).strip()
    connection = connections[alias]
    connection.ensure_connection()
    # One REPEATABLE READ transaction exports its snapshot; pg_dump dumps from it while the counts and
    # the head are read in it, so all three describe the same instant even with writers running.
    with connection.connection.transaction(), connection.connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot_id = cursor.fetchone()[0]
        _run(
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot_id}",
                f"--file={target}",
            ],
            _pg_env(alias),
        )
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        tables = [row[0] for row in cursor.fetchall()]
        return Snapshot(f"{version}, custom format", _counts(cursor, tables), _head(cursor))


def table_names(alias: str = "default") -> list[str]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def live_counts(alias: str = "default") -> dict[str, int]:
    with connections[alias].cursor() as cursor:
        return _counts(cursor, table_names(alias))


def load(source: Path, *, force: bool, alias: str = "default") -> None:
    """Replace the (empty, or with `force` any) target database's content by the dump at `source`."""
    vendor = engine(alias)
    connections[alias].close()
    if vendor == "sqlite":
        target = sqlite_path(alias)
        target.parent.mkdir(parents=True, exist_ok=True)
        # The backup API overwrites every page of the target, so nothing of an old database survives.
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
        return
    args = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if force:
        args += ["--clean", "--if-exists"]
    _run([*args, f"--dbname={connections[alias].settings_dict['NAME']}", str(source)], _pg_env(alias))
