"""Refusals and edges of the decision services: each precondition, the committee's composition, the votes."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from certflow.accounts.roles import StaffRole
from certflow.accounts.services import role_grant
from certflow.applications import services as application_services
from certflow.applications.domain import ApplicationStatus, ApplicationType
from certflow.auditors import services as auditor_services
from certflow.auditors.models import AuditorProfile
from certflow.audits.services import conduct
from certflow.audits.tests.helpers import notified_audit
from certflow.audits.tests.test_conduct_fixtures import ATTENDEES, DAY1, DAY2, record_everything
from certflow.certificates.domain import CertificateStatus
from certflow.certificates.services import certificate_issue
from certflow.core.events.models import Event
from certflow.core.rules import RuleViolation
from certflow.decisions import services
from certflow.decisions.domain import DecisionStatus, Vote
from certflow.decisions.models import Decision
from certflow.decisions.tests.helpers import DECISION_DAY, committee_members, survey_result


def vote(decision, user, choice, reasoning="理由", impartial=True, today=DECISION_DAY):
    return services.opinion_record(
        by=user, decision=decision, vote=choice, reasoning=reasoning, impartial=impartial, today=today
    )


def refuse(code, fn, *args, **kwargs):
    with pytest.raises(RuleViolation) as exc:
        fn(*args, **kwargs)
    assert exc.value.code == code, (exc.value.code, exc.value.zh)
    return exc.value


# --- an open major nonconformity ------------------------------------------------------------------


@pytest.fixture
def with_open_major(passed, programme_manager, user_a, registered_lead, registered_member, clerk):
    """On-site audit with a major nonconformity left uncorrected past its 30-day deadline."""
    audit = notified_audit(
        planner=programme_manager,
        application=passed,
        enterprise_user=user_a,
        lead=registered_lead,
        members=[registered_member],
    )
    conduct.audit_start(by=registered_lead, audit=audit, today=DAY1)
    record_everything(audit, registered_member, {"4.9-1": "major"})
    major = conduct.nonconformity_raise_from_finding(by=registered_member, audit=audit, item_id="4.9-1", today=DAY1)
    conduct.nonconformity_confirm(by=user_a, nonconformity=major)
    conduct.closing_meeting_hold(
        by=registered_lead,
        audit=audit,
        held_at=timezone.now(),
        attendees=ATTENDEES,
        conclusion="严重不符合",
        today=DAY2,
    )
    survey_result(application=passed, staff=clerk, answered=100, satisfied=95)
    passed.refresh_from_db()
    major.refresh_from_db()
    return passed, major


def test_an_application_in_corrections_goes_to_a_decision_only_once_a_deadline_passed(
    with_open_major, programme_manager
):
    application, major = with_open_major
    assert application.status == ApplicationStatus.ONSITE_CORRECTIONS
    refuse(
        "corrections_in_time",
        services.decision_open,
        by=programme_manager,
        application=application,
        today=major.due_date,
    )
    decision = services.decision_open(
        by=programme_manager, application=application, today=major.due_date + timedelta(days=1)
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DECISION and decision.status == DecisionStatus.OPEN


def test_an_open_major_nonconformity_refuses_the_grant_and_the_notice_names_it(with_open_major, programme_manager):
    application, major = with_open_major
    later = major.due_date + timedelta(days=3)
    decision = services.decision_open(by=programme_manager, application=application, today=later)
    members = committee_members(3)
    for user in members:
        services.member_add(by=programme_manager, decision=decision, user=user, today=later)
    error = refuse("preconditions", vote, decision, members[0], Vote.GRANT, today=later)
    assert major.number in error.zh and "现场审核尚未通过" in error.zh
    for user in members:
        vote(decision, user, Vote.REFUSE, reasoning="严重不符合项逾期未整改", today=later)
    decided = services.decision_conclude(by=programme_manager, decision=decision, today=later)
    assert decided.status == DecisionStatus.REFUSED and decided.certificate is None
    assert any(major.number in zh for zh, _en in decided.reasons)
    assert decided.dossier["grant_problems"] and decided.notice_sha256
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REFUSED


# --- the survey at 79.9 % ------------------------------------------------------------------------------


def test_a_survey_at_79_9_percent_refuses_the_grant(onsite, clerk, programme_manager, members):
    survey_result(application=onsite, staff=clerk, answered=1000, satisfied=799)
    decision = services.decision_open(by=programme_manager, application=onsite, today=DECISION_DAY)
    for user in members:
        services.member_add(by=programme_manager, decision=decision, user=user, today=DECISION_DAY)
    error = refuse("preconditions", vote, decision, members[0], Vote.GRANT)
    assert "79.9%" in error.zh and "80%" in error.zh
    for user in members:
        vote(decision, user, Vote.REFUSE, reasoning="满意度未达标")
    decided = services.decision_conclude(by=programme_manager, decision=decision, today=DECISION_DAY)
    assert decided.status == DecisionStatus.REFUSED
    assert any("79.9%" in zh for zh, _en in decided.reasons)
    assert decided.dossier["survey"]["answered"] == 1000 and decided.dossier["survey"]["passed"] is False


def test_a_survey_at_exactly_80_percent_may_be_granted(onsite, clerk, programme_manager, members):
    survey_result(application=onsite, staff=clerk, answered=1000, satisfied=800)
    decision = services.decision_open(by=programme_manager, application=onsite, today=DECISION_DAY)
    for user in members:
        services.member_add(by=programme_manager, decision=decision, user=user, today=DECISION_DAY)
        vote(decision, user, Vote.GRANT)
    assert services.decision_conclude(by=programme_manager, decision=decision).status == DecisionStatus.GRANTED


# --- the committee -------------------------------------------------------------------------------------


def test_a_committee_member_who_audited_the_enterprise_may_not_sit(opened, programme_manager, registered_lead):
    role_grant(by=None, user=registered_lead, role=StaffRole.TECHNICAL_COMMITTEE)
    audit_reference = opened.application.audits.get().reference
    error = refuse(
        "member_excluded",
        services.member_add,
        by=programme_manager,
        decision=opened,
        user=registered_lead,
        today=DECISION_DAY,
    )
    assert audit_reference in error.zh and "审核" in error.zh
    assert not opened.members.exists()


def test_a_committee_member_who_reviewed_the_documents_may_not_sit(opened, programme_manager, auditor):
    role_grant(by=None, user=auditor, role=StaffRole.TECHNICAL_COMMITTEE)
    error = refuse(
        "member_excluded", services.member_add, by=programme_manager, decision=opened, user=auditor, today=DECISION_DAY
    )
    assert opened.application.reference in error.zh and "文件审核" in error.zh


def test_a_declared_conflict_excludes_until_it_ends(opened, programme_manager, cb_admin):
    user = committee_members(1, prefix="conflicted")[0]
    profile = AuditorProfile.objects.create(
        user=user,
        qualification_number="TC-1",
        level="auditor",
        valid_from=date(2025, 1, 1),
        valid_until=date(2029, 1, 1),
    )
    auditor_services.conflict_declare(
        by=cb_admin,
        profile=profile,
        enterprise=opened.enterprise,
        reason="曾为该企业提供咨询",
        until=DECISION_DAY,
        today=DECISION_DAY,
    )
    error = refuse(
        "member_excluded", services.member_add, by=programme_manager, decision=opened, user=user, today=DECISION_DAY
    )
    assert "曾为该企业提供咨询" in error.zh
    # The day after the declared end the bar is lifted.
    services.member_add(by=programme_manager, decision=opened, user=user, today=DECISION_DAY + timedelta(days=1))


def test_only_committee_members_sit_and_only_once(opened, programme_manager, clerk, members):
    refuse(
        "member_excluded", services.member_add, by=programme_manager, decision=opened, user=clerk, today=DECISION_DAY
    )
    services.member_add(by=programme_manager, decision=opened, user=members[0], today=DECISION_DAY)
    refuse(
        "member_excluded",
        services.member_add,
        by=programme_manager,
        decision=opened,
        user=members[0],
        today=DECISION_DAY,
    )


def test_a_member_who_audits_the_enterprise_after_voting_blocks_the_conclusion(seated, members, programme_manager):
    for user in members:
        vote(seated, user, Vote.GRANT)
    from certflow.audits.models import AuditTeamMember

    audit = seated.application.audits.get()
    AuditTeamMember.objects.create(audit=audit, user=members[2], role="member", added_by=programme_manager)
    error = refuse(
        "member_excluded", services.decision_conclude, by=programme_manager, decision=seated, today=DECISION_DAY
    )
    assert audit.reference in error.zh
    seat = services.seat_of(seated, members[2])
    services.member_remove(by=programme_manager, member=seat, reason="曾参与审核")
    # Two votes left: below the quorum of three.
    refuse("no_quorum", services.decision_conclude, by=programme_manager, decision=seated, today=DECISION_DAY)


def test_the_first_vote_carries_the_impartiality_declaration(seated, members):
    refuse("impartiality", vote, seated, members[0], Vote.GRANT, impartial=False)
    vote(seated, members[0], Vote.GRANT)
    seat = services.seat_of(seated, members[0])
    assert seat.impartiality_declared_at is not None
    # A changed vote keeps the declaration and counts a revision.
    changed = vote(seated, members[0], Vote.REFUSE, reasoning="再议", impartial=False)
    assert changed.revision == 2 and changed.vote == Vote.REFUSE


def test_only_seated_members_vote_and_a_vote_against_needs_reasons(seated, members, programme_manager):
    refuse("not_member", vote, seated, programme_manager, Vote.GRANT)
    refuse("reason_required", vote, seated, members[0], Vote.REFUSE, reasoning="  ")


@pytest.mark.parametrize("who", ["committee_member", "clerk", "auditor", "user_a"])
def test_only_runners_open_seat_and_conclude(who, request, ready, seated):
    user = request.getfixturevalue(who)
    refuse("not_allowed", services.decision_open, by=user, application=ready, today=DECISION_DAY)
    refuse("not_allowed", services.decision_conclude, by=user, decision=seated, today=DECISION_DAY)


def test_a_decision_is_taken_once(seated, members, programme_manager):
    for user in members:
        vote(seated, user, Vote.GRANT)
    services.decision_conclude(by=programme_manager, decision=seated, today=DECISION_DAY)
    refuse("decided", services.decision_conclude, by=programme_manager, decision=seated, today=DECISION_DAY)
    refuse("decided", vote, seated, members[0], Vote.REFUSE, reasoning="x")
    refuse("exists", services.decision_open, by=programme_manager, application=seated.application, today=DECISION_DAY)


def test_conditions_changing_after_the_votes_stop_a_grant(seated, members, programme_manager, clerk):
    for user in members:
        vote(seated, user, Vote.GRANT)
    survey_result(application=seated.application, staff=clerk, answered=100, satisfied=70)
    error = refuse(
        "preconditions", services.decision_conclude, by=programme_manager, decision=seated, today=DECISION_DAY
    )
    assert "70.0%" in error.zh
    assert Decision.objects.get(pk=seated.pk).status == DecisionStatus.OPEN


# --- what a decision leaves behind ----------------------------------------------------------------------


def test_a_grant_is_public_at_once_and_recorded(seated, members, programme_manager):
    for user in members:
        vote(seated, user, Vote.GRANT)
    decided = services.decision_conclude(by=programme_manager, decision=seated, today=DECISION_DAY)
    number = decided.certificate.number
    body = APIClient().get(f"/api/v1/public/certificates/{number}").json()
    assert body["status"] == CertificateStatus.VALID
    event = Event.objects.filter(action="decision.granted").get()
    assert event.after["certificate"] == number and len(event.after["dossier_sha256"]) == 64
    assert decided.dossier["score"] == 100.0 and decided.dossier["grade"] == "five_star"


def test_after_a_refusal_the_enterprise_applies_again(seated, members, programme_manager, user_a):
    for user in members:
        vote(seated, user, Vote.REFUSE, reasoning="不符合")
    services.decision_conclude(by=programme_manager, decision=seated, today=DECISION_DAY)
    again = application_services.application_create(by=user_a, enterprise=seated.enterprise)
    assert again.status == ApplicationStatus.DRAFT and again.pk != seated.application_id


def test_a_recertification_supersedes_the_current_certificate_without_a_gap(
    ready, programme_manager, members, cb_admin
):
    old = certificate_issue(
        by=cb_admin,
        enterprise=ready.enterprise,
        scheme_version=ready.scheme_version,
        grade_code="three_star",
        scope={"categories": list(ready.categories), "services": list(ready.service_stages)},
        issued_on=date(2026, 1, 5),
        today=date(2026, 1, 5),
    )
    ready.application_type = ApplicationType.RECERTIFICATION
    ready.save(update_fields=["application_type"])
    decision = services.decision_open(by=programme_manager, application=ready, today=DECISION_DAY)
    for user in members:
        services.member_add(by=programme_manager, decision=decision, user=user, today=DECISION_DAY)
        vote(decision, user, Vote.GRANT)
    decided = services.decision_conclude(by=programme_manager, decision=decision, today=DECISION_DAY)
    old.refresh_from_db()
    assert old.status == CertificateStatus.SUPERSEDED and old.status_since == DECISION_DAY
    assert decided.certificate.supersedes_id == old.pk and decided.certificate.issued_on == DECISION_DAY


def test_the_dossier_reads_in_a_fixed_number_of_queries(with_open_major, django_assert_max_num_queries):
    from certflow.decisions.dossier import dossier_for
    from certflow.reviews.models import Nonconformity

    application, major = with_open_major
    dossier_for(application)  # the scheme is parsed once per process
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        dossier_for(application)
    for n in range(5):
        Nonconformity.objects.create(
            application=application,
            stage=major.stage,
            audit=major.audit,
            number=f"{major.number}-x{n}",
            item_id="4.4-1",
            grade="minor",
            description="x",
            raised_by=major.raised_by,
            reported_on=major.reported_on,
            due_date=major.due_date,
        )
    with CaptureQueriesContext(connection) as six:
        facts = dossier_for(application).facts
    assert len(facts.nonconformities) == 6
    assert len(one.captured_queries) == len(six.captured_queries) <= 10
