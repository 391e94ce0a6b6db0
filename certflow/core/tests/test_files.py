"""Storing inspected uploads under generated names, and handing them back as safe downloads."""

import errno
import io
import re
from urllib.parse import unquote

import pytest
from django.core.files.storage import default_storage
from django.http import Http404
from django.test import override_settings

from certflow.core.files import content_disposition, download_response, store_upload
from certflow.core.tests import hostile
from certflow.core.uploads import KINDS, UploadRejected, inspect_upload

STORED_NAME = re.compile(r"applications/materials/[0-9a-f]{32}\.pdf")


def inspected(name="营业执照.pdf", data=None):
    data = hostile.pdf() if data is None else data
    return inspect_upload(name, io.BytesIO(data), allowed=frozenset(KINDS), max_bytes=1024 * 1024), data


def test_a_file_is_stored_under_a_generated_name_never_the_users():
    result, data = inspected("../../etc/营业执照.pdf")
    name = store_upload(result, io.BytesIO(data), folder="applications/materials")
    assert STORED_NAME.fullmatch(name)
    assert "营业执照" not in name
    with default_storage.open(name, "rb") as handle:
        assert handle.read() == data


def test_two_uploads_of_the_same_file_get_two_names():
    result, data = inspected()
    first = store_upload(result, io.BytesIO(data), folder="x")
    second = store_upload(result, io.BytesIO(data), folder="x")
    assert first != second


def test_the_file_is_stored_whole_even_when_the_caller_had_read_it():
    result, data = inspected()
    source = io.BytesIO(data)
    source.read()
    name = store_upload(result, source, folder="x")
    assert default_storage.size(name) == len(data)


@pytest.mark.parametrize("folder", ["", "/abs", "a/../b", "A", "a//b", "a/", "x y"])
def test_the_folder_must_be_a_plain_relative_path(folder):
    result, data = inspected()
    with pytest.raises(ValueError):
        store_upload(result, io.BytesIO(data), folder=folder)


class FailingSource(io.BytesIO):
    """A source that fails half-way, as a full disk or a dropped connection to object storage does."""

    def read(self, size=-1):
        if self.tell() > 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().read(min(size, 100) if size and size > 0 else 100)


def test_a_storage_error_is_refused_clearly_and_leaves_no_half_file(tmp_path):
    storage = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}
    with override_settings(STORAGES=storage):
        result, data = inspected()
        with pytest.raises(UploadRejected) as caught:
            store_upload(result, FailingSource(data), folder="applications/materials")
    assert caught.value.code == "storage_error"
    assert "保存文件失败" in caught.value.zh and "could not save" in caught.value.en
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_a_storage_that_refuses_to_save_is_refused_clearly(monkeypatch):
    def full(name, content, max_length=None):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(default_storage, "save", full)
    result, data = inspected()
    with pytest.raises(UploadRejected) as caught:
        store_upload(result, io.BytesIO(data), folder="x")
    assert caught.value.code == "storage_error"


def test_a_silently_truncated_save_is_detected_and_removed(monkeypatch):
    result, data = inspected()
    real_save = default_storage.save
    saved = []

    def truncating(name, content, max_length=None):
        saved.append(real_save(name, io.BytesIO(data[:10])))
        return saved[-1]

    monkeypatch.setattr(default_storage, "save", truncating)
    with pytest.raises(UploadRejected):
        store_upload(result, io.BytesIO(data), folder="x")
    assert not default_storage.exists(saved[0])


# --- downloads -------------------------------------------------------------------------------------------


def stored(name="营业执照（副本）.pdf"):
    result, data = inspected(name)
    return result, store_upload(result, io.BytesIO(data), folder="x"), data


def test_a_download_is_an_attachment_that_no_browser_renders_or_sniffs():
    result, name, data = stored()
    response = download_response(name, filename=result.safe_name, content_type=result.content_type)
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"
    assert int(response["Content-Length"]) == len(data)


def test_the_download_name_is_the_users_name_in_rfc_5987_form_with_an_ascii_fallback():
    header = content_disposition("营业执照（副本）.pdf")
    fallback, encoded = re.fullmatch(r'attachment; filename="([^"]*)"; filename\*=UTF-8\'\'(\S+)', header).groups()
    assert unquote(encoded) == "营业执照（副本）.pdf"
    assert fallback.isascii() and fallback.endswith(".pdf")


def test_a_name_cannot_break_out_of_the_header():
    header = content_disposition('evil"\r\nSet-Cookie: x=1;.pdf')
    assert "\r" not in header and "\n" not in header
    assert header.count('"') == 2


def test_a_missing_file_is_a_404():
    with pytest.raises(Http404):
        download_response("x/missing.pdf", filename="a.pdf", content_type="application/pdf")


@pytest.mark.django_db
def test_stored_files_are_not_served_by_any_url(client, settings):
    _, name, _ = stored()
    for prefix in (settings.MEDIA_URL, "/media/", "/"):
        assert client.get(f"{prefix}{name}").status_code == 404
