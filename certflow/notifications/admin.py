from django.contrib import admin

from certflow.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: the outbox is evidence of what was sent to whom and when."""

    list_display = ("created_at", "recipient", "kind", "title", "read_at", "email_status", "email_attempts")
    list_filter = ("email_status", "kind")
    search_fields = ("recipient__email", "title", "kind")
    ordering = ("-created_at",)
    list_select_related = ("recipient",)
    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
