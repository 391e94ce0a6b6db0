from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "certflow.audits"
    label = "audits"
    verbose_name = "现场审核 / On-site audits"
