from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "certflow.core.workdays"
    label = "workdays"
    verbose_name = "工作日历 / Working-day calendar"

    def ready(self):
        # Connects the receivers that clear the cached calendar when an override is saved.
        from certflow.core.workdays import selectors  # noqa: F401
