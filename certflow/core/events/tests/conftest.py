import pytest
from django.db import connection


@pytest.fixture
def tamperable(db):
    """Play the intruder who owns the table: on PostgreSQL switch off the append-only trigger for this
    test's transaction (rolled back with it), so the tests show what the chain catches without it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE events_event DISABLE TRIGGER USER")
    return connection
