"""Every certificate as a table (CSV for any tool, XLSX for the office), for CB staff."""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone

from certflow.certificates.domain import CertificateStatus
from certflow.certificates.selectors import public_status, recertified_enterprise_ids

COLUMNS = [
    ("number", "证书编号 / Number"),
    ("enterprise_name", "企业名称 / Enterprise"),
    ("uscc", "统一社会信用代码 / USCC"),
    ("address", "地址 / Address"),
    ("scope", "认证范围 / Scope"),
    ("grade", "资质等级 / Grade"),
    ("scheme", "认证依据 / Scheme"),
    ("issued_on", "颁证日期 / Issued"),
    ("expires_on", "有效期至 / Valid until"),
    ("status", "状态 / Status"),
    ("status_since", "状态日期 / Status since"),
    ("status_reason", "状态原因 / Reason"),
    ("legacy", "旧版体系 / Legacy"),
    ("supersedes", "换发自 / Replaces"),
]


def rows(certificates, today=None):
    today = today or timezone.localdate()
    recertified = recertified_enterprise_ids()
    for c in certificates:
        status, since = public_status(c, today, recertified=recertified)
        yield {
            "number": c.number,
            "enterprise_name": c.enterprise_name,
            "uscc": c.enterprise_uscc,
            "address": c.enterprise_address,
            "scope": c.scope_text,
            "grade": c.grade_name,
            "scheme": f"{c.scheme_code} {c.scheme_version_label}",
            "issued_on": c.issued_on,
            "expires_on": c.expires_on,
            "status": f"{CertificateStatus(status).label} {status}",
            "status_since": since,
            "status_reason": c.status_reason,
            "legacy": "是 yes" if c.is_legacy else "否 no",
            "supersedes": c.supersedes.number if c.supersedes_id else "",
        }


def _safe(value):
    # A cell starting with = + - @ is a formula to a spreadsheet: quote it (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def csv_response(certificates, filename: str) -> HttpResponse:
    out = io.StringIO()
    out.write("\ufeff")  # BOM: Excel opens UTF-8 Chinese correctly only with it
    writer = csv.writer(out)
    writer.writerow([label for _key, label in COLUMNS])
    for row in rows(certificates):
        writer.writerow(
            [_safe(row[key]) if not hasattr(row[key], "isoformat") else row[key].isoformat() for key, _ in COLUMNS]
        )
    response = HttpResponse(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(certificates, filename: str) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "证书 Certificates"
    sheet.append([label for _key, label in COLUMNS])
    for row in rows(certificates):
        sheet.append([_safe(row[key]) for key, _ in COLUMNS])
    for index, (key, _label) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 40 if key in ("scope", "address") else 20
        if key in ("issued_on", "expires_on", "status_since"):
            for cell in sheet[get_column_letter(index)][1:]:
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def export_response(certificates, fmt: str) -> HttpResponse:
    filename = f"certificates-{timezone.localdate():%Y%m%d}"
    return xlsx_response(certificates, filename) if fmt == "xlsx" else csv_response(certificates, filename)
