"""Administrator-entered calendar data: corrections to the package and years it does not hold yet."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """One day whose status differs from the package or from the weekday rule (holiday or 调休)."""

    date = models.DateField(_("日期 / date"), unique=True)
    is_working_day = models.BooleanField(
        _("工作日 / working day"),
        help_text=_(
            "勾选：上班（如调休上班的周末）；不勾选：放假 / ticked: people work that day (e.g. a make-up Saturday)"
        ),
    )
    name = models.CharField(_("名称 / name"), max_length=60, help_text=_("如：春节、调休上班 / e.g. 春节, 调休上班"))
    source = models.CharField(
        _("依据 / source"),
        max_length=200,
        blank=True,
        help_text=_("如：国办发明电〔2026〕X号 / the notice it comes from"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("录入人 / entered by"),
    )
    entered_at = models.DateTimeField(_("录入时间 / entered at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["date"]
        verbose_name = _("日历调整 / calendar day")
        verbose_name_plural = _("日历调整 / calendar days")

    def __str__(self):
        kind = "上班" if self.is_working_day else "放假"
        return f"{self.date.isoformat()} {self.name}（{kind}）"


class CalendarYear(models.Model):
    """An administrator's statement that every holiday and make-up day of a year has been entered."""

    year = models.PositiveSmallIntegerField(
        _("年份 / year"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    declared_complete = models.BooleanField(
        _("已录入完整 / declared complete"),
        default=False,
        help_text=_(
            "仅在该年全部放假和调休日期均已录入后勾选 / tick only once every holiday and make-up day is entered"
        ),
    )
    source = models.CharField(
        _("依据 / source"),
        max_length=200,
        blank=True,
        help_text=_("如：国办发明电〔2026〕X号 / the State Council notice"),
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("声明人 / declared by"),
    )
    declared_at = models.DateTimeField(_("声明时间 / declared at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("日历年度 / calendar year")
        verbose_name_plural = _("日历年度 / calendar years")

    def __str__(self):
        return f"{self.year}"

    def clean(self):
        # Deadlines computed from this year must be traceable to the notice they rest on.
        if self.declared_complete and not self.source.strip():
            raise ValidationError(
                {"source": _("声明完整时须填写国务院办公厅通知文号 / name the State Council notice when declaring")}
            )
