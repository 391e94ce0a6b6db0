"""The survey API: same rules as the pages, for each role; the token questionnaire without an account."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from certflow.reviews.tests.helpers import accepted_application
from certflow.surveys.tests.helpers import ALL_FIVE, csv_bytes, customer_rows, open_survey, send_links

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user:
        client.force_authenticate(user)
    return client


@pytest.fixture
def survey(enterprise_a, user_a, clerk):
    survey = open_survey(enterprise=enterprise_a, user=user_a, clerk=clerk, n=40)
    survey.tokens = send_links(survey, clerk)
    return survey


def test_full_flow_over_the_api(enterprise_a, user_a, clerk, programme_manager):
    application = accepted_application(enterprise=enterprise_a, user=user_a, clerk=clerk)
    created = api(programme_manager).post("/api/v1/surveys/", {"application": application.pk}, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    bad = customer_rows(5)
    bad[0][1] = "1"
    job = api(user_a).post(
        f"/api/v1/surveys/{pk}/upload/", {"file": SimpleUploadedFile("l.csv", csv_bytes(bad))}, format="multipart"
    )
    assert job.status_code == 202 and job.json()["state"] == "rejected"
    rows = api(user_a).get(f"/api/v1/survey-imports/{job.json()['id']}/rows/?outcome=rejected").json()
    assert rows["results"][0]["row_number"] == 2 and "1" in rows["results"][0]["reason_zh"]
    ok = api(user_a).post(
        f"/api/v1/surveys/{pk}/upload/",
        {"file": SimpleUploadedFile("l.csv", csv_bytes(customer_rows(30)))},
        format="multipart",
    )
    assert ok.json()["customers_created"] == 30
    drawn = api(clerk).post(f"/api/v1/surveys/{pk}/draw/")
    assert drawn.status_code == 200 and drawn.json()["sample_size"] == 30 and drawn.json()["seed"]
    locked = api(user_a).post(
        f"/api/v1/surveys/{pk}/upload/",
        {"file": SimpleUploadedFile("l.csv", csv_bytes(customer_rows(30)))},
        format="multipart",
    )
    assert locked.status_code == 400 and locked.json()["code"] == "list_locked"
    assert api(clerk).post(f"/api/v1/surveys/{pk}/open/", {"closes_on": "2099-12-31"}).status_code == 200
    sent = api(clerk).post(f"/api/v1/surveys/{pk}/send/", {"medium": "sms"})
    assert sent.json() == {"sent": 30, "failed": 0, "skipped": 0}
    invitations = api(clerk).get(f"/api/v1/surveys/{pk}/invitations/").json()["results"]
    call = api(clerk).post(
        f"/api/v1/survey-invitations/{invitations[0]['id']}/calls/",
        {"outcome": "answered", "ratings": {"product_quality": 2, "service_attitude": 3}},
        format="json",
    )
    assert call.status_code == 201
    closed = api(clerk).post(f"/api/v1/surveys/{pk}/close/")
    assert closed.json()["status"] == "improvement_required" and closed.json()["result_passed"] is False
    plan = api(user_a).post(
        f"/api/v1/surveys/{pk}/improvement/", {"cause_analysis": "沟通不足", "improvement": "增加回访"}, format="json"
    )
    assert plan.status_code == 201
    assert (
        api(user_a).post(f"/api/v1/survey-improvements/{plan.json()['id']}/review/", {"accept": True}).status_code
        == 403
    )
    reviewed = api(clerk).post(f"/api/v1/survey-improvements/{plan.json()['id']}/review/", {"accept": True})
    assert reviewed.json()["decision"] == "accepted"
    again = api(clerk).post(f"/api/v1/surveys/{pk}/resurvey/", {"reason": "复查"})
    assert again.status_code == 201 and again.json()["round"] == 2


def test_who_may_see_what(survey, user_a, user_b, auditor, committee_member, clerk):
    pk = survey.pk
    assert api(user_b).get(f"/api/v1/surveys/{pk}/").status_code == 404
    assert api(auditor).get(f"/api/v1/surveys/{pk}/").status_code == 404
    assert api().get(f"/api/v1/surveys/{pk}/").status_code in (401, 403)
    own = api(user_a).get(f"/api/v1/surveys/{pk}/").json()
    assert "seed" not in own and own["status"] == "open"
    assert api(user_a).get(f"/api/v1/surveys/{pk}/invitations/").status_code == 403
    assert api(committee_member).get(f"/api/v1/surveys/{pk}/invitations/").status_code == 403
    masked = api(user_a).get(f"/api/v1/surveys/{pk}/customers/").json()["results"][0]
    assert "****" in masked["phone"] and masked["name"].endswith("*")
    plain = api(clerk).get(f"/api/v1/surveys/{pk}/customers/").json()["results"][0]
    assert "*" not in plain["phone"]
    invitation = survey.invitations.first()
    for outsider in (user_a, user_b, auditor, committee_member):
        response = api(outsider).post(f"/api/v1/survey-invitations/{invitation.pk}/calls/", {"outcome": "no_answer"})
        assert response.status_code == 404
    assert [s["id"] for s in api(user_b).get("/api/v1/surveys/").json()["results"]] == []


def test_questionnaire_api_without_account(survey):
    token = survey.tokens[0]
    form = api().get(f"/api/v1/questionnaires/{token}/")
    assert form.status_code == 200 and len(form.json()["dimensions"]) == 5 and len(form.json()["scale"]) == 5
    answered = api().post(f"/api/v1/questionnaires/{token}/answer/", {"ratings": ALL_FIVE, "overall": 5}, format="json")
    assert answered.status_code == 201
    again = api().post(f"/api/v1/questionnaires/{token}/answer/", {"ratings": ALL_FIVE}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "already_answered"
    assert api().get("/api/v1/questionnaires/made-up-token/").status_code == 404
    bad = api().post(f"/api/v1/questionnaires/{survey.tokens[1]}/answer/", {"ratings": {"x": 3}}, format="json")
    assert bad.status_code == 400


def test_other_endpoints_per_role(survey, user_a, user_b, auditor, clerk):
    assert api(user_a).post("/api/v1/surveys/", {"application": survey.application_id}).status_code == 403
    # Survey staff only, checked before the body is read: B learns nothing of A's application (LG11).
    assert api(user_b).post("/api/v1/surveys/", {"application": survey.application_id}).status_code == 403
    job = survey.imports.get()
    assert api(user_a).get(f"/api/v1/survey-imports/{job.pk}/").status_code == 200
    for outsider in (user_b, auditor):
        assert api(outsider).get(f"/api/v1/survey-imports/{job.pk}/").status_code == 404
        assert api(outsider).get(f"/api/v1/survey-imports/{job.pk}/rows/").status_code == 404
    for step in ("draw", "open", "send", "close", "resurvey"):
        assert api(user_a).post(f"/api/v1/surveys/{survey.pk}/{step}/").status_code == 403
        assert api(user_b).post(f"/api/v1/surveys/{survey.pk}/{step}/").status_code == 404
    assert api(clerk).post(f"/api/v1/surveys/{survey.pk}/improvement/", {}).status_code == 403
