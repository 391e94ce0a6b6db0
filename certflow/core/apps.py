from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "certflow.core"
    label = "core"
    verbose_name = "certflow core"
