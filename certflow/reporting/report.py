"""One month's report: the three tables' rows and the check of their required cells."""

from dataclasses import dataclass
from datetime import date

from certflow.reporting import columns, selectors
from certflow.reporting.domain import Finding, ReportMonth, Row, Table, build_rows, check


@dataclass(frozen=True)
class TableData:
    table: Table
    rows: list[Row]

    @property
    def count(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class MonthlyReport:
    month: ReportMonth
    tables: list[TableData]
    findings: list[Finding]
    complete: bool  # the month is over

    @property
    def deadline(self) -> date:
        return self.month.deadline

    def counts(self) -> dict[str, int]:
        return {t.table.code: t.count for t in self.tables}

    def summary(self) -> dict:
        return {
            "month": self.month.label,
            "first_day": self.month.first_day,
            "last_day": self.month.last_day,
            "deadline": self.deadline,
            "complete": self.complete,
            "tables": [
                {"code": t.table.code, "name_zh": t.table.zh, "name_en": t.table.en, "rows": t.count}
                for t in self.tables
            ],
            "findings_count": len(self.findings),
        }


SOURCES = {
    columns.AUDIT_PLAN.code: selectors.audit_plans,
    columns.CERTIFICATE.code: selectors.certificate_rows,
    columns.AUDIT_RESULT.code: selectors.audit_results,
}


def monthly_report(month: ReportMonth, *, today: date) -> MonthlyReport:
    tables = [TableData(table, build_rows(table, SOURCES[table.code](month))) for table in columns.TABLES]
    findings = [finding for data in tables for finding in check(data.table, data.rows)]
    return MonthlyReport(month, tables, findings, complete=month.is_over(today))
