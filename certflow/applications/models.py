from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certflow.applications.domain import ApplicationStatus, ApplicationType
from certflow.core.models import StoredFile


class SiteKind(models.TextChoices):
    DESIGN_STUDIO = "design_studio", _("设计场所")
    WORKSHOP = "workshop", _("生产车间")
    INSPECTION_LAB = "inspection_lab", _("检测实验室")
    OPERATIONS = "operations", _("运营管理场所")
    OTHER = "other", _("其他")


class Application(models.Model):
    """认证申请: one enterprise's request for certification under one scheme version."""

    reference = models.CharField(_("申请编号"), max_length=30, unique=True)
    enterprise = models.ForeignKey("accounts.Enterprise", on_delete=models.PROTECT, related_name="applications")
    scheme_version = models.ForeignKey("schemes.SchemeVersion", on_delete=models.PROTECT, related_name="+")
    application_type = models.CharField(
        _("申请类型"), max_length=30, choices=ApplicationType.choices, default=ApplicationType.INITIAL
    )
    status = models.CharField(
        _("状态"), max_length=40, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT, db_index=True
    )
    categories = models.JSONField(_("定制商品类别"), default=list, blank=True)
    other_category_description = models.CharField(_("其他类别说明"), max_length=300, blank=True)
    service_stages = models.JSONField(_("定制服务环节"), default=list, blank=True)
    service_description = models.TextField(_("定制服务说明"), blank=True)
    declaration_made = models.BooleanField(_("已作第4.3条第3款声明"), default=False)
    declared_at = models.DateTimeField(null=True, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(_("首次提交时间"), null=True, blank=True)
    received_on = models.DateField(_("材料接收日"), null=True, blank=True)
    acceptance_due = models.DateField(_("受理截止日"), null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(_("受理决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(_("不予受理理由"), blank=True)
    out_of_scope = models.BooleanField(_("超出范围（第1章）"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("认证申请")
        verbose_name_plural = _("认证申请")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "acceptance_due"])]

    def __str__(self) -> str:
        return self.reference


class Site(models.Model):
    """A place the enterprise works at, to be audited on site (design studio, workshop, lab, …)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="sites")
    kind = models.CharField(_("场所类型"), max_length=30, choices=SiteKind.choices)
    name = models.CharField(_("名称"), max_length=200)
    address = models.CharField(_("地址"), max_length=300)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("场所")
        verbose_name_plural = _("场所")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class MaterialFile(StoredFile):
    """One uploaded file of a required material. A re-upload is a new row (`replaces` → the old one)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="material_files")
    material = models.CharField(_("材料"), max_length=60)
    version = models.PositiveIntegerField(_("版本"), default=1)
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by")
    # Withdrawn from the application (a draft's mistake); the row and the bytes stay for the record.
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("申请材料文件")
        verbose_name_plural = _("申请材料文件")
        ordering = ["material", "id"]
        indexes = [models.Index(fields=["application", "material"])]

    def __str__(self) -> str:
        return f"{self.material} v{self.version}: {self.original_name}"


class SupplementRequest(models.Model):
    """补充或修改材料: what the clerk asked the enterprise to add or change, per material."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="supplement_requests")
    message = models.TextField(_("说明"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(_("补充提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("补充材料要求")
        verbose_name_plural = _("补充材料要求")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.application} @ {self.requested_at:%Y-%m-%d}"


class SupplementItem(models.Model):
    request = models.ForeignKey(SupplementRequest, on_delete=models.PROTECT, related_name="items")
    material = models.CharField(_("材料"), max_length=60)
    message = models.TextField(_("需补充或修改的内容"))

    class Meta:
        verbose_name = _("补充材料事项")
        verbose_name_plural = _("补充材料事项")
        constraints = [models.UniqueConstraint(fields=["request", "material"], name="one_item_per_material")]

    def __str__(self) -> str:
        return self.material


class AssignmentRole(models.TextChoices):
    DOCUMENT_REVIEWER = "document_reviewer", _("文件审核员")
    AUDITOR = "auditor", _("审核员")
    LEAD_AUDITOR = "lead_auditor", _("审核组长")
    COMMITTEE_MEMBER = "committee_member", _("技术委员会委员")


class Assignment(models.Model):
    """Who from the CB works on an application, and as what.

    Later stages (document review, audits, decision) record their people here, so that an auditor
    sees only what they are assigned, and the impartiality rule can ask who reviewed or audited an
    enterprise. Ended assignments keep their row: the history is what impartiality checks need.
    """

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("角色"), max_length=30, choices=AssignmentRole.choices)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("人员指派")
        verbose_name_plural = _("人员指派")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "user", "role"],
                condition=models.Q(ended_at__isnull=True),
                name="one_active_assignment_per_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.application}"
