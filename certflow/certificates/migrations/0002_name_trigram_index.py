"""On PostgreSQL, a trigram index for the partial-name search, when pg_trgm can be enabled.

The name search is `icontains`, which Django writes as UPPER(name::text) LIKE UPPER('%…%'); a B-tree
cannot serve a leading wildcard, a trigram GIN index on the same expression can. Creating the
extension needs the right to do so (pg_trgm is a trusted extension from PostgreSQL 13, so a database
owner may); where it is refused the migration leaves the plain index of 0001 and goes on, so
`migrate` never fails for it (decisions C7). The index lives outside the model state on purpose:
SQLite has no such index type.
"""

from django.db import DatabaseError, migrations, transaction

INDEX = "certificates_name_trgm"


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {INDEX} ON certificates_certificate "
                    "USING gin ((UPPER(enterprise_name::text)) gin_trgm_ops)"
                )
    except DatabaseError:
        # No right to enable pg_trgm here: the plain index stays; searches still work, just scan.
        return


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("certificates", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
