"""The decision pages: the queue, the dossier with the committee, the notice, the re-application.

Every refusal by the rules shows on the page (400) with what was typed kept; nothing becomes a 500.
"""

import pytest
from django.urls import reverse

from certflow.accounts.roles import StaffRole
from certflow.applications.domain import ApplicationStatus
from certflow.applications.models import Application, Site, SiteKind
from certflow.core.testing.factories import StaffFactory
from certflow.decisions import services
from certflow.decisions.domain import DecisionStatus, Vote
from certflow.decisions.models import CommitteeMember, Decision, Opinion
from certflow.decisions.tests.helpers import DECISION_DAY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    """The staff second factor is the accounts app's, tested there; these tests are about decisions."""
    settings.CERTFLOW_OTP_REQUIRED_FOR_STAFF = False


def page(client, user, url, method="get", data=None):
    client.force_login(user)
    return getattr(client, method)(url, data or {})


def text(response) -> str:
    return response.content.decode()


def vote_all(decision, members, votes, reasoning="理由"):
    for user, vote in zip(members, votes, strict=True):
        services.opinion_record(
            by=user, decision=decision, vote=vote, reasoning=reasoning, impartial=True, today=DECISION_DAY
        )


@pytest.fixture
def refused(seated, members, programme_manager):
    vote_all(seated, members, [Vote.REFUSE] * 3, reasoning="售后服务记录不完整")
    return services.decision_conclude(by=programme_manager, decision=seated, today=DECISION_DAY)


@pytest.fixture
def granted(seated, members, programme_manager):
    vote_all(seated, members, [Vote.GRANT] * 3)
    return services.decision_conclude(by=programme_manager, decision=seated, today=DECISION_DAY)


# --- the queue ------------------------------------------------------------------------------------


def test_the_manager_sees_a_ready_application_and_opens_its_decision(client, ready, programme_manager):
    response = page(client, programme_manager, reverse("decision_queue"))
    assert response.status_code == 200
    assert ready.reference in text(response) and "提交认证决定" in text(response)
    response = page(client, programme_manager, reverse("decision_open"), "post", {"application": ready.pk})
    decision = Decision.objects.get(application=ready)
    assert response.status_code == 302 and response["Location"] == reverse("decision_detail", args=[decision.pk])
    ready.refresh_from_db()
    assert ready.status == ApplicationStatus.DECISION


def test_opening_twice_is_a_message_not_an_error(client, opened, programme_manager):
    response = page(client, programme_manager, reverse("decision_open"), "post", {"application": opened.application_id})
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert "该申请已提交认证决定" in text(response)
    assert Decision.objects.count() == 1


def test_an_application_not_ready_is_refused_with_the_rule(client, passed, programme_manager):
    response = page(
        client,
        programme_manager,
        reverse("decision_open"),
        "post",
        {"application": passed.pk},
    )
    response = client.get(response["Location"])
    assert "只有现场审核通过" in text(response)
    assert not Decision.objects.exists()


def test_the_committee_reads_the_queue_but_cannot_open(client, ready, committee_member):
    response = page(client, committee_member, reverse("decision_queue"))
    assert response.status_code == 200 and ready.reference in text(response)
    assert "提交认证决定</button>" not in text(response)
    response = client.post(reverse("decision_open"), {"application": ready.pk})
    assert response.status_code == 403
    assert not Decision.objects.exists()


def test_an_auditor_has_no_queue(client, ready, auditor):
    assert page(client, auditor, reverse("decision_queue")).status_code == 404


def test_the_enterprise_sees_only_its_own_decided_decisions(client, refused, user_a, user_b):
    response = page(client, user_a, reverse("decision_queue"))
    assert response.status_code == 200 and refused.application.reference in text(response)
    assert "待提交认证决定的申请" not in text(response)
    response = page(client, user_b, reverse("decision_queue"))
    assert response.status_code == 200 and refused.application.reference not in text(response)


def test_the_enterprise_does_not_see_an_open_decision_in_its_list(client, seated, user_a):
    response = page(client, user_a, reverse("decision_queue"))
    assert seated.application.reference not in text(response)


def _decisions(n, manager, enterprise):
    """`n` open decisions on bare applications: the list's query count must not grow with them."""
    from certflow.core.schemes.services import scheme_version_for

    version = scheme_version_for()
    for i in range(n):
        application = Application.objects.create(
            reference=f"SQ2099-{Application.objects.count():05d}",
            enterprise=enterprise,
            scheme_version=version,
            status=ApplicationStatus.ONSITE_AUDIT_PASSED,
            created_by=manager,
        )
        if i % 2:
            Decision.objects.create(application=application, enterprise=enterprise, opened_by=manager)


def test_the_queue_has_a_constant_number_of_queries(client, programme_manager, enterprise_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(programme_manager)
    _decisions(4, programme_manager, enterprise_a)
    client.get(reverse("decision_queue"))  # warm the scheme cache
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("decision_queue")).status_code == 200
    _decisions(30, programme_manager, enterprise_a)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("decision_queue"))
    assert response.status_code == 200
    assert len(large) == len(small)


# --- the dossier ----------------------------------------------------------------------------------


def test_the_dossier_shows_every_part(client, seated, programme_manager):
    response = page(client, programme_manager, reverse("decision_detail", args=[seated.pk]))
    body = text(response)
    assert response.status_code == 200
    for part in (
        "文件审核",
        "现场审核",
        "不符合项",
        "用户满意度调查",
        "95% 置信区间",
        "85.1%",
        "五星",
        "默认评级",
        "颁证条件",
    ):
        assert part in body, part
    assert "委员1" in body and "技术委员会至少 3 名委员" in body
    assert "作出认证决定</button>" in body


def test_a_candidate_who_reviewed_the_enterprise_is_shown_with_the_reason(client, opened, programme_manager, auditor):
    from certflow.accounts.models import RoleGrant

    RoleGrant.objects.create(user=auditor, role=StaffRole.TECHNICAL_COMMITTEE)
    free = StaffFactory(email="free@cb.example", full_name="无关委员", roles=[StaffRole.TECHNICAL_COMMITTEE])
    body = text(page(client, programme_manager, reverse("decision_detail", args=[opened.pk])))
    assert "曾对该企业进行文件审核" in body
    assert f'name="user" value="{free.pk}"' in body
    assert f'name="user" value="{auditor.pk}"' not in body
    # Trying anyway is refused by the service, on the page.
    response = client.post(reverse("decision_member_add", args=[opened.pk]), {"user": auditor.pk})
    assert response.status_code == 400 and "曾对该企业进行文件审核" in text(response)
    assert not CommitteeMember.objects.filter(user=auditor).exists()
    response = client.post(reverse("decision_member_add", args=[opened.pk]), {"user": free.pk})
    assert response.status_code == 302 and CommitteeMember.objects.filter(user=free, decision=opened).exists()


def test_adding_a_member_needs_a_runner(client, opened, committee_member, members):
    response = page(
        client, committee_member, reverse("decision_member_add", args=[opened.pk]), "post", {"user": members[0].pk}
    )
    assert response.status_code == 404  # he does not sit on it: he cannot even see it


def test_removing_a_member_needs_a_reason_and_keeps_it(client, seated, programme_manager, members):
    seat = CommitteeMember.objects.get(decision=seated, user=members[0])
    url = reverse("decision_member_remove", args=[seated.pk, seat.pk])
    response = page(client, programme_manager, url, "post", {f"m{seat.pk}-reason": ""})
    assert response.status_code == 400
    seat.refresh_from_db()
    assert seat.removed_at is None
    response = client.post(url, {f"m{seat.pk}-reason": "声明与该企业存在亲属关系"})
    assert response.status_code == 302
    seat.refresh_from_db()
    assert seat.removed_at and seat.removed_reason == "声明与该企业存在亲属关系"
    body = text(client.get(reverse("decision_detail", args=[seated.pk])))
    assert "已退出的委员" in body and "声明与该企业存在亲属关系" in body


def test_a_member_records_his_opinion_with_the_declaration(client, seated, members):
    url = reverse("decision_opinion", args=[seated.pk])
    response = page(client, members[0], url, "post", {"vote": "refuse", "reasoning": "证据不足，需补充回访"})
    assert response.status_code == 400 and "首次表决前须声明" in text(response)
    assert "证据不足，需补充回访" in text(response)  # what he typed is still there
    assert not Opinion.objects.exists()
    response = client.post(url, {"vote": "refuse", "reasoning": "", "impartial": "on"})
    assert response.status_code == 400 and "不同意颁证须说明理由" in text(response)
    response = client.post(url, {"vote": "refuse", "reasoning": "证据不足", "impartial": "on"})
    assert response.status_code == 302
    opinion = Opinion.objects.get()
    assert opinion.vote == Vote.REFUSE and opinion.member.impartiality_declared_at
    # The second time the declaration is not asked again.
    body = text(client.get(reverse("decision_detail", args=[seated.pk])))
    assert 'name="impartial"' not in body and "修改意见" in body


def test_someone_not_seated_cannot_vote(client, seated, committee_member):
    response = page(client, committee_member, reverse("decision_opinion", args=[seated.pk]), "post", {"vote": "grant"})
    assert response.status_code == 404


def test_concluding_without_quorum_says_so(client, seated, members, programme_manager):
    vote_all(seated, members[:2], [Vote.GRANT] * 2)
    response = page(client, programme_manager, reverse("decision_conclude", args=[seated.pk]), "post")
    assert response.status_code == 400 and "表决人数不足" in text(response)
    seated.refresh_from_db()
    assert seated.status == DecisionStatus.OPEN


def test_a_member_may_not_conclude(client, seated, members):
    vote_all(seated, members, [Vote.GRANT] * 3)
    response = page(client, members[0], reverse("decision_conclude", args=[seated.pk]), "post")
    assert response.status_code == 403


def test_a_grant_links_the_certificate(client, seated, members, programme_manager):
    vote_all(seated, members, [Vote.GRANT] * 3)
    response = page(client, programme_manager, reverse("decision_conclude", args=[seated.pk]), "post")
    assert response.status_code == 302
    seated.refresh_from_db()
    body = text(client.get(reverse("decision_detail", args=[seated.pk])))
    assert seated.certificate.number in body
    assert reverse("certificate_detail", args=[seated.certificate_id]) in body


# --- who sees what --------------------------------------------------------------------------------


def test_an_open_decision_is_hidden_from_the_enterprise_auditors_and_others(
    client, seated, user_a, user_b, auditor, committee_member, members, cb_admin
):
    url = reverse("decision_detail", args=[seated.pk])
    for outsider in (user_a, user_b, auditor, committee_member):
        assert page(client, outsider, url).status_code == 404, outsider.email
    for insider in (members[0], cb_admin):
        assert page(client, insider, url).status_code == 200, insider.email


def test_the_enterprise_sees_the_outcome_and_reasons_but_not_the_committee(client, refused, user_a, members):
    response = page(client, user_a, reverse("decision_detail", args=[refused.pk]))
    body = text(response)
    assert response.status_code == 200
    assert "不予认证的理由" in body and "售后服务记录不完整" in body
    assert "下载不予认证通知书" in body and "重新申请认证" in body and "/lifecycle/appeals/new/" in body
    for member in members:
        assert member.full_name not in body
    assert "技术委员会至少" not in body and "我的意见" not in body


def test_another_enterprise_gets_404_for_the_decision_and_the_notice(client, refused, user_b):
    assert page(client, user_b, reverse("decision_detail", args=[refused.pk])).status_code == 404
    assert client.get(reverse("decision_notice", args=[refused.pk])).status_code == 404


def test_the_notice_downloads_as_an_attachment(client, refused, user_a, auditor, programme_manager):
    response = page(client, user_a, reverse("decision_notice", args=[refused.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF")
    import hashlib

    assert hashlib.sha256(data).hexdigest() == refused.notice_sha256
    assert page(client, auditor, reverse("decision_notice", args=[refused.pk])).status_code == 404
    assert page(client, programme_manager, reverse("decision_notice", args=[refused.pk])).status_code == 200


def test_a_granted_decision_has_no_notice(client, granted, user_a):
    assert page(client, user_a, reverse("decision_notice", args=[granted.pk])).status_code == 404


def test_the_printable_dossier_is_for_staff(client, seated, programme_manager, members, refused, user_a):
    response = page(client, programme_manager, reverse("decision_dossier_pdf", args=[seated.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert page(client, user_a, reverse("decision_dossier_pdf", args=[seated.pk])).status_code == 404


# --- re-application -------------------------------------------------------------------------------


def test_the_enterprise_applies_again_with_its_scope_copied(client, refused, user_a):
    old = refused.application
    Site.objects.create(application=old, kind=SiteKind.choices[0][0], name="总部", address="某路1号")
    response = page(client, user_a, reverse("decision_reapply", args=[refused.pk]), "post")
    assert response.status_code == 302
    new = Application.objects.exclude(pk=old.pk).get(enterprise=old.enterprise)
    assert response["Location"] == reverse("application_detail", args=[new.pk])
    assert new.status == ApplicationStatus.DRAFT and new.categories == old.categories
    assert new.service_stages == old.service_stages
    names = list(old.sites.filter(removed_at__isnull=True).order_by("id").values_list("name", flat=True))
    assert "总部" in names and list(new.sites.order_by("id").values_list("name", flat=True)) == names
    old.refresh_from_db()
    assert old.status == ApplicationStatus.REFUSED  # the refused one stays as history
    # Twice: the same draft, not a second one.
    client.post(reverse("decision_reapply", args=[refused.pk]))
    assert Application.objects.filter(enterprise=old.enterprise).count() == 2
    body = text(client.get(reverse("decision_detail", args=[refused.pk])))
    assert new.reference in body


def test_staff_and_other_enterprises_cannot_reapply(client, refused, programme_manager, user_b):
    # The manager sees the decision but may not apply for the enterprise (403); B may not see it (404).
    assert page(client, programme_manager, reverse("decision_reapply", args=[refused.pk]), "post").status_code == 403
    assert page(client, user_b, reverse("decision_reapply", args=[refused.pk]), "post").status_code == 404
    assert Application.objects.count() == 1


def test_a_granted_decision_cannot_be_reapplied(client, granted, user_a):
    response = page(client, user_a, reverse("decision_reapply", args=[granted.pk]), "post")
    assert response.status_code == 400 and "只有不予认证的申请可以重新申请" in text(response)


def test_the_decision_page_checks_every_candidate_in_a_constant_number_of_queries(client, programme_manager, opened):
    """Each committee candidate's involvement with the enterprise was three queries per candidate."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from certflow.decisions.tests.helpers import committee_members

    committee_members(1, prefix="one")
    client.force_login(programme_manager)
    url = reverse("decision_detail", args=[opened.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    committee_members(4, prefix="more")
    with CaptureQueriesContext(connection) as five:
        page = client.get(url)
    assert len(page.context["candidates"]) == 5
    assert len(five) == len(one)
