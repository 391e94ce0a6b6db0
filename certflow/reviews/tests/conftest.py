"""Standing data of the review tests: an accepted application of enterprise A, its review, its findings."""

import pytest

from certflow.reviews import services
from certflow.reviews.models import Nonconformity
from certflow.reviews.tests.helpers import TODAY, accepted_application, record_all


@pytest.fixture(autouse=True)
def fresh_calendar():
    # The working-day calendar is cached per process; rows of another test's rolled-back transaction must not leak.
    from certflow.core.workdays.selectors import clear_calendar_cache

    clear_calendar_cache()
    yield
    clear_calendar_cache()


@pytest.fixture
def application(enterprise_a, user_a, clerk):
    return accepted_application(enterprise=enterprise_a, user=user_a, clerk=clerk)


@pytest.fixture
def review(application, clerk, auditor):
    return services.review_assign(by=clerk, application=application, reviewer=auditor)


@pytest.fixture
def completed_review(review, auditor):
    """Completed with a minor finding on 4.1-1 and a major one on 4.2-1, reported on TODAY."""
    record_all(review, auditor, {"4.1-1": "minor", "4.2-1": "major"})
    return services.review_complete(by=auditor, review=review, summary="存在两项不符合，须整改。", today=TODAY)


@pytest.fixture
def minor(completed_review):
    return Nonconformity.objects.get(review=completed_review, grade="minor")


@pytest.fixture
def major(completed_review):
    return Nonconformity.objects.get(review=completed_review, grade="major")


@pytest.fixture
def submitted(major, user_a):
    """A corrective action for the major nonconformity, awaiting verification."""
    return services.corrective_action_submit(
        by=user_a,
        nonconformity=major,
        cause_analysis="设备管理制度未覆盖外协设备",
        correction="已补建设备台账",
        corrective_action="修订《设备管理制度》，每季度核对台账",
    )


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    """Pages and the API count deadlines from TODAY, so expected dates hold whatever the real date is (and
    stay inside the years the holiday calendar covers)."""
    for module in (
        "certflow.reviews.views.reviews",
        "certflow.reviews.views.nonconformities",
        "certflow.reviews.api.viewsets",
        "certflow.reviews.api.serializers",
    ):
        monkeypatch.setattr(f"{module}.today", lambda: TODAY)
