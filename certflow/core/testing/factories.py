"""factory_boy factories shared by every app's tests."""

import factory

from certflow.accounts.models import Enterprise, Membership, RoleGrant, User
from certflow.accounts.roles import MembershipRole, UserKind
from certflow.accounts.uscc import ALPHABET, check_character


def make_uscc(n: int) -> str:
    """A valid, unique-per-n unified social credit code (91 = enterprise registered with SAMR)."""
    body = "91" + "440300" + f"{n:08d}"[-8:] + "0"
    body = body[:17]
    assert all(ch in ALPHABET for ch in body)
    return body + check_character(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    kind = UserKind.ENTERPRISE
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class StaffFactory(UserFactory):
    kind = UserKind.CB_STAFF

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        for role in extracted or ():
            RoleGrant.objects.create(user=obj, role=role)
        obj.__dict__.pop("roles", None)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"测试定制家居有限公司{n}")
    uscc = factory.Sequence(lambda n: make_uscc(n + 1))
    address = "广东省深圳市南山区科技园1号"
    contact_name = "张三"
    contact_phone = "13800138000"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    enterprise = factory.SubFactory(EnterpriseFactory)
    user = factory.SubFactory(UserFactory)
    role = MembershipRole.ADMIN
