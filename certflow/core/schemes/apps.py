from django.apps import AppConfig


class SchemesConfig(AppConfig):
    name = "certflow.core.schemes"
    label = "schemes"
    verbose_name = "认证规范 / Schemes"
