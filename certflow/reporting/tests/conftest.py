import pytest

from certflow.reporting import views


@pytest.fixture(autouse=True)
def fresh_calendar():
    from certflow.core.workdays.selectors import clear_calendar_cache

    clear_calendar_cache()
    yield
    clear_calendar_cache()


@pytest.fixture(autouse=True)
def default_language(settings):
    """A page requested in English leaves English active in the thread; the next test starts in Chinese."""
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def as_user(client, request):
    def _as(name):
        if name != "anonymous":
            client.force_login(request.getfixturevalue(name))
        return client

    return _as


@pytest.fixture
def frozen_today(monkeypatch):
    """Pages count 'today' from here, so "the previous month" is October 2026 whatever the real date."""
    from datetime import date

    day = date(2026, 11, 24)
    monkeypatch.setattr(views, "today", lambda: day)
    return day
