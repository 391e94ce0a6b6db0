from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "certflow.core.events"
    label = "events"
    verbose_name = "事件日志 / Event log"
