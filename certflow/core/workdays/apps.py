from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "certflow.core.workdays"
    label = "workdays"
    verbose_name = "工作日历 / Working-day calendar"
