"""Import legacy certificates from CSV (UTF-8 or GBK) or XLSX: all rows, or none (decisions L3).

The file is read as a stream (csv module over a text wrapper; openpyxl read_only) twice: first every row is
checked, with the database (duplicate numbers, enterprises), and a refused file writes only its report; then, in
one transaction, each row is recorded through `legacy_certificate_create`, and the rows already past the transition
deadline lapse at once through `certificate_lapse` (decisions L2), so the public page and the history agree from
the first moment.
"""

import csv
import io
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Upper
from django.utils import timezone

from certflow.accounts.models import Enterprise
from certflow.accounts.services import enterprise_register
from certflow.certificates import services as certificate_services
from certflow.certificates.models import Certificate
from certflow.core.events.services import record_event
from certflow.core.rules import RuleViolation
from certflow.core.schemes.registry import get_scheme
from certflow.core.uploads import inspect_upload
from certflow.lifecycle import legacy_rows, sweeps
from certflow.lifecycle.models import LegacyImport, LegacyRecord
from certflow.lifecycle.permissions import guard_legacy_importer

DEFAULT_LEGACY_SCHEME = "定制商品服务认证（旧版体系）"
# The earlier scheme is not a file certflow knows; its certificates carry this in place of a version.
LEGACY_VERSION_LABEL = "旧版"


def _rows(upload, kind: str, encoding: str):
    """(line number, cells) of the file, header first."""
    upload.seek(0)
    if kind == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(upload, read_only=True, data_only=True)
        try:
            for line, cells in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
                yield line, list(cells)
        finally:
            book.close()
        return
    text = io.TextIOWrapper(upload, encoding="utf-8-sig" if encoding == "utf-8" else "gb18030", newline="")
    try:
        yield from enumerate(csv.reader(text), start=1)
    finally:
        text.detach()


def _blank(cells) -> bool:
    return all(c is None or str(c).strip() == "" for c in cells)


def check_file(upload, kind: str, encoding: str, *, today: date) -> tuple[list[legacy_rows.LegacyRow], list[dict]]:
    """Every row read and checked; the errors as the report stores them."""
    limit = settings.CERTFLOW_LEGACY_IMPORT_MAX_ROWS
    rows: list[legacy_rows.LegacyRow] = []
    report: list[dict] = []
    columns = None
    seen: dict[str, int] = {}
    for line, cells in _rows(upload, kind, encoding):
        if columns is None:
            columns, header_errors = legacy_rows.map_header(cells)
            if header_errors:
                return [], [{"line": 1, "number": "", "errors": header_errors}]
            continue
        if _blank(cells):
            continue
        if len(rows) >= limit:
            return [], [
                {
                    "line": line,
                    "number": "",
                    "errors": [
                        (f"文件超过 {limit} 行，请分批导入", f"the file has more than {limit} rows; import it in parts")
                    ],
                }
            ]
        row = legacy_rows.read_row(line, cells, columns, today=today)
        if row.number:
            key = row.number.upper()
            if key in seen:
                row.errors.append((f"证书编号与第 {seen[key]} 行重复", f"the number repeats line {seen[key]}"))
            seen.setdefault(key, line)
        rows.append(row)
    if columns is None or not rows:
        return [], [{"line": 0, "number": "", "errors": [("文件中没有数据行", "the file has no data rows")]}]
    existing = _existing_numbers([r.number for r in rows if r.number])
    for row in rows:
        if row.number.upper() in existing:
            row.errors.append((f"证书编号 {row.number} 已存在", f"certificate number {row.number} already exists"))
    report = [{"line": r.line, "number": r.number, "errors": r.errors} for r in rows if r.errors]
    return rows, report


def _existing_numbers(numbers: list[str]) -> set[str]:
    """Numbers already recorded, compared case-insensitively ('ols-1' and 'OLS-1' cannot both exist)."""
    found: set[str] = set()
    for start in range(0, len(numbers), 500):
        chunk = {n.upper() for n in numbers[start : start + 500]}
        taken = Certificate.objects.annotate(upper=Upper("number")).filter(upper__in=chunk)
        found |= {n.upper() for n in taken.values_list("number", flat=True)}
    return found


def _grade_code(name: str) -> str:
    for grade in get_scheme().grading.grades:
        if name in (grade.name.zh, grade.name.en):
            return grade.code
    return "legacy"


def legacy_import(*, by, upload, today: date | None = None) -> LegacyImport:
    """Check the file; if every row is good, record all of them; otherwise record none. Returns the report."""
    guard_legacy_importer(by)
    today = today or timezone.localdate()
    inspected = inspect_upload(upload.name, upload, allowed=frozenset({"csv", "xlsx"}))
    rows, report = check_file(upload, inspected.kind, inspected.text_encoding, today=today)
    common = {"filename": inspected.safe_name, "sha256": inspected.sha256, "created_by": by}
    if report:
        return _refused(common, rows, report)
    try:
        with transaction.atomic():
            job = LegacyImport.objects.create(outcome=LegacyImport.Outcome.IMPORTED, rows_total=len(rows), **common)
            created = [_record(by, job, row, today) for row in rows]
            ids = [c.pk for c in created]
            job.lapsed = sweeps.lapse_legacy(today, Certificate.objects.filter(pk__in=ids))
            job.save(update_fields=["lapsed"])
            record_event(
                actor=by,
                action="legacy_import.imported",
                target=job,
                after={"file": job.filename, "sha256": job.sha256, "rows": len(rows), "lapsed": job.lapsed},
            )
    except RuleViolation as exc:  # e.g. a number taken by someone else between the check and the write
        return _refused(common, rows, [{"line": 0, "number": "", "errors": [(exc.zh, exc.en)]}])
    except ValidationError as exc:  # the enterprise could not be registered (e.g. a name too long)
        text = "; ".join(exc.messages)
        return _refused(common, rows, [{"line": 0, "number": "", "errors": [(text, text)]}])
    return job


def _refused(common: dict, rows, report: list[dict]) -> LegacyImport:
    with transaction.atomic():
        job = LegacyImport.objects.create(
            outcome=LegacyImport.Outcome.REFUSED,
            rows_total=len(rows),
            rows_failed=len([r for r in report if r["line"]]) or 1,
            errors=[{**r, "errors": [list(e) for e in r["errors"]]} for r in report],
            **common,
        )
        record_event(
            actor=common["created_by"],
            action="legacy_import.refused",
            target=job,
            after={"file": job.filename, "sha256": job.sha256, "rows": len(rows), "rows_failed": job.rows_failed},
        )
    return job


def _record(by, job: LegacyImport, row: legacy_rows.LegacyRow, today: date) -> Certificate:
    # Matched by USCC (the enterprise's legal identity); a code not registered yet registers the enterprise
    # with the name on the certificate (decisions L3).
    enterprise = Enterprise.objects.filter(uscc=row.uscc).first()
    created = enterprise is None
    if created:
        enterprise = enterprise_register(by=by, name=row.enterprise_name, uscc=row.uscc)
    certificate = certificate_services.legacy_certificate_create(
        by=by,
        enterprise=enterprise,
        number=row.number,
        scheme_code=row.scheme or DEFAULT_LEGACY_SCHEME,
        scheme_version_label=LEGACY_VERSION_LABEL,
        grade_code=_grade_code(row.grade),
        grade_name=row.grade,
        scope_text=row.scope,
        issued_on=row.issued_on,
        expires_on=row.expires_on,
        today=today,
    )
    LegacyRecord.objects.create(
        certificate=certificate,
        legacy_import=job,
        line=row.line,
        applied_on=row.applied_on,
        enterprise_created=created,
    )
    return certificate
