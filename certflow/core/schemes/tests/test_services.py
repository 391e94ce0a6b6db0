"""Recorded scheme versions: created once, never silently changed."""

import pytest

from certflow.core.events.models import Event
from certflow.core.schemes.checks import check_recorded_versions
from certflow.core.schemes.errors import SchemeError
from certflow.core.schemes.loader import load_scheme_text
from certflow.core.schemes.models import SchemeVersion
from certflow.core.schemes.registry import get_scheme
from certflow.core.schemes.services import SchemeVersionConflict, scheme_version_for, scheme_version_sync

pytestmark = pytest.mark.django_db


def edited(shipped_text: str):
    """Same code and version, different bytes: what an in-place edit of a published file looks like."""
    return load_scheme_text(
        shipped_text.replace("    4.1-1: 3\n", "    4.1-1: 2\n").replace("    4.1-2: 3\n", "    4.1-2: 4\n")
    )


def test_first_use_records_the_version_once(cb_admin):
    row = scheme_version_for(actor=cb_admin)
    scheme = get_scheme()
    assert (row.code, row.version, row.sha256) == (scheme.code, scheme.version, scheme.sha256)
    assert row.effective_date == scheme.effective and row.title == "定制商品服务认证规范"
    assert row.source_name == "CTS-OLS-GZ-0056-2025_A0.yaml"
    assert scheme_version_for(scheme) == row
    assert SchemeVersion.objects.count() == 1
    event = Event.objects.get(action="scheme.version_recorded")
    assert event.target_id == str(row.pk) and event.actor_id == cb_admin.pk


def test_the_recorded_content_rebuilds_the_rules():
    row = scheme_version_for()
    rebuilt = SchemeVersion.objects.get(pk=row.pk).as_scheme()
    assert rebuilt.requirements == get_scheme().requirements
    assert rebuilt.pass_threshold == get_scheme().pass_threshold


def test_a_changed_file_for_a_recorded_version_is_refused(shipped_text):
    scheme_version_for()
    with pytest.raises(SchemeVersionConflict) as caught:
        scheme_version_for(edited(shipped_text))
    problem = caught.value.problems[0]
    assert "已发布的版本不得修改" in problem.zh
    assert "a published version must not change" in problem.en and "new version" in problem.en
    assert isinstance(caught.value, SchemeError)
    assert SchemeVersion.objects.get().sha256 == get_scheme().sha256


def test_sync_records_and_is_idempotent():
    first = scheme_version_sync()
    assert [(row.version, created) for row, created in first] == [("A/0", True)]
    assert [(row.version, created) for row, created in scheme_version_sync()] == [("A/0", False)]


def test_sync_refuses_everything_when_one_version_changed(shipped_text):
    scheme_version_sync()
    newer = load_scheme_text(shipped_text.replace("  version: A/0\n", "  version: B/0\n"), origin="b0.yaml")
    with pytest.raises(SchemeVersionConflict):
        scheme_version_sync((edited(shipped_text), newer))
    assert list(SchemeVersion.objects.values_list("version", flat=True)) == ["A/0"]


def test_database_check_names_an_edited_published_file():
    row = scheme_version_for()
    assert check_recorded_versions(databases=["default"]) == []
    SchemeVersion.objects.filter(pk=row.pk).update(sha256="0" * 64)
    errors = check_recorded_versions(databases=["default"])
    assert [e.id for e in errors] == ["schemes.E010"]
    assert check_recorded_versions(databases=None) == []
