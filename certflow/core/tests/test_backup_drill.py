"""Restore drill: a real installation is backed up and restored into a fresh database and file folder by the
`certflow` command, and the result is compared with the original. Runs on the engine of the suite:
SQLite files in a temporary folder, or fresh PostgreSQL databases made and dropped here.

The time taken by backup and restore is printed (`pytest -s`) and kept as the test's `restore_seconds`
property (JUnit XML), for docs/assurance.md.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

DRILL_DATABASES = ("certflow_restore_drill_src", "certflow_restore_drill", "certflow_restore_drill_bad")

POPULATE = r"""
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from certflow.accounts.roles import StaffRole
from certflow.core.events.services import record_event
from certflow.core.testing.factories import EnterpriseFactory, MembershipFactory, StaffFactory, UserFactory

with transaction.atomic():
    clerk = StaffFactory(email="clerk@drill.example", roles=[StaffRole.ACCEPTANCE_CLERK])
    for n in range(5):
        enterprise = EnterpriseFactory(name=f"演练定制家居有限公司{n}")
        MembershipFactory(enterprise=enterprise, user=UserFactory(email=f"u{n}@drill.example"))
        record_event(actor=clerk, action="enterprise.registered", target=enterprise, after={"name": enterprise.name})
for n in range(40):
    record_event(actor=None, action="drill.step", target_type="drill", target_id=n, after={"n": n, "说明": "演练"})
default_storage.save("applications/materials/0a1b.pdf", ContentFile(b"%PDF-1.4\n" + bytes(range(256)) * 300))
default_storage.save("surveys/lists/9f.xlsx", ContentFile("客户名单".encode() * 1000))
default_storage.save("empty/zero.txt", ContentFile(b""))
"""

SNAPSHOT = r"""
import hashlib, json
from django.db import connection
from certflow.core.backup.database import live_counts
from certflow.core.backup.storage import stored_names, checksum
from django.core.files.storage import default_storage
from certflow.core.events.services import chain_head
print(json.dumps({
    "counts": live_counts(),
    "files": {name: list(checksum(default_storage, name)) for name in stored_names(default_storage)},
    "head": str(chain_head()),
}))
"""


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


class Installation:
    """One certflow installation: a database and a CERTFLOW_VAR_DIR, driven through the `certflow` command."""

    def __init__(self, root: Path, name: str, server: str | None):
        self.var = root / name
        self.var.mkdir()
        (self.var / "secret_key").write_text("drill-only-not-secret\n")
        self.env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH", "MEDIA_ROOT")}
        self.env.update(DJANGO_SETTINGS_MODULE="config.settings", CERTFLOW_VAR_DIR=str(self.var), EMAIL_MODE="memory")
        if server:
            self.env["DATABASE_URL"] = f"{server.rsplit('/', 1)[0]}/{name}"

    def run(self, *args, check=True):
        result = subprocess.run(
            [sys.executable, "-m", "certflow", *args], capture_output=True, text=True, env=self.env, timeout=300
        )
        if check and result.returncode != 0:
            pytest.fail(f"certflow {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def snapshot(self) -> dict:
        return json.loads(self.run("shell", "-c", SNAPSHOT).stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def server():
    """On PostgreSQL: fresh drill databases, dropped afterwards (their names are the drill's own)."""
    url = _postgres_url()
    if url is None:
        yield None
        return
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"

    def reset(create: bool):
        with psycopg.connect(admin, autocommit=True) as conn:
            for name in DRILL_DATABASES:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                if create:
                    conn.execute(f'CREATE DATABASE "{name}"')

    reset(create=True)
    yield url
    reset(create=False)


@pytest.fixture(scope="module")
def drill(tmp_path_factory, server):
    """The source installation with some of everything, and its backup (made once for the module)."""
    root = tmp_path_factory.mktemp("drill")
    source = Installation(root, DRILL_DATABASES[0], server)
    source.run("migrate", "-v", "0")
    original = json.loads(source.run("shell", "-c", POPULATE + SNAPSHOT).stdout.strip().splitlines()[-1])
    started = time.monotonic()
    made = source.run("backup", "--output", str(root / "backups")).stdout
    backup_seconds = time.monotonic() - started
    return {
        "root": root,
        "server": server,
        "source": source,
        "original": original,
        "folder": Path(re.search(r"backup written: (\S+)", made).group(1)),
        "manifest_sha": re.search(r"manifest SHA-256: ([0-9a-f]{64})", made).group(1),
        "backup_seconds": backup_seconds,
    }


AFTER_RESTORE = (
    SNAPSHOT  # noqa: S608 - a Python script for `certflow shell`, with literal SQL only
    + r"""
from django.db import connection
from certflow.core.events.services import record_event, verify_chain
if connection.vendor == "postgresql":  # the append-only trigger came back with the dump
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'events_event'::regclass AND NOT tgisinternal")
        assert cursor.fetchone()[0] == 2
record_event(actor=None, action="drill.after")
print(f"{chain_head()} {verify_chain().ok}")
"""
)


def test_restore_drill(drill, record_property):
    original, folder = drill["original"], drill["folder"]
    assert int(original["head"].split(":")[0]) == 45 and len(original["files"]) == 3
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["database"]["row_counts"] == original["counts"]
    assert manifest["database"]["event_chain_head"]["seq"] == 45
    assert {f["path"]: [f["size"], f["sha256"]] for f in manifest["files"]} == original["files"]

    target = Installation(drill["root"], DRILL_DATABASES[1], drill["server"])
    started = time.monotonic()
    restored = target.run("restore", str(folder), "--manifest-sha256", drill["manifest_sha"]).stdout
    restore_seconds = time.monotonic() - started
    assert "counts match" in restored and "chain intact" in restored
    reported = float(re.search(r"time: ([0-9.]+) s", restored).group(1))

    # Compared independently of the restore's own checks.
    assert f"head: {original['head']}" in target.run("verify-log", "--expect", original["head"]).stdout
    for name in original["files"]:
        assert (target.var / "media" / name).read_bytes() == (drill["source"].var / "media" / name).read_bytes()
    lines = target.run("shell", "-c", AFTER_RESTORE).stdout.strip().splitlines()
    assert json.loads(lines[-2]) == original
    # The restored installation goes on appending to the same chain.
    assert lines[-1].startswith("46:") and lines[-1].endswith(" True")

    # A second restore onto it is refused: it is no longer empty.
    again = target.run("restore", str(folder), check=False)
    assert again.returncode != 0 and "not empty" in again.stderr

    record_property("backup_seconds", round(drill["backup_seconds"], 2))
    record_property("restore_seconds", round(restore_seconds, 2))
    print(
        f"\nrestore drill ({manifest['database']['engine']}): {sum(original['counts'].values())} rows, "
        f"{len(original['files'])} files, 45 events; backup {drill['backup_seconds']:.2f} s, restore "
        f"{restore_seconds:.2f} s wall ({reported:.2f} s inside the command)"
    )


def test_a_tampered_backup_is_refused_and_the_target_left_untouched(drill, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(drill["folder"], folder)
    stored = folder / "files" / "applications" / "materials" / "0a1b.pdf"
    stored.write_bytes(stored.read_bytes().replace(b"%PDF-1.4", b"%PDF-1.5"))

    target = Installation(tmp_path, DRILL_DATABASES[2], drill["server"])
    result = target.run("restore", str(folder), check=False)
    assert result.returncode != 0
    assert "applications/materials/0a1b.pdf does not match its checksum" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (target.var / "media").exists()
    if drill["server"] is None:
        assert not (target.var / "certflow.sqlite3").exists()
    else:
        import psycopg

        with psycopg.connect(target.env["DATABASE_URL"]) as conn:
            count = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
        assert count == 0
