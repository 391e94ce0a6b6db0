"""The decision API: the same people may do the same things as on the pages; rules answer 400 in zh/en."""

import pytest
from rest_framework.test import APIClient

from certflow.applications.models import Application
from certflow.decisions.domain import DecisionStatus, Vote
from certflow.decisions.models import CommitteeMember, Decision

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    """The staff second factor is the accounts app's, tested there; these tests are about decisions."""
    settings.CERTFLOW_OTP_REQUIRED_FOR_STAFF = False


BASE = "/api/v1/decisions/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_whole_decision_through_the_api(ready, programme_manager, members, user_a):
    manager = api(programme_manager)
    response = manager.post(f"{BASE}open/", {"application": ready.pk}, format="json")
    assert response.status_code == 201, response.data
    pk = response.data["id"]
    assert response.data["dossier"]["grantable"] is True
    assert response.data["dossier"]["survey"]["interval"][0] < 0.9 < response.data["dossier"]["survey"]["interval"][1]
    for user in members:
        assert manager.post(f"{BASE}{pk}/members/", {"user": user.pk}, format="json").status_code == 201
    for user in members:
        response = api(user).post(
            f"{BASE}{pk}/opinion/", {"vote": Vote.REFUSE, "reasoning": "记录不全", "impartial": True}, format="json"
        )
        assert response.status_code == 200, response.data
    response = manager.post(f"{BASE}{pk}/conclude/")
    assert response.status_code == 200 and response.data["status"] == DecisionStatus.REFUSED
    assert len(response.data["committee"]["members"]) == 3
    # The enterprise: outcome and reasons, no committee.
    mine = api(user_a).get(f"{BASE}{pk}/")
    assert mine.status_code == 200 and mine.data["committee"] is None
    assert any("记录不全" in zh for zh, _en in mine.data["reasons"])
    notice = api(user_a).get(f"{BASE}{pk}/notice/")
    assert notice.status_code == 200 and notice["X-Content-Type-Options"] == "nosniff"
    assert b"".join(notice.streaming_content).startswith(b"%PDF")
    response = api(user_a).post(f"{BASE}{pk}/reapply/")
    assert response.status_code == 201
    assert Application.objects.get(pk=response.data["application"]).status == "draft"


def test_rule_violations_are_400_with_both_languages(seated, programme_manager, members):
    response = api(programme_manager).post(f"{BASE}{seated.pk}/conclude/")
    assert response.status_code == 400
    assert "表决人数不足" in str(response.data) and "quorum" in str(response.data)
    response = api(members[0]).post(f"{BASE}{seated.pk}/opinion/", {"vote": Vote.GRANT}, format="json")
    assert response.status_code == 400 and "impartiality" in str(response.data)
    response = api(programme_manager).post(f"{BASE}open/", {"application": seated.application_id}, format="json")
    assert response.status_code == 400 and "already has a decision" in str(response.data)


def test_bad_input_is_400_not_500(seated, programme_manager):
    manager = api(programme_manager)
    assert manager.post(f"{BASE}open/", {"application": "x"}, format="json").status_code == 400
    assert manager.post(f"{BASE}{seated.pk}/members/", {}, format="json").status_code == 400
    assert manager.post(f"{BASE}{seated.pk}/members/remove/", {"member": 1}, format="json").status_code == 400
    assert manager.post(f"{BASE}{seated.pk}/members/", {"user": 999999}, format="json").status_code == 404


def test_removing_a_member_through_the_api(seated, programme_manager, members):
    seat = CommitteeMember.objects.get(decision=seated, user=members[0])
    response = api(programme_manager).post(
        f"{BASE}{seated.pk}/members/remove/", {"member": seat.pk, "reason": "出差"}, format="json"
    )
    assert response.status_code == 200
    seat.refresh_from_db()
    assert seat.removed_reason == "出差"


def test_who_sees_what(seated, programme_manager, committee_member, members, auditor, user_a, user_b, cb_admin):
    for user, count in ((programme_manager, 1), (cb_admin, 1), (members[0], 1), (committee_member, 0)):
        assert api(user).get(BASE).data["count"] == count, user.email
    for outsider in (committee_member, auditor, user_a, user_b):
        assert api(outsider).get(f"{BASE}{seated.pk}/").status_code == 404, outsider.email
    assert api(user_a).get(BASE).data["count"] == 0  # open: not yet the enterprise's to see


def test_only_runners_run_it(ready, seated, members, committee_member, auditor, user_a):
    assert api(members[0]).post(f"{BASE}{seated.pk}/conclude/").status_code == 403
    assert api(members[0]).post(f"{BASE}{seated.pk}/members/", {"user": committee_member.pk}).status_code == 403
    assert api(committee_member).post(f"{BASE}open/", {"application": ready.pk}).status_code == 403
    # Opening names its application in the body: whoever may not open decisions is refused first (LG11).
    assert api(auditor).post(f"{BASE}open/", {"application": ready.pk}).status_code == 403
    assert api(user_a).post(f"{BASE}open/", {"application": ready.pk}).status_code == 403
    assert Decision.objects.count() == 1


def test_the_list_filters_by_status(seated, programme_manager):
    assert api(programme_manager).get(BASE, {"status": "open"}).data["count"] == 1
    assert api(programme_manager).get(BASE, {"status": "granted"}).data["count"] == 0


def test_the_opinion_endpoint_stores_only_the_callers_own_vote(seated, programme_manager, members):
    """Forbidden fields (issue 10 item 1): a member cannot vote for another, set the outcome, the revision or
    the time, nor move the decision, by adding fields to the body."""
    from certflow.decisions.models import Opinion

    other = CommitteeMember.objects.get(decision=seated, user=members[1])
    forged = {
        "vote": Vote.GRANT,
        "reasoning": "符合要求",
        "impartial": True,
        "member": other.pk,
        "user": members[1].pk,
        "decision": seated.pk + 1000,
        "status": DecisionStatus.GRANTED,
        "outcome": "granted",
        "grade_code": "five_star",
        "revision": 99,
        "recorded_at": "2020-01-01T00:00:00Z",
        "decided_by": programme_manager.pk,
    }
    response = api(members[0]).post(f"{BASE}{seated.pk}/opinion/", forged, format="json")
    assert response.status_code == 200, response.data
    opinion = Opinion.objects.get(decision=seated)
    assert opinion.member.user_id == members[0].pk and opinion.revision == 1
    assert opinion.recorded_at.year != 2020
    assert not Opinion.objects.filter(member=other).exists()
    seated.refresh_from_db()
    assert seated.status == DecisionStatus.OPEN and seated.decided_by_id is None and seated.grade_code != "five_star"
