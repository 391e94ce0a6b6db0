"""Who may see and do what, behind both doors (pages and API): every role inside and outside its reach.

404 with nothing of the application in the body for what one may not see; 403 for what one may see but
not do; and a refused step changes nothing.
"""

import pytest
from django.urls import reverse

from certflow.applications.domain import ApplicationStatus as S
from certflow.applications.models import AssignmentRole
from certflow.applications.services import assignment_add
from certflow.applications.tests.factories import draft, pdf_file, submitted
from certflow.core.events.models import Event

pytestmark = pytest.mark.django_db

READERS = ["user_a", "clerk", "programme_manager", "committee_member", "cb_admin"]
OUTSIDERS = ["user_b", "auditor", "lead_auditor"]  # another enterprise's user; auditors not assigned to it
NOT_CLERKS = ["programme_manager", "committee_member", "cb_admin"]


@pytest.fixture
def application(enterprise_a, user_a):
    return submitted(enterprise_a, user_a)


def assert_hidden(response, application):
    assert response.status_code == 404
    body = response.content.decode()
    assert application.reference not in body
    assert application.enterprise.name not in body


# --- pages ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
def test_readers_open_the_application_page(request, login, application, who):
    response = login(request.getfixturevalue(who)).get(reverse("application_detail", args=[application.pk]))
    assert response.status_code == 200
    assert application.reference in response.content.decode()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_without_data(request, login, application, who):
    assert_hidden(
        login(request.getfixturevalue(who)).get(reverse("application_detail", args=[application.pk])), application
    )


def test_a_missing_application_answers_like_a_hidden_one(login, user_b, application):
    missing = login(user_b).get(reverse("application_detail", args=[application.pk + 1000]))
    hidden = login(user_b).get(reverse("application_detail", args=[application.pk]))
    assert missing.status_code == hidden.status_code == 404


def test_an_assigned_auditor_reads_the_application(login, auditor, clerk, application):
    assignment_add(by=clerk, application=application, user=auditor, role=AssignmentRole.DOCUMENT_REVIEWER)
    assert login(auditor).get(reverse("application_detail", args=[application.pk])).status_code == 200


def test_anonymous_is_sent_to_login(client, application):
    response = client.get(reverse("application_detail", args=[application.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("who", [*NOT_CLERKS, "user_a"])
def test_only_a_clerk_may_accept_on_the_page(request, login, application, who):
    events = Event.objects.count()
    response = login(request.getfixturevalue(who)).post(reverse("application_accept", args=[application.pk]))
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert Event.objects.count() == events


@pytest.mark.parametrize("name", ["application_accept", "application_not_accept", "application_request_supplement"])
@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_on_decisions(request, login, application, who, name):
    response = login(request.getfixturevalue(who)).post(reverse(name, args=[application.pk]), {"reason": "x"})
    assert_hidden(response, application)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("application_details_save", {"application_type": "initial"}),
        ("application_site_add", {"kind": "workshop", "name": "x", "address": "y"}),
        ("application_declaration_save", {"made": "on"}),
        ("application_submit", {}),
        ("application_withdraw", {}),
    ],
)
def test_enterprise_actions_are_403_for_staff_and_404_for_another_enterprise(
    login, client, clerk, user_b, enterprise_a, user_a, name, data
):
    application = draft(enterprise_a, user_a, complete=True)
    events = Event.objects.count()
    assert login(clerk).post(reverse(name, args=[application.pk]), data).status_code == 403
    client.logout()
    assert_hidden(login(user_b).post(reverse(name, args=[application.pk]), data), application)
    application.refresh_from_db()
    assert application.status == S.DRAFT
    assert Event.objects.count() == events


def test_uploads_are_the_enterprises_only(login, client, clerk, user_b, enterprise_a, user_a):
    application = draft(enterprise_a, user_a)
    url = reverse("application_material_upload", args=[application.pk, "company_profile"])
    assert login(clerk).post(url, {"files": [pdf_file()]}).status_code == 403
    client.logout()
    assert_hidden(login(user_b).post(url, {"files": [pdf_file()]}), application)
    assert not application.material_files.exists()


def test_pages_refuse_get_on_actions(login, user_a, application):
    assert login(user_a).get(reverse("application_submit", args=[application.pk])).status_code == 405


# --- downloads -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
def test_readers_download_files_as_attachments(request, login, application, who):
    file = application.material_files.first()
    response = login(request.getfixturevalue(who)).get(reverse("material_file_download", args=[file.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_cannot_download(request, login, application, who):
    file = application.material_files.first()
    response = login(request.getfixturevalue(who)).get(reverse("material_file_download", args=[file.pk]))
    assert response.status_code == 404
    assert "Content-Disposition" not in response


# --- the API -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
def test_api_readers_retrieve(request, api, application, who):
    response = api(request.getfixturevalue(who)).get(f"/api/v1/applications/{application.pk}/")
    assert response.status_code == 200
    assert response.json()["reference"] == application.reference


@pytest.mark.parametrize("who", OUTSIDERS)
def test_api_outsiders_get_404_without_data(request, api, application, who):
    client = api(request.getfixturevalue(who))
    for url in (
        f"/api/v1/applications/{application.pk}/",
        f"/api/v1/applications/{application.pk}/materials/",
        f"/api/v1/applications/{application.pk}/sites/",
        f"/api/v1/material-files/{application.material_files.first().pk}/download/",
    ):
        assert_hidden(client.get(url), application)
    assert client.get("/api/v1/applications/").json()["count"] == 0


@pytest.mark.parametrize("who", [*NOT_CLERKS, "user_a"])
def test_api_only_a_clerk_may_accept(request, api, application, who):
    events = Event.objects.count()
    assert api(request.getfixturevalue(who)).post(f"/api/v1/applications/{application.pk}/accept/").status_code == 403
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert Event.objects.count() == events


def test_api_programme_manager_reads_but_may_not_decide(api, programme_manager, application):
    client = api(programme_manager)
    assert client.get(f"/api/v1/applications/{application.pk}/").status_code == 200
    assert (
        client.post(f"/api/v1/applications/{application.pk}/not-accept/", {"reason": "x"}, format="json").status_code
        == 403
    )


def test_api_anonymous_is_refused(api, application):
    assert api(None).get("/api/v1/applications/").status_code in (401, 403)
    assert api(None).get(f"/api/v1/applications/{application.pk}/").status_code in (401, 403)


def test_api_staff_may_not_act_for_the_enterprise(api, clerk, enterprise_a, user_a):
    application = draft(enterprise_a, user_a, complete=True)
    client = api(clerk)
    assert client.post(f"/api/v1/applications/{application.pk}/submit/").status_code == 403
    assert (
        client.patch(f"/api/v1/applications/{application.pk}/", {"service_description": "x"}, format="json").status_code
        == 403
    )
    application.refresh_from_db()
    assert application.status == S.DRAFT
