"""Keeping inspected uploads and handing them back: storage under generated names, safe download responses.

Files live in Django's default storage (a local folder, or S3-compatible storage in production) under
`<folder>/<uuid4>.<ext>`: the user's name never becomes a path. They are served only through views that
check permission first and then call `download_response`; there is no public media URL.
"""

import contextlib
import logging
import re
import uuid
from typing import BinaryIO
from urllib.parse import quote

from django.core.files import File
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404

from certflow.core.rules import RuleViolation
from certflow.core.uploads import InspectedUpload, UploadRejected, safe_filename

logger = logging.getLogger(__name__)
_FOLDER = re.compile(r"[a-z0-9_-]+(/[a-z0-9_-]+)*")


def _storage_failed(name: str, exc: Exception) -> UploadRejected:
    logger.error("storing upload %s failed: %r", name, exc)
    return UploadRejected(
        "服务器保存文件失败（存储空间不足或存储服务不可用），文件未保存，请稍后再试；如多次失败请联系认证机构",
        "the server could not save the file (storage full or unavailable), so nothing was kept; "
        "please try again later and contact the certification body if it keeps failing",
        "storage_error",
    )


def _discard(name: str) -> None:
    """Remove a partly written file; a storage that is down may refuse this too, and that is all right."""
    with contextlib.suppress(Exception):
        if default_storage.exists(name):
            default_storage.delete(name)


def store_upload(inspected: InspectedUpload, data: BinaryIO, *, folder: str) -> str:
    """Save `data` (already passed through `inspect_upload`) as `<folder>/<uuid4>.<ext>`; return the
    storage name to keep on the record, next to `inspected.sha256` and `inspected.safe_name`.

    A storage failure raises `UploadRejected` (code "storage_error") and removes whatever was partly
    written, so no half-file is left behind.
    """
    if not _FOLDER.fullmatch(folder):
        raise ValueError(f"folder must be lower-case path segments like 'applications/materials', got {folder!r}")
    name = f"{folder}/{uuid.uuid4().hex}.{inspected.extension}"
    data.seek(0)
    try:
        stored = default_storage.save(name, File(data, name=name))
    except OSError as exc:
        _discard(name)
        raise _storage_failed(name, exc) from exc
    # A storage that stopped half-way without raising would keep a truncated file: compare the size.
    try:
        stored_size = default_storage.size(stored)
    except (OSError, NotImplementedError):
        stored_size = inspected.size
    if stored_size != inspected.size:
        _discard(stored)
        raise _storage_failed(stored, OSError(f"stored {stored_size} bytes of {inspected.size}"))
    return stored


@contextlib.contextmanager
def storing():
    """For a service that keeps files and writes their rows in one transaction: yields `store(inspected, data,
    folder=...)`, which is `store_upload` with its refusal as a RuleViolation (so pages show it like any other
    refusal instead of a 500). If the block fails for any reason after files were stored, they are removed:
    the rows that named them were rolled back. Enter it outside `transaction.atomic()`."""
    kept: list[str] = []

    def store(inspected: InspectedUpload, data: BinaryIO, *, folder: str) -> str:
        try:
            name = store_upload(inspected, data, folder=folder)
        except UploadRejected as exc:
            raise RuleViolation(exc.zh, exc.en, "upload_" + str(exc.code)) from None
        kept.append(name)
        return name

    try:
        yield store
    except BaseException:
        for name in kept:
            _discard(name)
        raise


def _ascii_fallback(filename: str) -> str:
    """An ASCII stand-in for old clients that ignore filename*: non-ASCII characters become "_"."""
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    stem = re.sub(r"[^A-Za-z0-9._()\- ]+", "_", stem).strip("_ ") or "download"
    ext = re.sub(r"[^A-Za-z0-9]+", "", ext)
    return f"{stem}.{ext}" if ext else stem


def content_disposition(filename: str) -> str:
    """`attachment` with both an ASCII `filename` and the exact UTF-8 name as RFC 5987/6266 `filename*`."""
    name = safe_filename(filename) or "download"
    return f"attachment; filename=\"{_ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def download_response(storage_name: str, *, filename: str, content_type: str) -> FileResponse:
    """Stream a stored file as a download that no browser will render or sniff.

    Call it only after the permission check. `filename` is the name the user sees (the upload's
    `safe_name`); `content_type` the one recorded at inspection, never a guess from the name.
    """
    try:
        handle = default_storage.open(storage_name, "rb")
    except (FileNotFoundError, ValueError):
        raise Http404("文件不存在 / file not found") from None
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
