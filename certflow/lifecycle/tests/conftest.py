from datetime import date

import pytest
from django.core.cache import cache

from certflow.certificates import services as certificate_services
from certflow.certificates import signing
from certflow.core.schemes.services import scheme_version_for

SCOPE = {"categories": ["custom_furniture"], "services": ["solution_design", "manufacturing"]}
TODAY = date(2026, 11, 24)
DEADLINE, LAPSES_ON = date(2026, 10, 15), date(2026, 10, 16)


@pytest.fixture(autouse=True)
def signing_key(settings):
    settings.CERTFLOW_CERTIFICATE_SIGNING_KEY = signing.new_seed()
    settings.CERTFLOW_CERTIFICATE_RETIRED_PUBLIC_KEYS = []


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def issue(programme_manager, db):
    def make(enterprise, *, issued_on=date(2026, 3, 2), today=TODAY):
        return certificate_services.certificate_issue(
            by=programme_manager,
            enterprise=enterprise,
            scheme_version=scheme_version_for(),
            grade_code="four_star",
            scope=SCOPE,
            issued_on=issued_on,
            today=today,
        )

    return make


@pytest.fixture
def legacy(programme_manager, db):
    def make(
        enterprise,
        number="OLD-2024-001",
        *,
        issued_on=date(2024, 4, 8),
        expires_on=date(2027, 4, 7),
        today=date(2026, 1, 5),
    ):
        return certificate_services.legacy_certificate_create(
            by=programme_manager,
            enterprise=enterprise,
            number=number,
            scheme_code="旧版",
            scheme_version_label="旧版",
            grade_code="legacy",
            grade_name="三星",
            scope_text="定制家具",
            issued_on=issued_on,
            expires_on=expires_on,
            today=today,
        )

    return make
