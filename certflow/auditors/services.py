"""Writes of the auditor register. Each function is one transaction with its one event.

Who may: programme managers and administrators keep the register; an auditor declares his own
conflicts of interest and unavailable dates (decisions Q5). Nothing is deleted: conflicts are
withdrawn, competences and unavailable periods are marked removed.
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from certflow.accounts.models import User
from certflow.accounts.roles import StaffRole
from certflow.auditors.domain import REGISTER_KEEPERS, AuditorLevel
from certflow.auditors.models import AuditorProfile, Competence, ConflictDeclaration, Unavailability
from certflow.auditors.selectors import category_catalogue
from certflow.core.events.services import record_event
from certflow.core.rules import RuleViolation

PROFILE_FIELDS = ("qualification_number", "level", "valid_from", "valid_until", "notes")


def is_register_keeper(user) -> bool:
    return bool(
        user and user.is_authenticated and user.is_active and user.is_cb_staff and user.roles & REGISTER_KEEPERS
    )


def _guard_keeper(by) -> None:
    if not is_register_keeper(by):
        raise RuleViolation(
            "只有审核方案管理人员或系统管理员可以维护审核员注册信息",
            "only a programme manager or an administrator may keep the auditor register",
            "not_register_keeper",
        )


def _guard_keeper_or_self(by, profile: AuditorProfile) -> None:
    if is_register_keeper(by):
        return
    if not (by and by.is_authenticated and by.is_active and by.is_cb_staff and by.pk == profile.user_id):
        raise RuleViolation(
            "只有审核员本人或审核方案管理人员可以进行此操作",
            "only the auditor himself or a programme manager may do this",
            "not_self_or_keeper",
        )


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _profile_values(profile: AuditorProfile) -> dict:
    return {f: getattr(profile, f) for f in PROFILE_FIELDS}


def _check_profile(values: dict) -> None:
    if not str(values.get("qualification_number") or "").strip():
        raise RuleViolation("请填写资格证书编号", "the qualification number is required", "number_required")
    if values.get("level") not in AuditorLevel.values:
        raise RuleViolation("审核员级别无效", "unknown auditor level", "bad_level")
    if not values.get("valid_from") or not values.get("valid_until"):
        raise RuleViolation("请填写资格有效期", "the validity dates are required", "validity_required")
    if values["valid_until"] < values["valid_from"]:
        raise RuleViolation(
            "资格有效期至不能早于生效日期",
            "the qualification cannot end before it starts",
            "validity_order",
        )


def _duplicate_number(number: str) -> RuleViolation:
    return RuleViolation(
        f"资格证书编号 {number} 已登记在其他审核员名下",
        f"qualification number {number} is already registered to another auditor",
        "duplicate_number",
    )


def profile_create(
    *, by, user, qualification_number: str, level: str, valid_from: date, valid_until: date, notes: str = ""
) -> AuditorProfile:
    """Enter a CB auditor into the register (clause 6 现场审核: 具备资格的审核员)."""
    _guard_keeper(by)
    values = {
        "qualification_number": (qualification_number or "").strip(),
        "level": level,
        "valid_from": valid_from,
        "valid_until": valid_until,
        "notes": notes or "",
    }
    _check_profile(values)
    user.__dict__.pop("roles", None)
    if not (user.is_cb_staff and user.has_role(StaffRole.AUDITOR, StaffRole.LEAD_AUDITOR)):
        raise RuleViolation(
            f"{user.full_name or user.email}不是持有审核员或审核组长角色的认证机构人员",
            f"{user.email} is not CB staff holding the auditor or lead auditor role",
            "not_auditor_staff",
        )
    if AuditorProfile.objects.filter(user=user).exists():
        raise RuleViolation(
            "该人员已在审核员注册名单中", "this person is already in the register", "already_registered"
        )
    if AuditorProfile.objects.filter(qualification_number=values["qualification_number"]).exists():
        raise _duplicate_number(values["qualification_number"])
    try:
        with transaction.atomic():
            profile = AuditorProfile.objects.create(user=user, **values)
            record_event(actor=by, action="auditor.registered", target=profile, after=values)
    except IntegrityError:
        # Two keepers entering the same person or number at once: the constraint decides.
        raise _duplicate_number(values["qualification_number"]) from None
    return profile


def profile_update(*, by, profile: AuditorProfile, reason: str = "", **changes) -> AuditorProfile:
    """Change the qualification number, level, validity or notes."""
    _guard_keeper(by)
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"unknown profile fields: {sorted(unknown)}")
    try:
        with transaction.atomic():
            locked = AuditorProfile.objects.select_for_update().get(pk=profile.pk)
            before = _profile_values(locked)
            after = {**before, **changes}
            after["qualification_number"] = str(after["qualification_number"] or "").strip()
            after["notes"] = after["notes"] or ""
            _check_profile(after)
            if after == before:
                return locked
            number = after["qualification_number"]
            if AuditorProfile.objects.filter(qualification_number=number).exclude(pk=locked.pk).exists():
                raise _duplicate_number(number)
            for name, value in after.items():
                setattr(locked, name, value)
            locked.updated_at = timezone.now()
            locked.save()
            changed = [k for k in PROFILE_FIELDS if before[k] != after[k]]
            record_event(
                actor=by,
                action="auditor.updated",
                target=locked,
                before={k: before[k] for k in changed},
                after={k: after[k] for k in changed},
                reason=reason,
            )
    except IntegrityError:
        raise _duplicate_number(changes.get("qualification_number", "")) from None
    return locked


def competence_add(
    *, by, profile: AuditorProfile, category: str, granted_on: date | None = None, basis: str = ""
) -> Competence:
    """Record competence for one custom-goods category of the scope (ISO/IEC 17021-1 7.1.2)."""
    _guard_keeper(by)
    names = category_catalogue()
    if category not in names:
        raise RuleViolation(
            f"没有定制商品类别「{category}」", f"there is no custom-goods category {category!r}", "bad_category"
        )
    with transaction.atomic():
        locked = AuditorProfile.objects.select_for_update().get(pk=profile.pk)
        if Competence.objects.filter(profile=locked, category=category, removed_at__isnull=True).exists():
            raise RuleViolation(
                f"已登记「{names[category][0]}」的专业能力",
                f"competence for {names[category][1]} is already recorded",
                "competence_exists",
            )
        competence = Competence.objects.create(
            profile=locked, category=category, granted_on=granted_on or timezone.localdate(), basis=basis or ""
        )
        record_event(
            actor=by,
            action="auditor.competence_added",
            target=competence,
            after={"profile": locked.pk, "category": category, "granted_on": competence.granted_on, "basis": basis},
        )
    return competence


def competence_remove(*, by, competence: Competence, reason: str = "") -> Competence:
    _guard_keeper(by)
    with transaction.atomic():
        locked = Competence.objects.select_for_update().get(pk=competence.pk)
        if locked.removed_at is not None:
            raise RuleViolation("该专业能力已撤销", "this competence was already removed", "already_removed")
        locked.removed_at = timezone.now()
        locked.removed_by = by
        locked.save(update_fields=["removed_at", "removed_by"])
        record_event(
            actor=by,
            action="auditor.competence_removed",
            target=locked,
            before={"profile": locked.profile_id, "category": locked.category},
            reason=reason,
        )
    return locked


def conflict_declare(
    *, by, profile: AuditorProfile, enterprise, reason: str, until: date | None = None, today: date | None = None
) -> ConflictDeclaration:
    """利益冲突声明 (ISO/IEC 17021-1 5.2): the auditor, or a keeper on his behalf, names the enterprise."""
    _guard_keeper_or_self(by, profile)
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("请说明利益冲突的原因", "say why there is a conflict of interest", "reason_required")
    if until is not None and until < _today(today):
        raise RuleViolation(
            "冲突截止日期已过，无需声明", "the conflict has already ended; nothing to declare", "until_in_past"
        )
    with transaction.atomic():
        locked = AuditorProfile.objects.select_for_update().get(pk=profile.pk)
        conflict = ConflictDeclaration.objects.create(
            profile=locked, enterprise=enterprise, until=until, reason=reason, declared_by=by
        )
        record_event(
            actor=by,
            action="auditor.conflict_declared",
            target=conflict,
            after={"profile": locked.pk, "enterprise": enterprise.pk, "until": until},
            reason=reason,
        )
        if not is_register_keeper(by):
            _notify_keepers(conflict)
    return conflict


def _notify_keepers(conflict: ConflictDeclaration) -> None:
    """Programme managers arrange the teams, so they hear of a conflict an auditor declares himself."""
    from certflow.notifications.services import notify

    keepers = User.objects.filter(
        is_active=True, role_grants__role=StaffRole.PROGRAMME_MANAGER, role_grants__revoked_at__isnull=True
    ).distinct()
    who = conflict.profile.user.full_name or conflict.profile.user.email
    until = conflict.until.isoformat() if conflict.until else "长期 / no end"
    notify(
        recipients=list(keepers),
        kind="auditor.conflict_declared",
        title=f"{who}声明了利益冲突 / {who} declared a conflict of interest",
        body=f"企业 / enterprise: {conflict.enterprise.name}\n截止 / until: {until}\n原因 / reason: {conflict.reason}",
        url=f"/auditors/{conflict.profile_id}/",
    )


def conflict_withdraw(*, by, conflict: ConflictDeclaration, reason: str) -> ConflictDeclaration:
    """Only a keeper withdraws a conflict: lifting an impartiality bar is the CB's call, not the auditor's
    own (decisions Q5)."""
    _guard_keeper(by)
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("请说明撤回理由", "say why the declaration is withdrawn", "reason_required")
    with transaction.atomic():
        locked = ConflictDeclaration.objects.select_for_update().get(pk=conflict.pk)
        if locked.withdrawn_at is not None:
            raise RuleViolation("该声明已撤回", "this declaration was already withdrawn", "already_withdrawn")
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = by
        locked.withdrawn_reason = reason
        locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
        record_event(
            actor=by,
            action="auditor.conflict_withdrawn",
            target=locked,
            before={"profile": locked.profile_id, "enterprise": locked.enterprise_id, "until": locked.until},
            reason=reason,
        )
    return locked


def unavailability_add(
    *, by, profile: AuditorProfile, start: date, end: date, reason: str = "", today: date | None = None
) -> Unavailability:
    _guard_keeper_or_self(by, profile)
    if not start or not end:
        raise RuleViolation("请填写开始和结束日期", "the start and end dates are required", "dates_required")
    if end < start:
        raise RuleViolation("结束日期不能早于开始日期", "the end cannot be before the start", "period_order")
    if end < _today(today):
        raise RuleViolation("该期间已经过去", "this period is already over", "period_in_past")
    with transaction.atomic():
        locked = AuditorProfile.objects.select_for_update().get(pk=profile.pk)
        overlapping = Unavailability.objects.filter(
            profile=locked, removed_at__isnull=True, start__lte=end, end__gte=start
        ).first()
        if overlapping is not None:
            raise RuleViolation(
                f"与已登记的不可安排期间 {overlapping.start}–{overlapping.end} 重叠",
                f"overlaps the period {overlapping.start}–{overlapping.end} already recorded",
                "period_overlaps",
            )
        period = Unavailability.objects.create(profile=locked, start=start, end=end, reason=reason or "", created_by=by)
        record_event(
            actor=by,
            action="auditor.unavailability_added",
            target=period,
            after={"profile": locked.pk, "start": start, "end": end},
            reason=reason or "",
        )
    return period


def unavailability_remove(*, by, period: Unavailability) -> Unavailability:
    _guard_keeper_or_self(by, period.profile)
    with transaction.atomic():
        locked = Unavailability.objects.select_for_update().get(pk=period.pk)
        if locked.removed_at is not None:
            raise RuleViolation("该期间已撤销", "this period was already removed", "already_removed")
        locked.removed_at = timezone.now()
        locked.removed_by = by
        locked.save(update_fields=["removed_at", "removed_by"])
        record_event(
            actor=by,
            action="auditor.unavailability_removed",
            target=locked,
            before={"profile": locked.profile_id, "start": locked.start, "end": locked.end},
        )
    return locked
