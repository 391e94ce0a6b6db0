from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certflow.decisions.domain import DecisionStatus, Vote


class Decision(models.Model):
    """认证决定 for one application (clause 6 认证决定 1–2).

    While open, the dossier is computed from the records each time it is shown; when decided it is
    frozen into `dossier` (and its SHA-256 into the event), so what the committee saw stays on file.
    """

    application = models.OneToOneField("applications.Application", on_delete=models.PROTECT, related_name="decision")
    enterprise = models.ForeignKey("accounts.Enterprise", on_delete=models.PROTECT, related_name="decisions")
    status = models.CharField(
        _("状态"), max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.OPEN, db_index=True
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    dossier = models.JSONField(_("决定材料"), default=dict, blank=True)
    score = models.DecimalField(_("评分"), max_digits=6, decimal_places=2, null=True, blank=True)
    grade_code = models.CharField(_("资质等级"), max_length=30, blank=True)
    reasons = models.JSONField(_("不予认证理由"), default=list, blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    certificate = models.OneToOneField(
        "certificates.Certificate", on_delete=models.PROTECT, null=True, blank=True, related_name="decision"
    )
    # The refusal notice as the enterprise received it.
    notice_storage_name = models.CharField(max_length=300, blank=True)
    notice_sha256 = models.CharField(max_length=64, blank=True)
    notice_size = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("认证决定")
        verbose_name_plural = _("认证决定")
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["enterprise", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(status="open") | Q(decided_on__isnull=False), name="decided_has_date"),
            models.CheckConstraint(
                condition=~Q(status="granted") | Q(certificate__isnull=False), name="granted_has_certificate"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.status}"


class CommitteeMember(models.Model):
    """A technical committee member sitting on one decision. Removed members keep their row."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="committee_seats")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    # The member's own statement, at the first vote, that nothing ties him to the enterprise.
    impartiality_declared_at = models.DateTimeField(_("公正性声明时间"), null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_reason = models.TextField(_("退出原因"), blank=True)

    class Meta:
        verbose_name = _("技术委员会委员")
        verbose_name_plural = _("技术委员会委员")
        ordering = ["decision", "assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "user"], condition=Q(removed_at__isnull=True), name="one_seat_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.decision_id}: {self.user_id}"


class Opinion(models.Model):
    """A member's vote and reasons. Changed only while the decision is open; every change is an event."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="opinions")
    member = models.ForeignKey(CommitteeMember, on_delete=models.PROTECT, related_name="opinions")
    vote = models.CharField(_("表决意见"), max_length=10, choices=Vote.choices)
    reasoning = models.TextField(_("意见说明"), blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("委员意见")
        verbose_name_plural = _("委员意见")
        ordering = ["decision", "recorded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["member"], name="one_opinion_per_seat")]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.vote}"
