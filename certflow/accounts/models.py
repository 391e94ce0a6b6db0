from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from certflow.accounts.roles import ROLES_SEEING_ALL_ENTERPRISES, MembershipRole, StaffRole, UserKind
from certflow.accounts.uscc import USCCError, validate_uscc


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("kind", UserKind.CB_STAFF)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in by e-mail: CB staff, or a user of one or more enterprises."""

    email = models.EmailField(_("电子邮箱"), unique=True)
    full_name = models.CharField(_("姓名"), max_length=100)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    kind = models.CharField(_("用户类型"), max_length=20, choices=UserKind.choices, default=UserKind.ENTERPRISE)
    # is_staff keeps Django's meaning: may open the Django admin for reference data.
    is_staff = models.BooleanField(_("可进入后台"), default=False)
    is_active = models.BooleanField(_("有效"), default=True)
    date_joined = models.DateTimeField(_("注册时间"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["email"]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>" if self.full_name else self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    @property
    def is_cb_staff(self) -> bool:
        return self.kind == UserKind.CB_STAFF

    @cached_property
    def roles(self) -> frozenset[str]:
        """The user's active staff roles; prefetch `role_grants` to keep list pages flat."""
        if not self.is_cb_staff or not self.pk:
            return frozenset()
        return frozenset(g.role for g in self.role_grants.all() if g.revoked_at is None)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def sees_all_enterprises(self) -> bool:
        return self.is_active and bool(self.roles & ROLES_SEEING_ALL_ENTERPRISES)


class RoleGrant(models.Model):
    """A staff role held by a user. Revoked grants stay as history; nothing is deleted."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="role_grants")
    role = models.CharField(_("角色"), max_length=30, choices=StaffRole.choices)
    granted_at = models.DateTimeField(_("授予时间"), default=timezone.now)
    granted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("授予人")
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("人员角色")
        verbose_name_plural = _("人员角色")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"], condition=models.Q(revoked_at__isnull=True), name="one_active_grant_per_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.email}: {self.get_role_display()}"


def validate_uscc_field(value: str) -> None:
    try:
        validate_uscc(value)
    except USCCError as exc:
        raise ValidationError(str(exc), code="invalid_uscc") from None


class Enterprise(models.Model):
    """申请企业 / 获证企业: identified by its unified social credit code."""

    name = models.CharField(_("企业名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc_field])
    address = models.CharField(_("注册地址"), max_length=300, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=100, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's place in an enterprise. Ended memberships keep their row (ended_at)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(
        _("企业内角色"), max_length=20, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("企业成员")
        verbose_name_plural = _("企业成员")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "user"], condition=models.Q(ended_at__isnull=True), name="one_active_membership"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.email} @ {self.enterprise.name}"
