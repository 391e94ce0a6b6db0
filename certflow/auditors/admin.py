"""Read-mostly admin for the register: changes go through the register pages so each lands in the event log."""

from django.contrib import admin

from certflow.auditors.models import AuditorProfile, Competence, ConflictDeclaration, Unavailability


class ReadOnlyAdmin(admin.ModelAdmin):
    # Writes bypassing the services would skip the event log; nothing is ever deleted.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditorProfile)
class AuditorProfileAdmin(ReadOnlyAdmin):
    list_display = ("qualification_number", "user", "level", "valid_from", "valid_until")
    list_filter = ("level",)
    search_fields = ("qualification_number", "user__email", "user__full_name")
    list_select_related = ("user",)


@admin.register(Competence)
class CompetenceAdmin(ReadOnlyAdmin):
    list_display = ("profile", "category", "granted_on", "removed_at")
    list_filter = ("category",)
    list_select_related = ("profile__user",)


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(ReadOnlyAdmin):
    list_display = ("profile", "enterprise", "until", "declared_at", "withdrawn_at")
    list_select_related = ("profile__user", "enterprise")


@admin.register(Unavailability)
class UnavailabilityAdmin(ReadOnlyAdmin):
    list_display = ("profile", "start", "end", "reason", "removed_at")
    list_select_related = ("profile__user",)
