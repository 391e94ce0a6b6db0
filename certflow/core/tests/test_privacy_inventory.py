"""The personal-data inventory (issue 10 item 8): every stored field is classified, and the classification
holds up to a few rules a reviewer would check by hand."""

from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from certflow.core import privacy
from certflow.core.privacy import INVENTORY, Category, Retention, Sensitivity, mask_name, mask_phone

# Fields whose names sound personal but are not, each for a stated reason.
NOT_PERSONAL_DESPITE_THE_NAME = {
    "accounts.Enterprise.name": "a legal person's name, printed on the certificate",
    "accounts.Enterprise.address": "a legal person's registered address",
    "applications.Site.name": "a workshop or showroom of the enterprise",
    "applications.Site.address": "business premises",
    "audits.AuditSite.name": "copy of the Site",
    "audits.AuditSite.address": "copy of the Site",
    "certificates.Certificate.enterprise_name": "the holder (a legal person) as printed",
    "certificates.Certificate.enterprise_address": "the holder's address as printed",
    "certificates.Certificate.grade_name": "the grade's label",
    "certificates.Certificate.grade_name_en": "the grade's label",
    "notifications.Notification.email_status": "the state of the mail's delivery, not an address",
    "notifications.Notification.email_attempts": "a count",
    "notifications.Notification.email_sent_at": "a time",
    "notifications.Notification.email_claim": "a worker's claim token",
    "workdays.CalendarDay.name": "a holiday's name",
    "schemes.SchemeVersion.source_name": "the shipped scheme file",
    "core.Counter.name": "a sequence's name",
    "auth.Permission.name": "a permission's label",
    "auth.Group.name": "a group's label",
}
SOUNDS_PERSONAL = {"name", "phone", "mobile", "email", "address", "contact", "agent", "ip", "comment", "note", "remark"}

# Text the program composes itself from codes, dates and counts.
MACHINE_TEXT = {
    "surveys.ImportJob.message_zh",
    "surveys.ImportJob.message_en",
    "lifecycle.TickRun.error",
    "certificates.Certificate.signed_payload",
    "admin.LogEntry.object_id",  # a primary key stored as text
}


def stored_models():
    return [m for m in apps.get_models() if not m._meta.proxy]


def field_of(label: str, name: str):
    return apps.get_model(label)._meta.get_field(name)


def test_every_stored_field_of_every_model_is_classified():
    models = stored_models()
    assert get_user_model() in models
    assert {m._meta.app_label for m in models} >= {
        "accounts",
        "applications",
        "reviews",
        "audits",
        "surveys",
        "certificates",
        "decisions",
        "lifecycle",
        "surveillance",
        "auditors",
        "notifications",
        "events",
    }
    problems = privacy.unclassified_fields(models)
    assert problems == [], (
        "classify these fields in certflow/core/privacy.py INVENTORY (personal or not_personal): " + ", ".join(problems)
    )


def test_a_new_field_or_model_is_reported_by_name():
    user = get_user_model()
    field = SimpleNamespace(name="wechat_id")
    grown = SimpleNamespace(
        _meta=SimpleNamespace(label=user._meta.label, proxy=False, fields=[*user._meta.fields, field], many_to_many=[])
    )
    new_model = SimpleNamespace(
        _meta=SimpleNamespace(
            label="surveys.Referral", proxy=False, fields=[SimpleNamespace(name="id")], many_to_many=[]
        )
    )
    assert privacy.unclassified_fields([grown, new_model]) == ["accounts.User.wechat_id", "surveys.Referral.id"]


def test_a_field_classified_both_ways_is_reported(monkeypatch):
    label = "surveys.Customer"
    doubled = privacy.ModelEntry(INVENTORY[label].personal, (*INVENTORY[label].not_personal, "phone"))
    monkeypatch.setitem(INVENTORY, label, doubled)
    assert privacy.unclassified_fields([apps.get_model(label)]) == [
        "surveys.Customer.phone (classified both personal and not personal)"
    ]


def test_the_inventory_names_only_fields_that_exist():
    stale = []
    for label, model_entry in INVENTORY.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            stale.append(label)
            continue
        names = {f.name for f in [*model._meta.fields, *model._meta.many_to_many]}
        stale += [f"{label}.{n}" for n in [*model_entry.personal, *model_entry.not_personal] if n not in names]
    assert stale == []


def test_every_classification_is_complete():
    for label, name, field in privacy.personal_fields():
        where = f"{label}.{name}"
        assert isinstance(field.category, Category), where
        assert isinstance(field.sensitivity, Sensitivity), where
        assert isinstance(field.retention, Retention), where
        assert field.purpose.strip(), where


def test_fields_that_sound_personal_are_personal_unless_a_reason_is_given():
    suspicious = []
    for label, model_entry in INVENTORY.items():
        for name in model_entry.not_personal:
            where = f"{label}.{name}"
            if SOUNDS_PERSONAL & set(name.split("_")) and where not in NOT_PERSONAL_DESPITE_THE_NAME:
                suspicious.append(where)
    assert suspicious == []
    for where in NOT_PERSONAL_DESPITE_THE_NAME:
        label, name = where.rsplit(".", 1)
        assert name in INVENTORY[label].not_personal, where


def test_free_text_written_by_people_is_never_classified_not_personal():
    from django.db import models

    written = []
    for label, model_entry in INVENTORY.items():
        for name in model_entry.not_personal:
            field = field_of(label, name)
            if isinstance(field, models.TextField) and not field.is_relation and f"{label}.{name}" not in MACHINE_TEXT:
                written.append(f"{label}.{name}")
    assert written == []


def test_every_link_to_an_account_is_personal():
    user = get_user_model()
    links = [
        f"{m._meta.label}.{f.name}"
        for m in stored_models()
        for f in m._meta.fields
        if f.is_relation and f.related_model is user
    ]
    assert len(links) > 50
    not_personal = [w for w in links if w.rsplit(".", 1)[1] in INVENTORY[w.rsplit(".", 1)[0]].not_personal]
    assert not_personal == []
    for where in links:
        label, name = where.rsplit(".", 1)
        assert INVENTORY[label].personal[name].category == Category.ACCOUNT_LINK, where


@pytest.mark.parametrize(
    ("label", "name", "category"),
    [
        ("accounts.User", "phone", Category.CONTACT),
        ("accounts.User", "full_name", Category.IDENTITY),
        ("accounts.Enterprise", "contact_phone", Category.CONTACT),
        ("accounts.Enterprise", "legal_representative", Category.IDENTITY),
        ("surveys.Customer", "phone", Category.CONTACT),
        ("surveys.Customer", "name", Category.IDENTITY),
        ("surveys.Response", "client_address", Category.NETWORK),
        ("surveys.Response", "comment", Category.SURVEY_RESPONSE),
        ("surveys.Rating", "value", Category.SURVEY_RESPONSE),
        ("lifecycle.Case", "complainant_contact", Category.CONTACT),
        ("auditors.AuditorProfile", "qualification_number", Category.IDENTIFIER),
        ("axes.AccessAttempt", "ip_address", Category.NETWORK),
    ],
)
def test_the_obvious_ones_are_where_a_reader_expects_them(label, name, category):
    assert INVENTORY[label].personal[name].category == category


def test_the_survey_personal_data_all_falls_under_the_survey_retention_rule():
    # The retention job anonymises by this rule; a customer's data under another rule would outlive it.
    for label in ("surveys.Customer", "surveys.Response", "surveys.Rating", "surveys.ImportRow", "surveys.CallAttempt"):
        for name, field in INVENTORY[label].personal.items():
            assert field.retention == Retention.SURVEY, f"{label}.{name}"
    # … while the statistics the decision needs are not personal and stay.
    assert {"result_answered", "result_satisfied", "result_passed"} <= set(INVENTORY["surveys.Survey"].not_personal)


def test_credentials_are_sensitive_or_only_hashes():
    for label, name, field in privacy.personal_fields(Category.CREDENTIAL):
        hashed = name in ("token_hash", "session_hash", "tracking_code")
        assert field.sensitivity == Sensitivity.SENSITIVE or hashed, f"{label}.{name}"


def test_personal_fields_filters_by_category():
    contacts = privacy.personal_fields(Category.CONTACT)
    assert ("surveys.Customer", "phone") in {(label, name) for label, name, _ in contacts}
    assert {f.category for _, _, f in contacts} == {Category.CONTACT}
    assert len(privacy.personal_fields()) > len(contacts)


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        (" 13812345678 ", "138****5678"),
        ("020-12345678", "020*****5678"),
        ("+8613812345678", "+86*******5678"),
        ("12345678", "123*5678"),
        ("1234567", "*******"),
        ("110", "***"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("王小明", "王**"),
        ("欧阳娜娜", "欧***"),
        ("李四", "李*"),
        ("王", "王*"),
        ("  张三 ", "张*"),
        ("阿卜杜·热合曼", "阿******"),
        ("Alice", "A****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def test_masks_never_show_more_than_they_promise():
    phone = "13912345678"
    assert mask_phone(phone).count("*") == len(phone) - 7 and "1234" not in mask_phone(phone)
    assert "小明" not in mask_name("王小明")
