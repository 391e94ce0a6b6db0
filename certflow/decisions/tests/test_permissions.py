"""Who reaches a decision (decisions-ui DU1): seats and memberships that end take the sight with them."""

import pytest
from django.urls import reverse

from certflow.accounts.models import Membership
from certflow.accounts.roles import StaffRole
from certflow.accounts.services import membership_end, role_revoke
from certflow.decisions import services
from certflow.decisions.domain import Vote
from certflow.decisions.models import CommitteeMember
from certflow.decisions.permissions import decisions_for_user
from certflow.decisions.tests.helpers import DECISION_DAY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    """The staff second factor is the accounts app's, tested there; these tests are about decisions."""
    settings.CERTFLOW_OTP_REQUIRED_FOR_STAFF = False


@pytest.fixture
def refused(seated, members, programme_manager):
    for user in members:
        services.opinion_record(
            by=user, decision=seated, vote=Vote.REFUSE, reasoning="不足", impartial=True, today=DECISION_DAY
        )
    return services.decision_conclude(by=programme_manager, decision=seated, today=DECISION_DAY)


def test_a_removed_member_no_longer_sees_the_decision(client, seated, members, programme_manager):
    seat = CommitteeMember.objects.get(decision=seated, user=members[0])
    client.force_login(members[0])
    assert client.get(reverse("decision_detail", args=[seated.pk])).status_code == 200
    services.member_remove(by=programme_manager, member=seat, reason="回避")
    assert client.get(reverse("decision_detail", args=[seated.pk])).status_code == 404


def test_a_member_who_lost_the_committee_role_no_longer_sees_it(client, seated, members, cb_admin):
    role_revoke(by=cb_admin, user=members[1], role=StaffRole.TECHNICAL_COMMITTEE)
    members[1].__dict__.pop("roles", None)
    assert not decisions_for_user(members[1]).exists()
    client.force_login(members[1])
    assert client.get(reverse("decision_queue")).status_code == 404


def test_an_enterprise_user_who_left_loses_the_refusal(client, refused, user_a, cb_admin):
    client.force_login(user_a)
    assert client.get(reverse("decision_detail", args=[refused.pk])).status_code == 200
    membership_end(by=cb_admin, membership=Membership.objects.get(user=user_a))
    assert client.get(reverse("decision_detail", args=[refused.pk])).status_code == 404
    assert client.get(reverse("decision_notice", args=[refused.pk])).status_code == 404


def test_an_administrator_runs_decisions_too(client, ready, cb_admin):
    client.force_login(cb_admin)
    response = client.post(reverse("decision_open"), {"application": ready.pk})
    assert response.status_code == 302
    ready.refresh_from_db()
    assert ready.status == "decision"


def test_anonymous_users_are_sent_to_log_in(client, seated):
    for url in (reverse("decision_queue"), reverse("decision_detail", args=[seated.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_dashboard_count_is_what_waits_for_each(seated, members, programme_manager, auditor, user_a):
    from certflow.decisions.selectors import dashboard_count

    assert dashboard_count(programme_manager) == 1  # the open decision; its application is no longer "ready"
    assert dashboard_count(members[0]) == 1
    services.opinion_record(by=members[0], decision=seated, vote=Vote.GRANT, impartial=True, today=DECISION_DAY)
    assert dashboard_count(members[0]) == 0 and dashboard_count(members[1]) == 1
    assert dashboard_count(auditor) == 0 and dashboard_count(user_a) == 0
