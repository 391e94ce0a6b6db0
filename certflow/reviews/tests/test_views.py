"""The review pages: lists, assignment, the checklist (with and without htmx), completion, the
corrective-action page for the enterprise and the reviewer, downloads, the report."""

import re
import shutil
import subprocess
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certflow.applications.domain import ApplicationStatus
from certflow.core.testing.factories import EnterpriseFactory, MembershipFactory, UserFactory
from certflow.reviews import services
from certflow.reviews.domain import NonconformityState, ReviewStatus
from certflow.reviews.models import ChecklistEntry, CorrectiveAction, DocumentReview, Nonconformity
from certflow.reviews.tests.helpers import accepted_application, pdf_file, record_all

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# --- the reviewer's list ------------------------------------------------------------------------


def test_an_auditor_sees_the_reviews_assigned_to_them(client, review, auditor):
    response = login(client, auditor).get(reverse("review_list"))
    assert response.status_code == 200
    assert review.application.reference in response.content.decode()


def test_an_unassigned_auditor_sees_no_review(client, review, lead_auditor):
    response = login(client, lead_auditor).get(reverse("review_list") + "?mine=0")
    assert review.application.reference not in response.content.decode()


def test_the_review_list_query_count_is_flat(client, clerk, auditor, programme_manager):
    def make_review():
        enterprise = EnterpriseFactory()
        user = MembershipFactory(enterprise=enterprise, user=UserFactory()).user
        application = accepted_application(enterprise=enterprise, user=user, clerk=clerk)
        return services.review_assign(by=clerk, application=application, reviewer=auditor)

    make_review()
    login(client, programme_manager)
    one = count_queries(client, reverse("review_list"))
    make_review()
    make_review()
    assert count_queries(client, reverse("review_list")) == one


# --- assignment ---------------------------------------------------------------------------------


def test_a_clerk_assigns_a_reviewer_from_the_page(client, application, clerk, auditor):
    login(client, clerk)
    page = client.get(reverse("review_assign", args=[application.pk]))
    assert page.status_code == 200 and auditor.email in page.content.decode()
    assert clerk.email not in page.content.decode()  # only auditors are offered
    response = client.post(reverse("review_assign", args=[application.pk]), {"reviewer": auditor.pk})
    review = DocumentReview.objects.get(application=application)
    assert response.status_code == 302 and response.url == reverse("review_detail", args=[review.pk])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DOCUMENT_REVIEW


def test_assigning_a_non_auditor_id_is_a_form_error(client, application, clerk, committee_member):
    response = login(client, clerk).post(
        reverse("review_assign", args=[application.pk]), {"reviewer": committee_member.pk}
    )
    assert response.status_code == 200 and not DocumentReview.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("auditor", 404), ("committee_member", 403), ("user_a", 403)])
def test_only_clerks_and_programme_managers_reach_the_assignment_page(client, application, who, status, request):
    login(client, request.getfixturevalue(who))
    assert client.get(reverse("review_assign", args=[application.pk])).status_code == status


# --- the checklist ------------------------------------------------------------------------------


def test_the_checklist_shows_every_document_review_item_grouped_by_clause(client, review, auditor):
    html = login(client, auditor).get(reverse("review_detail", args=[review.pk])).content.decode()
    assert html.count('class="checklist-item') == 27
    assert html.count('class="card checklist-clause"') == 12
    assert 'id="i4_3_2-1"' in html and "4.9-4" not in html  # on-site only items are not here
    assert html.count('name="result"') == 27 * 4
    assert "complete" in html


def test_the_checklist_page_query_count_does_not_grow_with_entries(client, review, auditor):
    login(client, auditor)
    url = reverse("review_detail", args=[review.pk])
    services.checklist_record(by=auditor, review=review, item_id="4.1-1", result="conform")
    before = count_queries(client, url)
    record_all(review, auditor)
    assert count_queries(client, url) == before


def test_saving_an_item_without_javascript_redirects_to_it(client, review, auditor, application):
    material = application.material_files.first()
    response = login(client, auditor).post(
        reverse("review_entry_save", args=[review.pk, "4.3.2-1"]),
        {"result": "conform", "note": "见生产工艺文件", "evidence": material.pk, "evidence_page": "4"},
    )
    assert response.status_code == 302
    assert response.url == reverse("review_detail", args=[review.pk]) + "#i4_3_2-1"
    entry = ChecklistEntry.objects.get(review=review, item_id="4.3.2-1")
    assert (entry.note, entry.evidence_id, entry.evidence_page) == ("见生产工艺文件", material.pk, 4)


def test_saving_an_item_with_htmx_returns_the_item_and_the_progress(client, review, auditor):
    response = login(client, auditor).post(
        reverse("review_entry_save", args=[review.pk, "4.1-1"]), {"result": "conform"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="checklist-item') == 1 and 'id="i4_1-1"' in html
    assert 'id="progress-count" hx-swap-oob="true">1 / 27' in html


@pytest.mark.parametrize("htmx", [False, True])
def test_a_refused_item_keeps_what_was_typed(client, review, auditor, htmx):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = login(client, auditor).post(
        reverse("review_entry_save", args=[review.pk, "4.2-1"]),
        {"result": "not_applicable", "note": "企业称应急预案在编制中<b>", "na_reason": ""},
        **headers,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "须说明理由" in html
    assert "企业称应急预案在编制中&lt;b&gt;" in html
    assert re.search(r'value="not_applicable"[^>]*checked', html)
    assert not ChecklistEntry.objects.exists()


def test_completing_from_the_page_raises_the_nonconformities(client, review, auditor):
    record_all(review, auditor, {"4.4-1": "major"})
    response = login(client, auditor).post(reverse("review_complete", args=[review.pk]), {"summary": "设备维护不足"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.CORRECTIONS
    assert Nonconformity.objects.get().item_id == "4.4-1"


def test_completing_too_early_keeps_the_summary_and_says_why(client, review, auditor):
    response = login(client, auditor).post(reverse("review_complete", args=[review.pk]), {"summary": "初步结论文字"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "初步结论文字" in html and "27 项未评价" in html
    review.refresh_from_db()
    assert review.status == ReviewStatus.IN_PROGRESS


def test_the_enterprise_sees_no_checklist_while_the_review_is_in_progress(client, review, auditor, user_a):
    services.checklist_record(by=auditor, review=review, item_id="4.1-1", result="minor", note="内部工作底稿")
    response = login(client, user_a).get(reverse("review_detail", args=[review.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "内部工作底稿" not in html and "checklist-item" not in html
    assert client.get(reverse("review_report", args=[review.pk])).status_code == 404


def test_the_enterprise_reads_the_completed_review_without_forms(client, completed_review, user_a):
    html = login(client, user_a).get(reverse("review_detail", args=[completed_review.pk])).content.decode()
    assert "4.1-1 的不符合事实" in html and 'name="result"' not in html
    assert "NC-" in html


# --- nonconformities ----------------------------------------------------------------------------


def test_the_nonconformity_list_shows_due_dates_and_its_query_count_is_flat(
    client, completed_review, application, user_a, auditor
):
    login(client, user_a)
    url = reverse("application_nonconformities", args=[application.pk])
    html = client.get(url).content.decode()
    assert "NC-" in html and "2026年4月1日" in html
    before = count_queries(client, url)
    services.corrective_action_submit(
        by=user_a,
        nonconformity=Nonconformity.objects.get(grade="major"),
        cause_analysis="a",
        correction="b",
        corrective_action="c",
    )
    assert count_queries(client, url) == before
    assert count_queries(client, reverse("nonconformity_list")) == count_queries(
        client, reverse("nonconformity_list") + "?state=open"
    )


def test_an_overdue_nonconformity_shows_its_badge(client, major, user_a, monkeypatch):
    login(client, user_a)
    url = reverse("nonconformity_detail", args=[major.pk])
    monkeypatch.setattr("certflow.reviews.views.nonconformities.today", lambda: date(2026, 3, 10))
    html = client.get(url).content.decode()
    assert "badge overdue" not in html and "还有 22 天" in html
    monkeypatch.setattr("certflow.reviews.views.nonconformities.today", lambda: date(2026, 4, 3))
    html = client.get(url).content.decode()
    assert "badge overdue" in html and "已超过整改期限" in html and "已逾期 2 天" in html


def test_the_enterprise_submits_a_corrective_action_with_evidence(client, major, user_a):
    name, data = pdf_file("整改证据.pdf")
    data.name = name
    response = login(client, user_a).post(
        reverse("corrective_action_submit", args=[major.pk]),
        {"cause_analysis": "原因", "correction": "纠正", "corrective_action": "措施", "files": [data]},
    )
    assert response.status_code == 302
    action = CorrectiveAction.objects.get()
    evidence = action.evidence.get()
    assert evidence.original_name == "整改证据.pdf" and len(evidence.sha256) == 64
    download = client.get(reverse("corrective_evidence_download", args=[evidence.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_refused_corrective_action_keeps_the_text(client, major, user_a):
    response = login(client, user_a).post(
        reverse("corrective_action_submit", args=[major.pk]),
        {"cause_analysis": "已写的原因分析", "correction": "", "corrective_action": ""},
    )
    assert response.status_code == 400
    assert "已写的原因分析" in response.content.decode()
    assert not CorrectiveAction.objects.exists()


def test_the_reviewer_returns_then_accepts_from_the_page(client, submitted, major, auditor, user_a):
    login(client, auditor)
    page = client.get(reverse("nonconformity_detail", args=[major.pk])).content.decode()
    assert "验证通过" in page and "退回整改" in page
    response = client.post(reverse("corrective_action_return", args=[submitted.pk]), {"comment": "请补充培训记录"})
    assert response.status_code == 302
    assert Nonconformity.objects.get(pk=major.pk).state == NonconformityState.RETURNED

    client.force_login(user_a)
    page = client.get(reverse("nonconformity_detail", args=[major.pk])).content.decode()
    assert "请补充培训记录" in page and "重新提交整改报告" in page
    client.post(
        reverse("corrective_action_submit", args=[major.pk]),
        {"cause_analysis": "原因", "correction": "纠正", "corrective_action": "措施"},
    )
    second = CorrectiveAction.objects.get(round=2)
    client.force_login(auditor)
    assert client.post(reverse("corrective_action_accept", args=[second.pk]), {}).status_code == 302
    assert Nonconformity.objects.get(pk=major.pk).state == NonconformityState.VERIFIED


def test_returning_without_comment_on_the_page_is_refused(client, submitted, major, auditor):
    response = login(client, auditor).post(reverse("corrective_action_return", args=[submitted.pk]), {"comment": ""})
    assert response.status_code == 400 and "说明理由" in response.content.decode()
    assert Nonconformity.objects.get(pk=major.pk).state == NonconformityState.ACTION_SUBMITTED


# --- the report ---------------------------------------------------------------------------------


def _pdf_text(pdf: bytes) -> str | None:
    program = shutil.which("pdftotext")
    if program is None:
        return None
    return subprocess.run([program, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def _info_string(pdf: bytes, key: str) -> str:
    """A document-info string, which reportlab writes as a UTF-16 literal with octal escapes."""
    match = re.search(rb"/" + key.encode() + rb" \(((?:\\.|[^\\)])*)\)", pdf)
    raw = re.sub(rb"\\([0-7]{1,3}|.)", lambda m: bytes([int(m[1], 8)]) if m[1][:1].isdigit() else m[1], match[1])
    return raw.decode("utf-16") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")


def test_the_report_is_a_pdf_with_the_font_embedded_and_the_enterprise_named(client, completed_review, user_a):
    response = login(client, user_a).get(reverse("review_report", args=[completed_review.pk]))
    pdf = response.content
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert pdf.startswith(b"%PDF") and b"/FontFile2" in pdf
    assert "甲定制家居有限公司" in _info_string(pdf, "Subject")
    text = _pdf_text(pdf)
    if text is not None:
        assert "甲定制家居有限公司" in text and "NC-SQ2026-00001-02" in text and "文件审核报告" in text
    completed_review.refresh_from_db()
    assert completed_review.report_generated_at is not None


def test_the_reviewer_may_preview_a_draft_report(client, review, auditor):
    response = login(client, auditor).get(reverse("review_report", args=[review.pk]))
    assert response.status_code == 200
    text = _pdf_text(response.content)
    if text is not None:
        assert "草稿" in text


def test_a_cited_material_file_downloads_from_the_review(client, review, auditor, application):
    material = application.material_files.first()
    services.checklist_record(by=auditor, review=review, item_id="4.1-1", result="conform", evidence=material)
    response = login(client, auditor).get(reverse("review_material_download", args=[review.pk, material.pk]))
    assert response.status_code == 200


def test_nothing_here_answers_get_where_it_writes(client, review, auditor):
    login(client, auditor)
    assert client.get(reverse("review_entry_save", args=[review.pk, "4.1-1"])).status_code == 405
    assert client.get(reverse("review_complete", args=[review.pk])).status_code == 405
