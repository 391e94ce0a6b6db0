"""How many events each request wrote, recorded while the test suite runs (issue 10, item 4).

Switched on by CERTFLOW_EVENT_AUDIT=<folder> (config/test_settings.py adds the middleware then). Each
request through the test client appends one JSON line — route name, method, status, events written — to a
file per process in that folder; `scripts/event_audit.py` joins them with the permission matrix's list of
writes. The count comes from Event's post_save signal, so it costs no query and the suite's query-count
assertions hold with the audit on.
"""

import json
import os
import threading
from pathlib import Path

from django.contrib import messages
from django.db.models.signals import post_save

_local = threading.local()


def _count(sender, instance, created, **kwargs):
    if created and getattr(_local, "events", None) is not None:
        _local.events += 1


def _connect():
    from certflow.core.events.models import Event

    post_save.connect(_count, sender=Event, dispatch_uid="certflow-event-audit")


class EventAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.folder = Path(os.environ["CERTFLOW_EVENT_AUDIT"])
        self.folder.mkdir(parents=True, exist_ok=True)
        _connect()

    def __call__(self, request):
        _local.events = 0
        try:
            response = self.get_response(request)
        finally:
            events, _local.events = _local.events, None
        match = getattr(request, "resolver_match", None)
        # A page that refuses redirects too, with an error message queued for the next page.
        queued = getattr(getattr(request, "_messages", None), "_queued_messages", [])
        record = {
            "refused": any(m.level >= messages.ERROR for m in queued),
            "route": match.view_name if match else "",
            "method": request.method,
            "status": response.status_code,
            "events": events,
            "test": os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0],
        }
        with open(self.folder / f"{os.getpid()}.jsonl", "a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return response
