import pytest
from django.core.exceptions import ValidationError

from certflow.accounts.models import Enterprise, Membership, RoleGrant
from certflow.accounts.roles import MembershipRole, StaffRole
from certflow.accounts.services import (
    enterprise_register,
    enterprise_update,
    membership_add,
    membership_end,
    role_grant,
    role_revoke,
    user_create,
)
from certflow.core.events.models import Event
from certflow.core.testing.factories import UserFactory, make_uscc

pytestmark = pytest.mark.django_db


def test_registering_an_enterprise_makes_the_user_its_administrator_and_logs_it():
    owner = UserFactory()
    enterprise = enterprise_register(by=owner, name=" 丙定制电子配件有限公司 ", uscc=make_uscc(77).lower())
    assert enterprise.name == "丙定制电子配件有限公司"
    assert enterprise.uscc == make_uscc(77)
    assert Membership.objects.get(enterprise=enterprise).role == MembershipRole.ADMIN
    event = Event.objects.get(action="enterprise.registered")
    assert event.actor == owner and event.after["uscc"] == make_uscc(77)


def test_a_wrong_uscc_is_refused_and_nothing_is_saved():
    owner = UserFactory()
    with pytest.raises(ValidationError) as err:
        enterprise_register(by=owner, name="某公司", uscc="91440300708461136U")
    assert "校验位" in str(err.value)
    assert not Enterprise.objects.exists()
    assert not Event.objects.filter(action="enterprise.registered").exists()


def test_a_uscc_registered_twice_is_refused(enterprise_a):
    with pytest.raises(ValidationError, match="已登记"):
        enterprise_register(by=UserFactory(), name="另一家", uscc=enterprise_a.uscc)
    assert Enterprise.objects.count() == 1


def test_update_records_only_what_changed(enterprise_a, clerk):
    enterprise_update(by=clerk, enterprise=enterprise_a, address="新地址", name=enterprise_a.name)
    event = Event.objects.get(action="enterprise.updated")
    assert event.before == {"address": "广东省深圳市南山区科技园1号"}
    assert event.after == {"address": "新地址"}


def test_update_without_change_writes_no_event(enterprise_a, clerk):
    enterprise_update(by=clerk, enterprise=enterprise_a, address=enterprise_a.address)
    assert not Event.objects.filter(action="enterprise.updated").exists()


def test_update_with_a_wrong_uscc_keeps_the_old_one(enterprise_a, clerk):
    old = enterprise_a.uscc
    with pytest.raises(ValidationError):
        enterprise_update(by=clerk, enterprise=enterprise_a, uscc="123")
    enterprise_a.refresh_from_db()
    assert enterprise_a.uscc == old


def test_user_create_refuses_a_duplicate_email_in_any_case(user_a):
    with pytest.raises(ValidationError, match="已注册"):
        user_create(by=None, email="A@ENT.example", full_name="x", password="another good passphrase")


def test_user_create_refuses_a_weak_password():
    with pytest.raises(ValidationError):
        user_create(by=None, email="new@ent.example", full_name="x", password="12345678")


def test_cb_staff_cannot_join_an_enterprise(enterprise_a, clerk, cb_admin):
    with pytest.raises(ValidationError, match="CB staff"):
        membership_add(by=cb_admin, enterprise=enterprise_a, user=clerk)


def test_membership_end_keeps_the_row(enterprise_a, user_a, cb_admin):
    membership = Membership.objects.get(user=user_a)
    membership_end(by=cb_admin, membership=membership)
    membership.refresh_from_db()
    assert membership.ended_at is not None
    assert Event.objects.filter(action="membership.ended").count() == 1


def test_role_grant_is_idempotent_and_revocation_keeps_history(clerk, cb_admin):
    role_grant(by=cb_admin, user=clerk, role=StaffRole.AUDITOR)
    role_grant(by=cb_admin, user=clerk, role=StaffRole.AUDITOR)
    assert RoleGrant.objects.filter(user=clerk, role=StaffRole.AUDITOR).count() == 1
    role_revoke(by=cb_admin, user=clerk, role=StaffRole.AUDITOR)
    assert not clerk.has_role(StaffRole.AUDITOR)
    assert RoleGrant.objects.filter(user=clerk, role=StaffRole.AUDITOR, revoked_at__isnull=False).count() == 1


def test_enterprise_users_cannot_hold_staff_roles(user_a, cb_admin):
    with pytest.raises(ValidationError):
        role_grant(by=cb_admin, user=user_a, role=StaffRole.AUDITOR)
    assert not RoleGrant.objects.filter(user=user_a).exists()


def test_unknown_role_is_refused(clerk, cb_admin):
    with pytest.raises(ValidationError, match="unknown role"):
        role_grant(by=cb_admin, user=clerk, role="king")
