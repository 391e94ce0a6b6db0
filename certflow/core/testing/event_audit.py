"""How many events each request wrote, and which record tables, recorded while the test suite runs (issue 10,
item 4).

Switched on by CERTFLOW_EVENT_AUDIT=<folder> (config/test_settings.py adds the middleware then). Each
request through the test client appends one JSON line — route name, method, status, events written, the
tables it inserted into, updated or deleted from — to a file per process in that folder;
`scripts/event_audit.py` joins them with the permission matrix's list of writes. The event count comes from
Event's post_save signal and the tables from a wrapper that reads each statement's text, so the audit runs no
query of its own and the suite's query-count assertions hold with it on.

"In the same transaction" is measured too: each record write and each event is put down to the outermost atomic
block the request itself opened (named by its savepoint, since a test runs inside the test case's own
transaction), or to none; the script then requires every transaction that wrote the record to have written an
event, and no record write outside a transaction.
"""

import json
import os
import re
import threading
from pathlib import Path

from django.contrib import messages
from django.db import connection
from django.db.models.signals import post_save

WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)"?', re.IGNORECASE)
# Tables whose rows are not the certification record: sessions, sign-in throttling and second-factor
# counters, the event log itself, notifications (messages about records), the personal-data access
# record (its own log, decisions PD2), and a customer-list import's progress and checked rows (working data
# of the job; the list it replaces is written with its event).
NOT_RECORD_TABLES = re.compile(
    r"^(django_session|axes_|otp_|events_|notifications_|surveys_personaldataaccess|django_admin_log"
    r"|surveys_importjob$|surveys_importrow$)"
)
# Django's sign-in stamps the account's last sign-in time: a session fact, not the record.
NOT_RECORD_STATEMENT = re.compile(r'^\s*UPDATE\s+"?accounts_user"?\s+SET\s+"?last_login"?\s*=\s*%s\s+WHERE', re.I)

_local = threading.local()


def _transaction() -> str:
    """The request's own outermost atomic block at this moment, or "" outside any."""
    blocks, sids = connection.atomic_blocks, connection.savepoint_ids
    base_blocks, base_sids = _local.base
    if len(blocks) <= base_blocks:
        return ""
    sid = sids[base_sids] if len(sids) > base_sids else None
    # No savepoint: the request opened the real transaction itself (a transactional test) or savepoint=False.
    return sid or f"block-{id(blocks[base_blocks])}"


def _tally(kind: str) -> None:
    tally = _local.transactions.setdefault(_transaction(), {"writes": 0, "events": 0})
    tally[kind] += 1


def _count(sender, instance, created, **kwargs):
    if created and getattr(_local, "events", None) is not None:
        _local.events.append(instance.action)
        _tally("events")


def _connect():
    from certflow.core.events.models import Event

    post_save.connect(_count, sender=Event, dispatch_uid="certflow-event-audit")


def _watch(tables: set[str]):
    def wrapper(execute, sql, params, many, context):
        match = WRITE.match(sql)
        if match and not NOT_RECORD_TABLES.match(match.group(1)) and not NOT_RECORD_STATEMENT.match(sql):
            tables.add(match.group(1))
            _tally("writes")
        return execute(sql, params, many, context)

    return wrapper


class EventAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.folder = Path(os.environ["CERTFLOW_EVENT_AUDIT"])
        self.folder.mkdir(parents=True, exist_ok=True)
        _connect()

    def __call__(self, request):
        _local.events, _local.transactions = [], {}
        _local.base = (len(connection.atomic_blocks), len(connection.savepoint_ids))
        tables: set[str] = set()
        try:
            with connection.execute_wrapper(_watch(tables)):
                response = self.get_response(request)
        finally:
            events, _local.events = _local.events, None
            transactions, _local.transactions = _local.transactions, {}
        match = getattr(request, "resolver_match", None)
        # A page that refuses redirects too, with an error message queued for the next page.
        queued = getattr(getattr(request, "_messages", None), "_queued_messages", [])
        record = {
            "refused": any(m.level >= messages.ERROR for m in queued),
            "route": match.view_name if match else "",
            "method": request.method,
            "status": response.status_code,
            "events": len(events),
            "actions": events,
            "tables": sorted(tables),
            # Per transaction the request opened ("" = outside any): record rows written, events written.
            "transactions": [[name, t["writes"], t["events"]] for name, t in transactions.items()],
            "test": os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0],
        }
        with open(self.folder / f"{os.getpid()}.jsonl", "a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return response
