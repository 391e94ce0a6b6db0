from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "certflow.applications"
    label = "applications"
    verbose_name = "认证申请 / Applications"
