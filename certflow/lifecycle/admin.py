"""Lifecycle records in the Django admin: read-only. Every change goes through the services (events)."""

from django.contrib import admin

from certflow.certificates.admin import ReadOnlyAdmin
from certflow.lifecycle.models import Case, LegacyImport, TickRun


@admin.register(TickRun)
class TickRunAdmin(ReadOnlyAdmin):
    list_display = ("day", "step", "status", "counts", "started_at", "finished_at")
    list_filter = ("status", "step")


@admin.register(LegacyImport)
class LegacyImportAdmin(ReadOnlyAdmin):
    list_display = ("filename", "outcome", "rows_total", "rows_failed", "lapsed", "created_by", "created_at")
    list_select_related = ("created_by",)


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("reference", "kind", "status", "enterprise", "received_on", "decide_by", "handler")
    list_filter = ("kind", "status")
    list_select_related = ("enterprise", "handler")
    search_fields = ("reference", "complainant_name")
