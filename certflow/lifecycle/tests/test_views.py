"""The pages: who may reach each, what they show, flat query counts, bad input without a 500."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certflow.certificates.domain import CertificateStatus as S
from certflow.certificates.models import Certificate
from certflow.lifecycle import cases
from certflow.lifecycle.importing import legacy_import
from certflow.lifecycle.models import Case, LegacyImport
from certflow.lifecycle.tests.conftest import TODAY
from certflow.lifecycle.tests.files import csv_file, row

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def complaint(enterprise_a):
    return cases.complaint_receive(
        name="王女士", contact="13900000000", description="柜门开裂", enterprise=enterprise_a
    )


@pytest.mark.parametrize(
    ("who", "overview", "lapsed", "cases_page"),
    [
        ("programme_manager", 200, 200, 200),
        ("cb_admin", 200, 200, 200),
        ("clerk", 200, 200, 403),
        ("committee_member", 200, 200, 403),
        ("auditor", 403, 403, 403),
        ("user_a", 403, 403, 200),
    ],
)
def test_who_reaches_the_pages(request, client, who, overview, lapsed, cases_page):
    login(client, request.getfixturevalue(who))
    assert client.get(reverse("legacy_overview")).status_code == overview
    assert client.get(reverse("lapsed_report")).status_code == lapsed
    assert client.get(reverse("case_list")).status_code == cases_page


def test_anonymous_users_are_sent_to_login(client):
    for name in ("legacy_overview", "lapsed_report", "case_list", "appeal_new"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login" in response["Location"]


def test_upload_with_errors_shows_the_row_report(client, programme_manager):
    login(client, programme_manager)
    upload = csv_file([row(1), row(2, uscc="123")])
    response = client.post(reverse("legacy_overview"), {"file": upload}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "第 3 行" in body and "统一社会信用代码无效" in body and "行有错误，整份文件未导入" in body
    assert not Certificate.objects.exists()


def test_a_good_upload_imports_and_links_the_certificates(client, programme_manager):
    login(client, programme_manager)
    response = client.post(reverse("legacy_overview"), {"file": csv_file([row(1)])}, follow=True)
    assert "OLD-2024-001" in response.content.decode()
    assert LegacyImport.objects.get().outcome == "imported"


def test_clerk_sees_the_overview_but_may_not_import(client, clerk):
    login(client, clerk)
    assert "上传并导入" not in client.get(reverse("legacy_overview")).content.decode()
    assert client.post(reverse("legacy_overview"), {"file": csv_file([row(1)])}).status_code == 403
    assert not LegacyImport.objects.exists()


def test_a_non_table_upload_is_a_form_error_not_a_500(client, programme_manager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, programme_manager)
    response = client.post(reverse("legacy_overview"), {"file": SimpleUploadedFile("a.txt", b"hello")})
    assert response.status_code == 400 and not LegacyImport.objects.exists()


def _lapsed(programme_manager, n, start=0):
    rows = [row(i, number=f"OLD-{i:04d}") for i in range(start, start + n)]
    legacy_import(by=programme_manager, upload=csv_file(rows), today=TODAY)


def test_lapsed_report_lists_lapsed_legacy_certificates_with_constant_queries(client, programme_manager):
    login(client, programme_manager)
    _lapsed(programme_manager, 2)
    url = reverse("lapsed_report")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        response = client.get(url)
    assert "OLD-0000" in response.content.decode() and "2026-10-16" in response.content.decode()
    _lapsed(programme_manager, 12, start=10)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small) == len(large)


def test_lapsed_report_exports_csv_and_xlsx(client, programme_manager, clerk):
    _lapsed(programme_manager, 2)
    login(client, clerk)
    csv = client.get(reverse("lapsed_report") + "?format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "OLD-0000" in text and "2026-10-16" in text and text.count("\n") == 3
    xlsx = client.get(reverse("lapsed_report") + "?format=xlsx")
    assert xlsx.content[:2] == b"PK"


def test_case_register_has_constant_queries(client, programme_manager, enterprise_a):
    login(client, programme_manager)
    for _ in range(2):
        cases.complaint_receive(name="甲", contact="x", description="y", enterprise=enterprise_a)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("case_list"))
    for _ in range(10):
        cases.complaint_receive(name="乙", contact="x", description="y", enterprise=enterprise_a)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("case_list"))
    assert len(small) == len(large) and "TS-" in response.content.decode()


def test_handler_works_the_case_through_the_pages(client, programme_manager, cb_admin, complaint):
    login(client, programme_manager)
    assert client.get(reverse("case_detail", args=[complaint.pk])).status_code == 200
    client.post(reverse("case_action", args=[complaint.pk, "acknowledge"]))
    response = client.post(reverse("case_action", args=[complaint.pk, "assign"]), {"handler": "999999"})
    assert response.status_code == 400
    client.post(reverse("case_action", args=[complaint.pk, "assign"]), {"handler": str(cb_admin.pk)})
    response = client.post(reverse("case_action", args=[complaint.pk, "decide"]), {"outcome": "upheld", "decision": ""})
    assert response.status_code == 400
    client.post(reverse("case_action", args=[complaint.pk, "decide"]), {"outcome": "upheld", "decision": "成立"})
    complaint.refresh_from_db()
    assert (complaint.status, complaint.handler, complaint.outcome) == ("closed", cb_admin, "upheld")


def test_clerk_and_enterprise_may_not_act_on_a_complaint(client, clerk, user_a, complaint):
    login(client, clerk)
    assert client.get(reverse("case_detail", args=[complaint.pk])).status_code == 404
    assert client.post(reverse("case_action", args=[complaint.pk, "acknowledge"])).status_code == 404
    login(client, user_a)  # a complaint about their own enterprise is not theirs to read
    assert client.get(reverse("case_detail", args=[complaint.pk])).status_code == 404
    complaint.refresh_from_db()
    assert complaint.status == "received"


def test_public_complaint_form_needs_no_login_and_gives_a_tracking_code(client, enterprise_a):
    response = client.post(
        reverse("complaint_new"),
        {"name": "王女士", "contact": "13900000000", "subject": enterprise_a.uscc, "description": "柜门开裂"},
    )
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.enterprise == enterprise_a and case.submitted_by is None
    assert case.tracking_code in response.content.decode()
    track = client.get(reverse("complaint_track"), {"reference": case.reference, "code": case.tracking_code})
    assert track.status_code == 200 and "已收到" in track.content.decode()
    wrong = client.get(reverse("complaint_track"), {"reference": case.reference, "code": "guess"})
    assert wrong.status_code == 404 and "王女士" not in wrong.content.decode()


def test_public_complaint_form_refuses_empty_fields_and_bots(client):
    assert client.post(reverse("complaint_new"), {"name": "", "contact": "", "description": ""}).status_code == 400
    client.post(reverse("complaint_new"), {"name": "a", "contact": "b", "description": "c", "website": "x"})
    assert not Case.objects.exists()


def test_public_complaint_form_is_rate_limited(client, settings):
    settings.CERTFLOW_COMPLAINT_PAGE_RATE = "2/hour"
    data = {"name": "a", "contact": "b", "description": "c"}
    assert [client.post(reverse("complaint_new"), data).status_code for _ in range(3)] == [200, 200, 429]
    assert Case.objects.count() == 2


def test_enterprise_lodges_an_appeal_and_sees_only_its_own(
    client, issue, enterprise_a, enterprise_b, user_a, user_b, programme_manager
):
    certificate = issue(enterprise_a)
    other = issue(enterprise_b)
    login(client, user_a)
    page = client.get(reverse("appeal_new")).content.decode()
    assert certificate.number in page and other.number not in page
    bad = client.post(reverse("appeal_new"), {"subject": f"c{other.pk}", "contact": "x", "description": "y"})
    assert bad.status_code == 400 and not Case.objects.exists()
    response = client.post(
        reverse("appeal_new"),
        {"subject": f"c{certificate.pk}", "contact": "a@ent.example", "description": "不同意暂停"},
    )
    appeal = Case.objects.get()
    assert response.status_code == 302 and appeal.kind == "appeal" and appeal.certificate == certificate
    assert client.get(reverse("case_detail", args=[appeal.pk])).status_code == 200
    assert appeal.reference in client.get(reverse("case_list")).content.decode()
    login(client, user_b)
    assert client.get(reverse("case_detail", args=[appeal.pk])).status_code == 404
    assert appeal.reference not in client.get(reverse("case_list")).content.decode()
    login(client, programme_manager)
    assert client.get(reverse("appeal_new")).status_code == 403


def test_navigation_shows_the_entries_to_the_right_people(client, programme_manager, clerk, user_a):
    login(client, programme_manager)
    page = client.get("/", follow=True).content.decode()
    assert reverse("case_list") in page and reverse("legacy_overview") in page
    login(client, clerk)
    page = client.get("/", follow=True).content.decode()
    assert reverse("legacy_overview") in page and reverse("case_list") not in page


def test_status_changes_of_the_tick_are_on_the_public_page_at_once(client, programme_manager):
    legacy_import(by=programme_manager, upload=csv_file([row(1)]), today=date(2026, 10, 1))
    response = client.get(reverse("verify_certificate", args=["OLD-2024-001"]))
    from certflow.lifecycle.ticking import run_tick

    run_tick(date(2026, 10, 16))
    assert Certificate.objects.get().status == S.LAPSED
    response = client.get(reverse("verify_certificate", args=["OLD-2024-001"]))
    assert response.context["status"]["code"] == S.LAPSED and "失效" in response.content.decode()


def test_lapsed_report_includes_legacy_certificates_recorded_without_an_import(client, legacy, enterprise_a, clerk):
    cert = legacy(enterprise_a, "OLD-DIRECT")
    from certflow.lifecycle.ticking import run_tick

    run_tick(date(2026, 10, 16))
    login(client, clerk)
    body = client.get(reverse("lapsed_report")).content.decode()
    assert cert.number in body
    assert "—" in body


def test_legacy_overview_has_constant_queries(client, programme_manager):
    login(client, programme_manager)
    legacy_import(by=programme_manager, upload=csv_file([row(1)]), today=TODAY)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("legacy_overview"))
    for n in range(2, 9):
        legacy_import(by=programme_manager, upload=csv_file([row(n)]), today=TODAY)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("legacy_overview"))
    assert len(small) == len(large)


def test_the_tick_expiry_is_on_the_public_page_at_once(client, legacy, enterprise_a):
    cert = legacy(enterprise_a, issued_on=date(2023, 6, 1), expires_on=date(2026, 6, 1))
    from certflow.lifecycle.ticking import run_tick

    run_tick(date(2026, 6, 2))
    page = client.get(reverse("verify_certificate", args=[cert.number]))
    assert (page.context["status"]["code"], page.context["status"]["since"]) == (S.EXPIRED, date(2026, 6, 2))


def test_tracking_look_ups_do_not_use_up_the_submission_budget(client, settings):
    settings.CERTFLOW_COMPLAINT_PAGE_RATE = "1/hour"
    client.get(reverse("complaint_track"), {"reference": "TS-2026-0001", "code": "x"})
    data = {"name": "a", "contact": "b", "description": "c"}
    assert client.post(reverse("complaint_new"), data).status_code == 200
