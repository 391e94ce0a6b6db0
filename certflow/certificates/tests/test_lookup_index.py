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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_the_fixed_public_lookup_statement_uses_it():
    from certflow.certificates.selectors import PUBLIC_LOOKUP_SQL

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {PUBLIC_LOOKUP_SQL}", ["ols-gz0056-2026-00001"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "certificate_number_upper" in plan, plan


def test_a_lookup_is_one_query_and_a_replaced_certificate_names_its_successor(
    certificate_a, programme_manager, django_assert_num_queries
):
    from datetime import date

    from certflow.certificates.selectors import public_certificate
    from certflow.certificates.services import certificate_reduce_scope

    with django_assert_num_queries(1):
        found = public_certificate(certificate_a.number.lower())
        assert found.pk == certificate_a.pk
        assert getattr(found, "superseded_by", None) is None
    assert public_certificate("OLS-GZ0056-1999-99999") is None

    replacement = certificate_reduce_scope(
        by=programme_manager,
        certificate=certificate_a,
        categories=list(certificate_a.scope_categories),
        services=list(certificate_a.scope_services)[:1],
        reason="部分服务环节不再满足要求",
        today=date.today(),
    )
    old = public_certificate(certificate_a.number)
    assert old.status == "superseded" and old.superseded_by.number == replacement.number
