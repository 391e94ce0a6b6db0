"""The auditor register (审核员注册): qualification, competence, declared conflicts, unavailable dates.

Clause 6 现场审核 (qualified auditors who know custom-goods design and production) and ISO/IEC 17021-1
5.2 and 7.1/7.2. Nothing is deleted: conflicts are withdrawn, and every change is in the event log.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from certflow.auditors.domain import AuditorLevel

__all__ = ["AuditorLevel", "AuditorProfile", "Competence", "ConflictDeclaration", "Unavailability"]


class AuditorProfile(models.Model):
    """One CB staff member's place in the register."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="auditor_profile", verbose_name=_("人员")
    )
    qualification_number = models.CharField(_("资格证书编号"), max_length=60, unique=True)
    level = models.CharField(_("级别"), max_length=20, choices=AuditorLevel.choices, default=AuditorLevel.AUDITOR)
    valid_from = models.DateField(_("资格生效日期"))
    valid_until = models.DateField(_("资格有效期至"), db_index=True)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("审核员资格")
        verbose_name_plural = _("审核员资格")
        ordering = ["user__full_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")), name="auditor_validity_in_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.qualification_number} {self.user.full_name or self.user.email}"


class Competence(models.Model):
    """专业能力: competence for one custom-goods category of the scope (scheme `scope.categories`)."""

    profile = models.ForeignKey(AuditorProfile, on_delete=models.PROTECT, related_name="competences")
    category = models.CharField(pgettext_lazy("auditors", "定制商品类别"), max_length=60)
    granted_on = models.DateField(_("认定日期"), default=timezone.localdate)
    basis = models.TextField(_("认定依据"), blank=True)
    # Nothing is hard-deleted: a removed competence keeps its row; read current ones through selectors.
    removed_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("专业能力")
        verbose_name_plural = _("专业能力")
        ordering = ["profile", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "category"],
                condition=models.Q(removed_at__isnull=True),
                name="one_competence_per_category",
            )
        ]

    def __str__(self) -> str:
        return f"{self.profile.qualification_number}: {self.category}"


class ConflictDeclaration(models.Model):
    """利益冲突声明 with one enterprise, until a day (inclusive) or without end. Withdrawn, never deleted."""

    profile = models.ForeignKey(AuditorProfile, on_delete=models.PROTECT, related_name="conflicts")
    enterprise = models.ForeignKey(
        "accounts.Enterprise",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("auditors", "企业"),
    )
    until = models.DateField(_("冲突截止日期"), null=True, blank=True)
    reason = models.TextField(_("冲突原因"))
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("声明人")
    )
    declared_at = models.DateTimeField(_("声明时间"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_reason = models.TextField(_("撤回理由"), blank=True)

    class Meta:
        verbose_name = _("利益冲突声明")
        verbose_name_plural = _("利益冲突声明")
        ordering = ["profile", "-declared_at", "-id"]
        indexes = [models.Index(fields=["enterprise", "withdrawn_at"])]

    def __str__(self) -> str:
        return f"{self.profile.qualification_number} ↔ {self.enterprise_id}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class Unavailability(models.Model):
    """不可安排日期: an inclusive period the auditor cannot audit."""

    profile = models.ForeignKey(AuditorProfile, on_delete=models.PROTECT, related_name="unavailable_periods")
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Nothing is hard-deleted: a removed period keeps its row; read current ones through selectors.
    removed_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("不可安排日期")
        verbose_name_plural = _("不可安排日期")
        ordering = ["profile", "start", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="unavailability_in_order")
        ]

    def __str__(self) -> str:
        return f"{self.profile.qualification_number}: {self.start}–{self.end}"
