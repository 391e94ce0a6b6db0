"""Backup checking and restore refusals, in process (the full round trip is test_backup_drill.py)."""

import hashlib
import json
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage
from django.core.management import CommandError, call_command
from django.db import connection

from certflow.core.backup import storage as stored
from certflow.core.backup.database import BackupError, dump_name
from certflow.core.backup.manifest import FORMAT, manifest_bytes, sha256_file
from certflow.core.backup.services import restore, verify
from certflow.core.events.models import Event
from certflow.core.events.services import record_event

FILES = {"applications/materials/a1.pdf": b"%PDF-1.4 one", "surveys/lists/b2.xlsx": "名单".encode() * 50}


def make_backup(folder: Path, engine: str = "sqlite") -> Path:
    """A well-formed backup folder whose manifest matches its content."""
    folder.mkdir()
    dump = folder / dump_name(engine)
    dump.write_bytes(b"SQLite format 3\x00" + bytes(100))
    files = []
    for name, body in FILES.items():
        path = folder / "files" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        files.append({"path": name, "size": len(body), "sha256": hashlib.sha256(body).hexdigest()})
    size, digest = sha256_file(dump)
    manifest = {
        "format": FORMAT,
        "created_at": "2026-11-24T00:00:00+00:00",
        "certflow": {"version": "0.1.0", "commit": None},
        "database": {
            "engine": engine,
            "file": dump.name,
            "size": size,
            "sha256": digest,
            "tool": "test",
            "row_counts": {"events_event": 0},
            "event_chain_head": {"seq": 0, "hash": "0" * 64},
        },
        "files": files,
        "signing_key_id": None,
    }
    (folder / "manifest.json").write_bytes(manifest_bytes(manifest))
    return folder


@pytest.fixture
def backup_dir(tmp_path):
    return make_backup(tmp_path / "certflow-backup-test")


def _rewrite_manifest(folder, change):
    manifest = json.loads((folder / "manifest.json").read_text())
    change(manifest)
    (folder / "manifest.json").write_bytes(manifest_bytes(manifest))


def test_an_intact_backup_verifies(backup_dir):
    manifest = verify(backup_dir)
    assert len(manifest["files"]) == 2


def test_the_manifest_sha256_recorded_at_backup_time_is_checked(backup_dir):
    digest = hashlib.sha256((backup_dir / "manifest.json").read_bytes()).hexdigest()
    verify(backup_dir, manifest_sha256=digest.upper())
    with pytest.raises(BackupError, match="manifest was altered"):
        verify(backup_dir, manifest_sha256="0" * 64)


def test_a_changed_file_is_refused(backup_dir):
    (backup_dir / "files/surveys/lists/b2.xlsx").write_bytes(b"forged")
    with pytest.raises(BackupError, match=r"files/surveys/lists/b2.xlsx does not match its checksum"):
        verify(backup_dir)


def test_a_same_size_change_is_refused(backup_dir):
    path = backup_dir / "files/applications/materials/a1.pdf"
    path.write_bytes(path.read_bytes().replace(b"one", b"two"))
    with pytest.raises(BackupError, match="a1.pdf does not match"):
        verify(backup_dir)


def test_a_changed_database_dump_is_refused(backup_dir):
    with (backup_dir / "database.sqlite3").open("ab") as dump:
        dump.write(b"\x00")
    with pytest.raises(BackupError, match="database.sqlite3 does not match"):
        verify(backup_dir)


def test_a_missing_file_is_refused(backup_dir):
    (backup_dir / "files/applications/materials/a1.pdf").unlink()
    with pytest.raises(BackupError, match="a1.pdf is missing"):
        verify(backup_dir)


def test_a_file_not_in_the_manifest_is_refused(backup_dir):
    (backup_dir / "files/applications/extra.pdf").write_bytes(b"x")
    with pytest.raises(BackupError, match="extra.pdf is in the backup but not in its manifest"):
        verify(backup_dir)


def test_a_checksum_edited_in_the_manifest_is_refused(backup_dir):
    _rewrite_manifest(backup_dir, lambda m: m["files"][0].update(sha256="0" * 64))
    with pytest.raises(BackupError, match="a1.pdf does not match"):
        verify(backup_dir)


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "a/../../b", "a\\..\\b", ""])
def test_a_path_that_climbs_out_is_refused(backup_dir, name):
    _rewrite_manifest(backup_dir, lambda m: m["files"].append({"path": name, "size": 0, "sha256": "0" * 64}))
    with pytest.raises(BackupError, match="unsafe file name"):
        verify(backup_dir)


def test_not_a_backup_is_explained(tmp_path):
    with pytest.raises(BackupError, match="not a certflow backup"):
        verify(tmp_path)
    (tmp_path / "manifest.json").write_text("{broken")
    with pytest.raises(BackupError, match="not valid JSON"):
        verify(tmp_path)
    (tmp_path / "manifest.json").write_text('{"format": "other/9"}')
    with pytest.raises(BackupError, match="unsupported backup format"):
        verify(tmp_path)


def test_an_incomplete_manifest_is_explained(backup_dir):
    _rewrite_manifest(backup_dir, lambda m: m.pop("database"))
    with pytest.raises(BackupError, match="incomplete"):
        verify(backup_dir)


@pytest.mark.django_db
def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(tmp_path):
    folder = make_backup(tmp_path / "b", engine=connection.vendor)
    record_event(actor=None, action="test.kept")
    storage = InMemoryStorage()
    with pytest.raises(BackupError, match="target database is not empty"):
        restore(folder, storage=storage)
    assert Event.objects.filter(action="test.kept").count() == 1
    assert next(stored.stored_names(storage), None) is None


@pytest.mark.django_db
def test_restore_refuses_another_engine(tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    folder = make_backup(tmp_path / "b", engine=other)
    with pytest.raises(BackupError, match=f"cannot be restored into {connection.vendor}"):
        restore(folder, force=True, storage=InMemoryStorage())


@pytest.mark.django_db
def test_the_restore_command_explains_a_tampered_backup(backup_dir):
    (backup_dir / "files/surveys/lists/b2.xlsx").write_bytes(b"forged")
    with pytest.raises(CommandError, match="restore failed.*will not be restored"):
        call_command("restore", str(backup_dir))


def test_stored_names_walk_every_folder():
    storage = InMemoryStorage()
    for name in ("top.txt", "a/one.pdf", "a/b/two.pdf", "c/three.pdf"):
        storage.save(name, ContentFile(b"x"))
    assert sorted(stored.stored_names(storage)) == ["a/b/two.pdf", "a/one.pdf", "c/three.pdf", "top.txt"]


def test_copy_in_keeps_the_name_and_refuses_to_overwrite_without_force(tmp_path):
    storage = InMemoryStorage()
    source = tmp_path / "f.pdf"
    source.write_bytes(b"new")
    stored.copy_in(storage, "a/f.pdf", source, force=False)
    with pytest.raises(BackupError, match="already exists"):
        stored.copy_in(storage, "a/f.pdf", source, force=False)
    source.write_bytes(b"newer")
    stored.copy_in(storage, "a/f.pdf", source, force=True)
    assert storage.open("a/f.pdf").read() == b"newer"
    assert list(stored.stored_names(storage)) == ["a/f.pdf"]
