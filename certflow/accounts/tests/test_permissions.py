import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from certflow.accounts.permissions import get_enterprise_for_user
from certflow.accounts.selectors import enterprises_for_user
from certflow.core.testing.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_enterprise_user_sees_only_their_own_enterprise(user_a, enterprise_a, enterprise_b):
    assert list(enterprises_for_user(user_a)) == [enterprise_a]


def test_enterprise_user_gets_404_for_another_enterprise(user_a, enterprise_b):
    with pytest.raises(Http404):
        get_enterprise_for_user(user_a, enterprise_b.pk)


def test_missing_and_forbidden_enterprises_look_the_same(user_a, enterprise_b):
    with pytest.raises(Http404) as forbidden:
        get_enterprise_for_user(user_a, enterprise_b.pk)
    with pytest.raises(Http404) as missing:
        get_enterprise_for_user(user_a, 999999)
    assert str(forbidden.value) == str(missing.value)


def test_plain_member_may_read_but_not_change(enterprise_a):
    member = MembershipFactory(enterprise=enterprise_a, role="member", user=UserFactory()).user
    assert get_enterprise_for_user(member, enterprise_a.pk) == enterprise_a
    with pytest.raises(PermissionDenied):
        get_enterprise_for_user(member, enterprise_a.pk, write=True)


def test_enterprise_admin_may_change_their_enterprise(user_a, enterprise_a):
    assert get_enterprise_for_user(user_a, enterprise_a.pk, write=True) == enterprise_a


@pytest.mark.parametrize("role_fixture", ["clerk", "programme_manager", "committee_member", "cb_admin"])
def test_cb_roles_spanning_clients_see_every_enterprise(request, role_fixture, enterprise_a, enterprise_b):
    user = request.getfixturevalue(role_fixture)
    assert set(enterprises_for_user(user)) == {enterprise_a, enterprise_b}


def test_unassigned_auditor_sees_no_enterprise(auditor, enterprise_a):
    assert not enterprises_for_user(auditor).exists()
    with pytest.raises(Http404):
        get_enterprise_for_user(auditor, enterprise_a.pk)


def test_deactivated_user_sees_nothing(user_a):
    user_a.is_active = False
    assert not enterprises_for_user(user_a).exists()


def test_ended_membership_loses_access(user_a, enterprise_a):
    user_a.memberships.update(ended_at="2026-01-01T00:00:00Z")
    with pytest.raises(Http404):
        get_enterprise_for_user(user_a, enterprise_a.pk)
