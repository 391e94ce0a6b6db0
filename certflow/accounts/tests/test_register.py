"""The public registration page: an enterprise and its first user, both or neither."""

import pytest
from django.urls import reverse

from certflow.accounts.models import Enterprise, Membership, User
from certflow.accounts.roles import MembershipRole
from certflow.accounts.uscc import check_character

pytestmark = pytest.mark.django_db

FIRST17 = "91330106MA2H3K5L0"
VALID = FIRST17 + check_character(FIRST17)
WRONG = FIRST17 + next(c for c in "0123456789" if c != check_character(FIRST17))


def form(**changes):
    data = {
        "name": "杭州测试定制有限公司",
        "uscc": VALID,
        "contact_name": "王测试",
        "contact_phone": "13800138001",
        "email": "wang@register.example",
        "password1": "a-long-enough-pass-2026",
        "password2": "a-long-enough-pass-2026",
    }
    data.update(changes)
    return data


def test_registration_creates_the_enterprise_and_its_administrator_and_signs_in(client):
    response = client.post(reverse("register"), form())
    assert response.status_code == 302
    assert response.url == reverse("enterprise_home")
    user = User.objects.get(email="wang@register.example")
    enterprise = Enterprise.objects.get(uscc=VALID)
    assert enterprise.contact_email == user.email
    assert Membership.objects.get(user=user, enterprise=enterprise).role == MembershipRole.ADMIN
    assert client.get(reverse("enterprise_home")).status_code == 200


def test_wrong_check_character_is_refused_beside_the_field_and_nothing_is_created(client):
    response = client.post(reverse("register"), form(uscc=WRONG))
    assert response.status_code == 200
    page = response.content.decode()
    assert "统一社会信用代码校验位不正确" in page
    assert not User.objects.filter(email="wang@register.example").exists()
    assert not Enterprise.objects.exists()


def test_a_code_already_registered_leaves_no_account_behind(client):
    client.post(reverse("register"), form())
    client.logout()
    response = client.post(reverse("register"), form(email="li@register.example"))
    assert response.status_code == 200
    assert "该统一社会信用代码已登记" in response.content.decode()
    assert not User.objects.filter(email="li@register.example").exists()


def test_mismatched_passwords_are_refused(client):
    response = client.post(reverse("register"), form(password2="something-else-2026"))
    assert "两次输入的密码不一致" in response.content.decode()
    assert not User.objects.exists()


def test_the_page_and_the_refusal_in_english(client):
    client.cookies["django_language"] = "en"
    assert "Enterprise registration" in client.get(reverse("register")).content.decode()
    response = client.post(reverse("register"), form(uscc=WRONG))
    assert "the check character does not match" in response.content.decode()


def test_the_login_page_links_to_registration(client):
    assert reverse("register") in client.get(reverse("login")).content.decode()


def test_a_signed_in_user_is_sent_home(client):
    client.post(reverse("register"), form())
    assert client.get(reverse("register")).status_code == 302


def test_submissions_per_address_are_limited_and_nothing_is_created_beyond(client, settings):
    from django.core.cache import cache

    cache.clear()
    settings.CERTFLOW_REGISTER_PAGE_RATE = "2/hour"
    for _ in range(2):
        assert client.post(reverse("register"), form(password2="not-the-same")).status_code == 200
    refused = client.post(reverse("register"), form())
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "请求过于频繁" in refused.content.decode()
    assert not User.objects.filter(email="wang@register.example").exists()
    assert client.get(reverse("register")).status_code == 200  # reading the form costs nothing
