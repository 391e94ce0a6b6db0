"""Sign-in pages and enterprise pages: who gets in, who is refused, and what each sees."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certflow.accounts.models import Membership
from certflow.core.testing.factories import EnterpriseFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


def signed_in_user(client):
    return client.get(reverse("home")).wsgi_request.user


def main_part(response) -> str:
    return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# --- signing in and out -------------------------------------------------------------------------


def test_login_page_asks_for_the_email(client):
    body = client.get(reverse("login")).content.decode()
    assert "电子邮箱" in body
    assert 'type="email"' in body
    assert 'name="username"' in body


def test_login_by_email_works(client, clerk, password):
    response = client.post(reverse("login"), {"username": clerk.email, "password": password})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert signed_in_user(client) == clerk


def test_login_email_is_case_insensitive(client, user_a, password):
    client.post(reverse("login"), {"username": user_a.email.upper(), "password": password})
    assert signed_in_user(client) == user_a


def test_wrong_password_is_refused_with_a_clear_message(client, clerk):
    response = client.post(reverse("login"), {"username": clerk.email, "password": "not the password"})
    assert response.status_code == 200
    assert "电子邮箱或密码不正确" in response.content.decode()
    assert not signed_in_user(client).is_authenticated


def test_five_failed_logins_lock_the_email_out(client, clerk, password):
    for _ in range(5):
        client.post(reverse("login"), {"username": clerk.email, "password": "wrong password!"})
    # Even the right password is refused while the lock holds.
    response = client.post(reverse("login"), {"username": clerk.email, "password": password})
    body = response.content.decode()
    assert response.status_code == 429
    assert "账号已暂时锁定" in body
    assert "15 分钟后再试" in body
    assert not signed_in_user(client).is_authenticated


def test_four_failed_logins_do_not_lock(client, clerk, password):
    for _ in range(4):
        client.post(reverse("login"), {"username": clerk.email, "password": "wrong password!"})
    response = client.post(reverse("login"), {"username": clerk.email, "password": password})
    assert response.status_code == 302
    assert signed_in_user(client) == clerk


def test_logout_refuses_get(login, clerk):
    client = login(clerk)
    response = client.get(reverse("logout"))
    assert response.status_code == 405
    assert signed_in_user(client) == clerk


def test_logout_by_post_signs_out(login, clerk):
    client = login(clerk)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert not signed_in_user(client).is_authenticated


def test_signed_in_user_visiting_login_goes_home(login, clerk):
    assert login(clerk).get(reverse("login")).status_code == 302


# --- passwords ----------------------------------------------------------------------------------


def test_password_reset_sends_a_bilingual_email_whose_link_works(client, user_a):
    response = client.post(reverse("password_reset"), {"email": user_a.email})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user_a.email]
    assert "重设" in message.subject
    assert "Reset" in message.subject
    assert "重设密码" in message.body
    assert "reset the password" in message.body

    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)
    set_password_url = client.get(link).url  # Django swaps the token for a session key first
    assert client.get(set_password_url).status_code == 200
    new = "a brand new passphrase 42"
    response = client.post(set_password_url, {"new_password1": new, "new_password2": new})
    assert response.url == reverse("password_reset_complete")

    user_a.refresh_from_db()
    assert user_a.check_password(new)
    client.post(reverse("login"), {"username": user_a.email, "password": new})
    assert signed_in_user(client) == user_a


def test_password_reset_link_uses_the_configured_site_address_not_the_host_header(client, user_a, settings):
    settings.CERTFLOW = {**settings.CERTFLOW, "SITE_URL": "https://cert.olis.example/"}
    client.post(reverse("password_reset"), {"email": user_a.email}, headers={"host": "localhost"})
    assert "https://cert.olis.example/accounts/reset/" in mail.outbox[0].body
    assert "localhost" not in mail.outbox[0].body


def test_password_reset_for_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"}, follow=True)
    assert response.status_code == 200
    assert "邮件已发送" in response.content.decode()
    assert mail.outbox == []


def test_a_used_reset_link_is_refused(client, user_a):
    client.post(reverse("password_reset"), {"email": user_a.email})
    link = re.search(r"(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    set_password_url = client.get(link).url
    new = "a brand new passphrase 42"
    client.post(set_password_url, {"new_password1": new, "new_password2": new})
    body = client.get(link, follow=True).content.decode()
    assert "链接已失效" in body


def test_password_change_needs_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_password_change_works(login, clerk, password):
    client = login(clerk)
    new = "another long passphrase 7"
    response = client.post(
        reverse("password_change"), {"old_password": password, "new_password1": new, "new_password2": new}
    )
    assert response.url == reverse("password_change_done")
    clerk.refresh_from_db()
    assert clerk.check_password(new)


# --- enterprise list ----------------------------------------------------------------------------


def test_enterprise_list_needs_login(client):
    response = client.get(reverse("enterprise_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("who", ["clerk", "committee_member", "programme_manager", "cb_admin"])
def test_staff_who_serve_every_client_see_every_enterprise(request, login, who, enterprise_a, enterprise_b):
    body = login(request.getfixturevalue(who)).get(reverse("enterprise_list")).content.decode()
    assert enterprise_a.name in body
    assert enterprise_b.name in body


@pytest.mark.parametrize("who", ["auditor", "lead_auditor"])
def test_auditors_see_no_enterprise_until_assigned(request, login, who, enterprise_a):
    body = login(request.getfixturevalue(who)).get(reverse("enterprise_list")).content.decode()
    assert enterprise_a.name not in body
    assert "没有被指派" in body


def test_enterprise_user_cannot_see_other_enterprise_in_the_list(login, user_a, enterprise_a, enterprise_b):
    body = login(user_a).get(reverse("enterprise_list")).content.decode()
    assert enterprise_a.name in body
    assert enterprise_b.name not in body
    assert enterprise_b.uscc not in body


def test_enterprise_user_cannot_find_other_enterprise_by_search(login, user_a, enterprise_b):
    body = login(user_a).get(reverse("enterprise_list"), {"q": enterprise_b.uscc}).content.decode()
    assert enterprise_b.name not in body
    assert "没有找到" in body


def test_enterprise_list_searches_by_name(login, clerk, enterprise_a, enterprise_b):
    body = login(clerk).get(reverse("enterprise_list"), {"q": "服饰"}).content.decode()
    assert enterprise_b.name in body
    assert enterprise_a.name not in body


def test_enterprise_list_searches_by_uscc_in_lower_case(login, clerk, enterprise_a, enterprise_b):
    body = login(clerk).get(reverse("enterprise_list"), {"q": enterprise_a.uscc[-6:].lower()}).content.decode()
    assert enterprise_a.name in body
    assert enterprise_b.name not in body


def test_enterprise_list_pages_by_25_and_keeps_the_search(login, clerk):
    EnterpriseFactory.create_batch(30, name="定制家居测试")
    client = login(clerk)
    first = client.get(reverse("enterprise_list"), {"q": "定制家居测试"})
    assert len(first.context["page"].object_list) == 25
    assert "page=2" in first.content.decode()
    assert "q=%E5%AE%9A%E5%88%B6" in first.content.decode()
    second = client.get(reverse("enterprise_list"), {"q": "定制家居测试", "page": 2})
    assert len(second.context["page"].object_list) == 5


def test_enterprise_list_survives_a_bad_page_number(login, clerk, enterprise_a):
    assert login(clerk).get(reverse("enterprise_list"), {"page": "x"}).status_code == 200


def test_enterprise_list_query_count_does_not_grow_with_rows(login, clerk, django_assert_num_queries):
    client = login(clerk)
    for enterprise in EnterpriseFactory.create_batch(3):
        MembershipFactory(enterprise=enterprise)
    few = count_queries(client, reverse("enterprise_list"))
    for enterprise in EnterpriseFactory.create_batch(27):
        MembershipFactory(enterprise=enterprise)
    with django_assert_num_queries(few):
        response = client.get(reverse("enterprise_list"))
    assert len(response.context["page"].object_list) == 25


def test_enterprise_list_shows_uscc_and_member_count_to_staff(login, clerk, user_a, enterprise_a):
    MembershipFactory(enterprise=enterprise_a)
    response = login(clerk).get(reverse("enterprise_list"))
    assert enterprise_a.uscc in response.content.decode()
    assert [e.member_count for e in response.context["page"].object_list] == [2]


def test_enterprise_user_sees_the_full_member_count(login, user_a, enterprise_a):
    MembershipFactory(enterprise=enterprise_a)
    response = login(user_a).get(reverse("enterprise_list"))
    assert [e.member_count for e in response.context["page"].object_list] == [2]


# --- enterprise detail --------------------------------------------------------------------------


def test_member_sees_their_enterprise_and_its_members(login, user_a, enterprise_a):
    colleague = MembershipFactory(enterprise=enterprise_a, role="member", user=UserFactory(full_name="同事王五")).user
    body = login(user_a).get(reverse("enterprise_detail", args=[enterprise_a.pk])).content.decode()
    assert enterprise_a.name in body
    assert enterprise_a.uscc in body
    assert user_a.email in body
    assert colleague.email in body
    assert "同事王五" in body


def test_enterprise_user_cannot_see_other_enterprise(login, user_a, enterprise_b, user_b):
    response = login(user_a).get(reverse("enterprise_detail", args=[enterprise_b.pk]))
    body = response.content.decode()
    assert response.status_code == 404
    assert enterprise_b.name not in body
    assert enterprise_b.uscc not in body
    assert user_b.email not in body


def test_missing_and_forbidden_enterprise_look_the_same(login, user_a, enterprise_b):
    client = login(user_a)
    forbidden = client.get(reverse("enterprise_detail", args=[enterprise_b.pk]))
    missing = client.get(reverse("enterprise_detail", args=[999999]))
    assert forbidden.status_code == missing.status_code == 404
    # The page around <main> differs only by the CSRF token and the language switch's return path.
    assert main_part(forbidden) == main_part(missing)


def test_ended_membership_no_longer_opens_the_enterprise(login, user_a, enterprise_a):
    from django.utils import timezone

    Membership.objects.filter(user=user_a).update(ended_at=timezone.now())
    assert login(user_a).get(reverse("enterprise_detail", args=[enterprise_a.pk])).status_code == 404


def test_clerk_sees_any_enterprise(login, clerk, enterprise_b, user_b):
    body = login(clerk).get(reverse("enterprise_detail", args=[enterprise_b.pk])).content.decode()
    assert enterprise_b.name in body
    assert user_b.email in body


def test_auditor_gets_404_for_an_unassigned_enterprise(login, auditor, enterprise_a):
    assert login(auditor).get(reverse("enterprise_detail", args=[enterprise_a.pk])).status_code == 404


def test_enterprise_detail_needs_login(client, enterprise_a):
    response = client.get(reverse("enterprise_detail", args=[enterprise_a.pk]))
    assert response.status_code == 302
    assert enterprise_a.name not in response.content.decode()


def test_dates_are_shown_in_chinese_format(login, clerk, enterprise_a):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    # 23:30 UTC is already the next day in Beijing.
    enterprise_a.created_at = datetime(2026, 11, 23, 23, 30, tzinfo=ZoneInfo("UTC"))
    enterprise_a.save(update_fields=["created_at"])
    body = login(clerk).get(reverse("enterprise_detail", args=[enterprise_a.pk])).content.decode()
    assert "2026年11月24日" in body


# --- enterprise home ----------------------------------------------------------------------------


def test_enterprise_home_shows_own_enterprise_members_and_a_way_to_apply(login, user_a, enterprise_a, user_b):
    body = login(user_a).get(reverse("enterprise_home")).content.decode()
    assert enterprise_a.name in body
    assert user_a.email in body
    assert reverse("application_new") in body
    assert user_b.email not in body


def test_enterprise_home_never_shows_another_enterprise(login, user_a, enterprise_b):
    body = login(user_a).get(reverse("enterprise_home")).content.decode()
    assert enterprise_b.name not in body
    assert enterprise_b.uscc not in body


def test_enterprise_home_lists_every_enterprise_of_the_user(login, user_a, enterprise_a):
    second = MembershipFactory(user=user_a).enterprise
    body = login(user_a).get(reverse("enterprise_home")).content.decode()
    assert enterprise_a.name in body
    assert second.name in body


def test_user_without_enterprise_gets_an_explanation(login):
    body = login(UserFactory()).get(reverse("enterprise_home")).content.decode()
    assert "尚未加入任何企业" in body


def test_enterprise_home_refuses_staff_with_403(login, clerk):
    assert login(clerk).get(reverse("enterprise_home")).status_code == 403


def test_enterprise_home_needs_login(client):
    response = client.get(reverse("enterprise_home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_enterprise_home_query_count_does_not_grow_with_members(login, user_a, enterprise_a, django_assert_num_queries):
    client = login(user_a)
    few = count_queries(client, reverse("enterprise_home"))
    MembershipFactory.create_batch(10, enterprise=enterprise_a)
    MembershipFactory(user=user_a)
    with django_assert_num_queries(few):
        client.get(reverse("enterprise_home"))
