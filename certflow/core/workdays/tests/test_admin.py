from datetime import date

import pytest
from django.urls import reverse

from certflow.core.testing.factories import StaffFactory
from certflow.core.workdays.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    user = StaffFactory(email="root@cb.example", is_staff=True, is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


def test_admin_lists_and_searches(superuser_client):
    CalendarDay.objects.create(date=date(2026, 10, 10), is_working_day=False, name="更正")
    for name in ("calendarday", "calendaryear"):
        url = reverse(f"admin:workdays_{name}_changelist")
        assert superuser_client.get(url).status_code == 200
        assert superuser_client.get(url, {"q": "更正"}).status_code == 200


def test_admin_add_stamps_the_author_and_refuses_delete(superuser_client):
    response = superuser_client.post(
        reverse("admin:workdays_calendaryear_add"),
        {"year": 2027, "declared_complete": "on", "source": "测试用通知（虚构）"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    year = CalendarYear.objects.get(year=2027)
    assert year.declared_by == superuser_client.user
    response = superuser_client.post(
        reverse("admin:workdays_calendarday_add"),
        {"date": "2027-01-01", "is_working_day": "", "name": "元旦", "source": "测试"},
    )
    assert response.status_code == 302
    assert CalendarDay.objects.get(date=date(2027, 1, 1)).entered_by == superuser_client.user
    delete = reverse("admin:workdays_calendaryear_delete", args=[year.pk])
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    assert CalendarYear.objects.filter(pk=year.pk).exists()
