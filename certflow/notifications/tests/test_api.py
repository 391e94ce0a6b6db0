"""API: /api/v1/notifications/ lists and marks only the caller's own notifications."""

import pytest
from rest_framework.test import APIClient

from certflow.notifications.models import Notification
from certflow.notifications.services import notify

pytestmark = pytest.mark.django_db
URL = "/api/v1/notifications/"


def client_for(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def note(user, title="申请已受理 / Application accepted"):
    (row,) = notify(recipients=[user], kind="application.accepted", title=title, body="…", url="/applications/1/")
    return row


def test_anonymous_gets_401_or_403():
    assert client_for(None).get(URL).status_code in (401, 403)


def test_a_user_lists_only_their_own(user_a, user_b):
    mine = note(user_a)
    note(user_b, title="乙的通知 / for B")
    body = client_for(user_a).get(URL).json()
    assert [row["id"] for row in body["results"]] == [mine.pk]
    assert "乙的通知" not in str(body)
    assert body["results"][0]["is_read"] is False
    assert "email_last_error" not in body["results"][0]


def test_another_users_notification_is_a_404(user_a, user_b):
    theirs = note(user_b)
    response = client_for(user_a).get(f"{URL}{theirs.pk}/")
    assert response.status_code == 404
    assert theirs.title not in response.content.decode()
    assert client_for(user_b).get(f"{URL}{theirs.pk}/").status_code == 200


def test_unread_filter(user_a):
    read = note(user_a)
    unread = note(user_a)
    client_for(user_a).post(f"{URL}{read.pk}/mark-read/")
    body = client_for(user_a).get(URL, {"unread": "1"}).json()
    assert [row["id"] for row in body["results"]] == [unread.pk]


def test_mark_read_all_or_some(user_a, user_b):
    first, second = note(user_a), note(user_a)
    theirs = note(user_b)
    response = client_for(user_a).post(f"{URL}mark-read/", {"ids": [first.pk, theirs.pk]}, format="json")
    assert response.status_code == 200 and response.json() == {"marked": 1, "unread": 1}
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert client_for(user_a).post(f"{URL}mark-read/", {}, format="json").json() == {"marked": 1, "unread": 0}
    assert Notification.objects.get(pk=second.pk).read_at is not None


def test_mark_read_one(user_a, user_b):
    mine, theirs = note(user_a), note(user_b)
    response = client_for(user_a).post(f"{URL}{mine.pk}/mark-read/")
    assert response.status_code == 200 and response.json()["is_read"] is True
    assert client_for(user_a).post(f"{URL}{theirs.pk}/mark-read/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_bad_ids_are_a_400(user_a):
    response = client_for(user_a).post(f"{URL}mark-read/", {"ids": ["x"]}, format="json")
    assert response.status_code == 400


def test_notifications_cannot_be_created_changed_or_deleted_through_the_api(user_a):
    mine = note(user_a)
    client = client_for(user_a)
    assert client.post(URL, {"title": "x"}, format="json").status_code == 405
    assert client.patch(f"{URL}{mine.pk}/", {"title": "x"}, format="json").status_code == 405
    assert client.delete(f"{URL}{mine.pk}/").status_code == 405
