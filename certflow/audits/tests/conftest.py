"""Standing data of the audit tests (planning and conduct): enterprise A's application past document
review, two registered auditors (one a lead), and audits at each planning step."""

import pytest

from certflow.audits.tests.helpers import (
    TODAY,
    notified_audit,
    passed_application,
    planned_audit,
    proposed_audit,
    registered_auditor,
    scheduled_audit,
    staffed_audit,
)


@pytest.fixture(autouse=True)
def fresh_calendar():
    # The working-day calendar is cached per process; another test's rolled-back rows must not leak.
    from certflow.core.workdays.selectors import clear_calendar_cache

    clear_calendar_cache()
    yield
    clear_calendar_cache()


@pytest.fixture
def passed(enterprise_a, user_a, clerk, auditor):
    """Enterprise A's application (custom furniture) with its document review passed."""
    return passed_application(enterprise=enterprise_a, user=user_a, clerk=clerk, reviewer=auditor)


@pytest.fixture
def registered_lead(lead_auditor, programme_manager):
    """The standing lead auditor, registered as a lead competent for custom furniture."""
    return registered_auditor(keeper=programme_manager, user=lead_auditor, lead=True)


@pytest.fixture
def registered_member(programme_manager):
    """A second registered auditor (custom furniture)."""
    return registered_auditor(keeper=programme_manager, email="member@cb.example")


@pytest.fixture
def audit(passed, programme_manager):
    return planned_audit(planner=programme_manager, application=passed)


@pytest.fixture
def proposed(passed, programme_manager):
    return proposed_audit(planner=programme_manager, application=passed)


@pytest.fixture
def scheduled(passed, programme_manager, user_a):
    return scheduled_audit(planner=programme_manager, application=passed, enterprise_user=user_a)


@pytest.fixture
def staffed(passed, programme_manager, user_a, registered_lead, registered_member):
    return staffed_audit(
        planner=programme_manager,
        application=passed,
        enterprise_user=user_a,
        lead=registered_lead,
        members=[registered_member],
    )


@pytest.fixture
def notified(passed, programme_manager, user_a, registered_lead, registered_member):
    return notified_audit(
        planner=programme_manager,
        application=passed,
        enterprise_user=user_a,
        lead=registered_lead,
        members=[registered_member],
    )


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    """Pages and the API count from TODAY, whatever the real date (and inside the calendar's years)."""
    import importlib

    for name in ("certflow.audits.views.planning", "certflow.audits.api.planning"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        monkeypatch.setattr(module, "today", lambda: TODAY)


@pytest.fixture(autouse=True)
def default_language(settings):
    """A page requested in English leaves English active in the thread; the next test starts in Chinese."""
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)
