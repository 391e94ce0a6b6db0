from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certflow.certificates"
    label = "certificates"
    verbose_name = "认证证书 / Certificates"

    def ready(self):
        # A malformed number format must stop start-up, not the first certificate of the year.
        from django.conf import settings

        from certflow.certificates.domain import validate_number_format
        from certflow.certificates.ratelimit import parse_rate

        validate_number_format(settings.CERTFLOW_CERTIFICATE_NUMBER_FORMAT)
        parse_rate(settings.CERTFLOW_VERIFY_PAGE_RATE)
