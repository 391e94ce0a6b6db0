"""用户满意度调查: survey rounds, the customer list and its import, the sample, answers and call-backs."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certflow.surveys.domain import CallOutcome, Channel, SurveyStatus


class Survey(models.Model):
    """One round of the satisfaction survey of one application (round 1, then re-surveys)."""

    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT, related_name="surveys")
    enterprise = models.ForeignKey("accounts.Enterprise", on_delete=models.PROTECT, related_name="surveys")
    scheme_version = models.ForeignKey("schemes.SchemeVersion", on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    status = models.CharField(
        _("状态"), max_length=30, choices=SurveyStatus.choices, default=SurveyStatus.COLLECTING, db_index=True
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # The draw: reproducible from the seed and the frozen frame (decisions V4).
    seed = models.CharField(_("随机种子"), max_length=80, blank=True)
    frame_sha256 = models.CharField(_("抽样框 SHA-256"), max_length=64, blank=True)
    population = models.PositiveIntegerField(_("用户总数"), null=True, blank=True)
    sample_size = models.PositiveIntegerField(_("样本量"), null=True, blank=True)
    drawn_at = models.DateTimeField(_("抽样时间"), null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    closes_on = models.DateField(_("截止日期"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Frozen at closing so later scheme or data changes cannot move a decided result.
    result_answered = models.PositiveIntegerField(_("已作答评分数"), null=True, blank=True)
    result_satisfied = models.PositiveIntegerField(_("满意评分数"), null=True, blank=True)
    result_passed = models.BooleanField(_("是否达标"), null=True, blank=True)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="resurvey", verbose_name=_("上一轮")
    )

    # Set by the retention job (certflow/surveys/retention.py): customers' personal data are gone,
    # the counts, ratings and the result stay.
    anonymised_at = models.DateTimeField(_("个人信息匿名化时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("满意度调查")
        verbose_name_plural = _("满意度调查")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["application", "round"], name="one_survey_per_round")]

    def __str__(self) -> str:
        return f"{self.application_id} 满意度调查第{self.round}轮"


class Customer(models.Model):
    """One customer of the enterprise's list; rows sharing a phone number are merged into one."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="customers")
    name = models.CharField(_("姓名"), max_length=100)
    phone = models.CharField(_("电话"), max_length=20)
    email = models.CharField(_("电子邮箱"), max_length=254, blank=True)
    category = models.CharField(_("定制商品类别"), max_length=60, db_index=True)
    order_id = models.CharField(_("订单号"), max_length=100)
    order_date = models.DateField(_("下单日期"), null=True, blank=True)
    delivery_date = models.DateField(_("交付日期"), null=True, blank=True)
    source_rows = models.JSONField(_("来源行号"), default=list)
    other_order_ids = models.JSONField(_("合并的其他订单号"), default=list, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["survey", "id"]
        constraints = [models.UniqueConstraint(fields=["survey", "phone"], name="one_customer_per_phone")]

    def __str__(self) -> str:
        return f"customer {self.pk}"


class ImportJob(models.Model):
    """One upload of the customer list; rows are checked in batches, progress is polled (decisions V2)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("处理中")
        ACCEPTED = "accepted", _("已导入")
        REJECTED = "rejected", _("未导入（有错误）")
        FAILED = "failed", _("文件无法读取")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="imports")
    original_name = models.CharField(_("文件名"), max_length=200)
    storage_name = models.CharField(max_length=300)
    kind = models.CharField(_("类型"), max_length=10)
    size = models.PositiveBigIntegerField(_("大小"), default=0)
    sha256 = models.CharField(max_length=64)
    encoding = models.CharField(_("编码"), max_length=20, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.QUEUED)
    rows_seen = models.PositiveIntegerField(_("已读取行数"), default=0)
    rows_rejected = models.PositiveIntegerField(_("错误行数"), default=0)
    rows_merged = models.PositiveIntegerField(_("合并的重复行数"), default=0)
    customers_created = models.PositiveIntegerField(_("导入用户数"), default=0)
    message_zh = models.TextField(blank=True)
    message_en = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("用户名单导入")
        verbose_name_plural = _("用户名单导入")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.original_name


class ImportRow(models.Model):
    """One data row of an upload, kept for the report: accepted, merged into another row, or rejected."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("接受")
        MERGED = "merged", _("重复，已合并")
        REJECTED = "rejected", _("拒绝")

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(_("行号"))
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices)
    reason_zh = models.TextField(blank=True)
    reason_en = models.TextField(blank=True)
    merged_into = models.PositiveIntegerField(_("合并至行"), null=True, blank=True)
    # The normalised row, so the merge step needs no second pass over the file.
    key = models.CharField(max_length=20, blank=True)
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["job", "row_number"]
        indexes = [models.Index(fields=["job", "key", "row_number"]), models.Index(fields=["job", "outcome"])]

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.outcome}"


class Invitation(models.Model):
    """The sample: one per drawn customer. The link's token is shown once; only its hash is stored."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    customer = models.OneToOneField(Customer, on_delete=models.PROTECT, related_name="invitation")
    stratum = models.CharField(_("分层（类别）"), max_length=60, db_index=True)
    draw_order = models.PositiveIntegerField(_("抽样顺序"), default=0)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("链接有效期至"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    used_at = models.DateTimeField(_("作答时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("调查邀请")
        verbose_name_plural = _("调查邀请")
        ordering = ["survey", "stratum", "draw_order", "id"]

    def __str__(self) -> str:
        return f"invitation {self.pk}"


class Dispatch(models.Model):
    """One sending of an invitation by e-mail or SMS, whatever the sender reported."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="dispatches")
    medium = models.CharField(_("方式"), max_length=10)
    sender = models.CharField(_("发送器"), max_length=200)
    ok = models.BooleanField(_("成功"))
    detail = models.TextField(_("说明"), blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.medium} {self.sent_at:%Y-%m-%d %H:%M}"


class Response(models.Model):
    """One customer's answers; the one-to-one on the invitation refuses a second answer, also under a race."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    invitation = models.OneToOneField(Invitation, on_delete=models.PROTECT, related_name="response")
    channel = models.CharField(_("方式"), max_length=20, choices=Channel.choices)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    overall = models.PositiveSmallIntegerField(
        _("总体评价"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("意见和建议"), blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("调查答卷")
        verbose_name_plural = _("调查答卷")
        ordering = ["survey", "submitted_at", "id"]

    def __str__(self) -> str:
        return f"response {self.pk}"


class Rating(models.Model):
    """One answered dimension (an unanswered one has no row)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="ratings")
    dimension = models.CharField(_("维度"), max_length=60)
    value = models.PositiveSmallIntegerField(_("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        ordering = ["response", "id"]
        constraints = [models.UniqueConstraint(fields=["response", "dimension"], name="one_rating_per_dimension")]
        indexes = [models.Index(fields=["dimension", "value"])]

    def __str__(self) -> str:
        return f"{self.dimension}={self.value}"


class CallAttempt(models.Model):
    """One phone call-back attempt, by CB staff (decisions V7)."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="calls")
    outcome = models.CharField(_("结果"), max_length=20, choices=CallOutcome.choices)
    note = models.TextField(_("备注"), blank=True)
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    called_at = models.DateTimeField(_("拨打时间"), default=timezone.now)

    class Meta:
        verbose_name = _("电话回访记录")
        verbose_name_plural = _("电话回访记录")
        ordering = ["invitation", "called_at", "id"]

    def __str__(self) -> str:
        return f"{self.outcome} {self.called_at:%Y-%m-%d %H:%M}"


class ImprovementPlan(models.Model):
    """原因分析和改进 (6 用户满意度调查 2) after a result below the threshold; the CB reviews it."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待评审")
        ACCEPTED = "accepted", _("已认可")
        RETURNED = "returned", _("已退回")

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="improvements")
    cause_analysis = models.TextField(_("原因分析"))
    improvement = models.TextField(_("改进措施"))
    completion_date = models.DateField(_("预计完成日期"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(_("评审结论"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    review_comment = models.TextField(_("评审意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("原因分析与改进")
        verbose_name_plural = _("原因分析与改进")
        ordering = ["survey", "-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"improvement {self.pk} ({self.decision})"


class PersonalDataAccess(models.Model):
    """A survey staff member was shown customers' names and phone numbers unmasked (decisions PD2).

    The masked view is what everyone else sees; the unmasked one is the caller's tool, and each showing
    is kept here so a data-protection review can answer "who saw whose number, when".
    """

    class View(models.TextChoices):
        CUSTOMER_LIST = "customer_list", _("用户名单")
        CALL_LIST = "call_list", _("电话回访名单")
        CALL_RECORD = "call_record", _("电话回访记录")
        RESPONSES = "responses", _("答卷明细")
        API_CUSTOMERS = "api_customers", _("接口：用户名单")
        API_INVITATIONS = "api_invitations", _("接口：调查邀请")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="personal_data_accesses")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    view = models.CharField(_("查看内容"), max_length=20, choices=View.choices)
    shown = models.PositiveIntegerField(_("显示人数"))
    customer = models.ForeignKey(Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(_("查看时间"), default=timezone.now)
    client_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["survey", "-at"])]

    def __str__(self) -> str:
        return f"{self.viewer_id} {self.view} {self.at:%Y-%m-%d %H:%M}"
