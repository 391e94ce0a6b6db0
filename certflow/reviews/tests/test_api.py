"""/api/v1/document-reviews, /nonconformities, /corrective-actions: the same rules behind the API door."""

import pytest
from rest_framework.test import APIClient

from certflow.applications.domain import ApplicationStatus
from certflow.reviews.domain import NonconformityState, ReviewStatus
from certflow.reviews.models import ChecklistEntry, CorrectiveAction, DocumentReview, Nonconformity
from certflow.reviews.tests.helpers import Unchanged, pdf_file, record_all

pytestmark = pytest.mark.django_db

ACTION = {"cause_analysis": "原因", "correction": "纠正", "corrective_action": "纠正措施"}


@pytest.fixture
def api(request):
    def _as(name):
        client = APIClient()
        client.force_authenticate(request.getfixturevalue(name))
        return client

    return _as


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def test_a_clerk_assigns_through_the_api(api, application, auditor):
    response = api("clerk").post(
        "/api/v1/document-reviews/", {"application": application.pk, "reviewer": auditor.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == ReviewStatus.IN_PROGRESS
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DOCUMENT_REVIEW


def test_assigning_a_committee_member_is_a_400_with_the_reason(api, application, committee_member):
    response = api("clerk").post(
        "/api/v1/document-reviews/", {"application": application.pk, "reviewer": committee_member.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "reviewer_not_auditor"
    assert not DocumentReview.objects.exists()


def test_an_auditor_cannot_assign_through_the_api(api, application, lead_auditor):
    response = api("auditor").post(
        "/api/v1/document-reviews/", {"application": application.pk, "reviewer": lead_auditor.pk}, format="json"
    )
    assert response.status_code == 403  # never assigns: refused before the body is read (LG11)
    assert not DocumentReview.objects.exists()


@pytest.mark.parametrize(
    ("who", "sees"),
    [("auditor", True), ("lead_auditor", False), ("user_a", True), ("user_b", False), ("programme_manager", True)],
)
def test_the_review_list_follows_the_permissions(api, review, who, sees):
    assert ids(api(who).get("/api/v1/document-reviews/")) == ([review.pk] if sees else [])
    assert api(who).get(f"/api/v1/document-reviews/{review.pk}/").status_code == (200 if sees else 404)


def test_entries_are_patched_one_item_at_a_time_and_merge(api, review):
    client = api("auditor")
    url = f"/api/v1/document-reviews/{review.pk}/entries/4.3.2-1/"
    assert client.patch(url, {"result": "minor", "note": "工艺文件未受控"}, format="json").status_code == 200
    response = client.patch(url, {"note": "工艺文件未受控，无版本号"}, format="json")
    assert response.status_code == 200
    assert response.json()["result"] == "minor" and response.json()["note"] == "工艺文件未受控，无版本号"


def test_a_refused_entry_is_a_400_and_nothing_is_kept(api, review):
    response = api("auditor").patch(
        f"/api/v1/document-reviews/{review.pk}/entries/4.1-1/", {"result": "not_applicable"}, format="json"
    )
    assert response.status_code == 400 and "不适用" in response.json()["zh"]
    assert not ChecklistEntry.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"), [("user_a", 403), ("programme_manager", 403), ("lead_auditor", 404), ("user_b", 404)]
)
def test_only_the_reviewer_patches_entries(api, review, who, status):
    response = api(who).patch(
        f"/api/v1/document-reviews/{review.pk}/entries/4.1-1/", {"result": "conform"}, format="json"
    )
    assert response.status_code == status
    assert not ChecklistEntry.objects.exists()


def test_the_enterprise_gets_no_entries_while_in_progress(api, review, auditor):
    record_all(review, auditor)
    assert api("user_a").get(f"/api/v1/document-reviews/{review.pk}/").json()["entries"] is None
    assert len(api("clerk").get(f"/api/v1/document-reviews/{review.pk}/").json()["entries"]) == 27
    assert api("user_a").get(f"/api/v1/document-reviews/{review.pk}/report/").status_code == 404


def test_complete_refuses_then_completes(api, review, auditor):
    client = api("auditor")
    with Unchanged(review):
        response = client.post(f"/api/v1/document-reviews/{review.pk}/complete/", {"summary": "结论"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "incomplete"
    record_all(review, auditor, {"4.5-1": "minor"})
    response = client.post(
        f"/api/v1/document-reviews/{review.pk}/complete/", {"summary": "一项一般不符合"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == ReviewStatus.CORRECTIONS and len(response.json()["nonconformities"]) == 1


def test_the_report_downloads_as_pdf(api, completed_review):
    response = api("user_a").get(
        f"/api/v1/document-reviews/{completed_review.pk}/report/", HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and b"/FontFile2" in response.content


def test_nonconformities_filter_by_application_and_state(api, completed_review, application, major):
    client = api("user_a")
    assert len(ids(client.get(f"/api/v1/nonconformities/?application={application.pk}"))) == 2
    assert ids(client.get("/api/v1/nonconformities/?state=verified")) == []
    assert ids(client.get("/api/v1/nonconformities/?application=abc")) == []
    detail = client.get(f"/api/v1/nonconformities/{major.pk}/").json()
    assert detail["grade"] == "major" and detail["due_date"] == "2026-04-01" and detail["actions"] == []
    assert ids(api("user_b").get("/api/v1/nonconformities/")) == []
    assert api("user_b").get(f"/api/v1/nonconformities/{major.pk}/").status_code == 404


def test_the_enterprise_submits_with_files_and_the_reviewer_returns_then_accepts(api, major):
    name, data = pdf_file("整改证据.pdf")
    data.name = name
    response = api("user_a").post(
        "/api/v1/corrective-actions/", {"nonconformity": major.pk, **ACTION, "files": [data]}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["round"] == 1 and body["decision"] == "pending" and len(body["evidence"][0]["sha256"]) == 64
    file_url = f"/api/v1/corrective-actions/{body['id']}/files/{body['evidence'][0]['id']}/"
    assert api("auditor").get(file_url).status_code == 200
    assert api("user_b").get(file_url).status_code == 404

    reviewer = api("auditor")
    refused = reviewer.post(f"/api/v1/corrective-actions/{body['id']}/return/", {"comment": ""}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "no_comment"
    returned = reviewer.post(f"/api/v1/corrective-actions/{body['id']}/return/", {"comment": "请补证据"}, format="json")
    assert returned.status_code == 200 and returned.json()["decision"] == "returned"

    second = api("user_a").post("/api/v1/corrective-actions/", {"nonconformity": major.pk, **ACTION}, format="json")
    assert second.status_code == 201 and second.json()["round"] == 2
    accepted = reviewer.post(f"/api/v1/corrective-actions/{second.json()['id']}/accept/", {}, format="json")
    assert accepted.status_code == 200
    assert Nonconformity.objects.get(pk=major.pk).state == NonconformityState.VERIFIED


@pytest.mark.parametrize(("who", "status"), [("user_b", 404), ("auditor", 403), ("programme_manager", 403)])
def test_only_the_enterprise_submits_corrective_actions(api, major, who, status):
    with Unchanged(major):
        response = api(who).post("/api/v1/corrective-actions/", {"nonconformity": major.pk, **ACTION}, format="json")
    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status"), [("programme_manager", 403), ("user_a", 403), ("lead_auditor", 404), ("user_b", 404)]
)
def test_only_the_reviewer_decides(api, submitted, major, who, status):
    with Unchanged(major, submitted):
        assert (
            api(who).post(f"/api/v1/corrective-actions/{submitted.pk}/accept/", {}, format="json").status_code == status
        )


def test_states_and_decisions_are_read_only(api, submitted, major):
    client = api("auditor")
    assert client.patch(f"/api/v1/nonconformities/{major.pk}/", {"state": "verified"}, format="json").status_code == 405
    assert (
        client.patch(f"/api/v1/corrective-actions/{submitted.pk}/", {"decision": "accepted"}, format="json").status_code
        == 405
    )
    assert client.delete(f"/api/v1/document-reviews/{submitted.nonconformity.review_id}/").status_code == 405
    assert CorrectiveAction.objects.get(pk=submitted.pk).decision == "pending"


def test_the_api_lists_have_flat_query_counts(api, completed_review, submitted, clerk, auditor, enterprise_b, user_b):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from certflow.reviews import services
    from certflow.reviews.tests.helpers import TODAY, accepted_application

    client = api("programme_manager")

    def count(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    urls = ["/api/v1/document-reviews/", "/api/v1/nonconformities/", "/api/v1/corrective-actions/"]
    count(urls[0])  # the user's roles are read once and kept on the user object
    before = [count(url) for url in urls]
    other = accepted_application(enterprise=enterprise_b, user=user_b, clerk=clerk)
    review = services.review_assign(by=clerk, application=other, reviewer=auditor)
    record_all(review, auditor, {"4.1-1": "minor", "4.1-2": "major"})
    services.review_complete(by=auditor, review=review, summary="两项", today=TODAY)
    for nc in review.nonconformities.all():
        services.corrective_action_submit(by=user_b, nonconformity=nc, files=[pdf_file(f"{nc.pk}.pdf")], **ACTION)
    assert [count(url) for url in urls] == before


def test_a_clerk_reassigns_the_review_through_the_api(api, review, auditor, lead_auditor):
    from certflow.core.events.models import Event

    url = f"/api/v1/document-reviews/{review.pk}/reassign/"
    with Unchanged(review):
        assert api("auditor").post(url, {"reviewer": lead_auditor.pk}, format="json").status_code == 403
        assert api("user_b").post(url, {"reviewer": lead_auditor.pk}, format="json").status_code == 404
    before = Event.objects.count()
    response = api("clerk").post(url, {"reviewer": lead_auditor.pk, "reason": "原审核员回避"}, format="json")
    assert response.status_code == 200, response.json()
    review.refresh_from_db()
    assert review.reviewer_id == lead_auditor.pk
    assert list(Event.objects.order_by("seq")[before:].values_list("action", flat=True)) == [
        "application.unassigned",
        "application.assigned",
        "review.reassigned",
    ]
