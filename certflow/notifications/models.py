"""In-app notifications that are also the e-mail outbox: one row per recipient and message.

The row is written in the same transaction as the action it reports, so a rolled-back action
notifies nobody; the e-mail is sent after commit and retried from the row until it goes out.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SKIPPED = "skipped", _("不发送（无邮箱或账号已停用）")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications", verbose_name=_("接收人")
    )
    enterprise = models.ForeignKey(
        "accounts.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("相关企业"),
    )
    kind = models.CharField(_("类别"), max_length=64, help_text="e.g. application.accepted")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    url = models.CharField(
        _("链接"), max_length=500, blank=True, help_text="a path inside certflow, e.g. /applications/12/"
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    # The e-mail outbox.
    email_status = models.CharField(
        _("邮件状态"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    email_attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    email_last_error = models.TextField(_("最近一次发送错误"), blank=True)
    email_sent_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("下次发送时间"), null=True, blank=True)
    # Set by the sender that claimed the row, so two senders never both send it (see services.deliver_pending).
    email_claim = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
            models.Index(
                fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread_idx"
            ),
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(email_status="pending"),
                name="notification_outbox_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
