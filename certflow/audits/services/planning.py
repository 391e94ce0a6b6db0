"""Writes of audit planning (现场审核策划): create, negotiate the dates, set the team, plan sites and
schedule, send the notice (审核通知), cancel.

Clauses 5 认证模式 2 and 6 现场审核 1. Each function is one transaction with its own event (the application's
own hand-off and assignment events come from the applications services, as in document review).
Lock order: application → audit.
"""

import io
from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.utils import timezone

from certflow.accounts.models import User
from certflow.applications.domain import Action as ApplicationAction
from certflow.applications.domain import may_plan_onsite_audit
from certflow.applications.models import Application, AssignmentRole
from certflow.applications.services import application_advance, assignment_add, assignment_end
from certflow.audits import domain
from certflow.audits.domain import AuditAction, AuditType
from certflow.audits.models import (
    Audit,
    AuditNotice,
    AuditSite,
    AuditTeamMember,
    DateProposal,
    ProposalResponse,
    ProposalSide,
    ScheduleSlot,
    TeamRole,
)
from certflow.audits.permissions import is_enterprise_user, may_plan
from certflow.core.events.services import record_event
from certflow.core.rules import RuleViolation
from certflow.core.schemes.services import scheme_version_for
from certflow.core.sequences import next_value
from certflow.core.workdays.services import CalendarDataMissing, subtract_working_days

ASSIGNMENT_ROLE = {TeamRole.LEAD_AUDITOR: AssignmentRole.LEAD_AUDITOR, TeamRole.AUDITOR: AssignmentRole.AUDITOR}


# --- helpers the pages and the API read too --------------------------------------------------------


def today_or(today: date | None) -> date:
    return today or timezone.localdate(timezone=timezone.get_default_timezone())


def audit_scheme(audit: Audit):
    return audit.scheme_version.as_scheme()


def audit_categories(audit: Audit) -> list[str]:
    """The custom-goods categories the team must cover: the application's; for a surveillance audit the
    certificate's scope; for a special audit without either, those of the enterprise's latest application
    (decisions AP6)."""
    if audit.application_id:
        return list(audit.application.categories)
    if audit.certificate_id:
        # A surveillance audit covers the certificate's scope (5 认证模式 4).
        return list(audit.certificate.scope_categories)
    latest = audit.enterprise.applications.exclude(categories=[]).order_by("-created_at", "-id").first()
    return list(latest.categories) if latest else []


def pending_proposal(audit: Audit) -> DateProposal | None:
    return audit.proposals.filter(response=ProposalResponse.PENDING).order_by("-proposed_at", "-id").first()


def planning_days(audit: Audit) -> tuple[date, ...]:
    """The agreed days, or while they are negotiated the days on the table."""
    if audit.days:
        return domain.parse_days(audit.days)
    proposal = pending_proposal(audit)
    return domain.parse_days(proposal.days) if proposal else ()


def calendar_refusal(exc: CalendarDataMissing) -> RuleViolation:
    return RuleViolation(exc.message_zh, exc.message_en, "calendar_missing")


def notice_rule(audit: Audit) -> tuple[str, int]:
    """(scheme deadline name, working days) of the minimum notice for this audit's type."""
    name = domain.notice_deadline_name(audit.audit_type)
    return name, audit_scheme(audit).deadline(name).amount


def last_allowed_notice(audit: Audit, first_day: date) -> date:
    """The last day the notice may go out for `first_day`; RuleViolation when the calendar lacks the year."""
    _name, working_days = notice_rule(audit)
    try:
        return domain.last_notice_date(first_day, working_days, subtract_working_days)
    except CalendarDataMissing as exc:
        raise calendar_refusal(exc) from None


def team_members(audit: Audit) -> list[AuditTeamMember]:
    return list(audit.team.filter(removed_at__isnull=True).select_related("user").order_by("-role", "id"))


def team_problems_for(audit: Audit, days: Sequence[date]) -> list:
    """The current team measured against `days` (the auditors app's rules), as `Refusal`s."""
    from certflow.auditors.domain import team_problems
    from certflow.auditors.selectors import auditor_facts, category_catalogue

    members = team_members(audit)
    facts = auditor_facts([m.user_id for m in members])
    lead = next((m.user_id for m in members if m.role == TeamRole.LEAD_AUDITOR), None)
    return team_problems(
        [facts[m.user_id] for m in members if m.user_id in facts],
        lead,
        enterprise_id=audit.enterprise_id,
        categories=audit_categories(audit),
        audit_days=list(days),
        category_names=category_catalogue(),
    )


def notice_facts(audit: Audit) -> domain.NoticeFacts:
    members = team_members(audit)
    days = domain.parse_days(audit.days)
    problems = team_problems_for(audit, days) if members and days else []
    return domain.NoticeFacts(
        status=audit.status,
        days=days,
        member_count=len(members),
        has_lead=any(m.role == TeamRole.LEAD_AUDITOR for m in members),
        site_count=audit.sites.count(),
        slot_days=tuple(audit.schedule.values_list("day", flat=True)),
        team_problems=tuple((p.zh, p.en) for p in problems),
    )


# --- guards on who acts --------------------------------------------------------------------------


def _guard_planner(by) -> None:
    if not (by and by.is_active and may_plan(by)):
        raise RuleViolation(
            "只有审核方案管理人员可以策划现场审核",
            "only a programme manager may plan on-site audits",
            "not_planner",
        )


def _guard_enterprise(by, audit: Audit) -> None:
    if not (by and by.is_active and is_enterprise_user(by, audit)):
        raise RuleViolation(
            "只有受审核企业的用户可以答复审核日期",
            "only a user of the audited enterprise may answer the proposed dates",
            "not_enterprise",
        )


def _lock(audit: Audit) -> Audit:
    return (
        Audit.objects.select_for_update(of=("self",))
        .select_related("enterprise", "application", "certificate", "scheme_version")
        .get(pk=audit.pk)
    )


def _lock_application(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("enterprise").get(pk=application.pk)


def _enterprise_users(audit: Audit):
    return User.objects.filter(
        memberships__enterprise_id=audit.enterprise_id, memberships__ended_at__isnull=True, is_active=True
    ).distinct()


def _planners():
    from certflow.accounts.roles import StaffRole

    return User.objects.filter(
        role_grants__role=StaffRole.PROGRAMME_MANAGER, role_grants__revoked_at__isnull=True, is_active=True
    ).distinct()


def _notify(**kwargs) -> None:
    from certflow.notifications.services import notify

    notify(**kwargs)


def _url(audit: Audit, suffix: str = "") -> str:
    return f"/audits/{audit.pk}/{suffix}"


def _iso(days: Sequence[date]) -> list[str]:
    return [d.isoformat() for d in days]


def _days_text(days: Sequence[date]) -> str:
    return "、".join(f"{d:%Y-%m-%d}" for d in days)


def _move(audit: Audit, action: str, *, by, reason: str = "", extra: dict | None = None, before: dict | None = None):
    previous = audit.status
    audit.status = domain.check_transition(previous, action)
    record_event(
        actor=by,
        action=f"audit.{action}",
        target=audit,
        reason=reason,
        before={"status": previous, **(before or {})},
        after={"status": audit.status, **(extra or {})},
    )


def _new_reference(today: date) -> str:
    return f"SH{today.year}-{next_value(f'audit:{today.year}'):05d}"


# --- creating audits -------------------------------------------------------------------------------


def _copy_sites(audit: Audit, application: Application) -> None:
    for site in application.sites.filter(removed_at__isnull=True):
        AuditSite.objects.create(audit=audit, site=site, kind=site.kind, name=site.name, address=site.address)


def audit_create(
    *, by, application: Application, audit_type: str = AuditType.INITIAL, today: date | None = None
) -> Audit:
    """Open the on-site audit of an application whose document review passed (START_ONSITE).

    A cancelled audit leaves the application in onsite_audit; a new one may then be opened there.
    """
    _guard_planner(by)
    if audit_type not in (AuditType.INITIAL, AuditType.RECERTIFICATION):
        raise RuleViolation(
            "申请只能安排初次认证审核或再认证审核",
            "an application gets an initial or re-certification audit",
            "wrong_type",
        )
    today = today_or(today)
    with transaction.atomic():
        locked = _lock_application(application)
        open_refs = list(
            Audit.objects.filter(application=locked, status__in=domain.OPEN_STATES).values_list("reference", flat=True)
        )
        domain.guard_one_open_audit(open_refs)
        from certflow.applications.domain import ApplicationStatus

        if not (may_plan_onsite_audit(locked.status) or locked.status == ApplicationStatus.ONSITE_AUDIT):
            raise RuleViolation(
                f"申请当前状态为“{locked.get_status_display()}”：文件审核通过（整改验证有效）后方可安排现场审核"
                "（第6章 文件审核 2）",
                f"the application is {locked.status.replace('_', ' ')}: the on-site audit is planned only after "
                "the document review passed (clause 6 document review 2)",
                "review_not_passed",
            )
        audit = Audit.objects.create(
            reference=_new_reference(today),
            enterprise=locked.enterprise,
            application=locked,
            scheme_version=locked.scheme_version,
            audit_type=audit_type,
            created_by=by,
        )
        _copy_sites(audit, locked)
        if may_plan_onsite_audit(locked.status):
            application_advance(by=by, application=locked, action=ApplicationAction.START_ONSITE)
        record_event(
            actor=by,
            action="audit.created",
            target=audit,
            after={"application": locked.reference, "audit_type": audit_type, "status": audit.status},
        )
    return audit


def special_audit_create(
    *, by, enterprise, reason: str, application: Application | None = None, today: date | None = None
) -> Audit:
    """A special (short-notice) audit: complaint, major change, follow-up of a suspension (ISO/IEC 17021-1 9.6.4)."""
    _guard_planner(by)
    reason = domain.guard_special_reason(reason)
    if application is not None and application.enterprise_id != enterprise.pk:
        raise RuleViolation("该申请不属于此企业", "the application belongs to another enterprise", "wrong_enterprise")
    today = today_or(today)
    with transaction.atomic():
        audit = Audit.objects.create(
            reference=_new_reference(today),
            enterprise=enterprise,
            application=application,
            scheme_version=application.scheme_version if application else scheme_version_for(),
            audit_type=AuditType.SPECIAL,
            special_reason=reason,
            created_by=by,
        )
        if application is not None:
            _copy_sites(audit, application)
        record_event(
            actor=by,
            action="audit.created",
            target=audit,
            reason=reason,
            after={"application": getattr(application, "reference", ""), "audit_type": AuditType.SPECIAL},
        )
    return audit


def surveillance_audit_create(
    *, by, certificate, window: int | None = None, objectives: str = "", today: date | None = None
) -> Audit:
    """A surveillance audit (监督审核) of a certificate in force, for the n-th obligation of its programme
    (default: the first neither done nor planned). Planned afterwards with the same pages and rules as any
    audit: dates, team (qualified for the certificate's scope), sites, the 7-working-day notice
    (5 认证模式 4; 6 持续监督 1; decisions SV5)."""
    from certflow.certificates.models import Certificate
    from certflow.surveillance import domain as sv
    from certflow.surveillance.selectors import certificate_programme

    _guard_planner(by)
    today = today_or(today)
    with transaction.atomic():
        locked = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("enterprise", "scheme_version", "application")
            .get(pk=certificate.pk)
        )
        sv.guard_programme(
            status=locked.status, is_legacy=locked.is_legacy, has_scheme=locked.scheme_version_id is not None
        )
        obligations = certificate_programme(locked, today)
        if window is None:
            chosen = sv.window_for_new_audit(obligations)
        else:
            match = [o for o in obligations if o.window.number == window]
            if not match:
                raise RuleViolation(
                    f"该证书没有第 {window} 次监督审核",
                    f"the certificate has no surveillance window {window}",
                    "bad_window",
                )
            if match[0].state == sv.ObligationState.DONE or any(a.open for a in match[0].audits):
                raise RuleViolation(
                    f"第 {window} 次监督审核已完成或已安排",
                    f"surveillance audit {window} is already done or planned",
                    "window_taken",
                )
            chosen = match[0].window
        audit = Audit.objects.create(
            reference=_new_reference(today),
            enterprise=locked.enterprise,
            certificate=locked,
            surveillance_window=chosen.number,
            scheme_version=locked.scheme_version,
            audit_type=AuditType.SURVEILLANCE,
            objectives=(objectives or "").strip(),
            created_by=by,
        )
        if locked.application_id:
            _copy_sites(audit, locked.application)
        record_event(
            actor=by,
            action="audit.created",
            target=audit,
            after={
                "certificate": locked.number,
                "audit_type": AuditType.SURVEILLANCE,
                "window": chosen.number,
                "window_opens": chosen.opens,
                "window_closes": chosen.closes,
                "status": audit.status,
            },
        )
        _notify(
            recipients=_enterprise_users(audit),
            kind="audit.surveillance_planned",
            enterprise=locked.enterprise,
            title=f"监督审核已安排（{audit.reference}）",
            body=f"证书 {locked.number} 的第 {chosen.number} 次监督审核须于 {chosen.opens:%Y-%m-%d} 至 "
            f"{chosen.closes:%Y-%m-%d} 间进行，审核日期将与贵企业协商。 / Surveillance audit {chosen.number} of "
            f"certificate {locked.number} is due between {chosen.opens:%Y-%m-%d} and {chosen.closes:%Y-%m-%d}; "
            "the days will be agreed with you.",
            url=_url(audit),
        )
    return audit


# --- the date negotiation ------------------------------------------------------------------------------


def dates_propose(
    *, by, audit: Audit, days: Sequence[date], message: str = "", today: date | None = None
) -> DateProposal:
    """The programme manager proposes audit days; a pending proposal of either side is superseded, and
    agreed days are given up (the plan goes back to negotiation)."""
    _guard_planner(by)
    today = today_or(today)
    with transaction.atomic():
        locked = _lock(audit)
        sorted_days = domain.guard_days(list(days), today=today)
        before_days = list(locked.days)
        now = timezone.now()
        locked.proposals.filter(response=ProposalResponse.PENDING).update(
            response=ProposalResponse.SUPERSEDED, responded_by=by, responded_at=now
        )
        proposal = DateProposal.objects.create(
            audit=locked, side=ProposalSide.CB, days=_iso(sorted_days), message=message.strip(), proposed_by=by
        )
        locked.days, locked.first_day, locked.last_day = [], None, None
        _move(
            locked,
            AuditAction.PROPOSE_DATES,
            by=by,
            reason=message,
            before={"days": before_days},
            extra={"proposed": _iso(sorted_days)},
        )
        locked.save(update_fields=["status", "days", "first_day", "last_day"])
        _notify(
            recipients=_enterprise_users(locked),
            kind="audit.dates_proposed",
            enterprise=locked.enterprise,
            title=f"请确认现场审核日期（{locked.reference}）",
            body=f"认证机构提议的审核日期：{_days_text(sorted_days)}。请确认或提出其他日期。"
            f" / Proposed audit days: {', '.join(_iso(sorted_days))}. Please confirm or propose others.",
            url=_url(locked, "dates/"),
        )
    return proposal


def _pending(locked: Audit, proposal: DateProposal, side: str) -> DateProposal:
    current = DateProposal.objects.select_for_update().get(pk=proposal.pk)
    if current.audit_id != locked.pk or current.side != side or current.response != ProposalResponse.PENDING:
        raise RuleViolation(
            "该日期提议已答复或已被新的提议取代，请刷新页面",
            "this proposal was already answered or superseded; reload the page",
            "proposal_not_pending",
        )
    return current


def _agree(locked: Audit, days: Sequence[date]) -> None:
    locked.days = _iso(days)
    locked.first_day, locked.last_day = days[0], days[-1]


def _agreed_notice(locked: Audit, days: Sequence[date]) -> None:
    # Everyone who plans the audit learns the agreed days and how late the notice may go out.
    try:
        latest = f"{last_allowed_notice(locked, days[0]):%Y-%m-%d}"
    except RuleViolation:
        latest = "—"
    _notify(
        recipients=_planners(),
        kind="audit.dates_agreed",
        title=f"审核日期已确定：{locked.enterprise.name}（{locked.reference}）",
        body=f"审核日期：{_days_text(days)}；审核通知最迟发出日：{latest}。"
        f" / Audit days agreed: {', '.join(_iso(days))}; last notice day: {latest}.",
        url=_url(locked, "plan/"),
    )


def dates_confirm(*, by, audit: Audit, proposal: DateProposal, today: date | None = None) -> Audit:
    """The enterprise accepts the CB's proposed days."""
    _guard_enterprise(by, audit)
    today = today_or(today)
    with transaction.atomic():
        locked = _lock(audit)
        current = _pending(locked, proposal, ProposalSide.CB)
        days = domain.guard_days(list(domain.parse_days(current.days)), today=today)
        current.response, current.responded_by, current.responded_at = ProposalResponse.ACCEPTED, by, timezone.now()
        current.save(update_fields=["response", "responded_by", "responded_at"])
        _agree(locked, days)
        _move(locked, AuditAction.CONFIRM_DATES, by=by, extra={"days": locked.days})
        locked.save(update_fields=["status", "days", "first_day", "last_day"])
        _agreed_notice(locked, days)
    return locked


def dates_counter(
    *, by, audit: Audit, proposal: DateProposal, days: Sequence[date], message: str = "", today: date | None = None
) -> DateProposal:
    """The enterprise declines the CB's days and proposes others; the programme manager answers."""
    _guard_enterprise(by, audit)
    today = today_or(today)
    with transaction.atomic():
        locked = _lock(audit)
        current = _pending(locked, proposal, ProposalSide.CB)
        counter_days = domain.guard_days(list(days), today=today)
        domain.guard_counter(domain.parse_days(current.days), counter_days)
        message = (message or "").strip()
        current.response, current.responded_by, current.responded_at = ProposalResponse.DECLINED, by, timezone.now()
        current.response_message = message
        current.save(update_fields=["response", "responded_by", "responded_at", "response_message"])
        counter = DateProposal.objects.create(
            audit=locked, side=ProposalSide.ENTERPRISE, days=_iso(counter_days), message=message, proposed_by=by
        )
        _move(locked, AuditAction.COUNTER_PROPOSE, by=by, reason=message, extra={"proposed": counter.days})
        locked.save(update_fields=["status"])
        _notify(
            recipients=_planners(),
            kind="audit.dates_countered",
            title=f"企业提出了其他审核日期：{locked.enterprise.name}（{locked.reference}）",
            body=f"企业提议：{_days_text(counter_days)}。说明：{message}"
            f" / The enterprise proposes {', '.join(counter.days)}: {message}",
            url=_url(locked, "plan/"),
        )
    return counter


def dates_accept_counter(*, by, audit: Audit, proposal: DateProposal, today: date | None = None) -> Audit:
    """The programme manager takes the enterprise's counter-proposal as it stands (decisions AP3)."""
    _guard_planner(by)
    today = today_or(today)
    with transaction.atomic():
        locked = _lock(audit)
        current = _pending(locked, proposal, ProposalSide.ENTERPRISE)
        days = domain.guard_days(list(domain.parse_days(current.days)), today=today)
        current.response, current.responded_by, current.responded_at = ProposalResponse.ACCEPTED, by, timezone.now()
        current.save(update_fields=["response", "responded_by", "responded_at"])
        _agree(locked, days)
        _move(locked, AuditAction.ACCEPT_COUNTER, by=by, extra={"days": locked.days})
        locked.save(update_fields=["status", "days", "first_day", "last_day"])
        _notify(
            recipients=_enterprise_users(locked),
            kind="audit.dates_agreed",
            enterprise=locked.enterprise,
            title=f"审核日期已确定（{locked.reference}）",
            body=f"认证机构接受了您提出的审核日期：{_days_text(days)}。"
            f" / The certification body accepted your days: {', '.join(locked.days)}.",
            url=_url(locked),
        )
    return locked


# --- the team ------------------------------------------------------------------------------------------


def team_set(*, by, audit: Audit, members: Sequence, lead) -> list[AuditTeamMember]:
    """Set the whole team at once (the lead is one of `members`), checked against the planned days by the
    auditor register's rules; the application's assignments follow so the team sees its materials."""
    from certflow.auditors.domain import check_team
    from certflow.auditors.selectors import auditor_facts, category_catalogue

    _guard_planner(by)
    with transaction.atomic():
        if audit.application_id:
            application = _lock_application(audit.application)
        locked = _lock(audit)
        domain.guard_plan_editable(locked.status)
        ids = [m.pk for m in members]
        facts = auditor_facts(ids)
        check_team(
            [facts[i] for i in ids if i in facts],
            getattr(lead, "pk", None),
            enterprise_id=locked.enterprise_id,
            categories=audit_categories(locked),
            audit_days=list(planning_days(locked)),
            category_names=category_catalogue(),
        )
        wanted = {m.pk: (TeamRole.LEAD_AUDITOR if m.pk == lead.pk else TeamRole.AUDITOR) for m in members}
        current = {m.user_id: m for m in team_members(locked)}
        before = {str(uid): m.role for uid, m in current.items()}
        now = timezone.now()
        leaving = [m for uid, m in current.items() if wanted.get(uid) != m.role]
        AuditTeamMember.objects.filter(pk__in=[m.pk for m in leaving]).update(removed_at=now)
        users = {m.pk: m for m in members}
        for uid, role in wanted.items():
            if uid not in current or current[uid].role != role:
                AuditTeamMember.objects.create(audit=locked, user=users[uid], role=role, added_by=by)
        if audit.application_id:
            for member in leaving:
                for assignment in application.assignments.filter(
                    user_id=member.user_id, role=ASSIGNMENT_ROLE[member.role], ended_at__isnull=True
                ):
                    assignment_end(by=by, assignment=assignment)
            for uid, role in wanted.items():
                assignment_add(by=by, application=application, user=users[uid], role=ASSIGNMENT_ROLE[role])
        after = {str(uid): role for uid, role in wanted.items()}
        record_event(actor=by, action="audit.team_set", target=locked, before={"team": before}, after={"team": after})
        joined = [users[uid] for uid, role in wanted.items() if before.get(str(uid)) != role]
        if joined:
            _notify(
                recipients=joined,
                kind="audit.team_assigned",
                title=f"现场审核任务：{locked.enterprise.name}（{locked.reference}）",
                body="您被安排为该次现场审核的审核组成员。 / You are on the audit team of this on-site audit.",
                url=_url(locked),
            )
    return team_members(locked)


# --- sites and schedule ------------------------------------------------------------------------------


def site_add(*, by, audit: Audit, kind: str, name: str, address: str, site=None) -> AuditSite:
    from certflow.applications.models import SiteKind

    _guard_planner(by)
    if kind not in SiteKind.values:
        raise RuleViolation(f"未知场所类型：{kind}", f"unknown site kind: {kind}", "unknown_kind")
    name, address = (name or "").strip(), (address or "").strip()
    if not name or not address:
        raise RuleViolation("请填写场所名称和地址", "the site's name and address are required", "site_incomplete")
    if site is not None and site.application_id != audit.application_id:
        raise RuleViolation("该场所不属于本申请", "the site belongs to another application", "wrong_site")
    with transaction.atomic():
        locked = _lock(audit)
        domain.guard_plan_editable(locked.status)
        created = AuditSite.objects.create(audit=locked, site=site, kind=kind, name=name, address=address)
        record_event(
            actor=by,
            action="audit.site_added",
            target=locked,
            after={"site": created.pk, "kind": kind, "name": name, "address": address},
        )
    return created


def site_remove(*, by, site: AuditSite) -> None:
    """Plan lines are working paper until the notice is sent: removed outright, the event keeps them (AP5)."""
    _guard_planner(by)
    with transaction.atomic():
        locked = _lock(site.audit)
        domain.guard_plan_editable(locked.status)
        if site.slots.exists():
            raise RuleViolation(
                "日程中仍有安排在该场所的审核活动，请先调整日程",
                "schedule lines still use this site; change them first",
                "site_in_use",
            )
        record_event(
            actor=by,
            action="audit.site_removed",
            target=locked,
            before={"site": site.pk, "kind": site.kind, "name": site.name, "address": site.address},
        )
        site.delete()


def schedule_slot_add(
    *,
    by,
    audit: Audit,
    day: date,
    start,
    end,
    activity: str,
    site: AuditSite | None = None,
    auditor=None,
    item_ids: Sequence[str] = (),
) -> ScheduleSlot:
    _guard_planner(by)
    activity = (activity or "").strip()
    if not activity:
        raise RuleViolation("请填写审核活动", "describe the activity", "activity_required")
    if site is not None and site.audit_id != audit.pk:
        raise RuleViolation("该场所不属于本次审核", "the site is not on this audit's plan", "wrong_site")
    with transaction.atomic():
        locked = _lock(audit)
        domain.guard_plan_editable(locked.status)
        busy = [(s.day, s.start, s.end, s.auditor_id) for s in locked.schedule.all()]
        domain.guard_slot(
            day=day,
            start=start,
            end=end,
            audit_days=planning_days(locked),
            auditor_id=getattr(auditor, "pk", None),
            team_ids=[m.user_id for m in team_members(locked)],
            busy=busy,
            item_ids=list(item_ids),
            known_items=[item.id for item in audit_scheme(locked).items_for_stage("onsite_audit")],
        )
        slot = ScheduleSlot.objects.create(
            audit=locked,
            day=day,
            start=start,
            end=end,
            site=site,
            activity=activity,
            auditor=auditor,
            item_ids=sorted(set(item_ids)),
        )
        record_event(
            actor=by,
            action="audit.slot_added",
            target=locked,
            after={
                "slot": slot.pk,
                "day": day.isoformat(),
                "start": f"{start:%H:%M}",
                "end": f"{end:%H:%M}",
                "activity": activity,
                "auditor": getattr(auditor, "email", ""),
                "items": slot.item_ids,
            },
        )
    return slot


def schedule_slot_remove(*, by, slot: ScheduleSlot) -> None:
    _guard_planner(by)
    with transaction.atomic():
        locked = _lock(slot.audit)
        domain.guard_plan_editable(locked.status)
        record_event(
            actor=by,
            action="audit.slot_removed",
            target=locked,
            before={
                "slot": slot.pk,
                "day": slot.day.isoformat(),
                "start": f"{slot.start:%H:%M}",
                "activity": slot.activity,
            },
        )
        slot.delete()


# --- the notice --------------------------------------------------------------------------------------


def _store_pdf(audit: Audit, data: bytes) -> tuple[str, str]:
    import hashlib

    from certflow.core.files import store_upload
    from certflow.core.uploads import InspectedUpload

    digest = hashlib.sha256(data).hexdigest()
    inspected = InspectedUpload(
        kind="pdf",
        content_type="application/pdf",
        extension="pdf",
        safe_name=f"审核通知-{audit.reference}.pdf",
        size=len(data),
        sha256=digest,
    )
    return store_upload(inspected, io.BytesIO(data), folder=f"audits/{audit.pk}/notices"), digest


def notice_send(*, by, audit: Audit, today: date | None = None) -> AuditNotice:
    """Send the 审核通知: the plan complete, the team still valid for the agreed days, and in time
    (clause 6 现场审核 1; special audits: the scheme's short-notice period)."""
    from certflow.audits.notice_pdf import notice_pdf

    _guard_planner(by)
    today = today_or(today)
    with transaction.atomic():
        locked = _lock(audit)
        domain.guard_notice_ready(notice_facts(locked))
        _name, working_days = notice_rule(locked)
        try:
            domain.guard_notice(
                sent_on=today,
                first_day=locked.first_day,
                working_days=working_days,
                subtract=subtract_working_days,
                short_notice=locked.audit_type == AuditType.SPECIAL,
            )
        except CalendarDataMissing as exc:
            raise calendar_refusal(exc) from None
        latest = last_allowed_notice(locked, locked.first_day)
        data = notice_pdf(locked, sent_on=today, last_allowed=latest, sender=by)
        storage_name, digest = _store_pdf(locked, data)
        notice = AuditNotice.objects.create(
            audit=locked,
            sent_on=today,
            sent_by=by,
            last_allowed_on=latest,
            storage_name=storage_name,
            sha256=digest,
            size=len(data),
        )
        locked.notice_sent_on = today
        _move(
            locked,
            AuditAction.SEND_NOTICE,
            by=by,
            extra={"sent_on": today.isoformat(), "last_allowed_on": latest.isoformat(), "sha256": digest},
        )
        locked.save(update_fields=["status", "notice_sent_on"])
        days = domain.parse_days(locked.days)
        body = (
            f"审核日期：{_days_text(days)}。请下载审核通知并做好准备。"
            f" / The on-site audit is on {', '.join(locked.days)}; the notice is attached to the audit page."
        )
        _notify(
            recipients=_enterprise_users(locked),
            kind="audit.notice_sent",
            enterprise=locked.enterprise,
            title=f"现场审核通知（{locked.reference}）",
            body=body,
            url=_url(locked),
        )
        _notify(
            recipients=[m.user for m in team_members(locked)],
            kind="audit.notice_sent",
            title=f"审核通知已发出：{locked.enterprise.name}（{locked.reference}）",
            body=body,
            url=_url(locked),
        )
    return notice


def audit_cancel(*, by, audit: Audit, reason: str) -> Audit:
    """Cancel before the audit starts; the team's assignments on the application end with it."""
    _guard_planner(by)
    reason = domain.guard_reason(reason)
    with transaction.atomic():
        application = _lock_application(audit.application) if audit.application_id else None
        locked = _lock(audit)
        members = team_members(locked)
        _move(locked, AuditAction.CANCEL, by=by, reason=reason)
        locked.cancelled_at, locked.cancel_reason = timezone.now(), reason
        locked.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        locked.proposals.filter(response=ProposalResponse.PENDING).update(
            response=ProposalResponse.SUPERSEDED, responded_by=by, responded_at=timezone.now()
        )
        if application is not None:
            for member in members:
                for assignment in application.assignments.filter(
                    user_id=member.user_id, role=ASSIGNMENT_ROLE[member.role], ended_at__isnull=True
                ):
                    assignment_end(by=by, assignment=assignment)
        _notify(
            recipients=_enterprise_users(locked),
            kind="audit.cancelled",
            enterprise=locked.enterprise,
            title=f"现场审核已取消（{locked.reference}）",
            body=f"理由：{reason} / Reason: {reason}",
            url=_url(locked),
        )
        _notify(
            recipients=[m.user for m in members],
            kind="audit.cancelled",
            title=f"现场审核已取消：{locked.enterprise.name}（{locked.reference}）",
            body=f"理由：{reason} / Reason: {reason}",
            url=_url(locked),
        )
    return locked
