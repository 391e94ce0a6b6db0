"""The results page and the PDF: who may see them, what each reader sees, and flat query counts."""

import random
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certflow.applications.models import Assignment
from certflow.surveys.domain import Channel, SurveyStatus
from certflow.surveys.tests.results_data import DIMENSIONS, answer, invite, make_survey, uniform
from certflow.surveys.tokens import new_token

pytestmark = pytest.mark.django_db

SECRET_COMMENT = "安装师傅王师傅很专业"


@pytest.fixture
def survey(enterprise_a, user_a, clerk):
    return make_survey(enterprise=enterprise_a, user=user_a, staff=clerk)


def fill(survey, clerk, count=20):
    rng = random.Random(count)
    vectors = [({c: rng.choice([3, 4, 4, 5, 5]) for c in DIMENSIONS}, rng.randint(3, 5)) for _ in range(count)]
    answer(survey, vectors, address="198.51.100.{n}")
    answer(survey, [uniform(2)], comment=SECRET_COMMENT, channel=Channel.PHONE_CALLBACK, recorded_by=clerk)


def close(survey, *, answered, satisfied):
    survey.status = SurveyStatus.PASSED if satisfied * 5 >= answered * 4 else SurveyStatus.IMPROVEMENT_REQUIRED
    survey.result_answered, survey.result_satisfied = answered, satisfied
    survey.result_passed = satisfied * 5 >= answered * 4
    survey.save()


def page(client, user, survey, name="survey_results"):
    if user is not None:
        client.force_login(user)
    return client.get(reverse(name, args=[survey.pk]))


@pytest.mark.parametrize("who", ["clerk", "programme_manager", "committee_member", "cb_admin"])
def test_cb_staff_who_see_all_clients_see_the_full_results(client, request, survey, clerk, who):
    fill(survey, clerk)
    response = page(client, request.getfixturevalue(who), survey)
    assert response.status_code == 200
    html = response.content.decode()
    assert "数据完整性提示" in html and SECRET_COMMENT in html
    assert "暂定" in html  # not closed yet
    assert "<svg" in html and "各维度评分分布" in html


def test_an_assigned_auditor_sees_the_results_an_unassigned_one_does_not(client, survey, clerk, auditor):
    fill(survey, clerk)
    assert page(client, auditor, survey).status_code == 404
    Assignment.objects.create(application=survey.application, user=auditor, role="auditor", assigned_by=clerk)
    assert page(client, auditor, survey).status_code == 200


def test_flag_details_are_for_survey_staff_only(client, survey, clerk, committee_member):
    fill(survey, clerk)
    answer(survey, [uniform(4)] * 6, address="192.0.2.44")
    staff = page(client, clerk, survey).content.decode()
    assert "192.0.2.44: 6" in staff
    client.logout()
    committee = page(client, committee_member, survey).content.decode()
    assert "网络地址" in committee and "192.0.2.44" not in committee


def test_the_enterprise_sees_nothing_while_the_survey_is_open(client, survey, clerk, user_a):
    fill(survey, clerk)
    response = page(client, user_a, survey)
    assert response.status_code == 200
    html = response.content.decode()
    assert "调查结束后公布结果" in html and "<svg" not in html and "满意度 " not in html
    assert page(client, None, survey, "survey_report").status_code == 404


def test_the_enterprise_sees_aggregates_only_after_closing(client, survey, clerk, user_a):
    fill(survey, clerk)
    close(survey, answered=105, satisfied=84)
    html = page(client, user_a, survey).content.decode()
    assert "84 / 105" in html and "80.0 %" in html and "达标" in html
    assert "<svg" in html
    # No flags, no comments, no respondent identity, no network address, no caller.
    for secret in ("数据完整性提示", SECRET_COMMENT, "198.51.100.", "客户", clerk.email, "意见和建议"):
        assert secret not in html, secret
    assert not re.search(r"139\d{8}", html)  # no customer's phone number


def test_with_few_answers_the_enterprise_gets_no_distribution(client, survey, clerk, user_a):
    answer(survey, [uniform(5), uniform(4), uniform(1)])
    close(survey, answered=15, satisfied=10)
    html = page(client, user_a, survey).content.decode()
    assert "不显示分布" in html and "各维度评分分布" in html and '<table class="results-table"' not in html
    assert "10 / 15" in html and "未达标" in html
    client.logout()
    assert '<table class="results-table"' in page(client, clerk, survey).content.decode()


@pytest.mark.parametrize("name", ["survey_results", "survey_report"])
def test_another_enterprise_gets_404(client, survey, clerk, user_b, name):
    fill(survey, clerk)
    close(survey, answered=105, satisfied=84)
    assert page(client, user_b, survey, name).status_code == 404


@pytest.mark.parametrize("name", ["survey_results", "survey_report"])
def test_anonymous_visitors_and_token_holders_are_sent_to_log_in(client, survey, name):
    # A respondent holds only a questionnaire link: no session, so the results are behind the login.
    response = page(client, None, survey, name)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_survey_that_does_not_exist_is_404(client, clerk):
    client.force_login(clerk)
    assert client.get(reverse("survey_results", args=[999999])).status_code == 404


def test_post_is_refused(client, survey, clerk):
    client.force_login(clerk)
    assert client.post(reverse("survey_results", args=[survey.pk])).status_code == 405


def test_a_survey_with_no_answers_shows_no_result_rather_than_a_fail(client, survey, clerk):
    html = page(client, clerk, survey).content.decode()
    assert "暂无结果" in html and "verdict-failed" not in html and "verdict-passed" not in html


def test_exactly_80_percent_reads_as_a_pass_and_just_under_does_not_read_80(client, survey, clerk, user_a):
    close(survey, answered=5000, satisfied=3999)  # 79.98 %
    html = page(client, user_a, survey).content.decode()
    assert "79.9 %" in html and "80.0 %" not in html and "verdict-failed" in html


def test_the_pdf_report_builds_with_the_font_embedded(client, survey, clerk, user_a):
    fill(survey, clerk)
    close(survey, answered=105, satisfied=84)
    for user in (clerk, user_a):
        client.force_login(user)
        response = client.get(reverse("survey_report", args=[survey.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF") and b"/FontFile2" in response.content
        assert "attachment" in response["Content-Disposition"]


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["survey_results", "survey_report"])
def test_query_count_does_not_grow_with_the_answers(client, enterprise_a, user_a, clerk, name):
    small = make_survey(enterprise=enterprise_a, user=user_a, staff=clerk)
    large = make_survey(enterprise=enterprise_a, user=user_a, staff=clerk)
    fill(small, clerk, 6)
    fill(large, clerk, 300)
    for s in (small, large):
        s.responses.filter(pk__in=list(s.responses.values_list("pk", flat=True)[:40])).update(comment="好")
    client.force_login(clerk)
    _count(client, reverse(name, args=[small.pk]))  # warm the per-process scheme cache
    assert _count(client, reverse(name, args=[small.pk])) == _count(client, reverse(name, args=[large.pk]))


def test_a_burst_of_answers_is_flagged_on_the_page(client, survey, clerk):
    answer(survey, [uniform(5)] * 12, step=timedelta(seconds=20))
    html = page(client, clerk, survey).content.decode()
    assert "问卷提交时" in html and "完全相同" in html


# --- the API door: the same rules -------------------------------------------------------------------


def api(client, user, survey):
    if user is not None:
        client.force_login(user)
    return client.get(reverse("api-survey-results", args=[survey.pk]))


def test_api_gives_cb_staff_the_exact_result_and_flags(client, survey, clerk):
    answer(survey, [uniform(5)] * 8 + [uniform(3)] * 2, address="192.0.2.7")
    data = api(client, clerk, survey).json()
    result = data["result"]
    assert result["answered"] == 50 and result["satisfied"] == 40
    assert result["share"] == {"numerator": 4, "denominator": 5}
    assert result["verdict"] == "passed" and result["passed"] is True and result["final"] is False
    assert result["threshold"] == {"numerator": 4, "denominator": 5, "inclusive": True}
    assert result["share_text"] == "80.0 %" and result["interval"]["method"] == "wilson"
    assert result["interval"]["low"] < 0.8 < result["interval"]["high"]
    assert data["responses"]["respondents"] == 10 and data["responses"]["by_channel"]["questionnaire"] == 10
    assert data["dimensions"][0]["counts"] == {"1": 0, "2": 0, "3": 2, "4": 0, "5": 8}
    codes = {flag["code"]: flag for flag in data["flags"]}
    assert codes["same_address"]["detail"] == ["192.0.2.7: 10"]


def test_api_hides_flag_details_from_staff_who_do_not_run_surveys(client, survey, committee_member):
    answer(survey, [uniform(4)] * 6, address="192.0.2.8")
    flags = api(client, committee_member, survey).json()["flags"]
    assert flags and all(flag["detail"] == [] for flag in flags)


def test_api_gives_the_enterprise_nothing_before_closing_and_aggregates_after(client, survey, clerk, user_a):
    fill(survey, clerk)
    data = api(client, user_a, survey).json()
    assert data["available"] is False and data["result"] is None and data["flags"] is None
    close(survey, answered=105, satisfied=84)
    data = api(client, user_a, survey).json()
    assert data["available"] is True and data["result"]["verdict"] == "passed" and data["result"]["final"] is True
    assert data["flags"] is None and data["dimensions"] is not None
    assert SECRET_COMMENT not in str(data) and "198.51.100" not in str(data)


@pytest.mark.parametrize("who", ["user_b", "auditor"])
def test_api_refuses_those_who_may_not_see_the_survey(client, request, survey, who):
    assert api(client, request.getfixturevalue(who), survey).status_code == 404


def test_api_refuses_anonymous_callers(client, survey):
    assert api(client, None, survey).status_code in (401, 403)


def test_api_with_no_answers_has_no_verdict(client, survey, clerk):
    result = api(client, clerk, survey).json()["result"]
    assert result["verdict"] == "no_result" and result["passed"] is None and result["share"] is None
    assert result["interval"] is None


def test_a_respondent_with_a_valid_link_still_cannot_see_results(client, survey):
    token, token_hash = new_token()
    [invitation] = invite(survey, 1)
    invitation.token_hash = token_hash
    invitation.save(update_fields=["token_hash"])
    assert client.get(reverse("survey_questionnaire", args=[token])).status_code == 200
    response = client.get(reverse("survey_results", args=[survey.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client.get(reverse("survey_report", args=[survey.pk])).status_code == 302
    assert client.get(reverse("api-survey-results", args=[survey.pk])).status_code in (401, 403)
