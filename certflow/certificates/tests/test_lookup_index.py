"""The public lookup by number is served by an index, not a scan of every certificate (bench/RESULTS.md)."""

import pytest
from django.db import connection

from certflow.certificates.models import Certificate

pytestmark = pytest.mark.django_db


def test_the_number_index_exists():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Certificate._meta.db_table)
    assert constraints["certificate_number_upper"]["index"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_the_public_lookup_query_uses_it():
    # The lookup as public_certificate writes it (number__iexact); with scans disabled, the plan shows
    # whether the index expression matches the query's UPPER(number::text).
    query = Certificate.objects.filter(number__iexact="ols-gz0056-2026-00001").values("pk").query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "certificate_number_upper" in plan, plan
