"""Admin for the calendar reference data. Rows are corrected by editing, never deleted: deadlines
already computed from a row must stay explainable, and every edit is in the event log."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from certflow.core.workdays.calendar import package_data
from certflow.core.workdays.models import CalendarDay, CalendarYear
from certflow.core.workdays.services import save_calendar_day, save_calendar_year

WEEKDAYS_ZH = "一二三四五六日"


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "weekday", "is_working_day", "name", "source", "entered_by", "entered_at")
    list_filter = ("is_working_day",)
    date_hierarchy = "date"
    search_fields = ("name", "source", "date")
    readonly_fields = ("entered_by", "entered_at")
    list_per_page = 100

    @admin.display(description=_("星期 / weekday"))
    def weekday(self, obj):
        return f"星期{WEEKDAYS_ZH[obj.date.weekday()]}"

    def save_model(self, request, obj, form, change):
        save_calendar_day(by=request.user, day=obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "in_package", "declared_complete", "source", "declared_by", "declared_at")
    list_filter = ("declared_complete",)
    search_fields = ("year", "source")
    readonly_fields = ("declared_by", "declared_at")

    @admin.display(description=_("软件包已内置 / in the package"), boolean=True)
    def in_package(self, obj):
        return obj.year in package_data().years

    def save_model(self, request, obj, form, change):
        save_calendar_year(by=request.user, year=obj)

    def has_delete_permission(self, request, obj=None):
        return False
