from django.contrib import admin

from certflow.core.schemes.models import SchemeVersion


@admin.register(SchemeVersion)
class SchemeVersionAdmin(admin.ModelAdmin):
    """Read-only: versions are recorded by `certflow scheme sync` and must never be edited."""

    list_display = ("code", "version", "title", "effective_date", "short_sha", "loaded_at")
    list_filter = ("code",)
    search_fields = ("code", "version", "title", "sha256")
    readonly_fields = ("code", "version", "title", "effective_date", "sha256", "source_name", "loaded_at", "content")

    @admin.display(description="SHA-256")
    def short_sha(self, obj):
        return obj.sha256[:12]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
