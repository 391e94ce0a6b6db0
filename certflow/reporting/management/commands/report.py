"""`certflow report monthly 2026-10 [--output PATH] [--csv DIR] [--check-only] [--strict] [--by EMAIL]`:
the month's tables for the national certification-information platform, and their check."""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from certflow.core.rules import RuleViolation
from certflow.reporting import services
from certflow.reporting.permissions import may_report
from certflow.reporting.workbook import csv_bytes, filename

EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2


class Command(BaseCommand):
    help = "监管报送 / regulator reporting: monthly"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{monthly}")
        monthly = sub.add_parser("monthly", help="the monthly report (YYYY-MM) as XLSX, with its check")
        monthly.add_argument("month", help="YYYY-MM, e.g. 2026-10")
        monthly.add_argument(
            "--output", "-o", help="where to write the workbook (default: ./certflow-monthly-YYYY-MM.xlsx)"
        )
        monthly.add_argument("--csv", metavar="DIR", help="also write one CSV per table into DIR")
        monthly.add_argument("--check-only", action="store_true", help="check the records; write no file")
        monthly.add_argument("--strict", action="store_true", help="exit 1 when a required field is missing")
        monthly.add_argument("--by", metavar="EMAIL", help="the CB user the generation is recorded for")

    def handle(self, *args, **options):
        return self._monthly(options)

    def _user(self, email):
        if not email:
            return None
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None or not may_report(user):
            raise CommandError(
                f"{email} 不是可查看全部企业的认证机构人员 / {email} is not CB staff seeing every enterprise",
                returncode=EXIT_BAD_INPUT,
            )
        return user

    def _monthly(self, options):
        try:
            month = services.month_or_refuse(options["month"])
        except RuleViolation as exc:
            raise CommandError(str(exc), returncode=EXIT_BAD_INPUT) from None
        user = self._user(options.get("by"))
        if options["check_only"]:
            report = services.report_check(month=month)
            generated = None
        else:
            generated = services.report_generate(by=user, month=month, channel="command")
            report = generated.report
        self._summary(report)
        if generated is not None:
            target = Path(options.get("output") or filename(report))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(generated.data)
            self.stdout.write(f"已生成 / written: {target} (SHA-256 {generated.sha256})")
            if options.get("csv"):
                folder = Path(options["csv"])
                folder.mkdir(parents=True, exist_ok=True)
                for data in report.tables:
                    path = folder / f"{month.label}-{data.table.code}.csv"
                    path.write_bytes(csv_bytes(data))
                    self.stdout.write(f"CSV: {path}")
        if report.findings and options["strict"]:
            sys.exit(EXIT_FINDINGS)

    def _summary(self, report):
        month = report.month
        self.stdout.write(
            f"{month.label} 月度报送 / monthly report — 报送截止 / due {month.deadline.isoformat()}"
            + ("" if report.complete else "（本月尚未结束 / the month is not over yet）")
        )
        for data in report.tables:
            self.stdout.write(f"  {data.table.zh} / {data.table.en}: {data.count} 行 / rows")
        if not report.findings:
            self.stdout.write(
                self.style.SUCCESS("检查通过：未发现缺少的必填项 / check passed: no required field missing")
            )
            return
        self.stdout.write(
            self.style.WARNING(
                f"检查发现 {len(report.findings)} 处缺少必填项 / {len(report.findings)} required fields missing:"
            )
        )
        for finding in report.findings:
            self.stdout.write(f"  - {finding.zh} / {finding.en}")
