from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "certflow.decisions"
    label = "decisions"
    verbose_name = "认证决定 / Certification decision"
