import pytest
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def fresh_calendar():
    # The working-day calendar is cached per process; rows of another test's rolled-back transaction must not leak.
    from certflow.core.workdays.selectors import clear_calendar_cache

    clear_calendar_cache()
    yield
    clear_calendar_cache()


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api():
    def _api(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return _api
