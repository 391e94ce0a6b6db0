"""Every survey page for each role: who may reach it, who may not, and what each sees."""

import pytest
from django.urls import reverse

from certflow.surveys import services
from certflow.surveys.models import Response
from certflow.surveys.tests.helpers import ALL_FIVE, csv_bytes, customer_rows, new_survey, open_survey, send_links

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(enterprise_a, user_a, clerk):
    survey = open_survey(enterprise=enterprise_a, user=user_a, clerk=clerk, n=40)
    tokens = send_links(survey, clerk)
    services.response_submit(token=tokens[0], ratings=ALL_FIVE, comment="安装师傅很专业")
    survey.tokens = tokens
    return survey


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


STAFF_ONLY = ("survey_calls", "survey_responses")


@pytest.mark.parametrize("name", ["survey_detail", "survey_customers", *STAFF_ONLY])
def test_pages_for_each_role(client, survey, name, clerk, programme_manager, committee_member, user_a, user_b, auditor):
    url = reverse(name, args=[survey.pk])
    for user in (clerk, programme_manager):
        assert _get(client, user, url).status_code == 200
    expected_member = 403 if name in STAFF_ONLY else 200
    assert _get(client, user_a, url).status_code == expected_member
    assert _get(client, committee_member, url).status_code == (403 if name in STAFF_ONLY else 200)
    assert _get(client, user_b, url).status_code == 404  # another enterprise
    assert _get(client, auditor, url).status_code == 404  # an auditor not assigned to the application
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_enterprise_sees_masked_list_without_the_sample(client, survey, user_a):
    customer = survey.customers.order_by("category", "phone").first()
    body = _get(client, user_a, reverse("survey_customers", args=[survey.pk])).content.decode()
    assert customer.phone not in body and customer.phone[:3] + "****" + customer.phone[-4:] in body
    assert customer.name not in body and customer.name[0] + "**" in body
    assert "抽中" not in body
    detail = _get(client, user_a, reverse("survey_detail", args=[survey.pk])).content.decode()
    assert "安装师傅很专业" not in detail and survey.seed not in detail


def test_callers_see_names_and_answers(client, survey, clerk):
    response = Response.objects.get()
    body = _get(client, clerk, reverse("survey_responses", args=[survey.pk])).content.decode()
    assert response.invitation.customer.name in body and "安装师傅很专业" in body
    calls = _get(client, clerk, reverse("survey_calls", args=[survey.pk])).content.decode()
    invitation = survey.invitations.filter(used_at__isnull=True).order_by("stratum", "draw_order").first()
    assert invitation.customer.phone in calls


def test_call_page_records_an_answered_call(client, survey, clerk, user_a, auditor):
    invitation = survey.invitations.filter(used_at__isnull=True).first()
    url = reverse("survey_call", args=[invitation.pk])
    for outsider in (user_a, auditor):
        assert _get(client, outsider, url).status_code == 404
    assert _get(client, clerk, url).status_code == 200
    data = {"outcome": "answered", "note": "", "comment": "", "overall": "4"}
    data.update({f"d_{k}": str(v) for k, v in ALL_FIVE.items()})
    assert client.post(url, data).status_code == 302
    invitation.refresh_from_db()
    assert invitation.response.channel == "phone_callback"
    again = client.post(url, data)
    assert again.status_code == 400 and "已提交" in again.content.decode()


def test_call_page_bad_input_is_a_clear_error(client, survey, clerk):
    invitation = survey.invitations.filter(used_at__isnull=True).first()
    client.force_login(clerk)
    response = client.post(reverse("survey_call", args=[invitation.pk]), {"outcome": "answered"})
    assert response.status_code == 400 and "请至少对一项作出评价" in response.content.decode()


def test_questionnaire_without_account(client, survey):
    token = survey.tokens[1]
    url = reverse("survey_questionnaire", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "产品质量" in body and "非常满意" in body and survey.enterprise.name in body
    data = {f"d_{k}": str(v) for k, v in ALL_FIVE.items()}
    data["comment"] = "很好"
    done = client.post(url, data)
    assert done.status_code == 200 and "感谢" in done.content.decode()
    assert Response.objects.filter(invitation__survey=survey).count() == 2
    second = client.post(url, data)
    assert second.status_code == 409 and "已提交过" in second.content.decode()
    assert client.get(url).status_code == 409


def test_questionnaire_refuses_bad_links(client, survey):
    assert client.get("/s/not-a-real-token/").status_code == 404
    tampered = survey.tokens[2][:-2] + "zz"
    assert client.get(f"/s/{tampered}/").status_code == 404


def test_questionnaire_empty_submit_is_explained(client, survey):
    response = client.post(reverse("survey_questionnaire", args=[survey.tokens[3]]), {})
    assert response.status_code == 400 and "请至少对一项作出评价" in response.content.decode()


def test_upload_page_and_import_report(client, enterprise_a, user_a, user_b, clerk):
    survey = new_survey(enterprise=enterprise_a, user=user_a, clerk=clerk)
    client.force_login(user_a)
    rows = customer_rows(5)
    rows[2][1] = "000"
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("survey_upload", args=[survey.pk]), {"file": SimpleUploadedFile("l.csv", csv_bytes(rows))}
    )
    assert response.status_code == 302
    report = client.get(response["Location"])
    body = report.content.decode()
    assert report.status_code == 200 and "000" in body and "未导入" in body
    finished = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert finished.status_code == 204 and finished["HX-Refresh"] == "true"
    from certflow.surveys.models import ImportJob

    ImportJob.objects.filter(pk=int(response["Location"].rstrip("/").split("/")[-1])).update(state="running")
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert (
        partial.status_code == 200
        and "<html" not in partial.content.decode()
        and "hx-trigger" in partial.content.decode()
    )
    client.force_login(user_b)
    assert client.get(response["Location"]).status_code == 404
    assert client.post(reverse("survey_upload", args=[survey.pk]), {}).status_code == 404
    client.force_login(clerk)
    assert client.post(reverse("survey_upload", args=[survey.pk]), {}).status_code == 403


def test_upload_refused_file_is_shown_on_the_form(client, enterprise_a, user_a, clerk):
    survey = new_survey(enterprise=enterprise_a, user=user_a, clerk=clerk)
    client.force_login(user_a)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("survey_upload", args=[survey.pk]), {"file": SimpleUploadedFile("l.pdf", b"%PDF-1.4")}
    )
    assert response.status_code == 400 and "不接受" in response.content.decode()


def test_staff_steps_through_pages(client, enterprise_a, user_a, clerk, committee_member):
    from certflow.reviews.tests.helpers import accepted_application

    application = accepted_application(enterprise=enterprise_a, user=user_a, clerk=clerk)
    client.force_login(committee_member)
    assert client.get(reverse("survey_create", args=[application.pk])).status_code == 403
    client.force_login(user_a)
    assert client.get(reverse("survey_for_application", args=[application.pk])).status_code == 200
    client.force_login(clerk)
    assert client.get(reverse("survey_for_application", args=[application.pk])).status_code == 302
    assert client.get(reverse("survey_create", args=[application.pk])).status_code == 200
    created = client.post(reverse("survey_create", args=[application.pk]))
    survey = application.surveys.get()
    assert created["Location"] == reverse("survey_detail", args=[survey.pk])
    client.force_login(user_a)
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(
        reverse("survey_upload", args=[survey.pk]), {"file": SimpleUploadedFile("l.csv", csv_bytes(customer_rows(30)))}
    )
    client.force_login(committee_member)
    assert client.post(reverse("survey_draw", args=[survey.pk])).status_code == 403
    client.force_login(clerk)
    client.post(reverse("survey_draw", args=[survey.pk]))
    client.post(reverse("survey_open", args=[survey.pk]), {"closes_on": "2099-01-01"})
    client.post(reverse("survey_send", args=[survey.pk]), {"medium": "email"})
    survey.refresh_from_db()
    assert survey.status == "open" and survey.invitations.filter(sent_at__isnull=False).count() == 30
    page = client.get(reverse("survey_detail", args=[survey.pk]))
    assert survey.seed in page.content.decode()
    closed = client.post(reverse("survey_close", args=[survey.pk]), follow=True)
    assert "尚无任何作答" in closed.content.decode()


def test_list_pages_keep_constant_queries(client, enterprise_a, user_a, clerk):
    survey = open_survey(enterprise=enterprise_a, user=user_a, clerk=clerk, n=40)
    tokens = send_links(survey, clerk)
    services.response_submit(token=tokens[0], ratings=ALL_FIVE)
    client.force_login(clerk)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name in ("survey_customers", "survey_calls", "survey_responses", "survey_list"):
        args = [] if name == "survey_list" else [survey.pk]
        with CaptureQueriesContext(connection) as small:
            client.get(reverse(name, args=args) + ("?state=all" if name == "survey_calls" else ""))
        counts[name] = len(small)
    for token in tokens[1:11]:
        services.response_submit(token=token, ratings=ALL_FIVE)
    other = open_survey(enterprise=enterprise_a, user=user_a, clerk=clerk, n=35)
    assert other.pk
    for name in counts:
        args = [] if name == "survey_list" else [survey.pk]
        with CaptureQueriesContext(connection) as large:
            client.get(reverse(name, args=args) + ("?state=all" if name == "survey_calls" else ""))
        assert len(large) == counts[name], name


def test_assigned_auditor_sees_the_summary_only(client, survey, auditor, clerk):
    from certflow.applications.models import Assignment

    Assignment.objects.create(application=survey.application, user=auditor, role="auditor", assigned_by=clerk)
    assert _get(client, auditor, reverse("survey_detail", args=[survey.pk])).status_code == 200
    customers = _get(client, auditor, reverse("survey_customers", args=[survey.pk])).content.decode()
    assert "****" in customers
    for name in STAFF_ONLY:
        assert _get(client, auditor, reverse(name, args=[survey.pk])).status_code == 403
    invitation = survey.invitations.first()
    assert _get(client, auditor, reverse("survey_call", args=[invitation.pk])).status_code == 404


def test_survey_list_per_role(client, survey, clerk, user_a, user_b, auditor):
    url = reverse("survey_list")
    assert survey.application.reference in _get(client, clerk, url).content.decode()
    assert survey.application.reference in _get(client, user_a, url).content.decode()
    assert survey.application.reference not in _get(client, user_b, url).content.decode()
    assert survey.application.reference not in _get(client, auditor, url).content.decode()


def test_step_pages_refuse_the_wrong_people(client, survey, user_a, user_b, committee_member):
    for name in ("survey_draw", "survey_close", "survey_send", "survey_open", "survey_resurvey"):
        url = reverse(name, args=[survey.pk])
        client.force_login(user_a)
        assert client.post(url).status_code == 403
        client.force_login(committee_member)
        assert client.post(url).status_code == 403
        client.force_login(user_b)
        assert client.post(url).status_code == 404
        assert client.get(url).status_code in (404, 405)


def test_improvement_pages(client, survey, user_a, user_b, clerk, programme_manager):
    services.survey_close(by=clerk, survey=survey)  # one response, all 4/5: passes
    survey.refresh_from_db()
    client.force_login(user_a)
    refused = client.post(
        reverse("survey_improvement", args=[survey.pk]), {"cause_analysis": "x", "improvement": "y"}, follow=True
    )
    assert "不能执行" in refused.content.decode()
    empty = client.post(reverse("survey_improvement", args=[survey.pk]), {})
    assert empty.status_code == 400
    from certflow.surveys.models import Survey

    Survey.objects.filter(pk=survey.pk).update(status="improvement_required")
    client.force_login(clerk)
    assert client.post(reverse("survey_improvement", args=[survey.pk]), {}).status_code == 403
    client.force_login(user_b)
    assert client.post(reverse("survey_improvement", args=[survey.pk]), {}).status_code == 404
    client.force_login(user_a)
    ok = client.post(
        reverse("survey_improvement", args=[survey.pk]), {"cause_analysis": "测量误差", "improvement": "复尺"}
    )
    assert ok.status_code == 302
    plan = survey.improvements.get()
    review = reverse("survey_improvement_review", args=[plan.pk])
    assert client.post(review, {"decision": "accept"}).status_code == 403
    client.force_login(user_b)
    assert client.post(review, {"decision": "accept"}).status_code == 404
    client.force_login(programme_manager)
    assert client.post(review, {"decision": "return", "comment": ""}, follow=True).status_code == 200
    plan.refresh_from_db()
    assert plan.decision == "pending"  # a return needs a reason
    client.post(review, {"decision": "accept", "comment": ""})
    plan.refresh_from_db()
    assert plan.decision == "accepted"
    page = client.post(reverse("survey_resurvey", args=[survey.pk]), {"reason": "抽查"})
    assert page.status_code == 302 and Survey.objects.filter(application=survey.application, round=2).exists()
