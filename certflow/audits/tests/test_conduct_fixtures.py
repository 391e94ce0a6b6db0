"""Shared builders of the conduct tests (no tests here): an audit started, with nonconformities, closed.

Import the fixtures by name into a test module (`from ...test_conduct_fixtures import closed  # noqa: F401`).
"""

from datetime import datetime

import pytest
from django.utils import timezone

from certflow.applications.tests.factories import png_bytes
from certflow.audits.models import Finding
from certflow.audits.selectors import audit_items
from certflow.audits.services import conduct
from certflow.audits.tests.helpers import AUDIT_DAYS
from certflow.reviews import services as review_services

DAY1, DAY2 = AUDIT_DAYS
PNG = png_bytes(7)
ATTENDEES = [
    {"name": "李组长", "title": "审核组长", "side": "cb"},
    {"name": "王总", "title": "总经理", "side": "enterprise"},
]


def record(audit, by, item_id, result="conform", note="", na_reason="", revision=None, token=""):
    if revision is None:
        existing = Finding.objects.filter(audit=audit, item_id=item_id).first()
        revision = existing.revision if existing else 0
    if result in ("minor", "major") and not note:
        note = f"{item_id} 现场发现：记录不全"
    if result == "not_applicable" and not na_reason:
        na_reason = "本企业无此业务"
    return conduct.finding_record(
        by=by,
        audit=audit,
        item_id=item_id,
        result=result,
        note=note,
        na_reason=na_reason,
        revision=revision,
        client_token=token,
    )


def record_everything(audit, by, results=None):
    results = results or {}
    for item in audit_items(audit):
        record(audit, by, item.id, results.get(item.id, "conform"))


@pytest.fixture
def member(registered_member):
    return registered_member


@pytest.fixture
def started(notified, lead_auditor):
    return conduct.audit_start(by=lead_auditor, audit=notified, today=DAY1)


@pytest.fixture
def with_ncs(started, lead_auditor, member):
    """Every item recorded; 4.1-1 minor and 4.2-1 major, both raised as nonconformities."""
    record_everything(started, member, {"4.1-1": "minor", "4.2-1": "major"})
    minor = conduct.nonconformity_raise_from_finding(by=member, audit=started, item_id="4.1-1", today=DAY1)
    major = conduct.nonconformity_raise_from_finding(by=lead_auditor, audit=started, item_id="4.2-1", today=DAY1)
    return started, minor, major


@pytest.fixture
def closed(with_ncs, lead_auditor, user_a):
    audit, minor, major = with_ncs
    conduct.nonconformity_confirm(by=user_a, nonconformity=minor, representative_title="质量经理")
    conduct.nonconformity_confirm(
        by=lead_auditor, nonconformity=major, representative_name="王总", representative_title="总经理"
    )
    conduct.closing_meeting_hold(
        by=lead_auditor,
        audit=audit,
        held_at=timezone.make_aware(datetime(2026, 3, 17, 16, 0)),
        attendees=ATTENDEES,
        conclusion="体系基本有效，存在两项不符合。",
        today=DAY2,
    )
    audit.refresh_from_db()
    minor.refresh_from_db()
    major.refresh_from_db()
    return audit, minor, major


def submit(nc, user):
    return review_services.corrective_action_submit(
        by=user, nonconformity=nc, cause_analysis="原因", correction="纠正", corrective_action="措施"
    )
