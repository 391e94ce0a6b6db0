"""Writing to the event log. Every state change calls `record_event` inside its own transaction."""

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from certflow.core.events.chain import (
    HASHED_FIELDS,
    Anchor,
    ChainProblem,
    ChainReport,
    check_anchors,
    check_chain,
    entry_hash,
    to_json_value,
)
from certflow.core.events.models import ChainHead, Event


def _label(actor) -> str:
    if actor is None:
        return "system"
    return getattr(actor, "email", None) or str(actor)


def record_event(
    *,
    actor,
    action: str,
    target: Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> Event:
    """Append one entry. Call it inside the transaction that makes the change, so both land or neither."""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = target.pk
    with transaction.atomic():
        head = _locked_head()
        fields = {
            "seq": head.seq + 1,
            "occurred_at": timezone.now(),
            "actor_id": getattr(actor, "pk", None),
            "actor_label": _label(actor),
            "action": action,
            "target_type": target_type,
            "target_id": str(target_id),
            "before": to_json_value(before),
            "after": to_json_value(after),
            "reason": reason,
            "prev_hash": head.hash,
        }
        digest = entry_hash(fields)
        event = Event.objects.create(hash=digest, **fields)
        head.seq, head.hash = event.seq, digest
        head.save(update_fields=["seq", "hash"])
    return event


GENESIS = {"seq": 0, "hash": "0" * 64}


def _locked_head() -> ChainHead:
    """The head row, locked. An empty log whose head is gone (a flushed database) starts a new chain;
    a log with entries and no head is refused, since dropping the head would hide a truncated tail."""
    try:
        return ChainHead.objects.select_for_update().get(pk=1)
    except ChainHead.DoesNotExist:
        pass
    # Several writers may get here at once: the primary key lets one create the head, the others
    # find it. Only the one that created it checks for orphaned entries, which no writer can add
    # without a head.
    _head, created = ChainHead.objects.get_or_create(pk=1, defaults=GENESIS)
    if created and Event.objects.exists():
        raise RuntimeError(
            "事件日志的链头记录缺失，日志可能被篡改；请运行 certflow verify-log / "
            "the event log's head row is missing and the log may have been tampered with: run certflow verify-log"
        )
    return ChainHead.objects.select_for_update().get(pk=1)


def verify_chain(batch_size: int = 5000) -> ChainReport:
    """Check the whole chain, streaming rows so a long log does not sit in memory."""
    # No head row is read as the genesis head: an empty log verifies, a non-empty one shows a cut tail.
    head = ChainHead.objects.filter(pk=1).values("seq", "hash").first() or GENESIS
    rows = Event.objects.order_by("seq").values(*HASHED_FIELDS, "hash").iterator(chunk_size=batch_size)
    return check_chain(rows, head["seq"], head["hash"])


def chain_head() -> Anchor:
    """The head as the head row states it (seq 0 and the genesis hash for an empty log)."""
    head = ChainHead.objects.filter(pk=1).values("seq", "hash").first() or GENESIS
    return Anchor(head["seq"], head["hash"])


def verify_anchors(anchors: list[Anchor]) -> ChainProblem | None:
    """Check anchors kept outside the database (an anchor file, a backup manifest) against the log."""
    seqs = [anchor.seq for anchor in anchors if anchor.seq]
    stored = dict(Event.objects.filter(seq__in=seqs).values_list("seq", "hash")) if seqs else {}
    return check_anchors(anchors, stored)
