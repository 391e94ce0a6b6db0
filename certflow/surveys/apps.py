from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "certflow.surveys"
    label = "surveys"
    verbose_name = "用户满意度调查 / Satisfaction survey"
