"""On PostgreSQL, refuse UPDATE, DELETE and TRUNCATE of event rows in the database itself.

The hash chain *detects* tampering; this trigger *prevents* it for anyone using the application's
role who does not first alter the table (an act that needs DDL and shows in the server log). TRUNCATE
is let through only for a session that has set `certflow.allow_event_truncate = on`, which the test
suite's flush needs (see `certflow.core.events.apps` and docs/decisions.md, LG2).
SQLite gets no trigger: whoever can write the file can drop it, so it would guard nothing (LG3).
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION certflow_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('certflow.allow_event_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'certflow: the event log is append-only; % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = '事件日志只允许追加，不得修改或删除 / event rows may only be inserted';
END;
$$;
"""

TRIGGERS = """
CREATE TRIGGER events_event_no_update_delete
    BEFORE UPDATE OR DELETE ON events_event
    FOR EACH ROW EXECUTE FUNCTION certflow_events_append_only();
CREATE TRIGGER events_event_no_truncate
    BEFORE TRUNCATE ON events_event
    FOR EACH STATEMENT EXECUTE FUNCTION certflow_events_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS events_event_no_truncate ON events_event;
DROP TRIGGER IF EXISTS events_event_no_update_delete ON events_event;
DROP FUNCTION IF EXISTS certflow_events_append_only();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # A plain cursor without parameters: the function body's "%" are PL/pgSQL's, not placeholders.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(FUNCTION)
            cursor.execute(TRIGGERS)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("events", "0002_chain_head")]
    operations = [migrations.RunPython(install, remove)]
