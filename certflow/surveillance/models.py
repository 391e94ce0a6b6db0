"""The record of what the daily sweep told about the surveillance programme, so that it tells it once.

Windows themselves are not stored: they follow from the certificate's dates and its scheme version,
which never change (decisions SV1), and are computed when needed.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certflow.surveillance.domain import ReminderKind


class SurveillanceReminder(models.Model):
    certificate = models.ForeignKey(
        "certificates.Certificate", on_delete=models.PROTECT, related_name="surveillance_reminders"
    )
    window = models.PositiveSmallIntegerField(_("监督周期"))
    kind = models.CharField(_("提醒类型"), max_length=20, choices=ReminderKind.choices)
    day = models.DateField(_("提醒日"))
    window_opens = models.DateField(_("窗口开始"))
    window_closes = models.DateField(_("窗口截止"))
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("监督提醒")
        verbose_name_plural = _("监督提醒")
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["certificate", "window", "kind"], name="surveillance_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} #{self.window} {self.kind} {self.day}"


class SurveillanceSuspension(models.Model):
    """A certificate suspended because a surveillance audit's closing meeting listed a major nonconformity;
    restored when every major one of that audit is verified (6 持续监督 2; decisions SV7)."""

    audit = models.OneToOneField("audits.Audit", on_delete=models.PROTECT, related_name="surveillance_suspension")
    certificate = models.ForeignKey(
        "certificates.Certificate", on_delete=models.PROTECT, related_name="surveillance_suspensions"
    )
    nonconformities = models.JSONField(_("严重不符合项"), default=list)
    reason = models.TextField(_("暂停原因"))
    suspended_on = models.DateField(_("暂停日期"))
    # False when the certificate was already suspended for another cause: nothing to restore for this audit.
    suspended_here = models.BooleanField(default=True)
    restored_on = models.DateField(_("恢复日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("监督审核暂停")
        verbose_name_plural = _("监督审核暂停")
        ordering = ["-suspended_on", "-id"]

    def __str__(self) -> str:
        return f"{self.certificate_id} ← {self.audit_id}"
