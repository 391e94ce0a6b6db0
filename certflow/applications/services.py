"""Every write to an application: one transaction each, with its event and its notifications.

Clauses: 1 (scope), 4.3-3 (declaration), 6 申请受理 1–2 (materials, acceptance in 5 working days).
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from certflow.accounts.roles import StaffRole
from certflow.applications import domain
from certflow.applications.domain import Action, ApplicationFacts, ApplicationStatus
from certflow.applications.models import Application, Assignment, MaterialFile, Site, SupplementItem, SupplementRequest
from certflow.core.events.services import record_event
from certflow.core.rules import RuleViolation
from certflow.core.schemes.models import SchemeVersion
from certflow.core.schemes.services import scheme_version_for
from certflow.core.sequences import next_value
from certflow.core.workdays.services import CalendarDataMissing, add_working_days

DETAIL_FIELDS = (
    "application_type",
    "categories",
    "other_category_description",
    "service_stages",
    "service_description",
)
MATERIAL_KINDS = frozenset({"pdf", "png", "jpeg", "docx", "xlsx", "doc", "xls"})


def _lock(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


def _scheme(application: Application):
    return application.scheme_version.as_scheme()


def _notify(**kwargs):
    from certflow.notifications.services import notify

    notify(**kwargs)


def _enterprise_users(application: Application):
    from certflow.accounts.models import User

    return User.objects.filter(
        memberships__enterprise_id=application.enterprise_id, memberships__ended_at__isnull=True, is_active=True
    )


def _clerks():
    from certflow.accounts.models import User

    return User.objects.filter(
        role_grants__role=StaffRole.ACCEPTANCE_CLERK, role_grants__revoked_at__isnull=True, is_active=True
    ).distinct()


def _move(application: Application, action: str, target: str, *, by, reason: str = "", extra: dict | None = None):
    before = application.status
    application.status = target
    record_event(
        actor=by,
        action=f"application.{action}",
        target=application,
        reason=reason,
        before={"status": before},
        after={"status": target, **(extra or {})},
    )


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _acceptance_due(application: Application, received: date) -> date:
    deadline = _scheme(application).deadline("acceptance")
    try:
        return domain.acceptance_due(received, deadline.amount, add_working_days)
    except CalendarDataMissing as exc:
        raise RuleViolation(exc.message_zh, exc.message_en, "calendar_missing") from None


def _receive(locked: Application, received: date, action: str, target: str, *, by, kind: str, title: str) -> None:
    """The materials are received (on submission or resubmission): the acceptance clock starts anew
    (clause 6 申请受理 2, decision A2) and the clerks are told the day they must decide by."""
    locked.received_on = received
    locked.acceptance_due = _acceptance_due(locked, received)
    _move(locked, action, target, by=by, extra={"received_on": received, "acceptance_due": locked.acceptance_due})
    locked.save()
    days = _scheme(locked).deadline("acceptance").amount
    _notify(
        recipients=_clerks(),
        kind=kind,
        enterprise=locked.enterprise,
        title=title,
        body=f"请于 {locked.acceptance_due:%Y年%m月%d日} 前作出受理决定（{days}个工作日）。"
        f" / Decide on acceptance by {locked.acceptance_due:%Y-%m-%d} ({days} working days).",
        url=f"/applications/{locked.pk}/",
    )


def _check_recertification(enterprise, today: date) -> None:
    """再认证 only for a holder of a current-scheme certificate, inside the window before its expiry
    (certflow.lifecycle.domain.check_recertification_application; scheme deadline recertification_opens)."""
    from certflow.lifecycle.recertification import check_may_apply

    check_may_apply(enterprise, today)


# --- drafting -----------------------------------------------------------------------------------


def application_create(
    *,
    by,
    enterprise,
    application_type: str = domain.ApplicationType.INITIAL,
    scheme_version: SchemeVersion | None = None,
    today: date | None = None,
) -> Application:
    if application_type not in domain.ApplicationType.values:
        raise RuleViolation(f"未知申请类型：{application_type}", f"unknown application type: {application_type}")
    if application_type == domain.ApplicationType.RECERTIFICATION:
        _check_recertification(enterprise, _today(today))
    version = scheme_version or scheme_version_for()
    with transaction.atomic():
        number = next_value(f"application:{_today(today).year}")
        application = Application.objects.create(
            reference=f"SQ{_today(today).year}-{number:05d}",
            enterprise=enterprise,
            scheme_version=version,
            application_type=application_type,
            created_by=by,
        )
        record_event(
            actor=by,
            action="application.created",
            target=application,
            after={
                "reference": application.reference,
                "enterprise": enterprise.pk,
                "scheme": f"{version.code} {version.version}",
                "type": application_type,
            },
        )
    return application


def _check_details(application: Application, changes: dict) -> None:
    scope = _scheme(application).scope
    if "categories" in changes:
        known = {c.code for c in scope.categories}
        values = changes["categories"]
        if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
            raise RuleViolation("类别格式不正确", "categories must be a list of codes", "invalid")
        unknown = sorted(set(values) - known)
        if unknown:
            raise RuleViolation(
                f"未知的定制商品类别：{'、'.join(unknown)}", f"unknown categories: {', '.join(unknown)}", "invalid"
            )
        changes["categories"] = sorted(set(values), key=[c.code for c in scope.categories].index)
    if "service_stages" in changes:
        order = [s.code for s in scope.service_stages]
        values = changes["service_stages"]
        if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
            raise RuleViolation("服务环节格式不正确", "service stages must be a list of codes", "invalid")
        unknown = sorted(set(values) - set(order))
        if unknown:
            raise RuleViolation(
                f"未知的服务环节：{'、'.join(unknown)}", f"unknown service stages: {', '.join(unknown)}", "invalid"
            )
        changes["service_stages"] = sorted(set(values), key=order.index)
    if "application_type" in changes and changes["application_type"] not in domain.ApplicationType.values:
        raise RuleViolation("未知申请类型", "unknown application type", "invalid")


def application_update_details(*, by, application: Application, **changes) -> Application:
    unknown = set(changes) - set(DETAIL_FIELDS)
    if unknown:
        raise RuleViolation(f"不能修改：{', '.join(sorted(unknown))}", f"not editable: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = _lock(application)
        if not domain.may_edit_details(locked.status):
            raise RuleViolation(
                "申请已提交，内容不能再修改（补充材料请按补充要求上传）",
                "a submitted application cannot be edited; upload what the supplement request asks for",
                "locked",
            )
        _check_details(locked, changes)
        before = {f: getattr(locked, f) for f in changes}
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.save()
        changed = {f: getattr(locked, f) for f in changes if before[f] != getattr(locked, f)}
        if changed:
            record_event(
                actor=by,
                action="application.details_changed",
                target=locked,
                before={f: before[f] for f in changed},
                after=changed,
            )
    return locked


def declaration_set(*, by, application: Application, made: bool) -> Application:
    with transaction.atomic():
        locked = _lock(application)
        if not domain.may_edit_details(locked.status):
            raise RuleViolation("申请已提交，声明不能更改", "the declaration cannot change after submission", "locked")
        locked.declaration_made = made
        locked.declared_at = timezone.now() if made else None
        locked.declared_by = by if made else None
        locked.save(update_fields=["declaration_made", "declared_at", "declared_by", "updated_at"])
        record_event(actor=by, action="application.declaration", target=locked, after={"declaration_made": made})
    return locked


def site_add(*, by, application: Application, kind: str, name: str, address: str) -> Site:
    from certflow.applications.models import SiteKind

    if kind not in SiteKind.values:
        raise RuleViolation(f"未知场所类型：{kind}", f"unknown site kind: {kind}", "invalid")
    if not name.strip() or not address.strip():
        raise RuleViolation("请填写场所名称和地址", "a site needs a name and an address", "invalid")
    with transaction.atomic():
        locked = _lock(application)
        if not domain.may_edit_details(locked.status):
            raise RuleViolation("申请已提交，场所不能再修改", "sites cannot change after submission", "locked")
        site = Site.objects.create(application=locked, kind=kind, name=name.strip(), address=address.strip())
        record_event(
            actor=by,
            action="application.site_added",
            target=locked,
            after={"site": site.pk, "kind": kind, "name": site.name, "address": site.address},
        )
    return site


def site_remove(*, by, site: Site) -> None:
    with transaction.atomic():
        locked = _lock(site.application)
        if not domain.may_edit_details(locked.status):
            raise RuleViolation("申请已提交，场所不能再修改", "sites cannot change after submission", "locked")
        Site.objects.filter(pk=site.pk, removed_at__isnull=True).update(removed_at=timezone.now())
        record_event(actor=by, action="application.site_removed", target=locked, before={"site": site.pk})


# --- materials ----------------------------------------------------------------------------------


def _requested_materials(application: Application) -> frozenset[str]:
    request = application.supplement_requests.filter(resolved_at__isnull=True).first()
    if request is None:
        return frozenset()
    return frozenset(request.items.values_list("material", flat=True))


def material_upload(
    *, by, application: Application, material: str, name: str, data, replaces: MaterialFile | None = None
) -> MaterialFile:
    """Add a file to a required material, or a new version of one of its files (never overwriting)."""
    from django.conf import settings

    from certflow.core.files import storing
    from certflow.core.uploads import UploadRejected, inspect_upload

    scheme = _scheme(application)
    if material not in scheme.material_codes:
        raise RuleViolation(f"未知的申请材料：{material}", f"unknown application material: {material}", "invalid")
    try:
        inspected = inspect_upload(
            name, data, allowed=MATERIAL_KINDS, max_bytes=getattr(settings, "CERTFLOW_UPLOAD_MAX_BYTES", 20 << 20)
        )
    except UploadRejected as exc:
        raise RuleViolation(exc.zh, exc.en, "upload_" + exc.code) from None
    with storing() as store, transaction.atomic():
        locked = _lock(application)
        domain.guard_upload(locked.status, material, _requested_materials(locked))
        current = MaterialFile.objects.filter(
            application=locked, material=material, withdrawn_at__isnull=True, replaced_by__isnull=True
        )
        duplicate = current.filter(sha256=inspected.sha256).first()
        if duplicate is not None:
            raise RuleViolation(
                f"与已上传的文件“{duplicate.original_name}”内容完全相同，无需重复上传",
                f"this file is identical to '{duplicate.original_name}' already uploaded",
                "duplicate",
            )
        version = 1
        if replaces is not None:
            if replaces.application_id != locked.pk or replaces.material != material:
                raise RuleViolation("只能替换同一材料的文件", "a file can only replace a file of the same material")
            if not current.filter(pk=replaces.pk).exists():
                raise RuleViolation("该文件已被替换或撤回", "that file was already replaced or withdrawn", "stale")
            version = replaces.version + 1
        storage_name = store(inspected, data, folder=f"applications/{locked.pk}/{material}")
        upload = MaterialFile.objects.create(
            application=locked,
            material=material,
            version=version,
            replaces=replaces,
            original_name=inspected.safe_name,
            storage_name=storage_name,
            kind=inspected.kind,
            content_type=inspected.content_type,
            size=inspected.size,
            sha256=inspected.sha256,
            uploaded_by=by,
        )
        record_event(
            actor=by,
            action="application.material_uploaded",
            target=locked,
            after={
                "file": upload.pk,
                "material": material,
                "version": version,
                "name": upload.original_name,
                "sha256": upload.sha256,
                "size": upload.size,
                "replaces": getattr(replaces, "pk", None),
            },
        )
    return upload


def material_withdraw(*, by, upload: MaterialFile) -> None:
    """Take a file out of a draft (a wrong upload). The bytes and the row stay for the record."""
    with transaction.atomic():
        locked = _lock(upload.application)
        if locked.status != ApplicationStatus.DRAFT:
            raise RuleViolation(
                "申请已提交，文件不能撤回，请上传新版本", "after submission, upload a new version instead", "locked"
            )
        MaterialFile.objects.filter(pk=upload.pk, withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
        record_event(
            actor=by,
            action="application.material_withdrawn",
            target=locked,
            before={"file": upload.pk, "material": upload.material, "name": upload.original_name},
        )


def facts_for(application: Application) -> ApplicationFacts:
    scheme = _scheme(application)
    present = frozenset(
        application.material_files.filter(withdrawn_at__isnull=True, replaced_by__isnull=True).values_list(
            "material", flat=True
        )
    )
    return ApplicationFacts(
        categories=tuple(application.categories),
        other_category_description=application.other_category_description,
        service_stages=tuple(application.service_stages),
        sites=tuple(application.sites.filter(removed_at__isnull=True).values_list("name", flat=True)),
        declaration_made=application.declaration_made,
        materials_present=present,
        required_materials=scheme.material_codes,
        material_names={m: scheme.material(m).name.zh for m in scheme.material_codes},
    )


# --- submission and acceptance ------------------------------------------------------------------


def application_submit(*, by, application: Application, today: date | None = None) -> Application:
    received = _today(today)
    with transaction.atomic():
        locked = _lock(application)
        target = domain.guard_submit(locked.status, facts_for(locked))
        if locked.application_type == domain.ApplicationType.RECERTIFICATION:
            # The type may have been changed on the draft since it was created: the window counts at submission.
            _check_recertification(locked.enterprise, received)
        locked.submitted_at = timezone.now()
        _receive(
            locked,
            received,
            Action.SUBMIT,
            target,
            by=by,
            kind="application.submitted",
            title=f"新的认证申请待受理：{locked.enterprise.name}（{locked.reference}）",
        )
    return locked


def application_request_supplement(
    *, by, application: Application, items: dict[str, str], message: str = ""
) -> SupplementRequest:
    with transaction.atomic():
        locked = _lock(application)
        target = domain.guard_request_supplement(locked.status, items, _scheme(locked).material_codes)
        request = SupplementRequest.objects.create(application=locked, message=message.strip(), requested_by=by)
        SupplementItem.objects.bulk_create(
            SupplementItem(request=request, material=code, message=text.strip()) for code, text in items.items()
        )
        # The acceptance clock stops while the enterprise completes its materials (decisions A2).
        locked.acceptance_due = None
        _move(
            locked,
            Action.REQUEST_SUPPLEMENT,
            target,
            by=by,
            reason=message,
            extra={"materials": sorted(items), "request": request.pk},
        )
        locked.save()
        names = "、".join(_scheme(locked).material(code).name.zh for code in items)
        _notify(
            recipients=_enterprise_users(locked),
            kind="application.supplement_requested",
            enterprise=locked.enterprise,
            title=f"请补充或修改申请材料（{locked.reference}）",
            body=f"认证机构要求补充或修改：{names}。{message} / The CB asks you to supplement: {', '.join(items)}.",
            url=f"/applications/{locked.pk}/",
        )
    return request


def application_resubmit(*, by, application: Application, today: date | None = None) -> Application:
    received = _today(today)
    with transaction.atomic():
        locked = _lock(application)
        request = locked.supplement_requests.filter(resolved_at__isnull=True).first()
        requested = frozenset(request.items.values_list("material", flat=True)) if request else frozenset()
        updated = (
            frozenset(
                locked.material_files.filter(uploaded_at__gte=request.requested_at).values_list("material", flat=True)
            )
            if request
            else frozenset()
        )
        scheme = _scheme(locked)
        names = {code: scheme.material(code).name.zh for code in scheme.material_codes}
        target = domain.guard_resubmit(locked.status, requested, updated, names)
        if request is not None:
            request.resolved_at = timezone.now()
            request.save(update_fields=["resolved_at"])
        _receive(
            locked,
            received,
            Action.RESUBMIT,
            target,
            by=by,
            kind="application.resubmitted",
            title=f"企业已补充材料：{locked.enterprise.name}（{locked.reference}）",
        )
    return locked


def application_accept(*, by, application: Application) -> Application:
    with transaction.atomic():
        locked = _lock(application)
        target = domain.check_transition(locked.status, Action.ACCEPT)
        locked.decided_at, locked.decided_by = timezone.now(), by
        _move(locked, Action.ACCEPT, target, by=by)
        locked.save()
        _notify(
            recipients=_enterprise_users(locked),
            kind="application.accepted",
            enterprise=locked.enterprise,
            title=f"认证申请已受理（{locked.reference}）",
            body="您的申请已受理，认证机构将安排文件审核。 / Your application was accepted; document review follows.",
            url=f"/applications/{locked.pk}/",
        )
    return locked


def application_not_accept(*, by, application: Application, reason: str, out_of_scope: bool = False) -> Application:
    with transaction.atomic():
        locked = _lock(application)
        target = domain.guard_not_accept(locked.status, reason)
        locked.decided_at, locked.decided_by = timezone.now(), by
        locked.decision_reason, locked.out_of_scope = reason.strip(), out_of_scope
        _move(locked, Action.NOT_ACCEPT, target, by=by, reason=reason, extra={"out_of_scope": out_of_scope})
        locked.save()
        _notify(
            recipients=_enterprise_users(locked),
            kind="application.not_accepted",
            enterprise=locked.enterprise,
            title=f"认证申请不予受理（{locked.reference}）",
            body=f"理由：{reason.strip()} / Not accepted: {reason.strip()}",
            url=f"/applications/{locked.pk}/",
        )
    return locked


def application_withdraw(*, by, application: Application, reason: str = "") -> Application:
    with transaction.atomic():
        locked = _lock(application)
        target = domain.check_transition(locked.status, Action.WITHDRAW)
        locked.acceptance_due = None
        _move(locked, Action.WITHDRAW, target, by=by, reason=reason)
        locked.save()
    return locked


# --- stage hand-offs used by later stages (they call these; never the reverse) -------------------


def application_advance(
    *, by, application: Application, action: str, reason: str = "", target: str | None = None
) -> Application:
    """Move a locked application along the table for a later stage (document review …)."""
    new_status = domain.check_target(application.status, action, target)
    _move(application, action, new_status, by=by, reason=reason)
    application.save(update_fields=["status", "updated_at"])
    return application


def assignment_add(*, by, application: Application, user, role: str) -> Assignment:
    existing = Assignment.objects.filter(application=application, user=user, role=role, ended_at__isnull=True).first()
    if existing:
        return existing
    assignment = Assignment.objects.create(application=application, user=user, role=role, assigned_by=by)
    record_event(actor=by, action="application.assigned", target=application, after={"user": user.pk, "role": role})
    return assignment


def assignment_end(*, by, assignment: Assignment) -> None:
    Assignment.objects.filter(pk=assignment.pk, ended_at__isnull=True).update(ended_at=timezone.now())
    record_event(
        actor=by,
        action="application.unassigned",
        target=assignment.application,
        before={"user": assignment.user_id, "role": assignment.role},
    )
