"""Imports: a survey customer list and a legacy-certificate file, time and peak memory.

    .venv/bin/python bench/imports.py SIZE customers|legacy      prints one JSON object

Run once per import in its own process, so the peak resident set (ru_maxrss) is that import's. Each import
goes through its service (list_upload run inline; legacy_import) inside a transaction rolled back at the
end: the work is done and measured, the bench database stays as generated and the next run can import the
same rows again.
"""

import csv
import json
import os
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import SIZES, setup_django  # noqa: E402


class Rollback(Exception):
    pass


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def customers_file(path: Path, rows: int) -> None:
    cats = ["定制家具", "定制服饰", "定制电子配件"]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["姓名", "电话", "邮箱", "商品类别", "订单号", "下单日期", "交付日期"])
        for i in range(rows):
            w.writerow(
                [
                    f"客户{i}",
                    f"137{i:08d}",
                    f"u{i}@mail.example",
                    cats[i % 3],
                    f"ORD-IMP-{i}",
                    (date(2025, 3, 1) + timedelta(days=i % 200)).isoformat(),
                    (date(2025, 4, 1) + timedelta(days=i % 200)).isoformat(),
                ]
            )


def legacy_file(path: Path, rows: int) -> None:
    from certflow.accounts.uscc import check_character

    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["证书编号", "企业名称", "统一社会信用代码", "颁证日期", "有效期至", "资质等级", "认证范围"])
        for i in range(rows):
            body = f"91440100LG{i:07d}"
            w.writerow(
                [
                    f"OLS-DZ-LEG-{i:06d}",
                    f"旧证导入测试企业第{i}号有限公司",
                    body + check_character(body),
                    "2024-03-01",
                    "2027-02-28",
                    "三星",
                    "定制家具的设计、生产和安装服务",
                ]
            )


def uploaded(path: Path, content_type: str):
    from django.core.files.uploadedfile import UploadedFile

    return UploadedFile(open(path, "rb"), name=path.name, content_type=content_type, size=path.stat().st_size)  # noqa: SIM115


def import_customers(rows: int, path: Path) -> dict:
    from django.db import transaction

    from certflow.accounts.models import Membership, User
    from certflow.surveys.models import Survey
    from certflow.surveys.services import imports

    survey = Survey.objects.filter(status="collecting").order_by("id").first()
    out = {}
    try:
        with transaction.atomic():
            owner = User.objects.create_user("bench-import@ent.example", "x", full_name="导入测试")
            Membership.objects.create(enterprise=survey.enterprise, user=owner, role="admin")
            start = time.perf_counter()
            job = imports.list_upload(by=owner, survey=survey, upload=uploaded(path, "text/csv"))
            out["s"] = time.perf_counter() - start
            out.update(state=job.state, rows_seen=job.rows_seen, customers=job.customers_created,
                       rejected=job.rows_rejected, message=job.message_en)  # fmt: skip
            raise Rollback
    except Rollback:
        pass
    return out


# Rows written per legacy import run: the service writes one row at a time (enterprise, certificate, history,
# events, lapse), so a 50,000-row file takes hours on a loaded 2-core machine. The whole file is checked (the
# parse and validation pass, which holds every row in memory); the writes are timed on this many rows and the
# rate extrapolated, and the report says so.
LEGACY_WRITE_CAP = 500


def import_legacy(rows: int, path: Path) -> dict:
    from django.db import transaction

    from certflow.accounts.models import User
    from certflow.lifecycle.importing import check_file, legacy_import

    admin = User.objects.get(email="admin@olis-cert.example")
    out = {}
    start = time.perf_counter()
    with open(path, "rb") as stream:
        checked, report = check_file(stream, "csv", "utf-8", today=date.today())
    out["check_s"] = time.perf_counter() - start
    out["check_rows"], out["check_errors"] = len(checked), len(report)
    out["check_peak_rss_mb"] = peak_mb()
    del checked, report
    if rows > LEGACY_WRITE_CAP:
        legacy_file(path, LEGACY_WRITE_CAP)
        out["written_rows"] = LEGACY_WRITE_CAP
    else:
        out["written_rows"] = rows
    try:
        with transaction.atomic():
            start = time.perf_counter()
            job = legacy_import(by=admin, upload=uploaded(path, "text/csv"))
            out["s"] = time.perf_counter() - start
            out.update(outcome=job.outcome, rows=job.rows_total, failed=job.rows_failed,
                       errors=(job.errors or [])[:2])  # fmt: skip
            out["rows_per_s"] = job.rows_total / out["s"]
            out["extrapolated_s"] = rows / out["rows_per_s"]
            raise Rollback
    except Rollback:
        pass
    return out


if __name__ == "__main__":
    size, which = sys.argv[1], sys.argv[2]
    rows = SIZES[size].import_customers if which == "customers" else SIZES[size].import_legacy
    # The legacy import refuses files over CERTFLOW_LEGACY_IMPORT_MAX_ROWS (5,000 by default): raised to the
    # file's size here, as an operator would for a large migration.
    os.environ["CERTFLOW_LEGACY_IMPORT_MAX_ROWS"] = str(max(rows, 5000))
    os.environ["CERTFLOW_SURVEY_IMPORT_MODE"] = "inline"
    setup_django(size)
    from django.conf import settings

    settings.CERTFLOW_SURVEY_IMPORT_MODE = "inline"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{which}.csv"
        (customers_file if which == "customers" else legacy_file)(path, rows)
        baseline = current_mb()
        result = (import_customers if which == "customers" else import_legacy)(rows, path)
        result.update(rows_in_file=rows, file_mb=path.stat().st_size / 2**20, rss_before_mb=baseline,
                      peak_rss_mb=peak_mb())  # fmt: skip
    print(json.dumps(result, default=str))
