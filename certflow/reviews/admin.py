"""Read-only admin views: reviews and nonconformities change through their services only, never here."""

from django.contrib import admin

from certflow.reviews.models import ChecklistEntry, CorrectiveAction, CorrectiveEvidence, DocumentReview, Nonconformity


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ChecklistEntryInline(admin.TabularInline):
    model = ChecklistEntry
    extra = 0
    fields = ("item_id", "result", "note", "na_reason", "evidence", "evidence_page", "recorded_by", "recorded_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DocumentReview)
class DocumentReviewAdmin(ReadOnlyAdmin):
    list_display = ("application", "reviewer", "status", "assigned_at", "completed_on", "passed_at")
    list_filter = ("status",)
    search_fields = ("application__reference", "application__enterprise__name", "reviewer__email")
    list_select_related = ("application", "reviewer")
    inlines = [ChecklistEntryInline]


class CorrectiveActionInline(admin.StackedInline):
    model = CorrectiveAction
    extra = 0
    readonly_fields = (
        "round",
        "cause_analysis",
        "correction",
        "corrective_action",
        "submitted_by",
        "submitted_at",
        "decision",
        "decided_by",
        "decided_at",
        "comment",
    )
    fields = readonly_fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Nonconformity)
class NonconformityAdmin(ReadOnlyAdmin):
    list_display = ("number", "application", "certificate", "stage", "item_id", "grade", "state", "due_date")
    list_filter = ("stage", "grade", "state")
    search_fields = (
        "number",
        "application__reference",
        "application__enterprise__name",
        "certificate__number",
        "certificate__enterprise__name",
    )
    list_select_related = ("application", "certificate")
    inlines = [CorrectiveActionInline]


@admin.register(CorrectiveEvidence)
class CorrectiveEvidenceAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "action", "size", "sha256", "uploaded_at")
    search_fields = ("original_name", "sha256")
    list_select_related = ("action__nonconformity",)
