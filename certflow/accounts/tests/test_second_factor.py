"""The TOTP second factor: required for CB staff, optional for enterprise users, never replayable,
not skipped by a password reset, recoverable by an administrator, and required for API tokens too."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from certflow.accounts import second_factor
from certflow.accounts.second_factor import ENROL, VERIFY, second_factor_due
from certflow.core.events.models import Event
from certflow.core.testing.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def otp_required(settings):
    # The rest of the suite may sign staff in with force_login and the requirement off; here it is on.
    settings.CERTFLOW_OTP_REQUIRED_FOR_STAFF = True


def enrol(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def code(device, drift=0) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{value:0{device.digits}d}"


def sign_in(client, user, password):
    return client.post(reverse("login"), {"username": user.email, "password": password})


def verified_client(client, user, device):
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


# --- the rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verified", "has_device", "is_cb_staff", "required", "expected"),
    [
        (True, True, True, True, None),
        (False, True, True, True, VERIFY),
        (False, True, False, True, VERIFY),  # an enterprise user who chose a second factor keeps it
        (False, False, True, True, ENROL),
        (False, False, True, False, None),
        (False, False, False, True, None),  # optional for enterprise users
        (False, True, True, False, VERIFY),  # switching the requirement off never skips an enrolled device
    ],
)
def test_who_owes_what(verified, has_device, is_cb_staff, required, expected):
    due = second_factor_due(
        verified=verified, has_device=has_device, is_cb_staff=is_cb_staff, required_for_staff=required
    )
    assert due == expected


def test_a_code_may_carry_the_space_authenticator_apps_show():
    assert second_factor.clean_code(" 123 456\n") == "123456"


# --- CB staff ------------------------------------------------------------------------------------


def test_staff_without_authenticator_are_sent_to_enrol_before_any_staff_page(client, clerk, password):
    response = sign_in(client, clerk, password)
    assert response.status_code == 302
    follow = client.get(response.url)
    assert follow.status_code == 302
    assert follow.url.startswith(reverse("otp_enrol"))
    for url in (reverse("dashboard"), reverse("enterprise_list"), reverse("event_list")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("otp_enrol")), url


def test_enrolment_shows_a_server_drawn_qr_code_and_the_secret_and_confirms_with_a_code(client, clerk, password):
    sign_in(client, clerk, password)
    page = client.get(reverse("otp_enrol"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body
    device = TOTPDevice.objects.get(user=clerk, confirmed=False)
    assert second_factor.secret_text(device) in body
    # Nothing is fetched from elsewhere to draw it.
    assert "http://" not in re.search(r"<svg.*?</svg>", body, re.S).group(0).replace("http://www.w3.org", "")
    # A reload keeps the same secret: the person may have scanned it already.
    client.get(reverse("otp_enrol"))
    assert TOTPDevice.objects.filter(user=clerk).count() == 1

    response = client.post(reverse("otp_enrol"), {"otp": "000000" if code(device) != "000000" else "111111"})
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=clerk, confirmed=True).exists()

    response = client.post(reverse("otp_enrol"), {"otp": code(device), "next": reverse("dashboard")})
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert TOTPDevice.objects.get(user=clerk).confirmed
    assert client.get(reverse("dashboard")).status_code == 200
    assert Event.objects.filter(action="user.second_factor_enrolled", target_id=str(clerk.pk)).count() == 1


def test_staff_with_authenticator_must_give_the_code_after_the_password(client, clerk, password):
    device = enrol(clerk)
    response = sign_in(client, clerk, password)
    assert client.get(response.url).url.startswith(reverse("otp_verify"))
    assert client.get(reverse("dashboard")).url.startswith(reverse("otp_verify"))
    page = client.get(reverse("otp_verify"))
    assert page.context["nav_items"] == []  # the password alone does not show what the account reaches
    key_before = client.session.session_key

    response = client.post(reverse("otp_verify"), {"otp": code(device), "next": reverse("dashboard")})
    assert response.url == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200
    # Passing the second factor raises the session's privilege: it gets a new key.
    assert client.session.session_key != key_before


def test_a_wrong_code_is_refused_with_a_clear_message(client, clerk, password):
    device = enrol(clerk)
    sign_in(client, clerk, password)
    wrong = "123456" if code(device) != "123456" else "654321"
    response = client.post(reverse("otp_verify"), {"otp": wrong})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert client.get(reverse("dashboard")).status_code == 302


def test_wrong_codes_are_throttled(client, clerk, password):
    device = enrol(clerk)
    sign_in(client, clerk, password)
    wrong = "123456" if code(device) != "123456" else "654321"
    client.post(reverse("otp_verify"), {"otp": wrong})
    # Straight after a failure even the right code waits: guessing 10^6 codes is not possible at speed.
    response = client.post(reverse("otp_verify"), {"otp": code(device)})
    assert "次数过多" in response.content.decode()
    assert client.get(reverse("dashboard")).status_code == 302


def test_a_code_cannot_be_replayed(client, clerk, password):
    device = enrol(clerk)
    used = code(device)
    sign_in(client, clerk, password)
    assert client.post(reverse("otp_verify"), {"otp": used}).status_code == 302
    client.post(reverse("logout"))

    sign_in(client, clerk, password)
    response = client.post(reverse("otp_verify"), {"otp": used})
    assert response.status_code == 200
    assert "已使用过" in response.content.decode()
    assert client.get(reverse("dashboard")).status_code == 302


def test_the_next_step_of_the_same_authenticator_is_accepted_after_a_used_one(client, clerk, password):
    # The refusal above is about the used step, not a lock-out: the following code works.
    device = enrol(clerk)
    sign_in(client, clerk, password)
    client.post(reverse("otp_verify"), {"otp": code(device)})
    client.post(reverse("logout"))
    device.refresh_from_db()
    device.throttle_reset()
    sign_in(client, clerk, password)
    assert client.post(reverse("otp_verify"), {"otp": code(device, drift=1)}).status_code == 302


def test_an_unverified_session_cannot_add_a_second_authenticator(client, clerk, password):
    enrol(clerk)
    sign_in(client, clerk, password)
    response = client.get(reverse("otp_enrol"))
    assert response.url.startswith(reverse("otp_verify"))
    assert client.post(reverse("otp_enrol"), {"otp": "123456"}).url.startswith(reverse("otp_verify"))
    assert TOTPDevice.objects.filter(user=clerk).count() == 1


def test_after_verification_only_local_addresses_are_followed(client, clerk, password):
    device = enrol(clerk)
    sign_in(client, clerk, password)
    response = client.post(reverse("otp_verify"), {"otp": code(device), "next": "https://evil.example/"})
    assert response.url == reverse("home")


def test_the_pages_of_the_second_step_still_let_the_person_sign_out(client, clerk, password):
    enrol(clerk)
    sign_in(client, clerk, password)
    response = client.post(reverse("logout"))
    assert response.url == reverse("login")
    assert client.get(reverse("dashboard")).url.startswith(reverse("login"))


def test_with_the_requirement_off_staff_without_authenticator_pass(client, clerk, password, settings):
    settings.CERTFLOW_OTP_REQUIRED_FOR_STAFF = False
    sign_in(client, clerk, password)
    assert client.get(reverse("dashboard")).status_code == 200


# --- enterprise users ----------------------------------------------------------------------------


def test_enterprise_users_sign_in_without_a_second_factor_by_default(client, user_a, password):
    sign_in(client, user_a, password)
    assert client.get(reverse("enterprise_home")).status_code == 200
    body = client.get(reverse("account_security")).content.decode()
    assert "未启用（可选）" in body


def test_an_enterprise_user_who_enrols_is_asked_for_the_code_from_then_on(client, user_a, password):
    sign_in(client, user_a, password)
    assert client.get(reverse("otp_enrol")).status_code == 200
    device = TOTPDevice.objects.get(user=user_a)
    client.post(reverse("otp_enrol"), {"otp": code(device)})
    assert client.get(reverse("enterprise_home")).status_code == 200
    client.post(reverse("logout"))

    sign_in(client, user_a, password)
    assert client.get(reverse("enterprise_home")).url.startswith(reverse("otp_verify"))


# --- password reset ------------------------------------------------------------------------------


def test_a_password_reset_does_not_skip_the_second_factor(client, clerk):
    enrol(clerk)
    client.post(reverse("password_reset"), {"email": clerk.email})
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    set_password_url = client.get(link).url
    new = "a brand new passphrase 42"
    client.post(set_password_url, {"new_password1": new, "new_password2": new})
    # The reset does not sign anyone in ...
    assert client.get(reverse("dashboard")).url.startswith(reverse("login"))
    # ... and signing in with the new password still asks for the code.
    sign_in(client, clerk, new)
    assert client.get(reverse("dashboard")).url.startswith(reverse("otp_verify"))


# --- recovery ------------------------------------------------------------------------------------


def test_an_administrator_resets_a_lost_authenticator_and_it_is_recorded(client, cb_admin, clerk, password):
    enrol(clerk)
    Token.objects.create(user=clerk)
    admin_client = verified_client(client, cb_admin, enrol(cb_admin))
    url = reverse("user_second_factor", args=[clerk.pk])
    assert "已启用" in admin_client.get(url).content.decode()
    response = admin_client.post(url, {"reason": "手机遗失，已电话核实"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=clerk).exists()
    assert not Token.objects.filter(user=clerk).exists()
    event = Event.objects.get(action="user.second_factor_reset")
    assert event.target_id == str(clerk.pk)
    assert event.reason == "手机遗失，已电话核实"
    assert event.actor == cb_admin


def test_after_a_reset_the_staff_member_must_enrol_again(client, cb_admin, clerk, password):
    device = enrol(clerk)
    staff_client = verified_client(APIClient(), clerk, device)
    assert staff_client.get(reverse("dashboard")).status_code == 200
    second_factor.reset(by=cb_admin, user=clerk, reason="lost phone")
    # The verified session referred to the removed authenticator: it no longer counts as verified.
    response = staff_client.get(reverse("dashboard"))
    assert response.url.startswith(reverse("otp_verify"))
    assert staff_client.get(response.url).url.startswith(reverse("otp_enrol"))


def test_only_administrators_reach_the_reset_page(client, clerk, auditor):
    enrol(auditor)
    client.force_login(clerk)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = enrol(clerk).persistent_id
    session.save()
    url = reverse("user_second_factor", args=[auditor.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x"}).status_code == 404
    assert TOTPDevice.objects.filter(user=auditor).exists()


def test_an_administrator_cannot_reset_their_own_second_factor(client, cb_admin):
    admin_client = verified_client(client, cb_admin, enrol(cb_admin))
    response = admin_client.post(reverse("user_second_factor", args=[cb_admin.pk]), {"reason": "x"})
    assert response.status_code == 200
    assert "另一位系统管理员" in response.content.decode()
    assert TOTPDevice.objects.filter(user=cb_admin).exists()


def test_reset_through_the_api(cb_admin, clerk, user_a):
    enrol(clerk)
    api = APIClient()
    api.force_authenticate(cb_admin)
    response = api.post(f"/api/v1/users/{clerk.pk}/reset-second-factor/", {"reason": "lost"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"devices_removed": 1}
    assert Event.objects.filter(action="user.second_factor_reset").count() == 1

    again = api.post(f"/api/v1/users/{clerk.pk}/reset-second-factor/", {"reason": "lost"}, format="json")
    assert again.status_code == 400
    assert "无需重置" in again.json()["detail"]

    assert api.post(f"/api/v1/users/{clerk.pk}/reset-second-factor/", {}, format="json").status_code == 400


def test_reset_through_the_api_is_refused_to_others(clerk, user_a, enterprise_a):
    device = enrol(user_a)
    api = APIClient()
    api.force_authenticate(clerk)
    response = api.post(f"/api/v1/users/{user_a.pk}/reset-second-factor/", {"reason": "x"}, format="json")
    assert response.status_code in (403, 404)
    # A person who sees a colleague still may not reset the colleague's authenticator.
    api.force_authenticate(user_a)
    assert api.post(f"/api/v1/users/{user_a.pk}/reset-second-factor/", {"reason": "x"}).status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


# --- the API -------------------------------------------------------------------------------------

TOKEN_URL = "/api/v1/auth/token/"


def test_staff_get_a_token_only_with_the_authenticator_code(clerk, password):
    device = enrol(clerk)
    api = APIClient()
    response = api.post(TOKEN_URL, {"email": clerk.email, "password": password}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "otp_required"
    assert not Token.objects.filter(user=clerk).exists()

    wrong = "123456" if code(device) != "123456" else "654321"
    response = api.post(TOKEN_URL, {"email": clerk.email, "password": password, "otp": wrong}, format="json")
    assert response.status_code == 400
    assert not Token.objects.filter(user=clerk).exists()

    device.refresh_from_db()
    device.throttle_reset()
    good = code(device)
    response = api.post(TOKEN_URL, {"email": clerk.email, "password": password, "otp": good}, format="json")
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=clerk).key

    # The same code again: refused, like on the sign-in page.
    response = api.post(TOKEN_URL, {"email": clerk.email, "password": password, "otp": good}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "otp_invalid"


def test_staff_without_authenticator_get_no_token(clerk, password):
    response = APIClient().post(TOKEN_URL, {"email": clerk.email, "password": password}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "otp_enrolment_required"
    assert not Token.objects.filter(user=clerk).exists()


def test_enterprise_users_without_authenticator_get_a_token_with_the_password(user_a, password):
    response = APIClient().post(TOKEN_URL, {"email": user_a.email, "password": password}, format="json")
    assert response.status_code == 200


def test_a_session_that_has_not_passed_the_second_factor_cannot_use_the_api(client, clerk, password):
    device = enrol(clerk)
    sign_in(client, clerk, password)
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json()["code"] == "otp_required"
    client.post(reverse("otp_verify"), {"otp": code(device)})
    assert client.get("/api/v1/me/").json()["email"] == clerk.email


def test_a_staff_session_without_authenticator_cannot_use_the_api(client, clerk):
    client.force_login(clerk)
    assert client.get("/api/v1/me/").status_code == 403


# --- the demo ------------------------------------------------------------------------------------


def test_the_demo_staff_can_sign_in_with_the_printed_code(client, clerk):
    from certflow.accounts import demo, demo_second_factor

    demo.seed(io.StringIO())
    later = StaffFactory(email="sun@olis-cert.example")  # made by a later demo step (auditors)
    out = io.StringIO()
    assert demo_second_factor.seed(out) == []
    assert demo.demo_totp_secret() in out.getvalue()
    assert TOTPDevice.objects.filter(user=later, key=demo.DEMO_TOTP_KEY, confirmed=True).exists()
    # A real person's account (not the demo's domain) never receives the published key.
    assert not TOTPDevice.objects.filter(user=clerk).exists()

    codes = io.StringIO()
    call_command("demo_totp", stdout=codes, stderr=io.StringIO())
    client.post(reverse("login"), {"username": "clerk@olis-cert.example", "password": demo.DEMO_PASSWORD})
    response = client.post(reverse("otp_verify"), {"otp": codes.getvalue().strip()})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    # Running the demo again enrols nobody twice.
    demo.seed(io.StringIO())
    demo_second_factor.seed(io.StringIO())
    assert TOTPDevice.objects.filter(user__email="clerk@olis-cert.example").count() == 1


def test_the_demo_code_command_refuses_without_demo_accounts(clerk):
    from django.core.management.base import CommandError

    enrol(clerk)
    with pytest.raises(CommandError):
        call_command("demo_totp", stdout=io.StringIO(), stderr=io.StringIO())


def test_the_second_factor_pages_speak_english_when_asked(client, user_a, password):
    sign_in(client, user_a, password)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("otp_enrol")).content.decode()
    assert "Set up an authenticator" in body
    assert "Scan the QR code" in body


def test_the_django_admin_does_not_show_authenticator_keys():
    from django.contrib import admin

    assert not admin.site.is_registered(TOTPDevice)


def test_the_django_admin_user_page_links_to_the_recorded_reset(client, cb_admin, clerk):
    verified_client(client, cb_admin, enrol(cb_admin))
    cb_admin.is_superuser = True
    cb_admin.save(update_fields=["is_superuser"])
    body = client.get(reverse("admin:accounts_user_change", args=[clerk.pk])).content.decode()
    assert reverse("user_second_factor", args=[clerk.pk]) in body
