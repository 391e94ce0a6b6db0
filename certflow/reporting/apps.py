from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "certflow.reporting"
    label = "reporting"
    verbose_name = "监管报送 / Regulator reporting"
