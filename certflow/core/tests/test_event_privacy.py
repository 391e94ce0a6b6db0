"""The append-only event log cannot be anonymised later, so new events carry references, never personal
values (decisions PD4; issue 10 item 8)."""

import json

import pytest

from certflow.accounts import services
from certflow.accounts.models import UserKind
from certflow.core.events.models import Event
from certflow.core.privacy import PERSONAL_IN_EVENT, event_safe
from certflow.core.testing.factories import make_uscc

pytestmark = pytest.mark.django_db

PERSONAL_VALUES = ("张三丰", "13812345678", "li.si@example.cn", "李四", "王五", "15900001111", "zhao@ent.example")


def log_text() -> str:
    return json.dumps(list(Event.objects.values("before", "after", "reason")), ensure_ascii=False, default=str)


def test_account_and_enterprise_events_carry_no_personal_value():
    owner = services.user_create(
        by=None,
        email="zhao@ent.example",
        full_name="王五",
        password=None,
        kind=UserKind.ENTERPRISE,
        phone="15900001111",
    )
    enterprise = services.enterprise_register(
        by=owner,
        name="广州隐私测试定制有限公司",
        uscc=make_uscc(4242),
        address="广州市番禺区",
        legal_representative="张三丰",
        contact_name="李四",
        contact_phone="13812345678",
        contact_email="li.si@example.cn",
    )
    services.enterprise_update(by=owner, enterprise=enterprise, contact_phone="13900002222")
    colleague = services.user_create(
        by=owner, email="colleague@ent.example", full_name="钱七", password=None, kind=UserKind.ENTERPRISE
    )
    membership = services.membership_add(by=owner, enterprise=enterprise, user=colleague)
    services.membership_end(by=owner, membership=membership)

    text = log_text()
    for value in (*PERSONAL_VALUES, "13900002222", "colleague@ent.example", "钱七"):
        assert value not in text, value
    # The record keeps saying what happened: the contact phone changed, the company name is there.
    update = Event.objects.get(action="enterprise.updated")
    assert update.after == {"contact_phone": PERSONAL_IN_EVENT} and update.before == {
        "contact_phone": PERSONAL_IN_EVENT
    }
    registered = Event.objects.get(action="enterprise.registered")
    assert registered.after["name"] == "广州隐私测试定制有限公司" and registered.after["uscc"] == enterprise.uscc
    assert Event.objects.get(action="membership.added").after["user"] == colleague.pk


def test_event_safe_keeps_empty_and_non_personal_values():
    assert event_safe("accounts.Enterprise", {"name": "甲公司", "contact_name": "", "contact_phone": "138"}) == {
        "name": "甲公司",
        "contact_name": "",
        "contact_phone": PERSONAL_IN_EVENT,
    }
