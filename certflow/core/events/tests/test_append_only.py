"""On PostgreSQL the database refuses to change or remove event rows (trigger from migration 0003)."""

import pytest
from django.db import DatabaseError, connection, transaction

from certflow.core.events.models import Event
from certflow.core.events.services import record_event, verify_chain

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only (decision LG3)")


@pytest.fixture
def log():
    return [record_event(actor=None, action="demo.step", target_type="demo", target_id=i) for i in range(1, 4)]


def _refused(statement):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        statement()


def _raw(sql, params=()):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    return run


def test_orm_update_is_refused(log):
    _refused(lambda: Event.objects.filter(seq=2).update(action="tampered"))
    event = Event.objects.get(seq=2)
    event.reason = "tampered"
    _refused(event.save)
    assert Event.objects.get(seq=2).action == "demo.step"


def test_orm_delete_is_refused(log):
    _refused(lambda: Event.objects.filter(seq=3).delete())
    _refused(Event.objects.get(seq=1).delete)
    assert Event.objects.count() == 3


def test_raw_sql_update_and_delete_are_refused(log):
    _refused(_raw("UPDATE events_event SET action = %s WHERE seq = %s", ["tampered", 1]))
    _refused(_raw("DELETE FROM events_event WHERE seq = %s", [3]))
    _refused(_raw("DELETE FROM events_event"))
    assert verify_chain().ok and verify_chain().checked == 3


def test_truncate_is_refused_unless_the_session_allows_it(log):
    # The inserts' deferred foreign-key checks must run first, or PostgreSQL refuses any TRUNCATE.
    _raw("SET CONSTRAINTS ALL IMMEDIATE")()
    with transaction.atomic():
        _raw("SET LOCAL certflow.allow_event_truncate = 'off'")()
        _refused(_raw("TRUNCATE events_event CASCADE"))
    assert Event.objects.count() == 3
    with transaction.atomic():
        _raw("SET LOCAL certflow.allow_event_truncate = 'on'")()
        _raw("TRUNCATE events_event")()
        assert not Event.objects.exists()
        transaction.set_rollback(True)
    assert Event.objects.count() == 3


def test_appending_still_works(log):
    record_event(actor=None, action="demo.more")
    assert verify_chain().checked == 4


def test_the_triggers_are_installed():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'events_event'::regclass AND NOT tgisinternal ORDER BY 1"
        )
        names = [row[0] for row in cursor.fetchall()]
    assert names == ["events_event_no_truncate", "events_event_no_update_delete"]
