"""Standing data of the register tests: the lead auditor and the auditor of the root conftest, registered."""

from datetime import date

import pytest

from certflow.auditors import services
from certflow.auditors.domain import AuditorLevel

TODAY = date(2026, 11, 24)
AUDIT_DAYS = [date(2026, 12, 8), date(2026, 12, 9)]


@pytest.fixture
def lead_profile(lead_auditor, programme_manager):
    profile = services.profile_create(
        by=programme_manager,
        user=lead_auditor,
        qualification_number="OLS-A-0001",
        level=AuditorLevel.LEAD_AUDITOR,
        valid_from=date(2024, 1, 1),
        valid_until=date(2027, 12, 31),
    )
    for category in ("custom_furniture", "custom_apparel"):
        services.competence_add(by=programme_manager, profile=profile, category=category)
    return profile


@pytest.fixture
def auditor_profile(auditor, programme_manager):
    profile = services.profile_create(
        by=programme_manager,
        user=auditor,
        qualification_number="OLS-A-0002",
        level=AuditorLevel.AUDITOR,
        valid_from=date(2025, 3, 1),
        valid_until=date(2028, 2, 28),
    )
    services.competence_add(by=programme_manager, profile=profile, category="custom_furniture")
    return profile


@pytest.fixture
def as_user(client, request):
    def _as(name):
        if name != "anonymous":
            client.force_login(request.getfixturevalue(name))
        return client

    return _as
