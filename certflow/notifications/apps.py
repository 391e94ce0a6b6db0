from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "certflow.notifications"
    label = "notifications"
    verbose_name = "通知 / Notifications"
