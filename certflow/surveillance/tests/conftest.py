import pytest
from django.core.cache import cache

from certflow.audits.tests.helpers import registered_auditor
from certflow.certificates import signing
from certflow.surveillance.tests.helpers import issue


@pytest.fixture(autouse=True)
def signing_key(settings):
    settings.CERTFLOW_CERTIFICATE_SIGNING_KEY = signing.new_seed()
    settings.CERTFLOW_CERTIFICATE_RETIRED_PUBLIC_KEYS = []


@pytest.fixture(autouse=True)
def fresh_state():
    from certflow.core.workdays.selectors import clear_calendar_cache

    clear_calendar_cache()
    cache.clear()
    yield
    clear_calendar_cache()
    cache.clear()


@pytest.fixture
def cert_a(programme_manager, enterprise_a, user_a):
    return issue(programme_manager, enterprise_a)


@pytest.fixture
def cert_b(programme_manager, enterprise_b, user_b):
    return issue(programme_manager, enterprise_b)


@pytest.fixture
def lead(lead_auditor, programme_manager):
    return registered_auditor(keeper=programme_manager, user=lead_auditor, lead=True)


@pytest.fixture
def member(programme_manager):
    return registered_auditor(keeper=programme_manager, email="member@cb.example")
