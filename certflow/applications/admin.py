"""Admin for applications: to look things up. Every change goes through the pages or the API (services with
their events), so the admin shows records read-only and never deletes them (decisions F6)."""

from django.contrib import admin

from certflow.applications.models import Application, MaterialFile, Site, SupplementItem, SupplementRequest


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SiteInline(ReadOnlyInline):
    model = Site
    fields = ("kind", "name", "address", "removed_at")


class MaterialFileInline(ReadOnlyInline):
    model = MaterialFile
    fields = (
        "material",
        "version",
        "original_name",
        "kind",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
        "withdrawn_at",
    )
    ordering = ("material", "id")


class SupplementRequestInline(ReadOnlyInline):
    model = SupplementRequest
    fields = ("message", "requested_by", "requested_at", "resolved_at")


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("reference", "enterprise", "application_type", "status", "acceptance_due", "created_at")
    list_filter = ("status", "application_type")
    search_fields = ("reference", "enterprise__name", "enterprise__uscc")
    list_select_related = ("enterprise",)
    ordering = ("-created_at", "-id")
    inlines = [SiteInline, MaterialFileInline, SupplementRequestInline]
    list_per_page = 50

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # view only: a change made here would bypass the service and its event

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SupplementRequest)
class SupplementRequestAdmin(admin.ModelAdmin):
    list_display = ("application", "requested_by", "requested_at", "resolved_at")
    search_fields = ("application__reference", "application__enterprise__name")
    list_select_related = ("application", "requested_by")

    class ItemInline(ReadOnlyInline):
        model = SupplementItem
        fields = ("material", "message")

    inlines = [ItemInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # view only: a change made here would bypass the service and its event

    def has_delete_permission(self, request, obj=None):
        return False
