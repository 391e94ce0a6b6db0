"""Every write of the certification decision (clause 6 认证决定 1–2): one transaction each, with its event.

open → members assigned (excluded persons refused) → opinions → concluded by the scheme's committee rule:
granted (the certificate is issued in the same transaction, superseding the enterprise's current one for a
re-certification or a transition) or refused (a refusal notice PDF with every reason; the enterprise may
apply again with a new application).
"""

import hashlib
import io
from datetime import date

from django.db import transaction
from django.utils import timezone

from certflow.accounts.models import User
from certflow.applications.domain import Action, ApplicationType
from certflow.applications.models import Application
from certflow.applications.services import application_advance
from certflow.certificates.domain import ACTIVE_STATUSES
from certflow.certificates.models import Certificate
from certflow.certificates.services import certificate_issue
from certflow.core.events.services import record_event
from certflow.core.rules import RuleViolation
from certflow.decisions import domain, dossier
from certflow.decisions.domain import DecisionStatus, MemberFacts, Tally, Vote
from certflow.decisions.models import CommitteeMember, Decision, Opinion


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _fresh_roles(by) -> frozenset[str]:
    by.__dict__.pop("roles", None)  # a grant revoked a moment ago must count
    return by.roles


def guard_runner(by) -> None:
    if not (by.is_active and by.is_cb_staff and _fresh_roles(by) & domain.RUNNER_ROLES):
        raise RuleViolation(
            "只有审核方案管理人员或系统管理员可以组织认证决定",
            "only a programme manager or an administrator may run a certification decision",
            "not_allowed",
        )


def _guard_open(decision: Decision) -> None:
    if decision.status != DecisionStatus.OPEN:
        raise RuleViolation(
            f"认证决定已作出（{decision.get_status_display()}），不能再修改",
            f"the decision was already taken ({decision.status}); it cannot change",
            "decided",
        )


def _lock(decision: Decision) -> Decision:
    return Decision.objects.select_for_update().select_related("application", "enterprise").get(pk=decision.pk)


def _enterprise_users(enterprise_id: int):
    return User.objects.filter(
        memberships__enterprise_id=enterprise_id, memberships__ended_at__isnull=True, is_active=True
    ).distinct()


def _notify(**kwargs) -> None:
    from certflow.notifications.services import notify

    notify(**kwargs)


def _url(decision: Decision) -> str:
    return f"/decisions/{decision.pk}/"


# --- opening --------------------------------------------------------------------------------------


def decision_open(*, by, application: Application, today: date | None = None) -> Decision:
    guard_runner(by)
    today = _today(today)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if Decision.objects.filter(application=locked).exists():
            raise RuleViolation("该申请已提交认证决定", "this application already has a decision", "exists")
        domain.guard_open(
            application_status=locked.status,
            overdue_nonconformities=dossier.overdue_nonconformities(locked, today),
        )
        decision = Decision.objects.create(application=locked, enterprise_id=locked.enterprise_id, opened_by=by)
        application_advance(by=by, application=locked, action=Action.OPEN_DECISION)
        record_event(
            actor=by,
            action="decision.opened",
            target=decision,
            after={"application": locked.reference, "from_status": application.status},
        )
    return decision


# --- the committee --------------------------------------------------------------------------------


def member_facts(decision: Decision, user, today: date, involved=None) -> MemberFacts:
    """`involved`: the person's `dossier.involvement`, when the caller fetched it for several people at once."""
    reviewed, audited, conflicts = involved or dossier.involvement(user.pk, decision.enterprise_id, today)
    user.__dict__.pop("roles", None)
    return MemberFacts(
        is_active=user.is_active,
        is_committee_member=user.is_cb_staff and domain.MEMBER_ROLE in user.roles,
        reviewed_enterprise=reviewed,
        audited_enterprise=audited,
        conflict_reasons=conflicts,
    )


def _exclude_involved(decision: Decision) -> bool:
    return decision.application.scheme_version.as_scheme().committee.exclude_involved_persons


def member_add(*, by, decision: Decision, user, today: date | None = None) -> CommitteeMember:
    guard_runner(by)
    today = _today(today)
    with transaction.atomic():
        locked = _lock(decision)
        _guard_open(locked)
        facts = member_facts(locked, user, today)
        already = CommitteeMember.objects.filter(decision=locked, user=user, removed_at__isnull=True).exists()
        domain.check_member(
            MemberFacts(**{**facts.__dict__, "already_member": already}), exclude_involved=_exclude_involved(locked)
        )
        member = CommitteeMember.objects.create(decision=locked, user=user, assigned_by=by)
        record_event(actor=by, action="decision.member_added", target=locked, after={"member": user.pk})
        _notify(
            recipients=[user],
            kind="decision.member_added",
            title=f"请审议认证决定：{locked.enterprise.name}（{locked.application.reference}）",
            body="您已被指定为本次认证决定的技术委员会委员。/ You sit on this certification decision.",
            url=_url(locked),
        )
    return member


def member_remove(*, by, member: CommitteeMember, reason: str) -> CommitteeMember:
    guard_runner(by)
    if not reason.strip():
        raise RuleViolation("请说明委员退出的原因", "give the reason the member leaves", "reason_required")
    with transaction.atomic():
        locked = _lock(member.decision)
        _guard_open(locked)
        seat = CommitteeMember.objects.select_for_update().get(pk=member.pk)
        if seat.removed_at is not None:
            raise RuleViolation("该委员已退出", "the member already left", "removed")
        seat.removed_at = timezone.now()
        seat.removed_reason = reason.strip()
        seat.save(update_fields=["removed_at", "removed_reason"])
        # His opinion stays on file but no longer counts (current_opinions reads seats still held).
        record_event(
            actor=by, action="decision.member_removed", target=locked, reason=reason, after={"member": seat.user_id}
        )
    return seat


def seat_of(decision: Decision, user) -> CommitteeMember | None:
    return CommitteeMember.objects.filter(decision=decision, user=user, removed_at__isnull=True).first()


def opinion_record(
    *, by, decision: Decision, vote: str, reasoning: str = "", impartial: bool = False, today: date | None = None
) -> Opinion:
    """A member's vote. The first vote carries his declaration that nothing ties him to the enterprise;
    his eligibility is checked again now (he may have audited the enterprise since he was assigned)."""
    today = _today(today)
    with transaction.atomic():
        locked = _lock(decision)
        _guard_open(locked)
        seat = (
            CommitteeMember.objects.select_for_update()
            .filter(decision=locked, user=by, removed_at__isnull=True)
            .first()
        )
        if seat is None:
            raise RuleViolation("您不是本次认证决定的委员", "you do not sit on this decision", "not_member")
        if seat.impartiality_declared_at is None and not impartial:
            raise RuleViolation(
                "首次表决前须声明与该企业无利益冲突、未参与其审核或咨询",
                "before the first vote, declare that you have no conflict with, and did not audit or consult "
                "for, the enterprise",
                "impartiality",
            )
        domain.check_member(member_facts(locked, by, today), exclude_involved=_exclude_involved(locked))
        problems = dossier.dossier_for(locked.application).grant_problems
        domain.guard_vote(vote, reasoning, problems)
        if seat.impartiality_declared_at is None:
            seat.impartiality_declared_at = timezone.now()
            seat.save(update_fields=["impartiality_declared_at"])
        opinion = Opinion.objects.filter(member=seat).first()
        before = None
        if opinion is None:
            opinion = Opinion.objects.create(decision=locked, member=seat, vote=vote, reasoning=reasoning.strip())
        else:
            before = {"vote": opinion.vote, "reasoning": opinion.reasoning, "revision": opinion.revision}
            opinion.vote, opinion.reasoning = vote, reasoning.strip()
            opinion.revision += 1
            opinion.recorded_at = timezone.now()
            opinion.save(update_fields=["vote", "reasoning", "revision", "recorded_at"])
        record_event(
            actor=by,
            action="decision.opinion_recorded",
            target=locked,
            before=before,
            after={"vote": vote, "reasoning": opinion.reasoning, "revision": opinion.revision},
        )
    return opinion


def current_opinions(decision: Decision) -> list[Opinion]:
    return list(
        Opinion.objects.filter(decision=decision, member__removed_at__isnull=True)
        .select_related("member__user")
        .order_by("recorded_at", "id")
    )


def tally_of(decision: Decision, opinions: list[Opinion] | None = None) -> Tally:
    opinions = current_opinions(decision) if opinions is None else opinions
    committee = decision.application.scheme_version.as_scheme().committee
    votes_for = sum(1 for o in opinions if o.vote == Vote.GRANT)
    return Tally(votes_for=votes_for, votes_against=len(opinions) - votes_for, quorum=committee.quorum)


# --- the decision ---------------------------------------------------------------------------------


def _superseded_certificate(application: Application) -> Certificate | None:
    if application.application_type not in (ApplicationType.RECERTIFICATION, ApplicationType.LEGACY_TRANSITION):
        return None
    return (
        Certificate.objects.filter(enterprise_id=application.enterprise_id, status__in=ACTIVE_STATUSES)
        .order_by("-issued_on", "-id")
        .first()
    )


def _scope(application: Application) -> dict:
    return {
        "categories": list(application.categories),
        "services": list(application.service_stages),
        "other_description": application.other_category_description,
    }


def decision_conclude(*, by, decision: Decision, today: date | None = None) -> Decision:
    """Take the decision the votes give under the scheme's committee rule (quorum, majority)."""
    guard_runner(by)
    today = _today(today)
    with transaction.atomic():
        locked = _lock(decision)
        _guard_open(locked)
        application = Application.objects.select_for_update().get(pk=locked.application_id)
        scheme = application.scheme_version.as_scheme()
        opinions = current_opinions(locked)
        exclude = scheme.committee.exclude_involved_persons
        for opinion in opinions:
            problems = domain.member_problems(
                member_facts(locked, opinion.member.user, today), exclude_involved=exclude
            )
            if problems:
                raise RuleViolation(
                    f"委员 {opinion.member.user.full_name or opinion.member.user.email} 已不能参与表决："
                    + "；".join(zh for zh, _ in problems)
                    + "。请先将其移出委员会",
                    "a member may no longer vote: " + "; ".join(en for _, en in problems) + "; remove the member first",
                    "member_excluded",
                )
        tally = tally_of(locked, opinions)
        result = domain.outcome(tally, scheme.committee.approves)
        current = dossier.dossier_for(application)
        if result == DecisionStatus.GRANTED and current.grant_problems:
            raise RuleViolation(
                "表决后情况已变化，不满足颁证条件："
                + "；".join(zh for zh, _ in current.grant_problems)
                + "。请委员重新表决",
                "the conditions changed after the votes: "
                + "; ".join(en for _, en in current.grant_problems)
                + "; the members must vote again",
                "preconditions",
            )
        snap = dossier.snapshot(current)
        snap["votes"] = {"for": tally.votes_for, "against": tally.votes_against, "quorum": tally.quorum}
        locked.dossier = snap
        locked.score = None if current.facts.score is None else round(float(current.facts.score), 2)
        locked.decided_on, locked.decided_at, locked.decided_by = today, timezone.now(), by
        if result == DecisionStatus.GRANTED:
            _grant(locked, application, current, by=by, today=today)
        else:
            _refuse(locked, application, current, opinions, by=by, today=today)
        record_event(
            actor=by,
            action=f"decision.{result}",
            target=locked,
            after={
                "application": application.reference,
                "votes_for": tally.votes_for,
                "votes_against": tally.votes_against,
                "grade": locked.grade_code or None,
                "certificate": locked.certificate.number if locked.certificate_id else None,
                "dossier_sha256": hashlib.sha256(repr(sorted(snap.items())).encode("utf-8")).hexdigest(),
                "notice_sha256": locked.notice_sha256 or None,
            },
        )
    return locked


def _grant(locked: Decision, application: Application, current, *, by, today: date) -> None:
    certificate = certificate_issue(
        by=by,
        enterprise=application.enterprise,
        application=application,
        scheme_version=application.scheme_version,
        grade_code=current.facts.grade_code,
        scope=_scope(application),
        issued_on=today,
        supersedes=_superseded_certificate(application),
        today=today,
    )
    locked.status = DecisionStatus.GRANTED
    locked.grade_code = current.facts.grade_code
    locked.certificate = certificate
    locked.save()
    application_advance(by=by, application=application, action=Action.GRANT)


def refusal_reasons(current, opinions: list[Opinion]) -> list[list[str]]:
    """The conditions not met, then each dissenting member's reasons (unattributed, as on the notice)."""
    reasons = [list(p) for p in current.grant_problems]
    for opinion in opinions:
        if opinion.vote == Vote.REFUSE and opinion.reasoning:
            reasons.append([f"技术委员会意见：{opinion.reasoning}", f"committee opinion: {opinion.reasoning}"])
    if not reasons:
        reasons.append(["技术委员会表决未通过", "the technical committee did not approve"])
    return reasons


def _store_notice(decision: Decision, data: bytes) -> tuple[str, str]:
    from certflow.core.files import store_upload
    from certflow.core.uploads import InspectedUpload

    digest = hashlib.sha256(data).hexdigest()
    inspected = InspectedUpload(
        kind="pdf",
        content_type="application/pdf",
        extension="pdf",
        safe_name=f"不予认证通知-{decision.application.reference}.pdf",
        size=len(data),
        sha256=digest,
    )
    return store_upload(inspected, io.BytesIO(data), folder=f"decisions/{decision.pk}"), digest


def _refuse(locked: Decision, application: Application, current, opinions, *, by, today: date) -> None:
    from certflow.decisions.pdf import refusal_notice_pdf

    locked.status = DecisionStatus.REFUSED
    locked.grade_code = current.facts.grade_code or ""
    locked.reasons = refusal_reasons(current, opinions)
    data = refusal_notice_pdf(locked, reasons=locked.reasons, decided_on=today, signer=by)
    locked.notice_storage_name, locked.notice_sha256 = _store_notice(locked, data)
    locked.notice_size = len(data)
    locked.save()
    application_advance(by=by, application=application, action=Action.REFUSE)
    _notify(
        recipients=_enterprise_users(application.enterprise_id),
        kind="decision.refused",
        enterprise=application.enterprise,
        title=f"不予认证决定（{application.reference}）",
        body=(
            "经技术委员会审议，本次申请不予认证，理由见不予认证通知书。贵企业整改后可重新申请。\n"
            "The committee refused certification; the reasons are in the refusal notice. You may apply again."
        ),
        url=_url(locked),
    )
