"""Settings for the test suite: the real settings with fast hashing and mail kept in memory."""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-only-not-secret")
os.environ.setdefault("EMAIL_MODE", "memory")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The suite signs staff in with force_login; the second-factor tests switch the requirement back on.
CERTFLOW_OTP_REQUIRED_FOR_STAFF = False
STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}

# The PostgreSQL append-only trigger on events_event refuses TRUNCATE; transactional tests end with
# Django's flush (a TRUNCATE), so the test suite, and only it, may (docs/decisions.md, event log LG2).
CERTFLOW_EVENT_LOG_ALLOW_TRUNCATE = True

# CERTFLOW_EVENT_AUDIT=<folder>: record how many events each request writes (scripts/event_audit.py).
if os.environ.get("CERTFLOW_EVENT_AUDIT"):
    MIDDLEWARE = [*MIDDLEWARE, "certflow.core.testing.event_audit.EventAuditMiddleware"]  # noqa: F405
