"""Copying the stored files (Django's default storage) out to a backup folder and back."""

from collections.abc import Iterator
from pathlib import Path

from django.core.files import File
from django.core.files.storage import Storage

from certflow.core.backup.database import BackupError
from certflow.core.backup.manifest import sha256_of


def stored_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name in the storage, through its own API so any backend (local, S3) works."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from stored_names(storage, f"{folder}/{sub}" if folder else sub)


def copy_out(storage: Storage, name: str, target: Path) -> tuple[int, str]:
    """Copy one stored file to `target`; (size, SHA-256) of the bytes written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with storage.open(name, "rb") as source, target.open("wb") as out:
        while chunk := source.read(1024 * 1024):
            out.write(chunk)
    with target.open("rb") as written:
        return sha256_of(written)


def copy_in(storage: Storage, name: str, source: Path, *, force: bool) -> None:
    if storage.exists(name):
        if not force:
            raise BackupError(f"目标存储中已有 {name} / {name} already exists in the target storage")
        storage.delete(name)
    with source.open("rb") as handle:
        saved = storage.save(name, File(handle, name=name))
    if saved != name:
        # A storage that renamed the file would leave the records pointing at nothing.
        storage.delete(saved)
        raise BackupError(f"存储把 {name} 另存为 {saved} / the storage saved {name} as {saved}")


def checksum(storage: Storage, name: str) -> tuple[int, str]:
    with storage.open(name, "rb") as handle:
        return sha256_of(handle)
