"""Settings for the test suite: the real settings with fast hashing and mail kept in memory."""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-only-not-secret")
os.environ.setdefault("EMAIL_MODE", "memory")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
