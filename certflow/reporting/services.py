"""Generating the monthly report file, with the event that proves what the CB handed over (decisions MR8)."""

import hashlib
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from certflow.core.events.services import record_event
from certflow.reporting.domain import ReportMonth, parse_month
from certflow.reporting.report import MonthlyReport, monthly_report
from certflow.reporting.workbook import filename, workbook_bytes

EVENT_ACTION = "report.monthly_generated"
EVENT_TARGET = "reporting.monthly"


@dataclass(frozen=True)
class GeneratedReport:
    report: MonthlyReport
    data: bytes
    sha256: str
    filename: str


def month_or_refuse(text: str, today: date | None = None) -> ReportMonth:
    return parse_month(text, today=today or timezone.localdate())


def report_check(*, month: ReportMonth, today: date | None = None) -> MonthlyReport:
    """The tables and their check, without a file: reading changes nothing, so no event."""
    return monthly_report(month, today=today or timezone.localdate())


def report_generate(*, by, month: ReportMonth, today: date | None = None, channel: str = "") -> GeneratedReport:
    """Build the workbook and record, in one transaction, that it was generated and its SHA-256."""
    today = today or timezone.localdate()
    with transaction.atomic():
        report = monthly_report(month, today=today)
        data = workbook_bytes(report)
        digest = hashlib.sha256(data).hexdigest()
        record_event(
            actor=by,
            action=EVENT_ACTION,
            target_type=EVENT_TARGET,
            target_id=month.label,
            after={
                "month": month.label,
                "sha256": digest,
                "size": len(data),
                "rows": report.counts(),
                "findings": len(report.findings),
                "complete": report.complete,
                "deadline": month.deadline.isoformat(),
                "channel": channel,
            },
        )
    return GeneratedReport(report, data, digest, filename(report))
