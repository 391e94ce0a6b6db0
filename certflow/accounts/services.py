"""Every write to people and enterprises: one transaction each, with its event."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from certflow.accounts.models import Enterprise, Membership, RoleGrant, User
from certflow.accounts.roles import MembershipRole, StaffRole, UserKind
from certflow.accounts.uscc import USCCError, validate_uscc
from certflow.core.events.services import record_event
from certflow.core.privacy import event_safe

ENTERPRISE_FIELDS = (
    "name",
    "uscc",
    "address",
    "legal_representative",
    "contact_name",
    "contact_phone",
    "contact_email",
)


def _enterprise_snapshot(enterprise: Enterprise) -> dict:
    return {f: getattr(enterprise, f) for f in ENTERPRISE_FIELDS}


def _clean_uscc(uscc: str) -> str:
    try:
        return validate_uscc(uscc)
    except USCCError as exc:
        raise ValidationError({"uscc": [str(exc)]}) from None


def enterprise_register(*, by: User, name: str, uscc: str, **details) -> Enterprise:
    """Register an enterprise; its registering enterprise user becomes its administrator."""
    code = _clean_uscc(uscc)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["请填写企业名称 / the enterprise name is required"]})
    unknown = set(details) - set(ENTERPRISE_FIELDS)
    if unknown:
        raise ValidationError(f"unknown enterprise fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        if Enterprise.objects.select_for_update().filter(uscc=code).exists():
            raise ValidationError(
                {
                    "uscc": [
                        "该统一社会信用代码已登记，请联系企业管理员邀请您加入 / "
                        "this code is already registered; ask the enterprise's administrator to add you"
                    ]
                }
            )
        enterprise = Enterprise(name=name, uscc=code, created_by=by, **details)
        enterprise.full_clean()
        enterprise.save()
        if not by.is_cb_staff:
            Membership.objects.create(enterprise=enterprise, user=by, role=MembershipRole.ADMIN)
        record_event(
            actor=by,
            action="enterprise.registered",
            target=enterprise,
            after=event_safe("accounts.Enterprise", _enterprise_snapshot(enterprise)),
        )
    return enterprise


def enterprise_update(*, by: User, enterprise: Enterprise, **changes) -> Enterprise:
    unknown = set(changes) - set(ENTERPRISE_FIELDS)
    if unknown:
        raise ValidationError(f"unknown enterprise fields: {', '.join(sorted(unknown))}")
    if "uscc" in changes:
        changes["uscc"] = _clean_uscc(changes["uscc"])
    with transaction.atomic():
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        before = _enterprise_snapshot(locked)
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.full_clean()
        after = _enterprise_snapshot(locked)
        if after == before:
            return locked
        locked.save()
        record_event(
            actor=by,
            action="enterprise.updated",
            target=locked,
            before=event_safe("accounts.Enterprise", {k: v for k, v in before.items() if before[k] != after[k]}),
            after=event_safe("accounts.Enterprise", {k: v for k, v in after.items() if before[k] != after[k]}),
        )
    return locked


def user_create(
    *,
    by: User | None,
    email: str,
    full_name: str,
    password: str | None,
    kind: str = UserKind.ENTERPRISE,
    phone: str = "",
) -> User:
    email = User.objects.normalize_email(email or "").lower()
    if not email:
        raise ValidationError({"email": ["请填写电子邮箱 / e-mail is required"]})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": ["该邮箱已注册 / this e-mail is already registered"]})
    user = User(email=email, full_name=full_name, kind=kind, phone=phone)
    if password:
        password_validation.validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save()
        record_event(
            actor=by or user,
            action="user.created",
            target=user,
            # The account row holds the e-mail and name; the append-only log only that it was created.
            after={"kind": kind},
        )
    return user


def password_changed(*, user: User, how: str) -> None:
    """Record that the user's password was changed (`how`: "change" signed in, "reset" by the e-mailed link)."""
    record_event(actor=user, action=f"user.password_{how}", target=user, after={"how": how})


def membership_add(*, by: User, enterprise: Enterprise, user: User, role: str = MembershipRole.MEMBER) -> Membership:
    if user.is_cb_staff:
        raise ValidationError("认证机构人员不能成为企业成员 / CB staff cannot be members of an enterprise")
    with transaction.atomic():
        existing = Membership.objects.select_for_update().filter(
            enterprise=enterprise, user=user, ended_at__isnull=True
        )
        if existing.exists():
            raise ValidationError("该用户已是企业成员 / this user is already a member")
        membership = Membership.objects.create(enterprise=enterprise, user=user, role=role)
        record_event(
            actor=by,
            action="membership.added",
            target=membership,
            after={"enterprise": enterprise.pk, "user": user.pk, "role": role},
        )
    return membership


def membership_end(*, by: User, membership: Membership) -> Membership:
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.ended_at is not None:
            return locked
        locked.ended_at = timezone.now()
        locked.save(update_fields=["ended_at"])
        record_event(
            actor=by,
            action="membership.ended",
            target=locked,
            before={"user": locked.user_id, "enterprise": locked.enterprise_id},
        )
    return locked


def role_grant(*, by: User | None, user: User, role: str) -> RoleGrant:
    if role not in StaffRole.values:
        raise ValidationError(f"未知角色 / unknown role: {role}")
    if not user.is_cb_staff:
        raise ValidationError("只有认证机构人员可以被授予机构角色 / only CB staff can hold staff roles")
    with transaction.atomic():
        grant = RoleGrant.objects.select_for_update().filter(user=user, role=role, revoked_at__isnull=True).first()
        if grant:
            return grant
        grant = RoleGrant.objects.create(user=user, role=role, granted_by=by)
        record_event(actor=by, action="role.granted", target=user, after={"role": role})
    user.__dict__.pop("roles", None)
    return grant


def role_revoke(*, by: User, user: User, role: str) -> None:
    with transaction.atomic():
        grant = RoleGrant.objects.select_for_update().filter(user=user, role=role, revoked_at__isnull=True).first()
        if grant is None:
            return
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        record_event(actor=by, action="role.revoked", target=user, before={"role": role})
    user.__dict__.pop("roles", None)
