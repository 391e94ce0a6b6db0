"""Every kind of tampering with stored event rows is caught by verify_chain / `certflow verify-log`.

Runs on SQLite and PostgreSQL; on PostgreSQL the append-only trigger is switched off first (the
intruder owns the table), and test_append_only.py shows the trigger itself.
"""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F

from certflow.core.events.chain import GENESIS_HASH, HASHED_FIELDS, entry_hash
from certflow.core.events.models import ChainHead, Event
from certflow.core.events.services import chain_head, record_event, verify_chain
from certflow.core.testing.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tamperable")]


@pytest.fixture
def log(clerk):
    return [
        record_event(
            actor=clerk,
            action="demo.step",
            target_type="demo",
            target_id=i,
            before={"n": i - 1},
            after={"n": i, "名": "甲"},
            reason=f"step {i}",
        )
        for i in range(1, 7)
    ]


def _edit(field, event):
    """A plausible forged value for one column of `event`."""
    if field == "seq":
        return 99
    if field == "occurred_at":
        return event.occurred_at + timedelta(microseconds=1)
    if field == "actor_id":
        return UserFactory().pk
    if field in ("before", "after"):
        return {"n": 1000}
    if field in ("prev_hash", "hash"):
        return "e" * 64
    return getattr(event, field) + "x"


@pytest.mark.parametrize("field", [*HASHED_FIELDS, "hash"])
def test_an_edit_of_any_stored_field_is_detected(log, field):
    Event.objects.filter(seq=3).update(**{field: _edit(field, log[2])})
    report = verify_chain()
    assert not report.ok
    # Every edit is caught at the edited entry, except a changed seq, which leaves a gap there.
    assert report.problem.seq == (4 if field == "seq" else 3)
    assert report.checked == 2


def test_an_edit_of_the_first_entry_is_detected(log):
    Event.objects.filter(seq=1).update(action="demo.other")
    assert verify_chain().problem.seq == 1


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(log):
    row = Event.objects.filter(seq=3).values(*HASHED_FIELDS).get()
    row["reason"] = "rewritten"
    Event.objects.filter(seq=3).update(reason="rewritten", hash=entry_hash(row))
    report = verify_chain()
    assert report.problem.seq == 4 and "link" in report.problem.en


def test_a_deletion_in_the_middle_is_detected(log):
    Event.objects.filter(seq=3).delete()
    report = verify_chain()
    assert report.problem.seq == 4 and report.checked == 2


def test_a_deletion_of_the_first_entry_is_detected(log):
    Event.objects.filter(seq=1).delete()
    assert verify_chain().problem.seq == 2


def test_a_deletion_in_the_middle_with_renumbering_is_detected(log):
    Event.objects.filter(seq=3).delete()
    Event.objects.filter(seq__gt=3).update(seq=F("seq") + 100)
    Event.objects.filter(seq__gt=100).update(seq=F("seq") - 101)
    report = verify_chain()
    assert report.problem.seq == 3 and "link" in report.problem.en


def test_a_deletion_at_the_end_is_caught_by_the_head(log):
    Event.objects.filter(seq__gte=5).delete()
    report = verify_chain()
    assert not report.ok and report.problem.seq is None and report.checked == 4


def test_a_deletion_of_every_entry_is_caught_by_the_head(log):
    Event.objects.all().delete()
    report = verify_chain()
    assert not report.ok and report.checked == 0


def test_a_tail_cut_with_the_head_rewound_is_caught_only_by_an_external_anchor(log):
    anchor = chain_head()
    Event.objects.filter(seq__gte=5).delete()
    ChainHead.objects.filter(pk=1).update(seq=4, hash=log[3].hash)
    # The chain is internally consistent again: this is why the head must also be kept outside.
    assert verify_chain().ok
    with pytest.raises(CommandError, match="#6.*removed from the end"):
        call_command("verify_log", expect=[str(anchor)])


def test_a_rewrite_with_every_later_hash_recomputed_is_caught_by_an_external_anchor(log):
    anchor = chain_head()
    rows = list(Event.objects.order_by("seq").values(*HASHED_FIELDS))
    prev = log[1].hash
    with transaction.atomic():
        for row in rows[2:]:
            if row["seq"] == 3:
                row["after"] = {"n": 3, "名": "乙"}
            row["prev_hash"] = prev
            prev = entry_hash(row)
            Event.objects.filter(seq=row["seq"]).update(after=row["after"], prev_hash=row["prev_hash"], hash=prev)
        ChainHead.objects.filter(pk=1).update(hash=prev)
    assert verify_chain().ok
    with pytest.raises(CommandError, match="#6.*rewritten"):
        call_command("verify_log", expect=[str(anchor)])


def test_swapped_sequence_numbers_are_detected(log):
    with transaction.atomic():
        Event.objects.filter(seq=2).update(seq=1000)
        Event.objects.filter(seq=4).update(seq=2)
        Event.objects.filter(seq=1000).update(seq=4)
    assert verify_chain().problem.seq == 2


def test_swapped_contents_are_detected(log):
    second, fifth = (Event.objects.filter(seq=s).values("action", "after", "reason").get() for s in (2, 5))
    Event.objects.filter(seq=2).update(**fifth)
    Event.objects.filter(seq=5).update(**second)
    assert verify_chain().problem.seq == 2


def test_adjacent_entries_moved_whole_are_detected(log):
    """Two entries exchange places with their hashes: each hash still matches its content, the links do not."""
    with transaction.atomic():
        Event.objects.filter(seq=3).update(seq=1000)
        Event.objects.filter(seq=4).update(seq=3)
        Event.objects.filter(seq=1000).update(seq=4)
    report = verify_chain()
    assert report.problem.seq == 3 and "link" in report.problem.en


def _forge(seq, prev_hash, **overrides):
    fields = {
        "seq": seq,
        "occurred_at": Event.objects.get(seq=2).occurred_at,
        "actor_id": None,
        "actor_label": "system",
        "action": "forged",
        "target_type": "",
        "target_id": "",
        "before": None,
        "after": None,
        "reason": "",
        "prev_hash": prev_hash,
        **overrides,
    }
    return Event.objects.create(hash=entry_hash(fields), **fields)


def test_an_insertion_in_the_middle_is_detected(log):
    Event.objects.filter(seq__gte=3).update(seq=F("seq") + 1000)
    _forge(3, log[1].hash)
    Event.objects.filter(seq__gte=1003).update(seq=F("seq") - 999)
    report = verify_chain()
    # The forged entry links correctly and hashes correctly; the entry after it no longer does.
    assert report.problem.seq == 4 and report.checked == 3


def test_an_insertion_with_a_duplicate_gap_is_detected(log):
    Event.objects.filter(seq=6).update(seq=8)
    _forge(7, log[5].hash)
    assert verify_chain().problem.seq == 7


def test_an_entry_added_at_the_end_without_the_head_is_detected(log):
    _forge(7, log[5].hash)
    report = verify_chain()
    assert not report.ok and report.problem.seq is None


def test_the_genesis_link_cannot_be_replaced(log):
    Event.objects.filter(seq=1).update(prev_hash="1" * 64)
    assert verify_chain().problem.seq == 1


def test_verify_log_reports_the_head_for_an_external_copy(log, capsys):
    call_command("verify_log")
    out = capsys.readouterr().out
    assert "6 entries" in out and f"6:{log[-1].hash}" in out


def test_an_anchor_file_is_checked_and_extended(log, tmp_path):
    anchors = tmp_path / "anchors.jsonl"
    call_command("verify_log", anchor_file=anchors)
    assert f'"seq": 6, "hash": "{log[-1].hash}"' in anchors.read_text()
    record_event(actor=None, action="demo.more")
    call_command("verify_log", anchor_file=anchors)
    assert len(anchors.read_text().splitlines()) == 2
    call_command("verify_log", anchor_file=anchors)  # nothing new: no duplicate line
    assert len(anchors.read_text().splitlines()) == 2

    Event.objects.filter(seq=7).delete()
    ChainHead.objects.filter(pk=1).update(seq=6, hash=log[-1].hash)
    with pytest.raises(CommandError, match="#7"):
        call_command("verify_log", anchor_file=anchors)
    assert len(anchors.read_text().splitlines()) == 2


def test_a_malformed_anchor_is_a_clear_error(log, tmp_path):
    with pytest.raises(CommandError, match="SEQ:HASH"):
        call_command("verify_log", expect=["7:nothex"])
    bad = tmp_path / "anchors.jsonl"
    bad.write_text('{"seq": 1}\n')
    with pytest.raises(CommandError, match="anchors.jsonl:1"):
        call_command("verify_log", anchor_file=bad)


def test_the_empty_log_anchor_verifies(db):
    call_command("verify_log", expect=[f"0:{GENESIS_HASH}"])
    with pytest.raises(CommandError, match="empty log"):
        call_command("verify_log", expect=[f"0:{'1' * 64}"])
