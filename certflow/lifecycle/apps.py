from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    name = "certflow.lifecycle"
    label = "lifecycle"
    verbose_name = "证书生命周期 / Certificate lifecycle"
