"""The notification page: a user sees and marks only their own notifications."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from certflow.notifications.context import unread_notifications
from certflow.notifications.models import Notification
from certflow.notifications.services import notify

pytestmark = pytest.mark.django_db


def note(user, title="文件审核报告已出具 / Document review report issued", url="/applications/7/"):
    (row,) = notify(recipients=[user], kind="review.reported", title=title, body="请查看。\nPlease read it.", url=url)
    return row


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("notification_list"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_a_user_sees_only_their_own_notifications(login, user_a, user_b):
    note(user_a, title="甲的通知 / for A")
    note(user_b, title="乙的通知 / for B")
    body = login(user_a).get(reverse("notification_list")).content.decode()
    assert "甲的通知" in body
    assert "乙的通知" not in body
    assert "1 条未读" in body


def test_mark_all_read(login, user_a, user_b):
    note(user_a)
    note(user_a)
    theirs = note(user_b)
    response = login(user_a).post(reverse("notification_mark_read"))
    assert response.status_code == 302 and response.url == reverse("notification_list")
    assert not Notification.objects.filter(recipient=user_a, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_read_needs_post(login, user_a):
    assert login(user_a).get(reverse("notification_mark_read")).status_code == 405


def test_opening_a_notification_marks_it_read_and_follows_its_link(login, user_a):
    row = note(user_a)
    response = login(user_a).post(reverse("notification_mark_read"), {"id": row.pk, "open": "1"})
    assert response.status_code == 302 and response.url == "/applications/7/"
    row.refresh_from_db()
    assert row.read_at is not None


def test_another_users_notification_is_a_404_and_stays_unread(login, user_a, user_b):
    theirs = note(user_b)
    response = login(user_a).post(reverse("notification_mark_read"), {"id": theirs.pk, "open": "1"})
    assert response.status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert login(user_a).post(reverse("notification_mark_read"), {"id": "abc"}).status_code == 404


def test_the_page_is_paginated(login, user_a):
    for i in range(30):
        note(user_a, title=f"通知 {i:02d} / notice {i:02d}")
    client = login(user_a)
    first = client.get(reverse("notification_list")).content.decode()
    second = client.get(reverse("notification_list"), {"page": 2}).content.decode()
    assert "通知 29" in first and "通知 00" not in first
    assert "通知 00" in second


def test_the_unread_count_for_the_header_badge(user_a, user_b):
    note(user_a)
    note(user_a)
    note(user_b)
    request = RequestFactory().get("/")
    request.user = user_a
    assert unread_notifications(request) == {"unread_notification_count": 2}
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert unread_notifications(request) == {"unread_notification_count": 0}
