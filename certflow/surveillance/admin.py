from django.contrib import admin

from certflow.surveillance.models import SurveillanceReminder, SurveillanceSuspension


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what the programme did; written by the services only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SurveillanceReminder)
class SurveillanceReminderAdmin(ReadOnlyAdmin):
    list_display = ("certificate", "window", "kind", "day", "window_opens", "window_closes")
    list_filter = ("kind",)
    list_select_related = ("certificate",)


@admin.register(SurveillanceSuspension)
class SurveillanceSuspensionAdmin(ReadOnlyAdmin):
    list_display = ("certificate", "audit", "suspended_on", "suspended_here", "restored_on")
    list_select_related = ("certificate", "audit")
