from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certflow.lifecycle.domain import (
    CaseKind,
    CaseOutcome,
    CaseStatus,
    ChangeAssessment,
    ChangeKind,
    ChangeStatus,
    EventKind,
    EventStatus,
)


class TickRun(models.Model):
    """One step of `certflow tick` for one day. A done row makes a second run of that step that day a no-op;
    the partial unique constraint is also the lock between two runners (decisions L4)."""

    class Status(models.TextChoices):
        DONE = "done", _("完成")
        FAILED = "failed", _("失败")

    day = models.DateField(_("日期"), db_index=True)
    step = models.CharField(_("步骤"), max_length=64)
    status = models.CharField(_("结果"), max_length=10, choices=Status.choices)
    counts = models.JSONField(_("处理数量"), default=dict)
    error = models.TextField(_("错误"), blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("例行任务记录")
        verbose_name_plural = _("例行任务记录")
        ordering = ["-day", "step", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "step"], condition=Q(status="done"), name="lifecycle_tickrun_once_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.step} {self.status}"


class TickNotice(models.Model):
    """A reminder the tick sent once (an overdue nonconformity, an acceptance deadline): never sent again."""

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=80)
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="lifecycle_notice_once")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class LegacyImport(models.Model):
    """One upload of legacy certificates (前言): all rows imported, or none, with a report per row."""

    class Outcome(models.TextChoices):
        IMPORTED = "imported", _("已导入")
        REFUSED = "refused", _("有错误，未导入")

    filename = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(max_length=64)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices)
    rows_total = models.PositiveIntegerField(_("行数"), default=0)
    rows_failed = models.PositiveIntegerField(_("错误行数"), default=0)
    lapsed = models.PositiveIntegerField(_("导入即失效"), default=0)
    # [{"line": 3, "number": "…", "errors": [["中文", "English"], …]}] — only rows with errors; a file-level
    # error has line 0.
    errors = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("旧版证书导入")
        verbose_name_plural = _("旧版证书导入")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.outcome})"


class LegacyRecord(models.Model):
    """Where an imported legacy certificate came from: the import, the line, and the application date."""

    certificate = models.OneToOneField(
        "certificates.Certificate", on_delete=models.PROTECT, related_name="legacy_record"
    )
    legacy_import = models.ForeignKey(LegacyImport, on_delete=models.PROTECT, related_name="records")
    line = models.PositiveIntegerField(_("行号"))
    # The enterprise's application under the current scheme, if it made one (前言: applied on or before
    # 2025-10-15 counts for the transition group); shown on the lapsed report.
    applied_on = models.DateField(_("申请日期"), null=True, blank=True)
    enterprise_created = models.BooleanField(_("导入时新建企业"), default=False)

    class Meta:
        verbose_name = _("旧版证书来源")
        verbose_name_plural = _("旧版证书来源")
        ordering = ["legacy_import", "line"]

    def __str__(self) -> str:
        return f"{self.legacy_import_id}:{self.line}"


class Case(models.Model):
    """投诉 / 申诉: a complaint about a certified enterprise (or the CB), or an appeal against a CB decision."""

    reference = models.CharField(_("编号"), max_length=30, unique=True)
    kind = models.CharField(_("类别"), max_length=10, choices=CaseKind.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.RECEIVED, db_index=True
    )
    enterprise = models.ForeignKey(
        "accounts.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("涉及企业"),
    )
    certificate = models.ForeignKey(
        "certificates.Certificate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("涉及证书"),
    )
    application = models.ForeignKey(
        "applications.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("涉及申请"),
    )
    subject_text = models.CharField(_("被投诉对象"), max_length=200, blank=True)
    complainant_name = models.CharField(_("投诉人/申诉人"), max_length=100)
    complainant_contact = models.CharField(_("联系方式"), max_length=200)
    description = models.TextField(_("事由"))
    # The public tracking code: the reference plus this secret lets a complainant without an account read the status.
    tracking_code = models.CharField(max_length=32, unique=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_on = models.DateField(_("收到日期"))
    acknowledge_by = models.DateField(_("确认期限"))
    # The working-day calendar of that year is not entered yet: the period was counted in calendar days,
    # which is never later than the working-day count (decisions L8).
    acknowledge_provisional = models.BooleanField(_("确认期限暂定"), default=False)
    decide_by = models.DateField(_("处理期限"))
    acknowledged_on = models.DateField(_("确认日期"), null=True, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    outcome = models.CharField(_("处理结论"), max_length=20, choices=CaseOutcome.choices, blank=True)
    decision = models.TextField(_("处理决定"), blank=True)
    decided_on = models.DateField(_("结案日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    special_audit_requested = models.BooleanField(_("已要求特殊审核"), default=False)
    special_audit_reference = models.CharField(_("特殊审核编号"), max_length=30, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("投诉与申诉")
        verbose_name_plural = _("投诉与申诉")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return self.reference


class ChangeReport(models.Model):
    """重大变更: the certified enterprise tells the CB of a change that may affect its certification
    (6 持续监督 2; ISO/IEC 17065:2012 7.10; ISO/IEC 17021-1:2015 8.5.3); the programme manager assesses it."""

    reference = models.CharField(_("编号"), max_length=30, unique=True)
    certificate = models.ForeignKey(
        "certificates.Certificate", on_delete=models.PROTECT, related_name="change_reports", verbose_name=_("证书")
    )
    enterprise = models.ForeignKey("accounts.Enterprise", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("变更类别"), max_length=20, choices=ChangeKind.choices)
    description = models.TextField(_("变更内容"))
    effective_on = models.DateField(_("生效日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.SUBMITTED, db_index=True
    )
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_on = models.DateField(_("报告日期"))
    assessment = models.CharField(_("评估结论"), max_length=30, choices=ChangeAssessment.choices, blank=True)
    assessment_note = models.TextField(_("评估说明"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assessed_on = models.DateField(_("评估日期"), null=True, blank=True)
    # The special audit created for it, when the audits app could plan one (its reference).
    special_audit_reference = models.CharField(_("特殊审核编号"), max_length=30, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("重大变更报告")
        verbose_name_plural = _("重大变更报告")
        ordering = ["-submitted_on", "-id"]
        indexes = [models.Index(fields=["certificate", "status"])]

    def __str__(self) -> str:
        return self.reference


class MajorEvent(models.Model):
    """重大事件: a serious accident, a quality failure, an upheld serious complaint or a regulator's sanction.
    Recording one suspends the certificate at once (6 持续监督 2); resolving it may restore the certificate."""

    reference = models.CharField(_("编号"), max_length=30, unique=True)
    certificate = models.ForeignKey(
        "certificates.Certificate", on_delete=models.PROTECT, related_name="major_events", verbose_name=_("证书")
    )
    enterprise = models.ForeignKey("accounts.Enterprise", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("事件类别"), max_length=20, choices=EventKind.choices)
    description = models.TextField(_("事件经过"))
    occurred_on = models.DateField(_("发生日期"))
    reported_by_enterprise = models.BooleanField(_("企业自行报告"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=EventStatus.choices, default=EventStatus.OPEN, db_index=True
    )
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_on = models.DateField(_("登记日期"))
    # False when the certificate was already suspended for another reason when the event was recorded.
    suspended_certificate = models.BooleanField(_("因此暂停证书"), default=False)
    resolution = models.TextField(_("整改及验证情况"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_on = models.DateField(_("解决日期"), null=True, blank=True)
    restored_certificate = models.BooleanField(_("已恢复证书"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("重大事件")
        verbose_name_plural = _("重大事件")
        ordering = ["-recorded_on", "-id"]

    def __str__(self) -> str:
        return self.reference
