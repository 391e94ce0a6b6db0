from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created


def _allow_truncate_for_flush(sender, connection, **kwargs):
    """Let this session TRUNCATE the event table (the PostgreSQL trigger refuses it otherwise).

    Only for the test suite, whose transactional tests end with Django's flush; production never
    sets CERTFLOW_EVENT_LOG_ALLOW_TRUNCATE.
    """
    if connection.vendor == "postgresql" and getattr(settings, "CERTFLOW_EVENT_LOG_ALLOW_TRUNCATE", False):
        with connection.cursor() as cursor:
            cursor.execute("SET certflow.allow_event_truncate = 'on'")


class EventsConfig(AppConfig):
    name = "certflow.core.events"
    label = "events"
    verbose_name = "事件日志 / Event log"

    def ready(self):
        connection_created.connect(_allow_truncate_for_flush, dispatch_uid="certflow.events.allow_truncate")
