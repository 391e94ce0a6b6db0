from datetime import date

import pytest
from django.core.cache import cache

from certflow.certificates import services, signing
from certflow.core.schemes.services import scheme_version_for

SCOPE = {"categories": ["custom_furniture"], "services": ["solution_design", "manufacturing", "after_sales"]}
TODAY = date(2026, 11, 24)


@pytest.fixture(autouse=True)
def signing_key(settings):
    """A fresh key per test; nothing is written to var/."""
    seed = signing.new_seed()
    settings.CERTFLOW_CERTIFICATE_SIGNING_KEY = seed
    settings.CERTFLOW_CERTIFICATE_RETIRED_PUBLIC_KEYS = []
    return seed


@pytest.fixture(autouse=True)
def clear_rate_limits():
    # Rate-limit counters live in the cache, which a test's rollback does not clear.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def scheme_version(db):
    return scheme_version_for()


@pytest.fixture
def issue(programme_manager, scheme_version):
    def make(enterprise, *, issued_on=date(2026, 3, 2), grade_code="four_star", scope=None, by=None, **extra):
        return services.certificate_issue(
            by=by or programme_manager,
            enterprise=enterprise,
            scheme_version=scheme_version,
            grade_code=grade_code,
            scope=scope or SCOPE,
            issued_on=issued_on,
            today=extra.pop("today", TODAY),
            **extra,
        )

    return make


@pytest.fixture
def certificate_a(issue, enterprise_a, user_a):
    return issue(enterprise_a)


@pytest.fixture
def certificate_b(issue, enterprise_b, user_b):
    return issue(enterprise_b, grade_code="compliant")
