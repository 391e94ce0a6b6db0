"""The survey's steps through the services: draw, links, answers, calls, closing, improvement, re-survey."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.db.models import Count
from django.utils import timezone

from certflow.core.events.models import Event
from certflow.core.rules import RuleViolation
from certflow.surveys import services
from certflow.surveys.domain import S
from certflow.surveys.models import CallAttempt, Customer, Dispatch, Invitation, Response
from certflow.surveys.tests.helpers import (
    ALL_FIVE,
    csv_bytes,
    customer_rows,
    new_survey,
    open_survey,
    send_links,
    survey_with_list,
    upload,
)

pytestmark = pytest.mark.django_db


def test_survey_needs_an_accepted_application(enterprise_a, user_a, clerk, auditor):
    from certflow.applications import services as app_services

    application = app_services.application_create(by=user_a, enterprise=enterprise_a)
    with pytest.raises(RuleViolation) as exc:
        services.survey_create(by=clerk, application=application)
    assert exc.value.code == "not_accepted"
    survey = new_survey(enterprise=enterprise_a, user=user_a, clerk=clerk)
    with pytest.raises(RuleViolation):
        services.survey_create(by=clerk, application=survey.application)
    with pytest.raises(RuleViolation):
        services.survey_create(by=auditor, application=survey.application)


def test_sample_size_and_strata(enterprise_a, user_a, clerk):
    survey = survey_with_list(enterprise=enterprise_a, user=user_a, clerk=clerk, n=600)
    survey = services.survey_draw(by=clerk, survey=survey)
    expected = survey.application.scheme_version.as_scheme().survey.sample_size.for_population(600)
    assert survey.population == 600 and survey.sample_size == expected == survey.invitations.count()
    per_stratum = dict(survey.invitations.values_list("stratum").annotate(n=Count("pk")).values_list("stratum", "n"))
    # 600 customers, 200 per category → n = 235 → 78⅓ each: 78 + 78 + 78, the one left over goes to the
    # first code of the equal remainders (largest-remainder rule, ties by size, then code).
    assert expected == 235
    assert per_stratum == {"custom_apparel": 79, "custom_electronic_accessories": 78, "custom_furniture": 78}
    # Each invitation's stratum is its customer's category.
    assert not survey.invitations.exclude(
        stratum__in=Customer.objects.filter(survey=survey).values("category")
    ).exists()
    assert len(survey.seed) == 32 and len(survey.frame_sha256) == 64
    event = Event.objects.get(action="survey.drawn")
    assert event.after["seed"] == survey.seed


def test_small_list_is_surveyed_whole(enterprise_a, user_a, clerk):
    survey = survey_with_list(enterprise=enterprise_a, user=user_a, clerk=clerk, n=12)
    survey = services.survey_draw(by=clerk, survey=survey)
    assert survey.sample_size == 12


def test_redraw_check_repeats_the_draw(enterprise_a, user_a, clerk, capsys):
    survey = survey_with_list(enterprise=enterprise_a, user=user_a, clerk=clerk, n=200)
    survey = services.survey_draw(by=clerk, survey=survey)
    assert services.redraw_check(survey) == (True, [])
    call_command("survey", "redraw-check", str(survey.pk))
    assert "一致" in capsys.readouterr().out
    # A changed frame (someone edits a customer behind the services' back) shows in the hash.
    customer = survey.customers.order_by("pk").first()
    Customer.objects.filter(pk=customer.pk).update(name="改过的名字")
    ok, problems = services.redraw_check(survey)
    assert not ok and "frame hash" in problems[0]
    with pytest.raises(SystemExit):
        call_command("survey", "redraw-check", str(survey.pk))


def test_list_is_locked_after_the_draw(enterprise_a, user_a, clerk):
    survey = survey_with_list(enterprise=enterprise_a, user=user_a, clerk=clerk, n=40)
    services.survey_draw(by=clerk, survey=survey)
    with pytest.raises(RuleViolation) as exc:
        services.list_upload(by=user_a, survey=survey, upload=upload("x.csv", csv_bytes(customer_rows(5))))
    assert exc.value.code == "list_locked"
    assert survey.customers.count() == 40


def test_links_are_single_use(enterprise_a, user_a, clerk):
    survey = open_survey(enterprise=enterprise_a, user=user_a, clerk=clerk, n=40)
    tokens = send_links(survey, clerk)
    survey.refresh_from_db()
    assert len(tokens) == survey.sample_size == Dispatch.objects.filter(ok=True).count() == 37
    assert not Invitation.objects.filter(token_hash__in=tokens).exists()  # only hashes are stored
    response = services.response_submit(token=tokens[0], ratings=ALL_FIVE, overall=5, comment="很好")
    assert response.ratings.count() == 5 and response.channel == "questionnaire"
    with pytest.raises(RuleViolation) as exc:
        services.response_submit(token=tokens[0], ratings=ALL_FIVE)
    assert exc.value.code == "already_answered"
    assert Response.objects.count() == 1


def test_unanswered_dimensions_have_no_rating_row(enterprise_a, user_a, clerk):
    survey = open_survey(enterprise=enterprise_a, user=user_a, clerk=clerk, n=40)
    token = send_links(survey, clerk)[0]
    response = services.response_submit(token=token, ratings={"product_quality": 3, "problem_resolution": ""})
    assert list(response.ratings.values_list("dimension", "value")) == [("product_quality", 3)]
    with pytest.raises(RuleViolation):
        services.response_submit(token=send_links(survey, clerk)[1], ratings={"product_quality": 9})


def test_second_response_refused_by_the_database(enterprise_a, user_a, clerk):
    survey = open_survey(enterprise=enterprise_a, user=user_a, clerk=clerk, n=40)
    invitation = survey.invitations.first()
    Response.objects.create(survey=survey, invitation=invitation, channel="questionnaire")
    with pytest.raises(IntegrityError):
        Response.objects.create(survey=survey, invitation=invitation, channel="questionnaire")


def test_race_past_the_used_check_is_refused_clearly(enterprise_a, user_a, clerk):
    survey = open_survey(enterprise=enterprise_a, user=user_a, clerk=clerk, n=40)
    token = send_links(survey, clerk)[0]
    services.response_submit(token=token, ratings=ALL_FIVE)
    # The other request read the invitation before the first one marked it used.
    Invitation.objects.update(used_at=None)
    with pytest.raises(RuleViolation) as exc:
        services.response_submit(token=token, ratings=ALL_FIVE)
    assert exc.value.code == "already_answered"


def test_expired_tampered_and_resent_links(enterprise_a, user_a, clerk):
    survey = open_survey(enterprise=enterprise_a, user=user_a, clerk=clerk, n=40)
    tokens = send_links(survey, clerk)
    for bad in (tokens[0][:-1] + ("A" if tokens[0][-1] != "A" else "B"), "", "x" * 500):
        with pytest.raises(RuleViolation) as exc:
            services.invitation_for_token(bad)
        assert exc.value.code == "link_invalid"
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(RuleViolation) as exc:
        services.response_submit(token=tokens[1], ratings=ALL_FIVE)
    assert exc.value.code == "link_invalid"
    fresh = send_links(survey, clerk)
    with pytest.raises(RuleViolation):
        services.invitation_for_token(tokens[2])  # the re-send replaced the old link
    assert services.invitation_for_token(fresh[2])


def test_link_expiry_never_passes_the_closing_day(enterprise_a, user_a, clerk, settings):
    settings.CERTFLOW_SURVEY_LINK_DAYS = 365
    survey = open_survey(enterprise=enterprise_a, user=user_a, clerk=clerk, n=40)
    send_links(survey, clerk)
    assert all(inv.expires_at.date() <= survey.closes_on for inv in survey.invitations.all())


def test_call_outcomes_and_reattempt_limit(enterprise_a, user_a, clerk, programme_manager, auditor, settings):
    settings.CERTFLOW_SURVEY_CALL_LIMIT = 3
    survey = open_survey(enterprise=enterprise_a, user=user_a, clerk=clerk, n=40)
    first, second, third = survey.invitations.order_by("pk")[:3]
    for _ in range(3):
        services.call_record(by=clerk, invitation=first, outcome="no_answer")
    with pytest.raises(RuleViolation) as exc:
        services.call_record(by=clerk, invitation=first, outcome="no_answer")
    assert exc.value.code == "call_limit"
    services.call_record(by=programme_manager, invitation=second, outcome="refused", note="不愿参加")
    with pytest.raises(RuleViolation) as exc:
        services.call_record(by=clerk, invitation=second, outcome="answered", ratings=ALL_FIVE)
    assert exc.value.code == "call_finished"
    services.call_record(by=clerk, invitation=third, outcome="no_answer")
    services.call_record(by=clerk, invitation=third, outcome="answered", ratings=ALL_FIVE, overall=4)
    third.refresh_from_db()
    assert third.used_at and third.response.channel == "phone_callback" and third.response.recorded_by == clerk
    with pytest.raises(RuleViolation):
        services.call_record(by=auditor, invitation=survey.invitations.last(), outcome="no_answer")
    assert CallAttempt.objects.count() == 6


def test_close_pass_and_fail_then_improvement_and_resurvey(enterprise_a, user_a, clerk, programme_manager):
    survey = open_survey(enterprise=enterprise_a, user=user_a, clerk=clerk, n=40)
    tokens = send_links(survey, clerk)
    with pytest.raises(RuleViolation) as exc:
        services.survey_close(by=clerk, survey=survey)
    assert exc.value.code == "no_answers"
    # 7 satisfied of 10 ratings: 70 % < 80 %.
    services.response_submit(
        token=tokens[0], ratings={"product_quality": 5, "service_attitude": 4, "design_rationality": 2}
    )
    services.response_submit(
        token=tokens[1], ratings={"product_quality": 4, "service_attitude": 4, "design_rationality": 1}
    )
    services.response_submit(
        token=tokens[2],
        ratings={"product_quality": 5, "service_attitude": 5, "design_rationality": 3, "problem_resolution": 4},
    )
    survey = services.survey_close(by=clerk, survey=survey)
    assert survey.status == S.IMPROVEMENT_REQUIRED
    assert (survey.result_answered, survey.result_satisfied, survey.result_passed) == (10, 7, False)
    with pytest.raises(RuleViolation):
        services.improvement_submit(by=clerk, survey=survey, cause_analysis="x", improvement="y")
    plan = services.improvement_submit(
        by=user_a, survey=survey, cause_analysis="设计沟通不足", improvement="增加方案确认环节"
    )
    with pytest.raises(RuleViolation):
        services.improvement_review(by=programme_manager, plan=plan, accept=False)
    services.improvement_review(by=programme_manager, plan=plan, accept=False, comment="措施不具体")
    survey.refresh_from_db()
    assert survey.status == S.IMPROVEMENT_REQUIRED
    plan2 = services.improvement_submit(
        by=user_a, survey=survey, cause_analysis="设计沟通不足", improvement="每单三次确认"
    )
    services.improvement_review(by=programme_manager, plan=plan2, accept=True)
    survey.refresh_from_db()
    assert survey.status == S.IMPROVEMENT_ACCEPTED
    new = services.resurvey_order(by=programme_manager, survey=survey, reason="验证改进效果")
    survey.refresh_from_db()
    assert survey.status == S.SUPERSEDED and survey.result_answered == 10
    assert new.round == 2 and new.previous == survey and new.status == S.COLLECTING


def test_close_passes_at_exactly_eighty_percent(enterprise_a, user_a, clerk):
    survey = open_survey(enterprise=enterprise_a, user=user_a, clerk=clerk, n=40)
    tokens = send_links(survey, clerk)
    services.response_submit(
        token=tokens[0],
        ratings={
            "product_quality": 5,
            "service_attitude": 4,
            "design_rationality": 2,
            "problem_resolution": 4,
            "response_timeliness": 5,
        },
    )
    survey = services.survey_close(by=clerk, survey=survey)
    assert survey.status == S.PASSED and survey.result_passed is True


def test_unequal_strata_allocation_through_the_draw(enterprise_a, user_a, clerk):
    survey = new_survey(enterprise=enterprise_a, user=user_a, clerk=clerk)
    rows = customer_rows(95, categories=["定制家具"]) + customer_rows(5, start=95, categories=["定制电子配件"])
    services.list_upload(by=user_a, survey=survey, upload=upload("l.csv", csv_bytes(rows)))
    survey = services.survey_draw(by=clerk, survey=survey)
    # N = 100 → n = 80; 80·95/100 = 76, 80·5/100 = 4.
    assert survey.sample_size == 80
    assert survey.invitations.filter(stratum="custom_furniture").count() == 76
    assert survey.invitations.filter(stratum="custom_electronic_accessories").count() == 4
