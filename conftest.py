"""Standing people for every test: one user per CB role, and two enterprises with a user each."""

import pytest

from certflow.accounts.roles import StaffRole
from certflow.core.testing.factories import EnterpriseFactory, MembershipFactory, StaffFactory, UserFactory

PASSWORD = "correct horse battery"


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def clerk(db):
    return StaffFactory(email="clerk@cb.example", roles=[StaffRole.ACCEPTANCE_CLERK])


@pytest.fixture
def auditor(db):
    return StaffFactory(email="auditor@cb.example", roles=[StaffRole.AUDITOR])


@pytest.fixture
def lead_auditor(db):
    return StaffFactory(email="lead@cb.example", roles=[StaffRole.AUDITOR, StaffRole.LEAD_AUDITOR])


@pytest.fixture
def committee_member(db):
    return StaffFactory(email="committee@cb.example", roles=[StaffRole.TECHNICAL_COMMITTEE])


@pytest.fixture
def programme_manager(db):
    return StaffFactory(email="pm@cb.example", roles=[StaffRole.PROGRAMME_MANAGER])


@pytest.fixture
def cb_admin(db):
    return StaffFactory(email="admin@cb.example", roles=[StaffRole.ADMINISTRATOR], is_staff=True)


@pytest.fixture
def enterprise_a(db):
    return EnterpriseFactory(name="甲定制家居有限公司")


@pytest.fixture
def enterprise_b(db):
    return EnterpriseFactory(name="乙定制服饰有限公司")


@pytest.fixture
def user_a(enterprise_a):
    return MembershipFactory(enterprise=enterprise_a, user=UserFactory(email="a@ent.example")).user


@pytest.fixture
def user_b(enterprise_b):
    return MembershipFactory(enterprise=enterprise_b, user=UserFactory(email="b@ent.example")).user
