"""Security headers and production settings (docs/decisions.md SEC6-SEC8), and the 503
answer when the database cannot be reached."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.urls import reverse

pytestmark = pytest.mark.django_db

REPO = Path(settings.BASE_DIR)
DECISIONS = REPO / "docs" / "decisions.md"


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


# --- headers on every page -----------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/accounts/login/", "/verify/", "/healthz", "/no-such-page/"])
def test_every_answer_carries_the_content_security_policy(client, url):
    policy = directives(client.get(url).headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no inline, no eval, no other origin
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


def test_signed_in_pages_carry_the_policy_too(client, user_a):
    client.force_login(user_a)
    response = client.get(reverse("enterprise_home"))
    assert response.status_code == 200
    assert directives(response.headers["Content-Security-Policy"])["script-src"] == ["'self'"]


def test_only_the_api_documentation_pages_allow_their_inline_start_script(client, user_a):
    client.force_login(user_a)
    for url in ("/api/docs/", "/api/redoc/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "'unsafe-inline'" in directives(response.headers["Content-Security-Policy"])["script-src"]
    assert (
        "'unsafe-inline'" not in directives(client.get("/api/v1/me/").headers["Content-Security-Policy"])["script-src"]
    )


def test_no_template_needs_inline_script():
    """The policy forbids inline script; a template that adds some would silently break in the browser."""
    offenders = []
    for template in REPO.glob("certflow/**/templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text, re.I):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{template}: {tag}")
        # Event-handler attributes (onclick=...), javascript: links and htmx's hx-on run inline code.
        for attribute in re.findall(r"\s(on[a-z]+=|hx-on[:\w-]*=|href=\"javascript:)", text, re.I):
            offenders.append(f"{template}: {attribute}")
    assert offenders == []


def test_basic_hardening_headers(client):
    response = client.get("/accounts/login/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "url",
    [
        "/s/some-questionnaire-token/",  # a customer's one-time survey link
        "/verify/",
        "/verify/c/OLS-GZ0056-2026-00001/",
        "/accounts/reset/MQ/set-password/",
    ],
)
def test_pages_whose_address_carries_a_token_send_no_referrer(client, url):
    # The origin alone: never the path that carries the token (SEC8).
    assert client.get(url).headers["Referrer-Policy"] == "strict-origin"


def test_a_token_page_s_own_form_passes_the_csrf_origin_check():
    """Under "no-referrer" a browser posts the page's own forms with `Origin: null` (Fetch standard), which
    Django refuses: every questionnaire answer and password reset failed in a real browser (issue 8, e2e).
    Under "strict-origin" the browser sends the page's origin, which passes."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/accounts/password/reset/")
    token = page.cookies[settings.CSRF_COOKIE_NAME].value
    data = {"email": "nobody@example.com", "csrfmiddlewaretoken": token}
    assert browser.post("/accounts/password/reset/", data, HTTP_ORIGIN="null").status_code == 403
    assert browser.post("/accounts/password/reset/", data, HTTP_ORIGIN="http://testserver").status_code != 403


def test_cookies_are_http_only_and_same_site(client, user_a, password):
    client.get("/accounts/login/")
    response = client.post("/accounts/login/", {"username": user_a.email, "password": password})
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    csrf = client.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"]
    assert csrf["samesite"] == "Lax"


# --- production ----------------------------------------------------------------------------------

PRODUCTION_ENV = {
    "DEBUG": "0",
    "HTTPS": "1",
    "ALLOWED_HOSTS": "cert.olis-cert.example",
    "CSRF_TRUSTED_ORIGINS": "https://cert.olis-cert.example",
    # A key like the one `./dev demo` writes: long and random, not a "django-insecure-" one.
    "SECRET_KEY": "Zq3v8N1k-9sPz0YwR4tL7mXc2HbJdG5eUuAaFo6iQyKsVnWxTgEhCrBp_-MjDl",
    "EMAIL_MODE": "memory",
}


def run_with_production_settings(*args, code=None):
    # Nothing from the developer's shell may soften what production means.
    softening = ("DEBUG", "SECURE_", "HTTPS", "TRUST_X_FORWARDED_PROTO", "CERTFLOW_OTP_", "DJANGO_SETTINGS_MODULE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(softening)}
    env.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="config.settings")
    command = [sys.executable, "-m", "django", *args] if code is None else [sys.executable, "-c", code]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def explained_deploy_warnings() -> set[str]:
    """The check ids the decisions file lists, each with its reason, under 'Deploy check warnings left'."""
    text = DECISIONS.read_text(encoding="utf-8")
    section = text.split("Deploy check warnings left", 1)[1].split("\n#", 1)[0]
    return set(re.findall(r"^- `([a-z_]+\.[EW]\d+)`: \S", section, re.M))


def test_check_deploy_with_production_settings_reports_nothing_unexplained():
    result = run_with_production_settings("check", "--deploy")
    output = result.stdout + result.stderr
    reported = set(re.findall(r"\(([a-z_]+\.[EWC]\d+)\)", output))
    assert "Traceback" not in output
    assert reported <= explained_deploy_warnings(), output
    # Errors would have made the command fail; warnings alone do not.
    assert result.returncode == 0, output


def test_production_settings_send_cookies_only_over_https_and_turn_on_hsts():
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({k: getattr(s, k)"
        " for k in ('DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY',"
        " 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS',"
        " 'CERTFLOW_OTP_REQUIRED_FOR_STAFF')}))"
    )
    result = run_with_production_settings(code=code)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 365 * 24 * 3600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "CERTFLOW_OTP_REQUIRED_FOR_STAFF": True,
    }


@pytest.fixture
def production_like(settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 365 * 24 * 3600
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    return settings


def test_in_production_https_answers_carry_hsts_and_secure_cookies(client, user_a, password, production_like):
    response = client.post(
        "/accounts/login/", {"username": user_a.email, "password": password}, secure=True, follow=False
    )
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"]
    assert client.cookies[settings.CSRF_COOKIE_NAME]["secure"]


def test_in_production_plain_http_is_redirected_to_https(client, production_like):
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response.url.startswith("https://")


# --- database unreachable ------------------------------------------------------------------------


@pytest.fixture
def database_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "db" failed: Connection refused')

    def start():
        monkeypatch.setattr(connection, "ensure_connection", refuse)

    return start


def test_a_signed_in_person_gets_the_bilingual_503_page_when_the_database_is_down(client, user_a, database_down):
    client.force_login(user_a)
    database_down()
    response = client.get(reverse("enterprise_home"))
    body = response.content.decode()
    assert response.status_code == 503
    assert "服务暂时不可用" in body
    assert "Service temporarily unavailable" in body
    assert "Traceback" not in body
    assert "Connection refused" not in body
    assert response.headers["Retry-After"] == "30"


def test_an_anonymous_page_that_needs_the_database_gets_the_503_page(client, database_down):
    database_down()
    response = client.post("/accounts/login/", {"username": "a@ent.example", "password": "whatever it is"})
    assert response.status_code == 503
    assert "服务暂时不可用" in response.content.decode()


def test_the_api_answers_json_503_when_the_database_is_down(client, user_a, database_down):
    client.force_login(user_a)
    database_down()
    response = client.get("/api/v1/me/")
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/json"
    assert "数据库暂时不可用" in response.json()["detail"]
    assert "Connection refused" not in response.content.decode()


def test_an_api_token_client_gets_json_503_when_the_database_is_down(user_a, database_down):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    token = Token.objects.create(user=user_a)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    database_down()
    response = api.get("/api/v1/enterprises/")
    assert response.status_code == 503
    assert "the database is unavailable" in response.json()["detail"]
