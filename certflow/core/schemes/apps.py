from django.apps import AppConfig


class SchemesConfig(AppConfig):
    name = "certflow.core.schemes"
    label = "schemes"
    verbose_name = "认证规范 / Schemes"

    def ready(self):
        from certflow.core.schemes import checks  # noqa: F401 - registers the system checks
