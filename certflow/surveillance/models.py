"""The record of what the daily sweep told about the surveillance programme, so that it tells it once, and
each certificate's next obligation, kept for the dashboard.

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


class NextObligation(models.Model):
    """A certificate's first surveillance obligation not yet done, as the audits left it (decisions SV11).

    Nothing here depends on the day: which obligation is next changes only when an audit is held, opened or
    cancelled, and its window never moves. The day turns it into a state (overdue, planned, due, not yet open)
    in the query, so the dashboard counts, filters and pages in the database instead of computing every
    certificate's programme per request. Written by `certflow.surveillance.programme_state` whenever an audit
    or a certificate of the enterprise is saved; a certificate without a row is computed on the next read.
    """

    certificate = models.OneToOneField(
        "certificates.Certificate", on_delete=models.CASCADE, primary_key=True, related_name="next_obligation"
    )
    # All three None once every obligation is done.
    window = models.PositiveSmallIntegerField(null=True)
    opens = models.DateField(null=True)
    closes = models.DateField(null=True)
    recertification_counts = models.BooleanField(default=False)
    planned = models.BooleanField(default=False)
    planned_late = models.BooleanField(default=False)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("下一次监督")
        verbose_name_plural = _("下一次监督")
        indexes = [models.Index(fields=["closes", "opens"], name="next_obligation_window")]

    def __str__(self) -> str:
        return f"{self.certificate_id} #{self.window}"
