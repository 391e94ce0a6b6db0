from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "certflow.accounts"
    label = "accounts"
    verbose_name = "用户与企业 / People and organisations"

    def ready(self):
        from certflow.accounts import signals  # noqa: F401 - connects the sign-in receiver
