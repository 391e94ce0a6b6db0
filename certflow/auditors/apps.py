from django.apps import AppConfig


class AuditorsConfig(AppConfig):
    name = "certflow.auditors"
    label = "auditors"
    verbose_name = "审核员注册 / Auditor register"
