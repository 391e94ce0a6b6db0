"""The head row of the event chain: created when the log is empty, refused when entries exist without it."""

import pytest

from certflow.core.events.services import record_event, verify_chain


def test_a_flushed_database_starts_a_new_chain_when_the_log_is_empty(db):
    from certflow.core.events.models import ChainHead

    ChainHead.objects.all().delete()
    assert verify_chain().ok
    record_event(actor=None, action="test.first", target_type="x", target_id=1)
    assert verify_chain().ok and ChainHead.objects.get(pk=1).seq == 1


def test_a_missing_head_with_entries_is_refused_and_reported(db):
    from certflow.core.events.models import ChainHead

    record_event(actor=None, action="test.first", target_type="x", target_id=1)
    ChainHead.objects.all().delete()
    assert not verify_chain().ok
    with pytest.raises(RuntimeError, match="tampered"):
        record_event(actor=None, action="test.second", target_type="x", target_id=2)
