# ruff: noqa: F811 — the shared fixtures are imported by name and then requested as arguments
"""Standing data of the decision tests: enterprise A's application with both stages passed and a survey
that passed (`ready`), three committee members, and the decision opened (`opened`)."""

import pytest

from certflow.audits.tests.conftest import (  # noqa: F401 — fixtures shared with the audit tests
    fresh_calendar,
    passed,
    registered_lead,
    registered_member,
)
from certflow.decisions import services
from certflow.decisions.tests.helpers import DECISION_DAY, committee_members, onsite_passed, survey_result


@pytest.fixture
def onsite(passed, programme_manager, user_a, registered_lead, registered_member):
    """The application after an on-site audit that found nothing (no survey yet)."""
    onsite_passed(
        application=passed,
        planner=programme_manager,
        enterprise_user=user_a,
        lead=registered_lead,
        member=registered_member,
    )
    return passed


@pytest.fixture
def ready(onsite, clerk):
    survey_result(application=onsite, staff=clerk, answered=200, satisfied=180)
    return onsite


@pytest.fixture
def members(db):
    return committee_members(3)


@pytest.fixture
def opened(ready, programme_manager):
    return services.decision_open(by=programme_manager, application=ready, today=DECISION_DAY)


@pytest.fixture
def seated(opened, programme_manager, members):
    for user in members:
        services.member_add(by=programme_manager, decision=opened, user=user, today=DECISION_DAY)
    return opened
