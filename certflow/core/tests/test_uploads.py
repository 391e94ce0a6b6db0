"""Upload inspection: every accepted kind passes with its SHA-256; every hostile file is refused in zh and en."""

import hashlib
import io
import os
import re
import stat
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from certflow.core import uploads
from certflow.core.tests import hostile
from certflow.core.uploads import KINDS, UploadRejected, inspect_upload, safe_filename

ALL = frozenset(KINDS)
MIB = 1024 * 1024
CJK = re.compile(r"[\u4e00-\u9fff]")


def inspect(name, data: bytes, *, allowed=ALL, max_bytes=20 * MIB, scanners=None):
    return inspect_upload(name, io.BytesIO(data), allowed=allowed, max_bytes=max_bytes, scanners=scanners)


def refused(name, data: bytes, **kwargs) -> UploadRejected:
    with pytest.raises(UploadRejected) as caught:
        inspect(name, data, **kwargs)
    exc = caught.value
    # Every refusal explains itself in both languages.
    assert CJK.search(exc.zh), exc.zh
    assert exc.en and not CJK.search(exc.en.replace(name, "")), exc.en
    assert str(exc) == f"{exc.zh} / {exc.en}"
    return exc


# --- accepted ---------------------------------------------------------------------------------------------

VALID = [
    ("营业执照.pdf", hostile.pdf, "pdf", "application/pdf", "pdf"),
    ("page.pdf", hostile.pdf_with_flate_content, "pdf", "application/pdf", "pdf"),
    ("现场照片.png", hostile.png, "png", "image/png", "png"),
    ("photo.jpg", hostile.jpeg, "jpeg", "image/jpeg", "jpg"),
    ("photo.JPEG", hostile.jpeg, "jpeg", "image/jpeg", "jpg"),
    ("管理制度.docx", hostile.docx, "docx", KINDS["docx"].content_type, "docx"),
    ("设备清单.xlsx", hostile.xlsx, "xlsx", KINDS["xlsx"].content_type, "xlsx"),
    ("旧版制度.doc", hostile.doc, "doc", "application/msword", "doc"),
    ("旧版清单.xls", hostile.xls, "xls", "application/vnd.ms-excel", "xls"),
    ("客户名单.csv", lambda: hostile.CSV_UTF8, "csv", "text/csv", "csv"),
]


@pytest.mark.parametrize(("name", "build", "kind", "content_type", "extension"), VALID)
def test_valid_files_of_every_kind_are_accepted_with_their_sha256(name, build, kind, content_type, extension):
    data = build()
    result = inspect(name, data)
    assert result.kind == kind
    assert result.content_type == content_type
    assert result.extension == extension
    assert result.size == len(data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.safe_name == name


@pytest.mark.parametrize(
    ("data", "encoding"),
    [(hostile.CSV_UTF8, "utf-8"), (hostile.CSV_UTF8_BOM, "utf-8"), (hostile.CSV_GBK, "gb18030")],
)
def test_csv_in_utf8_or_gbk_is_accepted_and_its_encoding_reported(data, encoding):
    assert inspect("客户.csv", data).text_encoding == encoding


def test_a_django_upload_is_inspected_and_the_browsers_content_type_ignored():
    upload = SimpleUploadedFile("营业执照.pdf", hostile.pdf(), content_type="text/html")
    result = inspect_upload(upload.name, upload, allowed=frozenset({"pdf"}), max_bytes=MIB)
    assert (result.kind, result.content_type) == ("pdf", "application/pdf")


def test_the_file_is_left_at_its_start_for_the_caller_to_store():
    data = io.BytesIO(hostile.pdf())
    inspect_upload("a.pdf", data, allowed=ALL, max_bytes=MIB)
    assert data.tell() == 0


def test_a_large_file_is_read_in_chunks_never_whole():
    class CountingFile(io.BytesIO):
        largest_read = 0

        def read(self, size=-1):
            chunk = super().read(size)
            CountingFile.largest_read = max(CountingFile.largest_read, len(chunk))
            return chunk

    data = hostile.pdf(comment=b"x" * (3 * MIB))
    result = inspect_upload("big.pdf", CountingFile(data), allowed=ALL, max_bytes=20 * MIB)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert CountingFile.largest_read <= uploads.CHUNK < len(data)


def test_upload_rejected_is_a_validation_error_so_forms_and_the_api_show_it():
    exc = refused("x.pdf", b"")
    assert isinstance(exc, ValidationError)
    assert exc.code == "empty"
    assert exc.messages == [f"{exc.zh} / {exc.en}"]


# --- file names --------------------------------------------------------------------------------------------


def test_chinese_file_names_are_kept():
    assert inspect("欧利斯认证申请书（盖章版）.pdf", hostile.pdf()).safe_name == "欧利斯认证申请书（盖章版）.pdf"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\x\\y.pdf", "y.pdf"),
        ("C:y.pdf", "y.pdf"),
        ("\\\\server\\share\\合同.pdf", "合同.pdf"),
        ("/var/www/..pdf.pdf", "pdf.pdf"),
        ("...hidden.pdf", "hidden.pdf"),
        ("report\x00.exe.pdf", "report.exe.pdf"),
        ("line\r\nbreak.pdf", "linebreak.pdf"),
        ("invoice\u202efdp.pdf", "invoicefdp.pdf"),
        ('a<b>c:"d|e?f*.pdf', "abcdef.pdf"),
    ],
)
def test_path_components_and_control_characters_never_reach_the_name(name, safe):
    result = inspect(name, hostile.pdf())
    assert result.safe_name == safe
    assert "/" not in result.safe_name and "\\" not in result.safe_name


def test_names_are_nfc_normalised():
    decomposed = unicodedata.normalize("NFD", "Café.pdf")
    assert inspect(decomposed, hostile.pdf()).safe_name == unicodedata.normalize("NFC", "Café.pdf")


def test_long_names_are_cut_to_120_characters_keeping_the_extension():
    name = "定" * 300 + ".pdf"
    safe = inspect(name, hostile.pdf()).safe_name
    assert len(safe) == 120
    assert safe.endswith(".pdf")


def test_a_name_of_only_dots_and_slashes_is_refused_for_having_no_extension():
    exc = refused("../..", hostile.pdf())
    assert exc.code == "no_extension"


def test_safe_filename_on_its_own():
    assert safe_filename("  ./a/b/ 报告.PDF ") == "报告.PDF"
    assert safe_filename("") == ""


# --- size ------------------------------------------------------------------------------------------------


def test_an_empty_file_is_refused():
    exc = refused("空文件.pdf", b"")
    assert exc.code == "empty"
    assert "0 字节" in exc.zh and "empty" in exc.en


def test_an_oversized_file_is_refused_naming_the_limit_in_mb():
    exc = refused("big.pdf", hostile.pdf(comment=b"x" * (2 * MIB)), max_bytes=2 * MIB)
    assert exc.code == "too_large"
    assert "2 MB" in exc.zh and "2 MB limit" in exc.en


@override_settings(CERTFLOW_UPLOAD_MAX_BYTES=1024)
def test_the_default_limit_comes_from_settings():
    with pytest.raises(UploadRejected) as caught:
        inspect_upload("a.pdf", io.BytesIO(hostile.pdf(comment=b"x" * 2048)), allowed=ALL)
    assert caught.value.code == "too_large"


def test_the_built_in_default_limit_is_20_mib():
    assert uploads.DEFAULT_MAX_BYTES == 20 * MIB


# --- the type: extension against content ---------------------------------------------------------------------


def test_a_kind_not_accepted_here_is_refused_listing_what_is():
    exc = refused("制度.docx", hostile.docx(), allowed=frozenset({"pdf", "jpeg"}))
    assert exc.code == "type_not_allowed"
    assert ".pdf" in exc.zh and ".jpg/.jpeg" in exc.en


def test_an_unknown_extension_is_refused():
    assert refused("setup.exe", hostile.PE).code == "type_not_allowed"


def test_extension_and_content_must_agree():
    exc = refused("照片.jpg", hostile.png())
    assert exc.code == "type_mismatch"
    assert "PNG" in exc.zh and "PNG image" in exc.en


@pytest.mark.parametrize(
    ("data", "zh", "en"),
    [
        (hostile.HTML, "HTML 网页", "HTML web page"),
        (hostile.HTML_NO_DOCTYPE, "HTML 网页", "HTML web page"),
        (hostile.SVG, "SVG", "SVG image"),
        (hostile.ELF, "Linux 可执行程序", "Linux executable"),
        (hostile.PE, "Windows 可执行程序", "Windows executable"),
        (hostile.SHELL_SCRIPT, "脚本", "a script"),
        (hostile.PHP, "PHP", "PHP script"),
        (hostile.GZIP, "GZIP", "GZIP archive"),
        (hostile.docx(), "Word 文档", "Word document"),
        (b"just some words, not a pdf\n", "纯文本", "plain text"),
    ],
)
def test_a_file_renamed_pdf_is_refused_saying_what_it_really_is(data, zh, en):
    exc = refused("营业执照.pdf", data)
    assert exc.code == "type_mismatch"
    assert zh in exc.zh and en in exc.en
    assert "PDF" in exc.zh and "PDF" in exc.en


def test_html_renamed_csv_is_refused_as_html():
    exc = refused("客户.csv", hostile.HTML)
    assert exc.code == "type_mismatch" and "HTML" in exc.en


def test_an_xls_renamed_doc_is_refused():
    assert "Excel" in refused("制度.doc", hostile.xls()).en


# --- Office containers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "build"), [("制度.docx", hostile.docx_zip_bomb), ("清单.xlsx", hostile.xlsx_zip_bomb)]
)
def test_a_zip_bomb_disguised_as_office_file_is_refused(name, build):
    data = build()
    assert len(data) < MIB  # kilobytes on disk, 16 MiB expanded
    exc = refused(name, data)
    assert exc.code == "zip_bomb"
    assert "压缩炸弹" in exc.zh and "zip bomb" in exc.en


def test_an_office_file_expanding_beyond_100_mib_in_total_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "ZIP_MAX_TOTAL_UNCOMPRESSED", 200)
    assert refused("制度.docx", hostile.docx()).code == "zip_bomb"


def test_a_small_part_compressing_better_than_100_to_1_is_harmless():
    data = hostile.docx_with_member("word/blank.xml", b" " * 100_000)
    assert inspect("制度.docx", data).kind == "docx"


def test_an_office_file_with_more_than_1000_parts_is_refused():
    assert refused("制度.docx", hostile.docx_with_many_members()).code == "zip_bomb"


def test_a_million_parts_declared_in_zip64_records_are_refused_before_listing_them():
    data = hostile.docx_declaring_zip64_entries(10**6)
    assert uploads.zip_declared_entries(io.BytesIO(data), len(data)) == 10**6
    assert refused("制度.docx", data).code == "zip_bomb"


def test_the_member_count_inside_the_archive_is_checked_too(monkeypatch):
    monkeypatch.setattr(uploads, "zip_declared_entries", lambda data, size: None)
    assert refused("制度.docx", hostile.docx_with_many_members()).code == "zip_bomb"


def test_a_plain_zip_with_too_many_parts_renamed_pdf_says_so():
    exc = refused("报告.pdf", hostile.docx_with_many_members())
    assert exc.code == "type_mismatch" and "zip bomb" in exc.en


@pytest.mark.parametrize("member", ["../../evil.sh", "/etc/cron.d/x", "word/../../x.xml", "C:/x.xml", "..\\x.xml"])
def test_an_office_file_whose_part_path_leaves_the_archive_is_refused(member):
    exc = refused("制度.docx", hostile.docx_with_member(member))
    assert exc.code == "zip_path"


def test_a_plain_zip_renamed_docx_is_refused():
    exc = refused("制度.docx", hostile.plain_zip())
    assert exc.code == "type_mismatch"
    assert "ZIP 压缩包" in exc.zh and "ZIP archive" in exc.en


def test_a_powerpoint_renamed_docx_is_refused():
    assert "PowerPoint" in refused("制度.docx", hostile.pptx()).en


@pytest.mark.parametrize("build", [hostile.docx_encrypted_member, hostile.encrypted_docx])
def test_an_encrypted_office_file_is_refused(build):
    exc = refused("制度.docx", build())
    assert exc.code == "encrypted"
    assert "密码" in exc.zh and "password" in exc.en


@pytest.mark.parametrize(
    ("name", "build"), [("制度.docx", hostile.docx_truncated), ("制度.docx", hostile.docx_with_bad_crc)]
)
def test_a_broken_office_file_is_refused(name, build):
    exc = refused(name, build())
    assert exc.code == "broken_file"
    assert "损坏" in exc.zh and "damaged" in exc.en


def test_a_broken_legacy_office_file_is_refused():
    assert refused("制度.doc", hostile.ole2_broken()).code == "broken_file"


@pytest.mark.parametrize(
    ("name", "build"), [("制度.docx", hostile.docx_with_macros), ("制度.doc", hostile.doc_with_macros)]
)
def test_office_files_with_macros_are_refused(name, build):
    exc = refused(name, build())
    assert exc.code == "macros"
    assert "宏" in exc.zh and "macros" in exc.en


# --- PDF active content ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [hostile.pdf_with_javascript, hostile.pdf_with_escaped_javascript, hostile.pdf_with_javascript_in_object_stream],
)
def test_a_pdf_with_javascript_is_refused(build):
    exc = refused("报告.pdf", build())
    assert exc.code == "pdf_javascript"
    assert "JavaScript" in exc.zh and "JavaScript" in exc.en


def test_a_pdf_with_a_launch_action_is_refused():
    exc = refused("报告.pdf", hostile.pdf_with_launch())
    assert exc.code == "pdf_launch"
    assert "/Launch" in exc.en


@pytest.mark.parametrize("chunk", [5, 7, 13, 64])
def test_active_content_is_found_across_chunk_boundaries(monkeypatch, chunk):
    monkeypatch.setattr(uploads, "CHUNK", chunk)
    for build in (hostile.pdf_with_javascript, hostile.pdf_with_escaped_javascript):
        assert refused("a.pdf", build()).code == "pdf_javascript"
    assert refused("a.pdf", hostile.pdf_with_javascript_in_object_stream()).code == "pdf_javascript"
    assert inspect("a.pdf", hostile.pdf_with_flate_content()).kind == "pdf"


def test_names_that_merely_look_like_active_content_are_not_flagged():
    data = hostile.pdf(catalog_extra=b"/JavaScriptish 1 /Launcher 2 /JS 3 ")
    assert inspect("a.pdf", data).kind == "pdf"


# --- images ----------------------------------------------------------------------------------------------------


def test_an_image_claiming_billions_of_pixels_is_refused():
    exc = refused("照片.png", hostile.png_claiming_huge_size())
    assert exc.code == "image_too_large"


def test_an_image_just_over_the_pixel_limit_is_refused_with_its_size():
    exc = refused("照片.png", hostile.png_header_only(11_000, 10_000))
    assert exc.code == "image_too_large"
    assert "11000×10000" in exc.zh


def test_a_truncated_image_is_refused():
    assert refused("照片.png", hostile.png()[:30]).code == "broken_file"


# --- CSV -------------------------------------------------------------------------------------------------------


def test_a_csv_with_nul_bytes_is_refused():
    exc = refused("客户.csv", hostile.CSV_WITH_NUL)
    assert exc.code == "csv_binary"
    assert "NUL" in exc.zh and "NUL" in exc.en


def test_a_csv_in_an_unknown_encoding_is_refused():
    exc = refused("客户.csv", hostile.CSV_BAD_ENCODING)
    assert exc.code == "csv_encoding"
    assert "GBK" in exc.zh and "UTF-8" in exc.en


# --- virus scanning ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("报告.pdf", hostile.pdf_with_eicar),
        ("制度.docx", hostile.docx_with_eicar),
        ("客户.csv", lambda: hostile.EICAR_TEXT),
    ],
)
def test_the_eicar_test_string_is_refused_wherever_it_is(name, build):
    exc = refused(name, build())
    assert exc.code == "virus"
    assert "病毒" in exc.zh and "EICAR" in exc.en


def test_eicar_is_found_across_chunk_boundaries(monkeypatch):
    monkeypatch.setattr(uploads, "CHUNK", 11)
    assert refused("报告.pdf", hostile.pdf_with_eicar()).code == "virus"


scanned: list[bytes] = []


def recording_scanner(data):
    """A scanner configured by dotted path in the test below."""
    scanned.append(data.read())
    return "Custom.Test" if b"certflow" in scanned[-1] else None


@override_settings(CERTFLOW_UPLOAD_SCANNERS=["certflow.core.tests.test_uploads.recording_scanner"])
def test_the_scanners_come_from_settings():
    scanned.clear()
    exc = refused("报告.pdf", hostile.pdf(), scanners=None)
    assert exc.code == "virus" and "Custom.Test" in exc.en
    assert scanned == [hostile.pdf()]  # the scanner got the whole file, from its start


def test_a_failing_scanner_refuses_the_file_rather_than_letting_it_through():
    def broken(data):
        raise ConnectionRefusedError("clamd is not running")

    exc = refused("报告.pdf", hostile.pdf(), scanners=[broken])
    assert exc.code == "scan_failed"
    assert "病毒扫描" in exc.zh and "try again later" in exc.en


def test_with_no_scanners_eicar_is_not_looked_for():
    assert inspect("客户.csv", hostile.EICAR_TEXT, scanners=[]).kind == "csv"


@pytest.fixture
def fake_clamav(tmp_path, monkeypatch):
    """A stand-in `clamdscan` on PATH that answers like ClamAV: exit 1 and "stdin: NAME FOUND" for EICAR."""
    script = tmp_path / "clamdscan"
    script.write_text(
        "#!/bin/sh\n"
        'case "$*" in *"--no-summary --stdout -"*) ;; *) echo "bad arguments: $*" >&2; exit 2;; esac\n'
        "if grep -q 'EICAR-STANDARD' ; then echo 'stdin: Win.Test.EICAR_HDB-1 FOUND'; exit 1; fi\n"
        "echo 'stdin: OK'; exit 0\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    return script


def test_clamav_reports_what_it_found(fake_clamav):
    exc = refused("客户.csv", hostile.EICAR_TEXT, scanners=[uploads.clamav_scan])
    assert exc.code == "virus" and "Win.Test.EICAR_HDB-1" in exc.en


def test_clamav_lets_a_clean_file_through(fake_clamav):
    assert inspect("客户.csv", hostile.CSV_UTF8, scanners=[uploads.clamav_scan]).kind == "csv"


def test_clamav_missing_refuses_the_file(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert refused("客户.csv", hostile.CSV_UTF8, scanners=[uploads.clamav_scan]).code == "scan_failed"


def test_an_unknown_kind_in_allowed_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown upload kinds"):
        inspect("a.pdf", hostile.pdf(), allowed=frozenset({"pdf", "exe"}))
