"""Legacy-certificate files for the tests, written the way offices write them."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from certflow.core.testing.factories import make_uscc

HEADER = ["证书编号", "企业名称", "统一社会信用代码", "颁证日期", "有效期至", "申请日期", "资质等级", "认证范围"]


def row(n: int, number: str | None = None, **overrides) -> list:
    values = {
        "number": number or f"OLD-2024-{n:03d}",
        "name": f"旧证企业{n}有限公司",
        "uscc": make_uscc(900 + n),
        "issued": "2024-04-08",
        "expires": "2027-04-07",
        "applied": "",
        "grade": "三星",
        "scope": "定制家具",
    }
    values.update(overrides)
    return list(values.values())


def csv_file(rows, *, encoding="utf-8", header=HEADER, name="legacy.csv") -> SimpleUploadedFile:
    text = "\n".join(",".join(str(c) for c in r) for r in [header, *rows]) + "\n"
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_file(rows, *, header=HEADER, name="legacy.xlsx") -> SimpleUploadedFile:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())
