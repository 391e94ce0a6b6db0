"""Unmasked views of customers' personal data are logged, masked ones are not (decisions PD2)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from certflow.surveys.models import PersonalDataAccess
from certflow.surveys.tests.helpers import open_survey

pytestmark = pytest.mark.django_db
View = PersonalDataAccess.View


@pytest.fixture
def survey(enterprise_a, user_a, clerk):
    return open_survey(enterprise=enterprise_a, user=user_a, clerk=clerk, n=30)


def test_the_callers_views_each_leave_one_row(client, survey, clerk):
    client.force_login(clerk)
    assert client.get(reverse("survey_customers", args=[survey.pk])).status_code == 200
    assert client.get(reverse("survey_calls", args=[survey.pk]) + "?state=all").status_code == 200
    invitation = survey.invitations.first()
    assert client.get(reverse("survey_call", args=[invitation.pk])).status_code == 200
    rows = list(PersonalDataAccess.objects.order_by("id"))
    assert [(r.view, r.viewer_id) for r in rows] == [
        (View.CUSTOMER_LIST, clerk.pk),
        (View.CALL_LIST, clerk.pk),
        (View.CALL_RECORD, clerk.pk),
    ]
    assert rows[0].shown == 25 and rows[2].customer_id == invitation.customer_id
    assert rows[0].client_address == "127.0.0.1"
    # The survey page shows the record to the survey staff.
    page = client.get(reverse("survey_detail", args=[survey.pk])).content.decode()
    assert "个人信息查看记录" in page and "电话回访记录" in page


def test_a_masked_view_leaves_no_row_and_the_enterprise_sees_no_record(client, survey, user_a):
    client.force_login(user_a)
    page = client.get(reverse("survey_customers", args=[survey.pk])).content.decode()
    assert not any(phone in page for phone in survey.customers.values_list("phone", flat=True))
    assert not PersonalDataAccess.objects.exists()
    assert "个人信息查看记录" not in client.get(reverse("survey_detail", args=[survey.pk])).content.decode()


def test_the_api_logs_unmasked_reads_and_lists_them_to_staff_only(survey, clerk, user_a):
    api = APIClient()
    api.force_authenticate(clerk)
    assert api.get(f"/api/v1/surveys/{survey.pk}/customers/").status_code == 200
    assert api.get(f"/api/v1/surveys/{survey.pk}/invitations/").status_code == 200
    log = api.get(f"/api/v1/surveys/{survey.pk}/access-log/")
    assert log.status_code == 200
    assert [r["view"] for r in log.json()["results"]] == [View.API_INVITATIONS, View.API_CUSTOMERS]
    assert log.json()["results"][0]["viewer"] == clerk.email

    api.force_authenticate(user_a)
    assert api.get(f"/api/v1/surveys/{survey.pk}/customers/").status_code == 200  # masked: not logged
    assert PersonalDataAccess.objects.count() == 2
    assert api.get(f"/api/v1/surveys/{survey.pk}/access-log/").status_code == 403
