"""The hostile-upload corpus of issue 10 item 2: one or more files per class, each pushed through every upload door.

Built in code on demand from the generators of this package (nothing binary is committed). The oversized
file is made to the size limit of the door it is sent to, plus one byte, only when it is sent.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from certflow.core.tests import hostile


@dataclass(frozen=True)
class Hostile:
    klass: str  # the class of issue 10 item 2 it belongs to
    name: str  # the file name as the browser sends it (may carry paths and control characters)
    make: Callable[[int], bytes]  # the door's size limit -> the bytes

    def data(self, limit: int) -> bytes:
        return self.make(limit)


def _fixed(content: bytes | Callable[[], bytes]) -> Callable[[int], bytes]:
    cached = functools.cache(content) if callable(content) else (lambda: content)
    return lambda limit: cached()


def _oversized(limit: int) -> bytes:
    """A valid PDF padded with a comment to one byte over `limit`: only its size is wrong."""
    head = hostile.pdf()
    return head + b"%" + b"x" * (limit + 1 - len(head) - 2) + b"\n"


def _xlsx_with_macros() -> bytes:
    return hostile._zip({**hostile.xlsx_members(), "xl/vbaProject.bin": b"\x00VBA" * 64})


def _xlsx_with_eicar() -> bytes:
    import zipfile

    return hostile._zip(
        {**hostile.xlsx_members(), "xl/media/readme.txt": hostile.EICAR}, compression=zipfile.ZIP_STORED
    )


CORPUS: tuple[Hostile, ...] = (
    Hostile("oversized", "超大文件.pdf", _oversized),
    Hostile("extension vs content", "营业执照.pdf", _fixed(hostile.png)),
    Hostile("extension vs content", "管理制度.docx", _fixed(hostile.pdf)),
    Hostile("extension vs content", "program.pdf", _fixed(hostile.ELF)),
    Hostile("extension vs content", "setup.docx", _fixed(hostile.PE)),
    Hostile("extension vs content", "客户名单.csv", _fixed(hostile.PHP)),
    Hostile("extension vs content", "名单.xlsx", _fixed(hostile.CSV_UTF8)),
    Hostile("HTML/SVG as PDF", "检测报告.pdf", _fixed(hostile.HTML)),
    Hostile("HTML/SVG as PDF", "report.pdf", _fixed(hostile.HTML_NO_DOCTYPE)),
    Hostile("HTML/SVG as PDF", "平面图.pdf", _fixed(hostile.SVG)),
    Hostile("HTML/SVG as PDF", "list.csv", _fixed(hostile.HTML)),
    Hostile("zip bomb", "bomb.docx", _fixed(hostile.docx_zip_bomb)),
    Hostile("zip bomb", "bomb.xlsx", _fixed(hostile.xlsx_zip_bomb)),
    Hostile("zip bomb", "parts.docx", _fixed(hostile.docx_with_many_members)),
    Hostile("zip bomb", "zip64.xlsx", _fixed(lambda: hostile.docx_declaring_zip64_entries(10**9))),
    Hostile("path in the name", "../../etc/passwd.pdf", _fixed(b"root:x:0:0:root:/root:/bin/sh\n")),
    Hostile("path in the name", "C:\\x\\y.pdf", _fixed(hostile.SVG)),
    Hostile("path in the name", "..\\..\\windows\\win.ini.docx", _fixed(hostile.ELF)),
    Hostile("control characters in the name", "invoice\x00.pdf", _fixed(hostile.PE)),
    Hostile("control characters in the name", "a\r\nContent-Type: text/html\r\n.pdf", _fixed(hostile.HTML)),
    Hostile("control characters in the name", "报告\u202efdp.exe", _fixed(hostile.PE)),
    Hostile("zero bytes", "空文件.pdf", _fixed(b"")),
    Hostile("zero bytes", "empty.csv", _fixed(b"")),
    Hostile("EICAR", "eicar.pdf", _fixed(hostile.pdf_with_eicar)),
    Hostile("EICAR", "eicar.csv", _fixed(b"a,b\n" + hostile.EICAR + b",1\n")),
    Hostile("EICAR", "eicar.docx", _fixed(hostile.docx_with_eicar)),
    Hostile("EICAR", "eicar.xlsx", _fixed(_xlsx_with_eicar)),
    Hostile("PDF active content", "javascript.pdf", _fixed(hostile.pdf_with_javascript)),
    Hostile("PDF active content", "escaped.pdf", _fixed(hostile.pdf_with_escaped_javascript)),
    Hostile("PDF active content", "objstm.pdf", _fixed(hostile.pdf_with_javascript_in_object_stream)),
    Hostile("PDF active content", "launch.pdf", _fixed(hostile.pdf_with_launch)),
    Hostile("macros", "宏文档.docx", _fixed(hostile.docx_with_macros)),
    Hostile("macros", "宏表格.xlsx", _fixed(_xlsx_with_macros)),
    Hostile("macros", "legacy-macro.docx", _fixed(hostile.doc_with_macros)),
    Hostile("encrypted Office", "加密.docx", _fixed(hostile.encrypted_docx)),
    Hostile("encrypted Office", "encrypted-parts.docx", _fixed(hostile.docx_encrypted_member)),
    Hostile("encrypted Office", "加密.xlsx", _fixed(hostile.encrypted_docx)),
    Hostile("broken container", "truncated.docx", _fixed(hostile.docx_truncated)),
    Hostile("text that is not a table", "nul.csv", _fixed(hostile.CSV_WITH_NUL)),
    Hostile("text that is not a table", "encoding.csv", _fixed(hostile.CSV_BAD_ENCODING)),
)

CLASSES = tuple(dict.fromkeys(h.klass for h in CORPUS))
