"""The daily sweep over the bench set: `certflow tick` (the command itself, through call_command), twice,
then a day of a deployment that has run it before.

    .venv/bin/python bench/sweep.py SIZE        prints one JSON object

The first two runs happen in one transaction that is rolled back at the end, so the database stays as
generated and every bench run measures the same work (the writes are made and counted; only the final commit
is not). The second run must write nothing: rows inserted, updated or deleted in every table are read from
PostgreSQL's per-transaction statistics (pg_stat_xact_user_tables) before and after it, and the event
chain's head must not move.

The generated set has no tick history, so the first run is a catch-up of everything it ever accumulated. A
deployment's ordinary day is measured on a copy of the database (CREATE DATABASE … TEMPLATE): the catch-up
committed there, VACUUM ANALYZE as autovacuum would, then `certflow tick --date <tomorrow>` timed as a
command; the copy is dropped after. (Run in the same uncommitted transaction as the catch-up, the next day
took 25 s instead of 7, wading through 700,000 uncommitted row versions: not a day of a deployment.)
"""

import io
import json
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import setup_django  # noqa: E402


class Rollback(Exception):
    pass


def writes(cursor) -> dict[str, tuple[int, int, int]]:
    """Per table: rows inserted, updated, deleted so far in this transaction. An insert refused by a
    unique constraint (the tick's once-per-day guard) counts as inserted here though no row remains."""
    cursor.execute(
        "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables"
        " WHERE n_tup_ins + n_tup_upd + n_tup_del > 0"
    )
    return {name: (ins, upd, dele) for name, ins, upd, dele in cursor.fetchall()}


def counts(cursor, tables) -> dict[str, int]:
    out = {}
    for table in sorted(tables):
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (names from pg_stat)
        out[table] = cursor.fetchone()[0]
    return out


def head(cursor) -> int:
    cursor.execute("SELECT seq FROM events_chainhead WHERE id = 1")
    return cursor.fetchone()[0]


def measure() -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction

    out = {}
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            seq0 = head(cursor)
            touched: set[str] = set()
            for run, args in (("first run", []), ("second run", [])):
                before, seq_before = writes(cursor), head(cursor)
                rows_before = counts(cursor, touched)
                report = io.StringIO()
                start = time.perf_counter()
                call_command("tick", *args, stdout=report)
                took = time.perf_counter() - start
                after = writes(cursor)
                zero = (0, 0, 0)
                changed = {
                    t: [a - b for a, b in zip(n, before.get(t, zero), strict=True)]
                    for t, n in after.items()
                    if n != before.get(t, zero)
                }
                rows_after = counts(cursor, touched)
                out[run] = {
                    "s": took,
                    "inserted": sum(c[0] for c in changed.values()),
                    "updated": sum(c[1] for c in changed.values()),
                    "deleted": sum(c[2] for c in changed.values()),
                    "tables (ins, upd, del)": changed,
                    "row counts changed": {
                        t: rows_after[t] - rows_before[t] for t in touched if rows_after[t] != rows_before[t]
                    },
                    "events": head(cursor) - seq_before,
                    "report": report.getvalue().strip().splitlines()[-12:],
                }
                touched |= set(changed)
            out["events total"] = head(cursor) - seq0
            raise Rollback
    except Rollback:
        pass
    return out


def next_day(size: str) -> dict:
    """The day after the catch-up, on a committed copy of the database (see the module's docstring)."""
    import psycopg
    from django.db import connection
    from django.utils import timezone

    from bench.common import CERTFLOW, DATABASES, PG, child_env

    source = DATABASES[size]
    copy = f"{source}_sweep"  # only ever this name: created here, dropped here
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    connection.close()  # CREATE DATABASE … TEMPLATE needs the source without sessions
    env = child_env(size, DATABASE_URL=PG + copy)
    with psycopg.connect(PG + "postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        for attempt in range(20):
            # A session another part left open (the build once did) would block the copy; the bench owns
            # this database, so a straggler is ended rather than waited for.
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [source],
            )
            try:
                admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')
                break
            except psycopg.errors.ObjectInUse:
                if attempt == 19:
                    raise
                time.sleep(0.5)
    try:
        start = time.perf_counter()
        subprocess.run([CERTFLOW, "tick"], env=env, check=True, capture_output=True)
        catch_up = time.perf_counter() - start
        with psycopg.connect(PG + copy, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        start = time.perf_counter()
        done = subprocess.run(
            [CERTFLOW, "tick", "--date", tomorrow], env=env, check=True, capture_output=True, text=True
        )
        took = time.perf_counter() - start
    finally:
        with psycopg.connect(PG + "postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copy}"')
    return {
        "s": took,
        "day": tomorrow,
        "catch-up committed s": catch_up,
        "report": done.stdout.strip().splitlines()[-12:],
    }


if __name__ == "__main__":
    setup_django(sys.argv[1])
    result = measure()
    result["next day"] = next_day(sys.argv[1])
    print(json.dumps(result))
