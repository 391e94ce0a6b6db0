"""The backup manifest: what a backup holds and the checksums that prove it is unchanged (no ORM)."""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

FORMAT = "certflow-backup/1"
MANIFEST_NAME = "manifest.json"
FILES_DIR = "files"
_CHUNK = 1024 * 1024


def sha256_of(stream) -> tuple[int, str]:
    """(size, hex SHA-256) of a binary stream, read in chunks."""
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def sha256_file(path: Path) -> tuple[int, str]:
    with path.open("rb") as handle:
        return sha256_of(handle)


def safe_member(name: str) -> PurePosixPath:
    """A storage name as a relative path that cannot climb out of the backup (a forged manifest might try)."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or any(part in ("", ".", "..") for part in path.parts) or "\\" in name:
        raise ValueError(f"unsafe file name in manifest: {name!r}")
    return path


def manifest_bytes(manifest: dict) -> bytes:
    return (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


@dataclass(frozen=True)
class Problem:
    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path} 不存在，这不是 certflow 备份 / {path} is missing: not a certflow backup") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} 无法解析 / {path} is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValueError(f"{path}: 不支持的备份格式 / unsupported backup format (expected {FORMAT})")
    return manifest


def check_backup(folder: Path, manifest: dict) -> Iterator[Problem]:
    """Every problem with the backup's content against its manifest: missing, resized, changed or extra files."""
    database = manifest["database"]
    expected = {database["file"]: (database["size"], database["sha256"])}
    for entry in manifest["files"]:
        try:
            expected[str(PurePosixPath(FILES_DIR) / safe_member(entry["path"]))] = (entry["size"], entry["sha256"])
        except ValueError as exc:
            yield Problem("清单中有不安全的文件名", str(exc))
    for relative, (size, digest) in sorted(expected.items()):
        path = folder / relative
        if not path.is_file():
            yield Problem(f"备份缺少 {relative}", f"{relative} is missing from the backup")
            continue
        actual_size, actual_digest = sha256_file(path)
        if actual_size != size or actual_digest != digest:
            yield Problem(
                f"{relative} 的校验和与清单不符（备份被修改或损坏）",
                f"{relative} does not match its checksum in the manifest (the backup was altered or damaged)",
            )
    present = {
        str(path.relative_to(folder).as_posix())
        for path in folder.rglob("*")
        if path.is_file() and path.name != MANIFEST_NAME
    }
    for extra in sorted(present - set(expected)):
        yield Problem(f"备份中有清单未列出的文件 {extra}", f"{extra} is in the backup but not in its manifest")
