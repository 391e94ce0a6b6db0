"""Certificates in the Django admin: read-only. Every change goes through the services (events, history)."""

from django.contrib import admin

from certflow.certificates.models import Certificate, CertificateStatusChange


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ("number", "enterprise_name", "grade_name", "status", "issued_on", "expires_on", "is_legacy")
    list_filter = ("status", "is_legacy", "grade_code")
    search_fields = ("number", "enterprise_name", "enterprise_uscc")


@admin.register(CertificateStatusChange)
class CertificateStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ("certificate", "from_status", "to_status", "effective_on", "changed_by", "changed_at")
    list_select_related = ("certificate", "changed_by")
