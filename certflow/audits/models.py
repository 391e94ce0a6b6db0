"""On-site audits: the audit, its team, the date negotiation, plan, notice, findings and closing meeting.

One `Audit` model serves initial, surveillance, re-certification and special audits (clause 6
现场审核 and 持续监督). Nonconformities raised on site are `reviews.Nonconformity` rows with
`stage=onsite_audit` (or surveillance) and `audit` set, so the correction loop is the shared one.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certflow.applications.models import SiteKind
from certflow.audits.domain import AuditStatus, AuditType
from certflow.core.models import StoredFile
from certflow.reviews.domain import ChecklistResult


class Audit(models.Model):
    reference = models.CharField(_("审核编号"), max_length=30, unique=True)
    enterprise = models.ForeignKey("accounts.Enterprise", on_delete=models.PROTECT, related_name="audits")
    # Initial and re-certification audits belong to an application; surveillance audits to a certificate.
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, null=True, blank=True, related_name="audits"
    )
    certificate = models.ForeignKey(
        "certificates.Certificate", on_delete=models.PROTECT, null=True, blank=True, related_name="audits"
    )
    # The surveillance obligation (the n-th window of the certificate's programme) this audit is for.
    surveillance_window = models.PositiveSmallIntegerField(_("监督周期"), null=True, blank=True)
    scheme_version = models.ForeignKey("schemes.SchemeVersion", on_delete=models.PROTECT, related_name="+")
    audit_type = models.CharField(_("审核类型"), max_length=20, choices=AuditType.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=AuditStatus.choices, default=AuditStatus.PLANNING, db_index=True
    )
    # The agreed audit days (ISO dates, sorted); first/last are kept for queries and the notice rule.
    days = models.JSONField(_("审核日期"), default=list, blank=True)
    first_day = models.DateField(_("首个审核日"), null=True, blank=True, db_index=True)
    last_day = models.DateField(_("末个审核日"), null=True, blank=True)
    special_reason = models.TextField(_("特殊审核事由"), blank=True)
    objectives = models.TextField(_("审核目的"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    notice_sent_on = models.DateField(_("通知日期"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("末次会议时间"), null=True, blank=True)
    passed_at = models.DateTimeField(_("通过时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.TextField(_("取消理由"), blank=True)
    # At passing: the minor nonconformities that passed on an accepted correction plan rather than verified
    # (scheme gate open_minor_needs_accepted_plan; decisions AC6). Their numbers, for the record and the report.
    passed_on_plan = models.JSONField(_("按整改计划通过的一般不符合项"), default=list, blank=True)

    class Meta:
        verbose_name = _("现场审核")
        verbose_name_plural = _("现场审核")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "first_day"])]

    def __str__(self) -> str:
        return self.reference


class TeamRole(models.TextChoices):
    LEAD_AUDITOR = "lead_auditor", _("审核组长")
    AUDITOR = "auditor", _("审核员")


class AuditTeamMember(models.Model):
    """A member of the audit team. Removed members keep their row (removed_at) for the record."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audit_memberships")
    role = models.CharField(_("组内角色"), max_length=20, choices=TeamRole.choices)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("审核组成员")
        verbose_name_plural = _("审核组成员")
        ordering = ["audit", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "user"], condition=models.Q(removed_at__isnull=True), name="audit_one_active_member"
            ),
            models.UniqueConstraint(
                fields=["audit"],
                condition=models.Q(removed_at__isnull=True, role="lead_auditor"),
                name="audit_one_active_lead",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.audit.reference} {self.user} ({self.role})"


class ProposalSide(models.TextChoices):
    CB = "cb", _("认证机构")
    ENTERPRISE = "enterprise", _("企业")


class ProposalResponse(models.TextChoices):
    PENDING = "pending", _("待答复")
    ACCEPTED = "accepted", _("已接受")
    DECLINED = "declined", _("已拒绝，另提日期")
    SUPERSEDED = "superseded", _("已被新提议取代")


class DateProposal(models.Model):
    """One turn of the date negotiation; the whole exchange stays on record."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="proposals")
    side = models.CharField(_("提出方"), max_length=20, choices=ProposalSide.choices)
    days = models.JSONField(_("提议日期"))
    message = models.TextField(_("说明"), blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    response = models.CharField(
        _("答复"), max_length=20, choices=ProposalResponse.choices, default=ProposalResponse.PENDING
    )
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    response_message = models.TextField(_("答复说明"), blank=True)

    class Meta:
        verbose_name = _("审核日期协商")
        verbose_name_plural = _("审核日期协商")
        ordering = ["audit", "proposed_at", "id"]

    def __str__(self) -> str:
        return f"{self.audit.reference} {self.side} {','.join(self.days)}"


class AuditSite(models.Model):
    """A place the audit visits: design studio, workshop, inspection lab, operations."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="sites")
    site = models.ForeignKey("applications.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(_("场所类型"), max_length=30, choices=SiteKind.choices)
    name = models.CharField(_("名称"), max_length=200)
    address = models.CharField(_("地址"), max_length=300)

    class Meta:
        verbose_name = _("审核场所")
        verbose_name_plural = _("审核场所")
        ordering = ["audit", "id"]

    def __str__(self) -> str:
        return self.name


class ScheduleSlot(models.Model):
    """One line of the audit plan's schedule."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="schedule")
    day = models.DateField(_("日期"))
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))
    site = models.ForeignKey(AuditSite, on_delete=models.PROTECT, null=True, blank=True, related_name="slots")
    activity = models.CharField(_("审核活动"), max_length=300)
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    item_ids = models.JSONField(_("涉及条款项"), default=list, blank=True)

    class Meta:
        verbose_name = _("审核日程")
        verbose_name_plural = _("审核日程")
        ordering = ["audit", "day", "start", "id"]

    def __str__(self) -> str:
        return f"{self.day} {self.start:%H:%M} {self.activity}"


class AuditNotice(models.Model):
    """审核通知 as sent: the PDF is kept exactly as the enterprise received it."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="notices")
    sent_on = models.DateField(_("通知日期"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    last_allowed_on = models.DateField(_("最迟通知日"))
    storage_name = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()

    class Meta:
        verbose_name = _("审核通知")
        verbose_name_plural = _("审核通知")
        ordering = ["audit", "sent_at", "id"]

    def __str__(self) -> str:
        return f"{self.audit.reference} 审核通知 {self.sent_on}"


class Finding(models.Model):
    """An auditor's result for one on-site requirement item (one row per item, edited in place, evented)."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="findings")
    item_id = models.CharField(_("条款项"), max_length=20)
    result = models.CharField(_("结果"), max_length=20, choices=ChecklistResult.choices)
    note = models.TextField(_("审核发现 / 不符合事实"), blank=True)
    na_reason = models.TextField(_("不适用理由"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    # Optimistic concurrency for two auditors on one item, and idempotent replays from a phone
    # that lost its connection (the same client_token saved twice is one save).
    revision = models.PositiveIntegerField(default=1)
    client_token = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("审核发现")
        verbose_name_plural = _("审核发现")
        ordering = ["audit", "id"]
        constraints = [models.UniqueConstraint(fields=["audit", "item_id"], name="one_finding_per_audit_item")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.result}"


class FindingFile(StoredFile):
    """A photo or document taken on site as evidence for a finding. Never replaced, only added."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="files")

    class Meta:
        verbose_name = _("现场证据")
        verbose_name_plural = _("现场证据")
        ordering = ["finding", "id"]

    def __str__(self) -> str:
        return self.original_name


class NonconformityConfirmation(models.Model):
    """The enterprise representative's confirmation of an on-site nonconformity (before the closing meeting)."""

    nonconformity = models.OneToOneField("reviews.Nonconformity", on_delete=models.PROTECT, related_name="confirmation")
    representative_name = models.CharField(_("企业代表"), max_length=100)
    representative_title = models.CharField(_("职务"), max_length=100, blank=True)
    # Set when the representative confirms with his own enterprise account; otherwise the auditor
    # records the confirmation given on paper or in person.
    enterprise_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(default=timezone.now)
    remark = models.TextField(_("企业意见"), blank=True)

    class Meta:
        verbose_name = _("不符合项确认")
        verbose_name_plural = _("不符合项确认")

    def __str__(self) -> str:
        return f"{self.nonconformity_id} ← {self.representative_name}"


class ClosingMeeting(models.Model):
    """末次会议: who attended, what was concluded, which deadlines were announced."""

    audit = models.OneToOneField(Audit, on_delete=models.PROTECT, related_name="closing_meeting")
    held_at = models.DateTimeField(_("会议时间"))
    attendees = models.JSONField(_("参会人员"), default=list)  # [{"name", "title", "side": "cb"|"enterprise"}]
    conclusion = models.TextField(_("审核结论"))
    recommendation = models.TextField(_("审核组推荐意见"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    report_generated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("末次会议")
        verbose_name_plural = _("末次会议")

    def __str__(self) -> str:
        return f"{self.audit.reference} 末次会议"
