"""Importing legacy certificates: all or nothing, the row report, enterprises, encodings, the lapse on import."""

from datetime import date

import pytest

from certflow.accounts.models import Enterprise
from certflow.certificates.domain import CertificateStatus as S
from certflow.certificates.models import Certificate
from certflow.core.events.models import Event
from certflow.core.rules import RuleViolation
from certflow.core.testing.factories import make_uscc
from certflow.lifecycle.importing import legacy_import
from certflow.lifecycle.models import LegacyImport
from certflow.lifecycle.tests.conftest import DEADLINE, LAPSES_ON, TODAY
from certflow.lifecycle.tests.files import csv_file, row, xlsx_file

pytestmark = pytest.mark.django_db


def test_a_good_file_imports_every_row_and_lapses_those_past_the_deadline(programme_manager, issue, enterprise_a):
    issue(enterprise_a, issued_on=date(2026, 9, 1), today=date(2026, 9, 1))  # re-certified in time
    rows = [row(1), row(2, uscc=enterprise_a.uscc, name="旧名称", applied="2025-10-15")]
    job = legacy_import(by=programme_manager, upload=csv_file(rows), today=TODAY)
    assert (job.outcome, job.rows_total, job.rows_failed, job.lapsed) == ("imported", 2, 0, 1)
    first, second = (Certificate.objects.get(number=n) for n in ("OLD-2024-001", "OLD-2024-002"))
    assert first.is_legacy and (first.status, first.status_since) == (S.LAPSED, LAPSES_ON)
    assert "过渡期" in first.status_reason
    assert second.status == S.VALID and second.enterprise == enterprise_a  # matched by USCC
    assert second.legacy_record.applied_on == date(2025, 10, 15)
    assert Enterprise.objects.get(uscc=make_uscc(901)).name == "旧证企业1有限公司"
    assert first.legacy_record.enterprise_created and not second.legacy_record.enterprise_created
    assert Event.objects.filter(action="legacy_import.imported").count() == 1


def test_an_import_on_the_deadline_day_does_not_lapse(programme_manager):
    job = legacy_import(by=programme_manager, upload=csv_file([row(1)]), today=DEADLINE)
    assert job.lapsed == 0 and Certificate.objects.get().status == S.VALID


def test_one_bad_row_refuses_the_whole_file_and_reports_every_error(programme_manager, legacy, enterprise_b):
    legacy(enterprise_b, "OLD-2024-003")
    rows = [
        row(1),
        row(2, uscc="91440300MA5OOOOOO1"),
        row(3),
        row(4, issued="2024-02-30", expires="2023-01-01"),
        row(5, number="OLD-2024-001"),
        row(6, grade="", scope=""),
    ]
    before = (Certificate.objects.count(), Enterprise.objects.count())
    job = legacy_import(by=programme_manager, upload=csv_file(rows), today=TODAY)
    assert job.outcome == "refused"
    assert (Certificate.objects.count(), Enterprise.objects.count()) == before
    by_line = {r["line"]: " ".join(e[1] for e in r["errors"]) for r in job.errors}
    assert set(by_line) == {3, 4, 5, 6, 7}
    assert "invalid USCC" in by_line[3]
    assert "already exists" in by_line[4]
    assert "not a valid date" in by_line[5]
    assert "repeats line 2" in by_line[6]
    assert "grade is empty" in by_line[7] and "scope is empty" in by_line[7]
    assert Event.objects.filter(action="legacy_import.refused").count() == 1


def test_missing_columns_are_reported_on_line_1(programme_manager):
    job = legacy_import(by=programme_manager, upload=csv_file([["X"]], header=["证书编号"]), today=TODAY)
    assert job.outcome == "refused" and job.errors[0]["line"] == 1
    assert any("企业名称" in e[0] for e in job.errors[0]["errors"])


def test_an_empty_file_is_refused(programme_manager):
    job = legacy_import(by=programme_manager, upload=csv_file([]), today=TODAY)
    assert job.outcome == "refused" and "no data rows" in job.errors[0]["errors"][0][1]


def test_gbk_csv_and_xlsx_with_real_dates_are_read(programme_manager):
    legacy_import(by=programme_manager, upload=csv_file([row(1, issued="2024年4月8日")], encoding="gbk"), today=TODAY)
    c = Certificate.objects.get(number="OLD-2024-001")
    assert c.enterprise_name == "旧证企业1有限公司" and c.issued_on == date(2024, 4, 8)
    job = legacy_import(
        by=programme_manager, upload=xlsx_file([row(2, issued=date(2024, 5, 6), expires=date(2027, 5, 5))]), today=TODAY
    )
    assert job.outcome == "imported"
    assert Certificate.objects.get(number="OLD-2024-002").expires_on == date(2027, 5, 5)


def test_too_many_rows_is_refused(programme_manager, settings):
    settings.CERTFLOW_LEGACY_IMPORT_MAX_ROWS = 2
    job = legacy_import(by=programme_manager, upload=csv_file([row(1), row(2), row(3)]), today=TODAY)
    assert job.outcome == "refused" and "more than 2 rows" in job.errors[0]["errors"][0][1]
    assert not Certificate.objects.exists()


@pytest.mark.parametrize("who", ["clerk", "auditor", "user_a"])
def test_only_issuers_may_import(request, who):
    with pytest.raises(RuleViolation):
        legacy_import(by=request.getfixturevalue(who), upload=csv_file([row(1)]), today=TODAY)
    assert not LegacyImport.objects.exists() and not Certificate.objects.exists()


def test_a_file_that_is_not_a_table_is_refused_by_the_upload_check(programme_manager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from certflow.core.uploads import UploadRejected

    with pytest.raises(UploadRejected):
        legacy_import(by=programme_manager, upload=SimpleUploadedFile("x.pdf", b"%PDF-1.4 nonsense"), today=TODAY)
