"""The staff list (filters, pagination, flat queries) and the CSV/XLSX export."""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from certflow.certificates import services
from certflow.core.testing.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def test_list_filters_by_status_grade_and_search(client, cb_admin, certificate_a, certificate_b, programme_manager):
    services.certificate_suspend(by=programme_manager, certificate=certificate_b, reason="x")
    client.force_login(cb_admin)
    url = reverse("certificate_list")
    html = client.get(url, {"status": "suspended"}).content.decode()
    assert certificate_b.number in html and certificate_a.number not in html
    html = client.get(url, {"grade": "four_star"}).content.decode()
    assert certificate_a.number in html and certificate_b.number not in html
    html = client.get(url, {"q": "乙定制"}).content.decode()
    assert certificate_b.number in html and certificate_a.number not in html
    html = client.get(url, {"status": "nonsense", "grade": "nonsense"}).content.decode()
    assert certificate_a.number in html and certificate_b.number in html


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url", [reverse("certificate_list"), "/api/v1/certificates/", reverse("certificate_export") + "?format=xlsx"]
)
def test_lists_keep_a_constant_number_of_queries(client, cb_admin, issue, url):
    client.force_login(cb_admin)
    issue(EnterpriseFactory())
    few = _queries(client, url)
    old = issue(EnterpriseFactory(), issued_on=date(2026, 1, 5))
    for _ in range(6):
        issue(EnterpriseFactory())
    issue(old.enterprise, issued_on=date(2026, 11, 1), supersedes=old)
    assert _queries(client, url) == few


def test_the_list_paginates_and_keeps_filters(client, cb_admin, issue):
    client.force_login(cb_admin)
    for _ in range(27):
        issue(EnterpriseFactory())
    html = client.get(reverse("certificate_list"), {"status": "valid"}).content.decode()
    assert "status=valid&amp;page=2" in html


def test_csv_export_has_every_certificate_with_status(
    client, cb_admin, certificate_a, certificate_b, programme_manager
):
    services.certificate_revoke(
        by=programme_manager, certificate=certificate_b, reason="撤销原因", today=date(2026, 11, 24)
    )
    client.force_login(cb_admin)
    for response in (
        client.get(reverse("certificate_export"), {"format": "csv"}),
        client.get("/api/v1/certificates/export/?format=csv"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        content = response.content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(content)))
        assert rows[0][0] == "证书编号 / Number"
        by_number = {row[0]: row for row in rows[1:]}
        assert set(by_number) == {certificate_a.number, certificate_b.number}
        assert by_number[certificate_b.number][9] == "撤销 revoked"
        assert by_number[certificate_b.number][10] == "2026-11-24"
        assert by_number[certificate_a.number][2] == certificate_a.enterprise_uscc


def test_xlsx_export_has_every_certificate(client, programme_manager, certificate_a, certificate_b):
    client.force_login(programme_manager)
    for response in (
        client.get(reverse("certificate_export"), {"format": "xlsx"}),
        client.get("/api/v1/certificates/export/?format=xlsx"),
    ):
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(response.content))
        rows = list(book.active.iter_rows(values_only=True))
        assert rows[0][0] == "证书编号 / Number"
        assert {row[0] for row in rows[1:]} == {certificate_a.number, certificate_b.number}
        row_a = next(row for row in rows if row[0] == certificate_a.number)
        assert row_a[1] == "甲定制家居有限公司" and row_a[5] == "四星" and row_a[7].date() == date(2026, 3, 2)


def test_export_neutralises_spreadsheet_formulas(client, cb_admin, issue):
    enterprise = EnterpriseFactory(name='=HYPERLINK("http://x")定制')
    issue(enterprise)
    client.force_login(cb_admin)
    content = client.get(reverse("certificate_export"), {"format": "csv"}).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in content
