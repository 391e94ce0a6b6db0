"""Staff pages on one bench database: query count and latency through Django's test client.

    .venv/bin/python bench/staff_pages.py SIZE [--runs N]     prints one JSON object

Each page is fetched as the staff member who works with it (force_login), once to warm up, then N times;
the latency is the median. Queries are counted with CaptureQueriesContext on the last run.
"""

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import setup_django  # noqa: E402


def pages():
    from certflow.accounts.models import User
    from certflow.decisions.models import Decision

    clerk = User.objects.get(email="clerk@olis-cert.example")
    manager = User.objects.get(email="manager@olis-cert.example")
    # The first generated decision still open: the same place in the recipe at every size.
    decision = Decision.objects.filter(status="open", application__reference__startswith="SQB-").order_by("id").first()
    found = [
        ("application queue", "/applications/acceptance/", clerk),
        ("certificate list", "/certificates/", manager),
        ("surveillance dashboard", "/surveillance/", manager),
    ]
    if decision is not None:
        found.append(("decision dossier", f"/decisions/{decision.pk}/", manager))
    return found


def verified_session(client, user) -> None:
    """A session that has passed the second factor, as after the TOTP page (demo staff hold a device)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def measure(runs: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from certflow.certificates.models import Certificate

    out = {"certificates": Certificate.objects.count(), "pages": {}}
    for label, url, user in pages():
        client = Client()
        client.force_login(user)
        verified_session(client, user)
        first = client.get(url)
        if first.status_code != 200:
            raise SystemExit(f"{label}: {url} answered {first.status_code}")
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - start)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        out["pages"][label] = {
            "url": url,
            "queries": len(queries.captured_queries),
            "median_ms": statistics.median(times) * 1000,
            "max_ms": max(times) * 1000,
            "bytes": len(first.content),
        }
    return out


if __name__ == "__main__":
    size = sys.argv[1]
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 10
    setup_django(size)
    print(json.dumps(measure(runs)))
