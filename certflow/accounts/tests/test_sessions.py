"""Sessions: a new key at sign-in, a password change ends the other sessions, failed sign-ins are
throttled, logged and the lock-out is in the event log."""

import logging

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from certflow.core.events.models import Event

pytestmark = pytest.mark.django_db


def test_the_session_key_changes_at_sign_in(client, user_a, password):
    # An anonymous session exists first (a language choice, say): fixation would keep its key.
    session = client.session
    session["django_language"] = "en"
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    before = session.session_key

    client.post(reverse("login"), {"username": user_a.email, "password": password})
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.get(reverse("enterprise_home")).status_code == 200


def test_a_password_change_ends_the_other_sessions_but_keeps_this_one(user_a, password):
    here, elsewhere = Client(), Client()
    for browser in (here, elsewhere):
        browser.post(reverse("login"), {"username": user_a.email, "password": password})
        assert browser.get(reverse("enterprise_home")).status_code == 200

    new = "another long passphrase 7"
    response = here.post(
        reverse("password_change"), {"old_password": password, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302

    assert here.get(reverse("enterprise_home")).status_code == 200
    response = elsewhere.get(reverse("enterprise_home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_failed_sign_ins_are_logged_and_counted(client, user_a, caplog):
    with caplog.at_level(logging.WARNING, logger="axes"):
        client.post(reverse("login"), {"username": user_a.email, "password": "wrong password!"})
    assert any("login failure" in record.getMessage() for record in caplog.records)
    attempt = AccessAttempt.objects.get(username=user_a.email)
    assert attempt.failures_since_start == 1
    # The password typed is not kept in the record of the attempt.
    assert "wrong password!" not in attempt.post_data


def test_the_lock_out_after_the_configured_failures_is_in_the_event_log(client, user_a, password):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit):
        response = client.post(reverse("login"), {"username": user_a.email, "password": "wrong password!"})
    assert response.status_code == 429
    response = client.post(reverse("login"), {"username": user_a.email, "password": password})
    assert response.status_code == 429
    assert not response.wsgi_request.user.is_authenticated
    # One entry per lock-out, however often the locked address is tried.
    event = Event.objects.get(action="user.locked_out")
    assert event.target_id == str(user_a.pk)
    assert event.after["username"] == user_a.email


def test_the_api_token_endpoint_counts_failures_with_the_same_lock(user_a, password):
    from django.core.cache import cache
    from rest_framework.test import APIClient

    # The endpoint's request-rate throttle (10/min) keeps its history in the cache: start from none, so
    # that what answers here is the lock-out and not the rate limit left over by other tests.
    cache.clear()
    api = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post("/api/v1/auth/token/", {"email": user_a.email, "password": "wrong password!"}, format="json")
    response = api.post("/api/v1/auth/token/", {"email": user_a.email, "password": password}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert "token" not in response.json()
