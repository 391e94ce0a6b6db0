"""Back up and restore a whole installation: database, stored files and a manifest that proves both."""

import hashlib
import subprocess
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.core.files.storage import Storage, default_storage

from certflow.core.backup import database
from certflow.core.backup import storage as stored
from certflow.core.backup.database import BackupError
from certflow.core.backup.manifest import (
    FILES_DIR,
    FORMAT,
    MANIFEST_NAME,
    check_backup,
    manifest_bytes,
    read_manifest,
    safe_member,
    sha256_file,
)


def _version() -> dict:
    try:
        version = metadata.version("certflow")
    except metadata.PackageNotFoundError:
        version = None
    commit = None
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],  # noqa: S607 - the git of the installation's PATH
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if result.returncode == 0:
            commit = result.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return {"version": version, "commit": commit}


def _signing_key_id() -> str | None:
    """The certificate signing key's public id: a restore onto a host with another key must say so,
    since certificates signed before would no longer verify there (the key itself is not backed up, LG8)."""
    from certflow.certificates.signing import key_id, signing_key

    try:
        key = signing_key(create=False)
    except Exception:  # noqa: BLE001 - a broken key setting is reported by the app itself; the backup goes on
        return None
    return key_id(key.public_key()) if key is not None else None


@dataclass
class BackupResult:
    folder: Path
    manifest: dict
    manifest_sha256: str
    seconds: float


def backup(output: Path, *, storage: Storage | None = None, alias: str = "default") -> BackupResult:
    """Write `output/certflow-backup-<UTC time>/` with the database dump, the files and manifest.json.

    The database is dumped first and the files copied after: files are stored before the rows that name
    them are committed and are never deleted, so every file the dump refers to is in the backup.
    """
    started = time.monotonic()
    storage = storage or default_storage
    vendor = database.engine(alias)
    now = datetime.now(UTC)
    folder = Path(output) / f"certflow-backup-{now.strftime('%Y%m%dT%H%M%S%fZ')}"
    folder.mkdir(parents=True, exist_ok=False)
    try:
        dump_path = folder / database.dump_name(vendor)
        snapshot = database.dump(dump_path, alias)
        size, digest = sha256_file(dump_path)
        files = []
        for name in stored.stored_names(storage):
            file_size, file_digest = stored.copy_out(storage, name, folder / FILES_DIR / safe_member(name))
            files.append({"path": name, "size": file_size, "sha256": file_digest})
    except BaseException:
        _remove(folder)
        raise
    manifest = {
        "format": FORMAT,
        "created_at": now.isoformat(),
        "certflow": _version(),
        "database": {
            "engine": vendor,
            "file": dump_path.name,
            "size": size,
            "sha256": digest,
            "tool": snapshot.tool,
            "row_counts": snapshot.row_counts,
            "event_chain_head": snapshot.head,
        },
        "files": files,
        "signing_key_id": _signing_key_id(),
    }
    body = manifest_bytes(manifest)
    (folder / MANIFEST_NAME).write_bytes(body)
    return BackupResult(folder, manifest, hashlib.sha256(body).hexdigest(), time.monotonic() - started)


def _remove(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    folder.rmdir()


@dataclass
class RestoreResult:
    manifest: dict
    seconds: float
    tables: int
    rows: int
    files: int
    events: int
    warnings: list[str] = field(default_factory=list)


def verify(folder: Path, *, manifest_sha256: str | None = None) -> dict:
    """The backup's manifest, once every checksum in it holds; BackupError naming each problem otherwise."""
    folder = Path(folder)
    try:
        manifest = read_manifest(folder)
    except ValueError as exc:
        raise BackupError(str(exc)) from None
    if manifest_sha256:
        actual = hashlib.sha256((folder / MANIFEST_NAME).read_bytes()).hexdigest()
        if actual != manifest_sha256.strip().lower():
            raise BackupError(
                "清单的 SHA-256 与备份时记录的不符（清单被修改）/ "
                f"manifest.json's SHA-256 is {actual}, not the one recorded at backup time (the manifest was altered)"
            )
    try:
        problems = list(check_backup(folder, manifest))
    except (KeyError, TypeError) as exc:
        raise BackupError(f"清单不完整 / the manifest is incomplete: {exc!r}") from None
    if problems:
        raise BackupError(
            "备份未通过校验，拒绝恢复 / the backup failed its checks and will not be restored:\n"
            + "\n".join(f"  - {problem}" for problem in problems)
        )
    return manifest


def restore(
    folder: Path,
    *,
    force: bool = False,
    manifest_sha256: str | None = None,
    storage: Storage | None = None,
    alias: str = "default",
) -> RestoreResult:
    """Check the backup, load it into an empty target (or any with `force`), then prove the result."""
    from certflow.core.events.services import chain_head, verify_chain

    started = time.monotonic()
    folder = Path(folder)
    storage = storage or default_storage
    manifest = verify(folder, manifest_sha256=manifest_sha256)
    vendor = database.engine(alias)
    if manifest["database"]["engine"] != vendor:
        raise BackupError(
            f"备份来自 {manifest['database']['engine']}，目标是 {vendor} / the backup is of a "
            f"{manifest['database']['engine']} database and cannot be restored into {vendor}"
        )
    if not force:
        tables = database.table_names(alias)
        if tables:
            raise BackupError(
                f"目标数据库不是空的（{len(tables)} 张表）；请换一个空数据库，或用 --force 覆盖 / "
                f"the target database is not empty ({len(tables)} tables): use an empty one, or --force to overwrite"
            )
        present = next(stored.stored_names(storage), None)
        if present is not None:
            raise BackupError(
                f"目标文件存储不是空的（如 {present}）；请换一个空目录，或用 --force 覆盖 / "
                f"the target file storage is not empty (e.g. {present}): use an empty one, or --force to overwrite"
            )

    database.load(folder / manifest["database"]["file"], force=force, alias=alias)
    for entry in manifest["files"]:
        stored.copy_in(storage, entry["path"], folder / FILES_DIR / safe_member(entry["path"]), force=force)

    problems = []
    expected_counts = manifest["database"]["row_counts"]
    actual_counts = database.live_counts(alias)
    for table in sorted(set(expected_counts) | set(actual_counts)):
        if expected_counts.get(table) != actual_counts.get(table):
            problems.append(f"{table}: {actual_counts.get(table)} rows, backup had {expected_counts.get(table)}")
    for entry in manifest["files"]:
        if not storage.exists(entry["path"]) or stored.checksum(storage, entry["path"]) != (
            entry["size"],
            entry["sha256"],
        ):
            problems.append(f"file {entry['path']} does not match its checksum after restore")
    report = verify_chain()
    if not report.ok:
        problems.append(f"event log: {report.problem}")
    head = chain_head()
    expected_head = manifest["database"]["event_chain_head"]
    if (head.seq, head.hash) != (expected_head["seq"], expected_head["hash"]):
        problems.append(f"event head is {head}, backup had {expected_head['seq']}:{expected_head['hash']}")
    if problems:
        raise BackupError(
            "恢复后的检查未通过 / the restored data failed its checks:\n" + "\n".join(f"  - {p}" for p in problems)
        )

    warnings = []
    key_id = _signing_key_id()
    if manifest.get("signing_key_id") and key_id != manifest["signing_key_id"]:
        warnings.append(
            f"本机证书签名密钥（{key_id}）与备份时（{manifest['signing_key_id']}）不同：请恢复原密钥，或把旧公钥加入 "
            "CERTFLOW_CERTIFICATE_RETIRED_PUBLIC_KEYS，否则已签发的证书无法验证 / this host's certificate signing key "
            f"({key_id}) is not the one in use at backup time ({manifest['signing_key_id']}): restore that key or add "
            "its public key to CERTFLOW_CERTIFICATE_RETIRED_PUBLIC_KEYS, or certificates issued before will not verify"
        )
    return RestoreResult(
        manifest=manifest,
        seconds=time.monotonic() - started,
        tables=len(actual_counts),
        rows=sum(actual_counts.values()),
        files=len(manifest["files"]),
        events=report.checked,
        warnings=warnings,
    )
