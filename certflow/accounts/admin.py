from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from certflow.accounts.models import Enterprise, Membership, RoleGrant, User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    fields = ("role", "granted_at", "granted_by", "revoked_at")
    readonly_fields = ("granted_at", "granted_by")

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("enterprise", "user", "role", "created_at", "ended_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("enterprise", "user")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "kind", "is_active", "is_staff", "last_login")
    list_filter = ("kind", "is_active", "is_staff")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("个人信息"), {"fields": ("full_name", "phone", "kind")}),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
        (_("二次验证"), {"fields": ("second_factor",)}),
    )
    readonly_fields = ("second_factor",)
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "kind", "password1", "password2")}),
    )
    inlines = [RoleGrantInline]

    def has_delete_permission(self, request, obj=None):
        return False  # people are deactivated, never deleted: their records must keep an author

    @admin.display(description=_("二次验证"))
    def second_factor(self, obj):
        # The reset itself happens on the recorded page (SEC4), not by editing devices here.
        if not obj.pk:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("user_second_factor", args=[obj.pk]), _("查看 / 重置"))


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "contact_name", "contact_phone", "created_at")
    search_fields = ("name", "uscc")
    readonly_fields = ("created_at", "created_by")
    inlines = [MembershipInline]
    list_per_page = 50

    def has_delete_permission(self, request, obj=None):
        return False


def _hide_authenticator_secrets():
    # django-otp's admin shows and edits each TOTP key and its QR code: anyone with the Django admin
    # could copy a colleague's authenticator. Devices are managed only through enrolment and the
    # recorded administrator reset (docs/decisions.md SEC4).
    from django_otp.plugins.otp_totp import admin as otp_totp_admin  # noqa: F401 - registers it first
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if admin.site.is_registered(TOTPDevice):
        admin.site.unregister(TOTPDevice)


_hide_authenticator_secrets()
