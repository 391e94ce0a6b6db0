from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "certflow.accounts"
    label = "accounts"
    verbose_name = "用户与企业 / People and organisations"

    def ready(self):
        from django.conf import settings

        from certflow.accounts import signals  # noqa: F401 - connects the sign-in receiver
        from certflow.core.ratelimit import parse_rate

        # A malformed rate must stop start-up, not the first registration.
        parse_rate(settings.CERTFLOW_REGISTER_PAGE_RATE, "CERTFLOW_REGISTER_PAGE_RATE")
