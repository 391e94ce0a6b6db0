import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from certflow.core.events.models import ChainHead, Event
from certflow.core.events.services import record_event, verify_chain

# The tampering below needs the PostgreSQL append-only trigger out of the way (see conftest.tamperable).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tamperable")]


@pytest.fixture
def five_events(clerk):
    return [
        record_event(actor=clerk, action="demo.step", target_type="demo", target_id=i, after={"n": i, "名": "甲"})
        for i in range(1, 6)
    ]


def test_an_intact_chain_verifies(five_events):
    report = verify_chain()
    assert report.ok and report.checked == 5


def test_entries_link_to_the_previous_hash(five_events):
    for earlier, later in zip(five_events, five_events[1:], strict=False):
        assert later.prev_hash == earlier.hash
    assert five_events[0].prev_hash == "0" * 64


def test_an_edited_row_is_named(five_events):
    Event.objects.filter(seq=3).update(after={"n": 999})
    report = verify_chain()
    assert not report.ok and report.problem.seq == 3
    assert "修改" in report.problem.zh


def test_an_edited_actor_label_is_caught(five_events):
    Event.objects.filter(seq=2).update(actor_label="someone-else@example.com")
    assert verify_chain().problem.seq == 2


def test_a_deleted_row_is_caught(five_events):
    Event.objects.filter(seq=3).delete()
    report = verify_chain()
    assert report.problem.seq == 4


def test_a_deleted_last_row_is_caught_by_the_head(five_events):
    Event.objects.filter(seq=5).delete()
    report = verify_chain()
    assert not report.ok and report.problem.seq is None


def test_reordered_rows_are_caught(five_events):
    with transaction.atomic():
        Event.objects.filter(seq=2).update(seq=1000)
        Event.objects.filter(seq=3).update(seq=2)
        Event.objects.filter(seq=1000).update(seq=3)
    assert verify_chain().problem.seq == 2


def test_an_inserted_row_is_caught(five_events):
    Event.objects.filter(seq__gte=3).update(seq=models_f("seq") + 1000)
    forged = Event.objects.get(seq=1003)
    Event.objects.create(
        seq=3,
        occurred_at=forged.occurred_at,
        actor_label="x",
        action="forged",
        prev_hash=five_events[1].hash,
        hash="f" * 64,
    )
    Event.objects.filter(seq__gte=1003).update(seq=models_f("seq") - 999)
    assert verify_chain().problem.seq == 3


def models_f(name):
    from django.db.models import F

    return F(name)


def test_verify_log_command_names_the_broken_entry(five_events):
    call_command("verify_log")
    Event.objects.filter(seq=4).update(reason="changed afterwards")
    with pytest.raises(CommandError, match="#4"):
        call_command("verify_log")


def test_event_is_rolled_back_with_the_change(clerk):
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(actor=clerk, action="demo.step")
        raise RuntimeError("the change failed")
    assert not Event.objects.exists()
    assert ChainHead.objects.get().seq == 0
    assert verify_chain().ok


def test_raw_sql_tampering_is_caught(five_events):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE events_event SET action = %s WHERE seq = %s", ["tampered", 1])
    assert verify_chain().problem.seq == 1


def test_system_events_have_no_actor():
    event = record_event(actor=None, action="tick.ran")
    assert event.actor_label == "system"
    assert verify_chain().ok
