"""Document review, its checklist, and the nonconformity / corrective-action records every stage shares."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certflow.core.models import StoredFile
from certflow.reviews.domain import (
    ActionDecision,
    ChecklistResult,
    NonconformityGrade,
    NonconformityStage,
    NonconformityState,
    ReviewStatus,
)


class DocumentReview(models.Model):
    """文件审核: one reviewer's judgement of an application's written materials (clause 6 文件审核).

    The items reviewed are the application's scheme version's document-review items; they are not
    copied here because that version never changes (decisions S1).
    """

    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="document_review"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="document_reviews", verbose_name=_("审核员")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.IN_PROGRESS, db_index=True
    )
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(_("指派时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # The day the report is issued: correction deadlines are counted from it (decisions R4).
    completed_on = models.DateField(_("报告日期"), null=True, blank=True)
    passed_at = models.DateTimeField(_("通过时间"), null=True, blank=True)
    summary = models.TextField(_("审核结论"), blank=True)
    report_generated_at = models.DateTimeField(_("报告最近生成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("文件审核")
        verbose_name_plural = _("文件审核")
        ordering = ["-assigned_at", "-id"]

    def __str__(self) -> str:
        return f"{self.application.reference} 文件审核"


class ChecklistEntry(models.Model):
    """The reviewer's result for one requirement item. Changes are kept in the event log."""

    review = models.ForeignKey(DocumentReview, on_delete=models.PROTECT, related_name="entries")
    item_id = models.CharField(_("条款项"), max_length=20)
    result = models.CharField(_("结果"), max_length=20, choices=ChecklistResult.choices)
    note = models.TextField(_("说明 / 不符合事实"), blank=True)
    na_reason = models.TextField(_("不适用理由"), blank=True)
    evidence = models.ForeignKey(
        "applications.MaterialFile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("证据文件"),
    )
    evidence_page = models.PositiveIntegerField(_("页码"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("检查表记录")
        verbose_name_plural = _("检查表记录")
        ordering = ["review", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "item_id"], name="one_entry_per_review_item")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.result}"


class Nonconformity(models.Model):
    """不符合项, raised by any stage: document review now; on-site audit and surveillance later.

    The stage that raised it is `stage`; its source record is the one nullable foreign key that
    matches (`review` for document review, `audit` for on-site and surveillance audits); every
    stage reuses the states, the corrective actions and the deadline rule unchanged.
    """

    # Certification stages raise nonconformities on an application; surveillance audits on the certificate
    # (decisions SV7). At least one of the two is set.
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, null=True, blank=True, related_name="nonconformities"
    )
    certificate = models.ForeignKey(
        "certificates.Certificate", on_delete=models.PROTECT, null=True, blank=True, related_name="nonconformities"
    )
    stage = models.CharField(_("阶段"), max_length=20, choices=NonconformityStage.choices)
    review = models.ForeignKey(
        DocumentReview, on_delete=models.PROTECT, null=True, blank=True, related_name="nonconformities"
    )
    audit = models.ForeignKey(
        "audits.Audit", on_delete=models.PROTECT, null=True, blank=True, related_name="nonconformities"
    )
    number = models.CharField(_("编号"), max_length=40, unique=True)
    item_id = models.CharField(_("条款项"), max_length=20)
    grade = models.CharField(_("等级"), max_length=10, choices=NonconformityGrade.choices)
    description = models.TextField(_("不符合事实"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    reported_on = models.DateField(_("通报日期"))
    due_date = models.DateField(_("整改期限"), db_index=True)
    # The period ends in a year whose holiday schedule is not entered yet: due_date is the plain end
    # date, settled (perhaps moved forward) when the year is entered (decisions R10).
    due_provisional = models.BooleanField(_("期限暂定"), default=False)
    state = models.CharField(
        _("状态"), max_length=20, choices=NonconformityState.choices, default=NonconformityState.OPEN, db_index=True
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)
    closed_reason = models.TextField(_("关闭说明"), blank=True)

    class Meta:
        verbose_name = _("不符合项")
        verbose_name_plural = _("不符合项")
        ordering = ["application", "number"]
        indexes = [models.Index(fields=["application", "state"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(application__isnull=False) | models.Q(certificate__isnull=False),
                name="nonconformity_has_owner",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def owner(self):
        """The application or, for a surveillance nonconformity, the certificate it is raised on."""
        return self.application if self.application_id else self.certificate

    @property
    def owner_reference(self) -> str:
        owner = self.owner
        return getattr(owner, "reference", None) or getattr(owner, "number", "")

    @property
    def enterprise(self):
        return self.owner.enterprise

    @property
    def enterprise_id(self) -> int:
        return self.application.enterprise_id if self.application_id else self.certificate.enterprise_id


class CorrectiveAction(models.Model):
    """整改报告: one round of the enterprise's answer to a nonconformity, and the reviewer's decision."""

    nonconformity = models.ForeignKey(Nonconformity, on_delete=models.PROTECT, related_name="actions")
    round = models.PositiveIntegerField(_("轮次"))
    cause_analysis = models.TextField(_("原因分析"))
    correction = models.TextField(_("纠正"))
    corrective_action = models.TextField(_("纠正措施"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    decision = models.CharField(
        _("验证结论"), max_length=20, choices=ActionDecision.choices, default=ActionDecision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("验证时间"), null=True, blank=True)
    comment = models.TextField(_("审核员意见"), blank=True)

    class Meta:
        verbose_name = _("整改报告")
        verbose_name_plural = _("整改报告")
        ordering = ["nonconformity", "round"]
        constraints = [models.UniqueConstraint(fields=["nonconformity", "round"], name="one_action_per_round")]

    def __str__(self) -> str:
        return f"{self.nonconformity.number} #{self.round}"


class CorrectiveEvidence(StoredFile):
    """A file attached to a corrective action. Never replaced: a new round brings new files."""

    action = models.ForeignKey(CorrectiveAction, on_delete=models.PROTECT, related_name="evidence")

    class Meta:
        verbose_name = _("整改证据")
        verbose_name_plural = _("整改证据")
        ordering = ["action", "id"]

    def __str__(self) -> str:
        return self.original_name
