"""The lapsed-certificates report as CSV (UTF-8 with BOM, for Excel) or XLSX."""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone

COLUMNS = [
    ("number", "证书编号 / Number"),
    ("enterprise_name", "企业名称 / Enterprise"),
    ("uscc", "统一社会信用代码 / USCC"),
    ("grade", "资质等级 / Grade"),
    ("issued_on", "颁证日期 / Issued"),
    ("expires_on", "原有效期至 / Valid until"),
    ("applied_on", "申请日期 / Applied"),
    ("lapsed_on", "失效日期 / Lapsed from"),
    ("reason", "原因 / Reason"),
]


def row_of(c) -> dict:
    return {
        "number": c.number,
        "enterprise_name": c.enterprise_name,
        "uscc": c.enterprise_uscc,
        "grade": c.grade_name,
        "issued_on": c.issued_on,
        "expires_on": c.expires_on,
        "applied_on": c.applied_on,
        "lapsed_on": c.status_since,
        "reason": c.status_reason,
    }


def _safe(value):
    # A cell starting with = + - @ is a formula to a spreadsheet (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def lapsed_export(certificates, fmt: str) -> HttpResponse:
    filename = f"lapsed-legacy-certificates-{timezone.localdate():%Y%m%d}"
    header = [label for _key, label in COLUMNS]
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("失效证书 Lapsed")
        sheet.append(header)
        for c in certificates.iterator(chunk_size=500):
            sheet.append([_safe(v) for v in row_of(c).values()])
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(header)
    for c in certificates.iterator(chunk_size=500):
        writer.writerow(
            ["" if v is None else (v.isoformat() if hasattr(v, "isoformat") else _safe(v)) for v in row_of(c).values()]
        )
    response = HttpResponse(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
