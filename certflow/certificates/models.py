from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certflow.certificates.domain import CertificateStatus


class Certificate(models.Model):
    """认证证书. What it says (enterprise, scope, grade, dates) is a snapshot of the day it was issued:
    a later change of the enterprise's name or address does not change a certificate already printed."""

    number = models.CharField(_("证书编号"), max_length=48, unique=True)
    enterprise = models.ForeignKey("accounts.Enterprise", on_delete=models.PROTECT, related_name="certificates")
    # Set by the certification decision; legacy certificates have none.
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, null=True, blank=True, related_name="certificates"
    )
    # Legacy certificates come from an earlier scheme that certflow has no file for: the text fields say which.
    scheme_version = models.ForeignKey(
        "schemes.SchemeVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    scheme_code = models.CharField(_("认证规范"), max_length=64)
    scheme_version_label = models.CharField(_("规范版本"), max_length=16)

    enterprise_name = models.CharField(_("企业名称"), max_length=200)
    enterprise_uscc = models.CharField(_("统一社会信用代码"), max_length=18, db_index=True)
    enterprise_address = models.CharField(_("地址"), max_length=300, blank=True)
    scope_categories = models.JSONField(_("定制商品类别"), default=list, blank=True)
    scope_services = models.JSONField(_("定制服务环节"), default=list, blank=True)
    scope_text = models.TextField(_("认证范围"))
    scope_text_en = models.TextField(_("认证范围（英文）"), blank=True)
    grade_code = models.CharField(_("资质等级代码"), max_length=30)
    grade_name = models.CharField(_("资质等级"), max_length=50)
    grade_name_en = models.CharField(_("资质等级（英文）"), max_length=50, blank=True)

    issued_on = models.DateField(_("颁证日期"))
    expires_on = models.DateField(_("有效期至"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=CertificateStatus.choices, default=CertificateStatus.VALID, db_index=True
    )
    status_since = models.DateField(_("状态生效日"))
    status_reason = models.TextField(_("状态原因"), blank=True)
    is_legacy = models.BooleanField(_("旧版体系证书"), default=False)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )

    signed_payload = models.TextField(_("签名数据"))
    signature = models.CharField(_("数字签名"), max_length=100)
    signing_key_id = models.CharField(_("签名密钥"), max_length=16)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("认证证书")
        verbose_name_plural = _("认证证书")
        ordering = ["-issued_on", "-id"]
        indexes = [
            models.Index(fields=["enterprise", "status"]),
            # The name search is icontains (UPPER(name) LIKE …); on PostgreSQL migration 0002 adds a
            # trigram index for it when pg_trgm can be enabled.
            models.Index(fields=["enterprise_name"]),
            # The public lookup by number is iexact (UPPER(number) = UPPER(…)): without this index every
            # verification scanned all certificates (0.1 s each at 50,000, bench/RESULTS.md).
            models.Index(Upper("number"), name="certificate_number_upper"),
            # The certificate list pages newest first: without it each page sorted every certificate
            # (83 ms of a 100 ms page at 50,000, bench/RESULTS.md).
            models.Index(fields=["-issued_on", "-id"], name="certificate_newest_first"),
            # The certificates under surveillance (valid or suspended, current scheme): the programme counts
            # and pages these only (surveillance decisions SV11).
            models.Index(
                fields=["number", "id"],
                name="certificate_in_force",
                condition=Q(
                    status__in=[CertificateStatus.VALID, CertificateStatus.SUSPENDED],
                    is_legacy=False,
                    scheme_version__isnull=False,
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CertificateStatusChange(models.Model):
    """One change of a certificate's status. History: written once, never edited or deleted."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(_("原状态"), max_length=20, choices=CertificateStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=CertificateStatus.choices)
    effective_on = models.DateField(_("生效日期"))
    reason = models.TextField(_("原因"), blank=True)
    # None: the daily sweep (expiry, transition lapse), not a person.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("证书状态变更")
        verbose_name_plural = _("证书状态变更")
        ordering = ["certificate", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.from_status or '—'} → {self.to_status}"
