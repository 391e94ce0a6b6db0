"""Inspecting an uploaded file before anything keeps it: what it really is, whether it is safe, its SHA-256.

Pure: no ORM, no request. `inspect_upload` reads the file in chunks (never whole into memory), sniffs
the real type from the content — never from the name or the browser's Content-Type — and refuses with
a Chinese and an English message (`UploadRejected`) anything that is empty, too large, not what its
name says, an archive bomb, a broken or encrypted container, a PDF with JavaScript or a launch action,
an Office file with macros, or what a virus scanner flags. See docs/decisions-uploads-notifications.md.

Kinds: pdf, png, jpeg, docx, xlsx, doc, xls (legacy OLE2) and csv (UTF-8 or GBK/GB18030 text).
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import shutil
import struct
import subprocess  # noqa: S404 - ClamAV is called with a fixed argument list, never a shell
import unicodedata
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.core.exceptions import ValidationError

MIB = 1024 * 1024
CHUNK = MIB
DEFAULT_MAX_BYTES = 20 * MIB
MAX_NAME_LENGTH = 120

# Archive limits for .docx/.xlsx (zip containers). A real Word or Excel file from an enterprise is far
# below all of them; a zip bomb is far above at least one.
ZIP_MAX_MEMBERS = 1000
ZIP_MAX_TOTAL_UNCOMPRESSED = 100 * MIB
ZIP_MAX_RATIO = 100
# The ratio rule applies to members that expand beyond this size: a few kilobytes of repetitive XML
# legitimately compress better than 100:1 and harm nobody.
ZIP_RATIO_MIN_SIZE = MIB

# PDF active-content scan: how much Flate-compressed content (object streams hide dictionaries there)
# is inflated and searched, at most, per file. Beyond it only the raw bytes are searched.
PDF_MAX_INFLATED = 256 * MIB
PDF_MAX_OPEN_STREAMS = 4

# Images: more pixels than this is a decompression bomb, whatever the file size (≈ 12 000 × 8 000).
IMAGE_MAX_PIXELS = 100_000_000

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
DEFAULT_SCANNERS = ("certflow.core.uploads.eicar_scan",)


# --- results and refusals ------------------------------------------------------------------------------


@dataclass(frozen=True)
class InspectedUpload:
    kind: str  # one of KINDS
    content_type: str  # the MIME type of the kind, never the browser's claim
    extension: str  # canonical extension of the kind, without the dot ("jpg" for jpeg)
    safe_name: str  # the user's file name made safe to show and to offer back as a download name
    size: int  # bytes
    sha256: str  # hex digest of the whole content
    text_encoding: str = ""  # csv only: "utf-8" or "gb18030" (GBK is a subset)


class UploadRejected(ValidationError):
    """A refused upload, with a reason the uploader can act on, in Chinese and English.

    A `ValidationError`, so a form's `clean_<field>` can let it through to the field's errors and the
    API's exception handler turns it into a 400 like every other domain refusal.
    """

    def __init__(self, zh: str, en: str, code: str = "rejected"):
        self.zh = zh
        self.en = en
        super().__init__(f"{zh} / {en}", code=code)

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"

    def __repr__(self) -> str:
        return f"UploadRejected(code={self.code!r}, en={self.en!r})"


@dataclass(frozen=True)
class Kind:
    name: str
    content_type: str
    extensions: tuple[str, ...]  # the first is canonical
    zh: str
    en: str

    @property
    def the_en(self) -> str:
        """The English name with "the" instead of "a", to start a sentence with: "the PDF document"."""
        return "the " + self.en.removeprefix("a ").removeprefix("an ")


_OOXML = "application/vnd.openxmlformats-officedocument."
KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("pdf", "application/pdf", ("pdf",), "PDF 文档", "a PDF document"),
        Kind("png", "image/png", ("png",), "PNG 图片", "a PNG image"),
        Kind("jpeg", "image/jpeg", ("jpg", "jpeg"), "JPEG 图片", "a JPEG image"),
        Kind("docx", f"{_OOXML}wordprocessingml.document", ("docx",), "Word 文档（.docx）", "a Word document (.docx)"),
        Kind("xlsx", f"{_OOXML}spreadsheetml.sheet", ("xlsx",), "Excel 表格（.xlsx）", "an Excel workbook (.xlsx)"),
        Kind("doc", "application/msword", ("doc",), "Word 97-2003 文档（.doc）", "a Word 97-2003 document (.doc)"),
        Kind(
            "xls",
            "application/vnd.ms-excel",
            ("xls",),
            "Excel 97-2003 表格（.xls）",
            "an Excel 97-2003 workbook (.xls)",
        ),
        Kind("csv", "text/csv", ("csv",), "CSV 文本表格", "a CSV text table"),
    )
}
KIND_BY_EXTENSION = {ext: kind.name for kind in KINDS.values() for ext in kind.extensions}

# What a file can turn out to be besides an accepted kind: named so the refusal says what it really is.
OTHER_TYPES: dict[str, tuple[str, str]] = {
    "html": ("HTML 网页", "an HTML web page"),
    "svg": ("SVG 图像（可包含脚本）", "an SVG image (which can carry scripts)"),
    "xml": ("XML 文件", "an XML file"),
    "elf": ("Linux 可执行程序（ELF）", "a Linux executable program (ELF)"),
    "pe": ("Windows 可执行程序（EXE/DLL）", "a Windows executable program (EXE/DLL)"),
    "macho": ("macOS 可执行程序（Mach-O）", "a macOS executable program (Mach-O)"),
    "java": ("Java 类文件", "a Java class file"),
    "script": ("脚本文件", "a script"),
    "php": ("PHP 脚本", "a PHP script"),
    "zip": ("ZIP 压缩包", "a ZIP archive"),
    "broken_zip": ("已损坏的 ZIP 压缩包", "a damaged ZIP archive"),
    "zip_bomb": (
        "部件数量异常的 ZIP 压缩包（疑似压缩炸弹）",
        "a ZIP archive with an abnormal number of parts (a zip bomb)",
    ),
    "pptx": ("PowerPoint 演示文稿（.pptx）", "a PowerPoint presentation (.pptx)"),
    "odf": ("OpenDocument 文档", "an OpenDocument file"),
    "gzip": ("GZIP 压缩包", "a GZIP archive"),
    "rar": ("RAR 压缩包", "a RAR archive"),
    "7z": ("7-Zip 压缩包", "a 7-Zip archive"),
    "gif": ("GIF 图片", "a GIF image"),
    "webp": ("WebP 图片", "a WebP image"),
    "bmp": ("BMP 图片", "a BMP image"),
    "tiff": ("TIFF 图片", "a TIFF image"),
    "ppt": ("PowerPoint 97-2003 演示文稿", "a PowerPoint 97-2003 presentation"),
    "ole": ("Office 97-2003 格式的其他文件", "another Office 97-2003 (OLE2) file"),
    "broken_ole": ("已损坏的 Office 97-2003 文件", "a damaged Office 97-2003 file"),
    "encrypted_office": ("加密（设置了打开密码）的 Office 文件", "a password-protected Office file"),
    "text": ("纯文本", "plain text"),
    "unknown": ("无法识别的格式", "an unrecognised format"),
}


def describe(type_name: str) -> tuple[str, str]:
    """Chinese and English name of a kind or another recognised type."""
    if type_name in KINDS:
        return KINDS[type_name].zh, KINDS[type_name].en
    return OTHER_TYPES.get(type_name, OTHER_TYPES["unknown"])


# --- the file name -------------------------------------------------------------------------------------

_DRIVE = re.compile(r"^[A-Za-z]:")
_WINDOWS_FORBIDDEN = dict.fromkeys(map(ord, '<>:"|?*'), None)


def safe_filename(name: str, *, max_length: int = MAX_NAME_LENGTH) -> str:
    """The last component of `name`, NFC-normalised, without control or format characters, path
    separators, drive letters or leading dots, at most `max_length` characters with its extension kept.

    Chinese names stay as they are. May return "" when nothing usable is left.
    """
    text = unicodedata.normalize("NFC", str(name or ""))
    # Control (Cc) and format (Cf) characters go: NUL, newlines (header injection), and the
    # right-to-left override U+202E that makes "invoice<RLO>fdp.exe" look like "invoiceexe.pdf".
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf"))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = _DRIVE.sub("", text).translate(_WINDOWS_FORBIDDEN)
    text = text.strip().lstrip(".").strip().rstrip(". ")
    if len(text) <= max_length:
        return text
    stem, dot, ext = text.rpartition(".")
    if not dot or not stem or len(ext) > 16:
        return text[:max_length].rstrip(". ")
    return stem[: max_length - len(ext) - 1].rstrip(". ") + "." + ext


def _extension(safe_name: str) -> str:
    stem, dot, ext = safe_name.rpartition(".")
    return ext.lower() if dot and stem else ""


# --- reading -------------------------------------------------------------------------------------------


def _chunks(data: BinaryIO) -> Iterator[bytes]:
    data.seek(0)
    while True:
        chunk = data.read(CHUNK)
        if not chunk:
            return
        yield chunk


def _size_of(data: BinaryIO) -> int:
    data.seek(0, io.SEEK_END)
    size = data.tell()
    data.seek(0)
    return size


def _mb(n: int) -> str:
    value = n / MIB
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


# --- sniffing the real type ----------------------------------------------------------------------------

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MACHO = (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")
_HTML_START = re.compile(
    rb"^(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|script|iframe|meta|title|a\s|div|form|style|frameset)\b",
    re.I | re.S,
)


def _strip_text_prefix(head: bytes) -> bytes:
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    return head.replace(b"\x00", b"").lstrip()


def _sniff_text(head: bytes) -> str:
    text = _strip_text_prefix(head)
    lower = text[:4096].lower()
    if lower.startswith(b"<?php") or b"<?php" in lower[:256]:
        return "php"
    if lower.startswith(b"#!"):
        return "script"
    if lower.startswith(b"<svg") or (lower.startswith(b"<?xml") and b"<svg" in lower):
        return "svg"
    if _HTML_START.match(lower):
        return "html"
    if lower.startswith(b"<?xml"):
        return "html" if b"<html" in lower else "xml"
    if b"\x00" in head[:4096]:
        return "unknown"
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head[:4096], final=False)
            return "text"
        except UnicodeDecodeError:
            continue
    return "unknown"


def _sniff(data: BinaryIO, size: int) -> str:
    """The real type of the content: a kind in KINDS or a key of OTHER_TYPES."""
    data.seek(0)
    head = data.read(8192)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(OLE2_MAGIC):
        return _sniff_ole2(data, size)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _sniff_zip(data, size)
    if head.startswith(b"\x7fELF"):
        return "elf"
    if head.startswith(b"MZ") and len(head) >= 64:
        pe_offset = struct.unpack_from("<I", head, 0x3C)[0]
        if head[pe_offset : pe_offset + 4] == b"PE\x00\x00" or pe_offset >= len(head):
            return "pe"
    if head.startswith(b"\xca\xfe\xba\xbe"):
        return "java" if len(head) > 8 and struct.unpack(">I", head[4:8])[0] > 30 else "macho"
    if head.startswith(_MACHO):
        return "macho"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"Rar!\x1a\x07"):
        return "rar"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if head.startswith(b"BM") and len(head) >= 26 and struct.unpack("<I", head[2:6])[0] == size:
        return "bmp"
    return _sniff_text(head)


def zip_declared_entries(data: BinaryIO, size: int) -> int | None:
    """The number of parts the archive's end record declares (ZIP64 too), read before zipfile lists them
    all — a central directory of millions of tiny entries would otherwise fill memory. None if not found."""
    tail_size = min(size, 65_535 + 22)
    data.seek(size - tail_size)
    tail = data.read(tail_size)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or end + 22 > len(tail):
        return None
    count = struct.unpack_from("<H", tail, end + 10)[0]
    if count != 0xFFFF:
        return count
    locator = end - 20  # ZIP64: the end-of-central-directory locator sits just before, pointing to the record
    if locator < 0 or tail[locator : locator + 4] != b"PK\x06\x07":
        return None
    data.seek(struct.unpack_from("<Q", tail, locator + 8)[0])
    record = data.read(56)
    if len(record) < 56 or not record.startswith(b"PK\x06\x06"):
        return None
    return struct.unpack_from("<Q", record, 32)[0]


def _sniff_zip(data: BinaryIO, size: int) -> str:
    declared = zip_declared_entries(data, size)
    if declared is not None and declared > ZIP_MAX_MEMBERS:
        return "zip_bomb"
    data.seek(0)
    try:
        with zipfile.ZipFile(data) as archive:
            names = archive.namelist()
            mimetype = b""
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size < 200 and not info.flag_bits & 0x1:
                    mimetype = archive.read(info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, RuntimeError):
        return "broken_zip"
    if "[Content_Types].xml" in names:
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        if any(n.startswith("ppt/") for n in names):
            return "pptx"
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        return "odf"
    return "zip"


# OLE2 / Compound File Binary (MS-CFB): enough of the format to list the directory's entry names.
_ENDOFCHAIN = 0xFFFFFFFE
_MAX_REGSECT = 0xFFFFFFFA


class _BrokenOle2(Exception):
    pass


def ole2_entry_names(data: BinaryIO, size: int) -> list[str]:
    """Names of the storages and streams in an OLE2 file (e.g. "WordDocument", "Workbook", "Macros")."""
    data.seek(0)
    header = data.read(512)
    if len(header) < 512 or not header.startswith(OLE2_MAGIC):
        raise _BrokenOle2("short header")
    sector_shift = struct.unpack_from("<H", header, 0x1E)[0]
    if sector_shift not in (9, 12):
        raise _BrokenOle2("sector size")
    sector_size = 1 << sector_shift
    n_fat, first_dir = struct.unpack_from("<II", header, 0x2C)
    first_difat, n_difat = struct.unpack_from("<II", header, 0x44)
    n_sectors = max(0, (size - sector_size) // sector_size) + 1

    def read_sector(sector: int) -> bytes:
        if sector > _MAX_REGSECT or sector >= n_sectors:
            raise _BrokenOle2("sector out of range")
        data.seek(sector_size * (sector + 1))
        block = data.read(sector_size)
        if len(block) < sector_size:
            block += b"\x00" * (sector_size - len(block))  # a short last sector is common and harmless
        return block

    if n_fat > n_sectors or n_difat > n_sectors:
        raise _BrokenOle2("counts")
    fat_sectors = [s for s in struct.unpack_from("<109I", header, 0x4C) if s <= _MAX_REGSECT]
    sector, seen = first_difat, set()
    per_difat = sector_size // 4 - 1
    while sector <= _MAX_REGSECT and len(fat_sectors) < n_fat:
        if sector in seen:
            raise _BrokenOle2("difat loop")
        seen.add(sector)
        values = struct.unpack(f"<{per_difat + 1}I", read_sector(sector))
        fat_sectors.extend(s for s in values[:per_difat] if s <= _MAX_REGSECT)
        sector = values[per_difat]
    fat: list[int] = []
    for s in fat_sectors[:n_fat]:
        fat.extend(struct.unpack(f"<{sector_size // 4}I", read_sector(s)))

    names: list[str] = []
    sector, seen = first_dir, set()
    while sector != _ENDOFCHAIN:
        if sector in seen or sector >= len(fat) or len(seen) > 100_000:
            raise _BrokenOle2("directory chain")
        seen.add(sector)
        block = read_sector(sector)
        for offset in range(0, sector_size, 128):
            entry = block[offset : offset + 128]
            name_length, entry_type = struct.unpack_from("<HB", entry, 64)
            if entry_type == 0 or not 2 <= name_length <= 64:
                continue
            names.append(entry[: name_length - 2].decode("utf-16-le", errors="replace"))
        sector = fat[sector]
    if not names:
        raise _BrokenOle2("empty directory")
    return names


def _sniff_ole2(data: BinaryIO, size: int) -> str:
    try:
        names = set(ole2_entry_names(data, size))
    except (_BrokenOle2, struct.error):
        return "broken_ole"
    if {"EncryptionInfo", "EncryptedPackage"} <= names:
        return "encrypted_office"
    if "WordDocument" in names:
        return "doc"
    if "Workbook" in names or "Book" in names:
        return "xls"
    if "PowerPoint Document" in names:
        return "ppt"
    return "ole"


# --- deep checks per kind ------------------------------------------------------------------------------


def _unsafe_member_name(name: str) -> bool:
    normalised = name.replace("\\", "/")
    return (
        normalised.startswith("/")
        or bool(_DRIVE.match(normalised))
        or "\x00" in normalised
        or any(part == ".." for part in normalised.split("/"))
    )


def _broken(kind: Kind) -> UploadRejected:
    return UploadRejected(
        f"{kind.zh}已损坏，无法打开，请重新保存后再上传",
        f"{kind.the_en} is damaged and cannot be opened; save it again and re-upload",
        "broken_file",
    )


def _encrypted(kind: Kind) -> UploadRejected:
    return UploadRejected(
        f"{kind.zh}设置了密码（已加密），认证机构无法查阅；请去除密码后再上传",
        f"{kind.the_en} is password-protected (encrypted), so the certification body cannot read it; "
        "remove the password and upload it again",
        "encrypted",
    )


def _zip_bomb(kind: Kind) -> UploadRejected:
    return UploadRejected(
        f"{kind.zh}的内部结构异常（解压后体积过大或文件数过多，疑似“压缩炸弹”），已拒绝",
        f"{kind.the_en} has an abnormal structure (it would expand to too much data or too many parts — "
        "a suspected zip bomb) and was refused",
        "zip_bomb",
    )


def _check_zip(data: BinaryIO, kind: Kind) -> None:
    broken = _broken(kind)
    try:
        archive = zipfile.ZipFile(data)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise broken from None
    bomb = _zip_bomb(kind)
    with archive:
        members = archive.infolist()
        if len(members) > ZIP_MAX_MEMBERS:
            raise bomb
        total = 0
        for info in members:
            if _unsafe_member_name(info.filename):
                shown = "".join(ch for ch in info.filename[:60] if ch.isprintable())
                raise UploadRejected(
                    f"{kind.zh}内含路径异常的部件（{shown}），已拒绝",
                    f"{kind.the_en} contains a part whose path leaves the archive ({shown}); refused",
                    "zip_path",
                )
            if info.flag_bits & 0x1:
                raise _encrypted(kind)
            total += info.file_size
            ratio_too_high = info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1)
            if total > ZIP_MAX_TOTAL_UNCOMPRESSED or (info.file_size > ZIP_RATIO_MIN_SIZE and ratio_too_high):
                raise bomb
        if any(info.filename.lower().endswith("vbaproject.bin") for info in members):
            raise _macros(kind)
        # Inflate every part once, in chunks, to check its CRC: catches truncated and tampered archives.
        # zipfile never yields more than the declared size, which the limits above bound.
        try:
            for info in members:
                if info.is_dir():
                    continue
                with archive.open(info) as part:
                    while part.read(CHUNK):
                        pass
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, zlib.error):
            raise broken from None


def _macros(kind: Kind) -> UploadRejected:
    return UploadRejected(
        f"{kind.zh}包含宏（VBA 代码），出于安全原因不予接收；请另存为不含宏的文件或 PDF 后再上传",
        f"{kind.the_en} contains macros (VBA code), which are not accepted for security reasons; "
        "save it without macros or as a PDF and upload again",
        "macros",
    )


_OLE2_MACRO_STORAGES = {"Macros", "_VBA_PROJECT_CUR", "VBA", "_VBA_PROJECT"}


def _check_ole2(data: BinaryIO, size: int, kind: Kind) -> None:
    try:
        names = set(ole2_entry_names(data, size))
    except (_BrokenOle2, struct.error):
        raise _broken(kind) from None
    if names & _OLE2_MACRO_STORAGES:
        raise _macros(kind)


class _StreamSearch:
    """Find a pattern across chunk boundaries, reporting each match once."""

    def __init__(self, pattern: re.Pattern[bytes], overlap: int):
        self.pattern = pattern
        self.overlap = overlap
        self.tail = b""
        self.base = 0  # absolute offset of self.tail[0]
        self.done_until = 0  # matches ending at or before this absolute offset were reported

    def feed(self, chunk: bytes, *, min_after: int = 0) -> Iterator[tuple[re.Match[bytes], bytes]]:
        """Yield (match, the buffer it matched in) for every new match followed by `min_after` bytes
        (a match with fewer bytes after it waits for the next chunk; `overlap` must leave room)."""
        buffer = self.tail + chunk
        for match in self.pattern.finditer(buffer):
            end = self.base + match.end()
            if end > self.done_until and len(buffer) - match.end() >= min_after:
                self.done_until = end
                yield match, buffer
        keep = min(self.overlap, len(buffer))
        self.base += len(buffer) - keep
        self.tail = buffer[len(buffer) - keep :] if keep else b""


# A PDF name: "/" then regular characters (anything but white space and delimiters) or #xx escapes.
_PDF_NAME = re.compile(rb"/((?:[^\x00\t\n\x0c\r ()<>\[\]{}/%#]|#[0-9A-Fa-f]{2}){2,40})")
_PDF_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
# Not /JS: three bytes turn up by chance in megabytes of image data, and a /JS entry never comes without
# /S /JavaScript (actions) or a /JavaScript name tree.
_PDF_ACTIVE = {b"JavaScript": "JavaScript", b"Launch": "Launch"}


def _pdf_active_name(match: re.Match[bytes]) -> str | None:
    raw = match.group(1)
    name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw) if b"#" in raw else raw
    return _PDF_ACTIVE.get(name)


def pdf_active_content(data: BinaryIO) -> str | None:
    """Which active content the PDF holds — "JavaScript" or "Launch" — or None.

    Searches the raw bytes for the names /JavaScript and /Launch, also written with #xx escapes
    (/J#61vaScript), and the same inside Flate-compressed streams, where object streams hide
    dictionaries — up to PDF_MAX_INFLATED of inflated content per file. Best effort, not a PDF
    parser: the configured virus scanner is the second line.
    """
    raw_names = _StreamSearch(_PDF_NAME, 128)
    starts = _StreamSearch(_PDF_STREAM, 16)
    open_streams: list[tuple[zlib._Decompress, _StreamSearch]] = []
    budget = PDF_MAX_INFLATED

    def inflate(decompressor, search: _StreamSearch, chunk: bytes) -> tuple[str | None, bool]:
        """Feed one chunk; return (active name found, still open)."""
        nonlocal budget
        pending = chunk
        while pending and budget > 0:
            try:
                out = decompressor.decompress(pending, min(CHUNK, budget))
            except zlib.error:
                return None, False
            budget -= len(out)
            for match, _ in search.feed(out):
                if found := _pdf_active_name(match):
                    return found, False
            if decompressor.eof:
                return None, False
            pending = decompressor.unconsumed_tail
        return None, budget > 0

    for chunk in _chunks(data):
        for match, _ in raw_names.feed(chunk):
            if found := _pdf_active_name(match):
                return found
        still_open = []
        for decompressor, search in open_streams:
            found, alive = inflate(decompressor, search, chunk)
            if found:
                return found
            if alive:
                still_open.append((decompressor, search))
        open_streams = still_open
        for match, buffer in starts.feed(chunk, min_after=2):
            if budget <= 0 or len(open_streams) >= PDF_MAX_OPEN_STREAMS:
                break
            rest = buffer[match.end() :]
            # Only zlib data is inflated (header: CM=8 and the 16-bit check); images in DCT etc. are skipped.
            if len(rest) >= 2 and rest[0] & 0x0F == 8 and (rest[0] << 8 | rest[1]) % 31 == 0:
                decompressor, search = zlib.decompressobj(), _StreamSearch(_PDF_NAME, 128)
                found, alive = inflate(decompressor, search, rest)
                if found:
                    return found
                if alive:
                    open_streams.append((decompressor, search))
    return None


def _check_pdf(data: BinaryIO) -> None:
    found = pdf_active_content(data)
    if found == "JavaScript":
        raise UploadRejected(
            "PDF 文档中包含 JavaScript 脚本，出于安全原因不予接收；请用“打印为 PDF”重新生成后再上传",
            "the PDF contains JavaScript, which is not accepted for security reasons; "
            "re-create it with “Print to PDF” and upload again",
            "pdf_javascript",
        )
    if found == "Launch":
        raise UploadRejected(
            "PDF 文档中包含启动外部程序的动作（/Launch），出于安全原因不予接收",
            "the PDF contains an action that launches a program (/Launch), which is not accepted",
            "pdf_launch",
        )


def _image_too_large(kind: Kind, width: int | None = None, height: int | None = None) -> UploadRejected:
    zh = f"{width}×{height} 像素" if width else f"超过 {IMAGE_MAX_PIXELS:,} 像素"
    en = f"{width}×{height} pixels" if width else f"over {IMAGE_MAX_PIXELS:,} pixels"
    return UploadRejected(
        f"{kind.zh}尺寸过大（{zh}），请缩小后再上传",
        f"{kind.the_en} is too large ({en}); scale it down and upload again",
        "image_too_large",
    )


def _check_image(data: BinaryIO, kind: Kind) -> None:
    """Open the image header and verify its structure with Pillow, without decoding the pixels."""
    from PIL import Image

    data.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(data) as image:
                width, height = image.size
                if image.format != {"png": "PNG", "jpeg": "JPEG"}[kind.name]:
                    raise ValueError(image.format)
                if width * height > IMAGE_MAX_PIXELS:
                    raise _image_too_large(kind, width, height)
                image.verify()
    except UploadRejected:
        raise
    except Image.DecompressionBombError:
        raise _image_too_large(kind) from None
    except Exception:  # Pillow raises many types for a broken file (SyntaxError, OSError, struct.error, ...)
        raise _broken(kind) from None


def _check_csv(data: BinaryIO) -> str:
    """The text encoding of a CSV file: UTF-8 (with or without BOM) first, else GB18030 (a superset of GBK)."""
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for chunk in _chunks(data):
                if b"\x00" in chunk:
                    raise UploadRejected(
                        "CSV 文件中含有空字符（NUL），不是纯文本表格；请在 Excel 中另存为“CSV（逗号分隔）”",
                        "the CSV file contains NUL bytes, so it is not a text table; "
                        "save it from Excel as “CSV (comma delimited)”",
                        "csv_binary",
                    )
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise UploadRejected(
        "CSV 文件的文字编码无法识别，请保存为 UTF-8 或 GBK 编码",
        "the CSV file's text encoding is not recognised; save it as UTF-8 or GBK",
        "csv_encoding",
    )


# --- virus scanners ------------------------------------------------------------------------------------

Scanner = Callable[[BinaryIO], "str | None"]


def eicar_scan(data: BinaryIO) -> str | None:
    """The built-in scanner: finds the EICAR anti-virus test string anywhere in the raw bytes.

    It proves the scanner hook end to end; it does not look inside compressed parts. Real malware
    detection comes from ClamAV (`clamav_scan`) when it is configured.
    """
    search = _StreamSearch(re.compile(re.escape(EICAR)), len(EICAR))
    for chunk in _chunks(data):
        for _ in search.feed(chunk):
            return "EICAR-Test-File"
    return None


def clamav_scan(data: BinaryIO) -> str | None:
    """Scan with ClamAV: `clamdscan` (the daemon, fast) when installed, else `clamscan`.

    The content is piped to the scanner's standard input (`-`), so no temporary file is written.
    Returns the signature name when infected, None when clean; raises RuntimeError when the scanner is
    missing or fails, which refuses the upload (fail closed).
    """
    program = shutil.which("clamdscan") or shutil.which("clamscan")
    if program is None:
        raise RuntimeError("ClamAV (clamdscan/clamscan) is not installed")
    args = [program, "--no-summary", "--stdout", "-"]
    process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # noqa: S603
    try:
        for chunk in _chunks(data):
            process.stdin.write(chunk)
    except BrokenPipeError:
        pass
    finally:
        process.stdin.close()
    output = process.stdout.read().decode("utf-8", errors="replace")
    process.stdout.close()
    errors = process.stderr.read().decode("utf-8", errors="replace")
    process.stderr.close()
    code = process.wait(timeout=300)
    if code == 0:
        return None
    if code == 1:
        match = re.search(r":\s*(\S+)\s+FOUND", output)
        return match.group(1) if match else "ClamAV"
    raise RuntimeError(f"ClamAV failed (exit {code}): {(errors or output).strip()[:200]}")


def configured_scanners() -> list[Scanner]:
    from django.conf import settings
    from django.utils.module_loading import import_string

    paths = getattr(settings, "CERTFLOW_UPLOAD_SCANNERS", DEFAULT_SCANNERS)
    return [import_string(path) for path in paths]


def _run_scanners(data: BinaryIO, scanners: list[Scanner]) -> None:
    for scanner in scanners:
        data.seek(0)
        try:
            found = scanner(data)
        except Exception:  # any scanner failure refuses the file: we do not keep what we could not check
            raise UploadRejected(
                "病毒扫描暂时无法完成，文件未保存，请稍后再试",
                "the virus scan could not be completed, so the file was not saved; please try again later",
                "scan_failed",
            ) from None
        if found:
            raise UploadRejected(
                f"文件未通过病毒扫描（{found}），已拒绝",
                f"the file failed the virus scan ({found}) and was refused",
                "virus",
            )


# --- the entry point -----------------------------------------------------------------------------------


def _allowed_list(allowed: frozenset[str]) -> tuple[str, str]:
    ordered = [k for k in KINDS if k in allowed]
    zh = "、".join("/".join(f".{e}" for e in KINDS[k].extensions) for k in ordered)
    en = ", ".join("/".join(f".{e}" for e in KINDS[k].extensions) for k in ordered)
    return zh, en


def inspect_upload(
    name: str,
    data: BinaryIO,
    *,
    allowed: frozenset[str],
    max_bytes: int | None = None,
    scanners: list[Scanner] | None = None,
) -> InspectedUpload:
    """Inspect an upload and describe it, or raise `UploadRejected` saying why it is refused.

    `data` is a seekable binary file (a Django UploadedFile will do); it is read in chunks and left at
    position 0. `allowed` names the kinds accepted here (see KINDS). `max_bytes` defaults to
    settings.CERTFLOW_UPLOAD_MAX_BYTES (20 MiB); `scanners` to settings.CERTFLOW_UPLOAD_SCANNERS.
    """
    unknown = set(allowed) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown upload kinds: {', '.join(sorted(unknown))}")
    if max_bytes is None:
        from django.conf import settings

        max_bytes = getattr(settings, "CERTFLOW_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)
    allowed_zh, allowed_en = _allowed_list(allowed)

    safe_name = safe_filename(name)
    extension = _extension(safe_name)
    if not safe_name or not extension:
        raise UploadRejected(
            f"文件名缺少扩展名，无法判断类型；此处接受：{allowed_zh}",
            f"the file name has no extension; accepted here: {allowed_en}",
            "no_extension",
        )

    size = _size_of(data)
    if size == 0:
        raise UploadRejected(
            f"文件“{safe_name}”是空的（0 字节），请检查后重新上传",
            f"the file “{safe_name}” is empty (0 bytes); check it and upload again",
            "empty",
        )
    if size > max_bytes:
        raise UploadRejected(
            f"文件“{safe_name}”大小为 {_mb(size)} MB，超过 {_mb(max_bytes)} MB 的上限，请压缩或拆分后再上传",
            f"the file “{safe_name}” is {_mb(size)} MB, over the {_mb(max_bytes)} MB limit; "
            "compress or split it and upload again",
            "too_large",
        )

    claimed = KIND_BY_EXTENSION.get(extension)
    if claimed is None or claimed not in allowed:
        raise UploadRejected(
            f"不接受 .{extension} 文件；此处接受：{allowed_zh}",
            f".{extension} files are not accepted; accepted here: {allowed_en}",
            "type_not_allowed",
        )
    kind = KINDS[claimed]

    actual = _sniff(data, size)
    if claimed == "csv" and actual in ("text", "unknown"):
        actual = "csv"  # _check_csv says precisely what is wrong with a text that is not clean
    elif (claimed, actual) in (
        ("docx", "broken_zip"),
        ("xlsx", "broken_zip"),
        ("doc", "broken_ole"),
        ("xls", "broken_ole"),
    ):
        raise _broken(kind)
    elif claimed in ("docx", "xlsx") and actual == "zip_bomb":
        raise _zip_bomb(kind)
    elif claimed in ("docx", "xlsx") and actual == "encrypted_office":
        raise _encrypted(kind)  # Office saves a password-protected .docx/.xlsx inside an OLE2 container
    if actual != claimed:
        actual_zh, actual_en = describe(actual)
        raise UploadRejected(
            f"文件“{safe_name}”的扩展名是 .{extension}，但内容实际是{actual_zh}，不是{kind.zh}；请上传真实的{kind.zh}",
            f"the file “{safe_name}” is named .{extension} but its content is {actual_en}, not {kind.en}; "
            f"upload a real {kind.the_en.removeprefix('the ')}",
            "type_mismatch",
        )

    text_encoding = ""
    if claimed in ("docx", "xlsx"):
        _check_zip(data, kind)
    elif claimed in ("doc", "xls"):
        _check_ole2(data, size, kind)
    elif claimed == "pdf":
        _check_pdf(data)
    elif claimed in ("png", "jpeg"):
        _check_image(data, kind)
    elif claimed == "csv":
        text_encoding = _check_csv(data)

    _run_scanners(data, configured_scanners() if scanners is None else scanners)

    digest = hashlib.sha256()
    for chunk in _chunks(data):
        digest.update(chunk)
    data.seek(0)
    return InspectedUpload(
        kind=kind.name,
        content_type=kind.content_type,
        extension=kind.extensions[0],
        safe_name=safe_name,
        size=size,
        sha256=digest.hexdigest(),
        text_encoding=text_encoding,
    )
