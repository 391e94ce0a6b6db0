"""The survey round's steps: open, draw, start, close, improvement, re-survey (decisions V1–V5, V10)."""

from datetime import date

from django.db import transaction
from django.db.models import Count

from certflow.applications.models import Application
from certflow.core.events.services import record_event
from certflow.core.rules import RuleViolation
from certflow.surveys import domain, sampling, tokens
from certflow.surveys.domain import A, S
from certflow.surveys.models import Customer, ImprovementPlan, Invitation, Survey
from certflow.surveys.services.common import (
    BEFORE_ACCEPTANCE,
    enterprise_users,
    guard_enterprise_member,
    guard_survey_staff,
    lock_survey,
    notify,
    now,
    rules_for,
    survey_staff_users,
    survey_url,
)

FRAME_ORDER = ("category", "phone", "id")


def survey_create(*, by, application: Application) -> Survey:
    """Round 1 for an accepted application; re-surveys come from `resurvey_order`."""
    guard_survey_staff(by)
    with transaction.atomic():
        locked = Application.objects.select_for_update().select_related("enterprise").get(pk=application.pk)
        if locked.status in BEFORE_ACCEPTANCE:
            raise RuleViolation(
                "申请尚未受理，不能开展满意度调查",
                "the application has not been accepted; no survey yet",
                "not_accepted",
            )
        if Survey.objects.filter(application=locked).exists():
            raise RuleViolation(
                "该申请已有满意度调查；如需复查，请在已结束的调查中安排复查",
                "this application already has a survey; order a re-survey from a closed one",
                "survey_exists",
            )
        survey = Survey.objects.create(
            application=locked,
            enterprise=locked.enterprise,
            scheme_version_id=locked.scheme_version_id,
            round=1,
            created_by=by,
        )
        record_event(
            actor=by, action="survey.created", target=survey, after={"application": locked.reference, "round": 1}
        )
        notify(
            recipients=enterprise_users(survey),
            kind="survey.list_requested",
            enterprise=locked.enterprise,
            title=f"请上传用户名单以开展满意度调查（{locked.reference}）",
            body=(
                "认证机构将从您的用户名单中随机抽样进行满意度调查。"
                " / Please upload your customer list for the satisfaction survey."
            ),
            url=survey_url(survey),
        )
    return survey


def frame_rows(survey: Survey):
    """The sampling frame in its fixed order, streamed."""
    return (
        Customer.objects.filter(survey=survey)
        .order_by(*FRAME_ORDER)
        .values(*sampling.FRAME_FIELDS)
        .iterator(chunk_size=2000)
    )


def strata_sizes(survey: Survey) -> dict[str, int]:
    rows = Customer.objects.filter(survey=survey).values("category").annotate(n=Count("id")).order_by("category")
    return {r["category"]: r["n"] for r in rows}


def compute_draw(survey: Survey, seed: str) -> tuple[str, dict[str, int], dict[str, list[int]]]:
    """(frame hash, allocation, stratum → customer ids in draw order), reading the frame twice in a stream."""
    frame_hash = sampling.frame_sha256(frame_rows(survey))
    strata = strata_sizes(survey)
    size = rules_for(survey).sample_size.for_population(sum(strata.values()))
    allocation = sampling.allocate(strata, size)
    positions = sampling.draw_positions(seed, frame_hash, strata, allocation)
    wanted = {code: {p: i for i, p in enumerate(ps)} for code, ps in positions.items()}
    picked: dict[str, list[int | None]] = {code: [None] * len(ps) for code, ps in positions.items()}
    index: dict[str, int] = {}
    for row in frame_rows(survey):
        code = row["category"]
        position = index.get(code, 0)
        index[code] = position + 1
        order = wanted.get(code, {}).get(position)
        if order is not None:
            picked[code][order] = row["id"]
    return frame_hash, allocation, picked


def survey_draw(*, by, survey: Survey) -> Survey:
    """Freeze the frame, draw the stratified sample, create the invitations (links not yet sent)."""
    guard_survey_staff(by)
    with transaction.atomic():
        locked = lock_survey(survey)
        domain.check_transition(locked.status, A.DRAW)
        population = locked.customers.count()
        if not population:
            raise RuleViolation("用户名单为空，不能抽样", "the customer list is empty; nothing to draw", "empty_list")
        seed = sampling.new_seed()
        frame_hash, allocation, picked = compute_draw(locked, seed)
        invitations = []
        for code, ids in picked.items():
            for order, customer_id in enumerate(ids):
                # The link's token is issued when the invitation is sent; until then nobody knows one.
                _token, token_hash = tokens.new_token()
                invitations.append(
                    Invitation(
                        survey=locked,
                        customer_id=customer_id,
                        stratum=code,
                        draw_order=order,
                        token_hash=token_hash,
                        expires_at=now(),
                    )
                )
        Invitation.objects.bulk_create(invitations)
        before = locked.status
        locked.status = S.DRAWN
        locked.seed, locked.frame_sha256 = seed, frame_hash
        locked.population, locked.sample_size = population, len(invitations)
        locked.drawn_at, locked.drawn_by = now(), by
        locked.save()
        record_event(
            actor=by,
            action="survey.drawn",
            target=locked,
            before={"status": before},
            after={
                "status": locked.status,
                "seed": seed,
                "frame_sha256": frame_hash,
                "population": population,
                "sample_size": len(invitations),
                "allocation": allocation,
            },
        )
        notify(
            recipients=enterprise_users(locked),
            kind="survey.drawn",
            enterprise=locked.enterprise,
            title=f"满意度调查已抽样，用户名单已锁定（{locked.application.reference}）",
            body=(
                f"从 {population} 位用户中抽取 {len(invitations)} 位。"
                f" / {len(invitations)} of {population} customers drawn; the list is locked."
            ),
            url=survey_url(locked),
        )
    return locked


def redraw_check(survey: Survey) -> tuple[bool, list[str]]:
    """Repeat the draw from the recorded seed and the current frame; True when both match the record."""
    problems = []
    frame_hash, _allocation, picked = compute_draw(survey, survey.seed)
    if frame_hash != survey.frame_sha256:
        problems.append(f"frame hash {frame_hash} differs from the recorded {survey.frame_sha256}")
    recorded: dict[str, list[int]] = {}
    for inv in survey.invitations.order_by("stratum", "draw_order").values("stratum", "customer_id"):
        recorded.setdefault(inv["stratum"], []).append(inv["customer_id"])
    drawn = {code: ids for code, ids in picked.items() if ids}
    if drawn != recorded:
        problems.append("the repeated draw selects different customers than the recorded invitations")
    return not problems, problems


def survey_open(*, by, survey: Survey, closes_on: date) -> Survey:
    guard_survey_staff(by)
    with transaction.atomic():
        locked = lock_survey(survey)
        domain.check_transition(locked.status, A.OPEN)
        if closes_on <= now().date():
            raise RuleViolation("截止日期须晚于今天", "the closing day must be after today", "closes_on_past")
        locked.status, locked.opened_at, locked.closes_on = S.OPEN, now(), closes_on
        locked.save(update_fields=["status", "opened_at", "closes_on"])
        record_event(
            actor=by,
            action="survey.opened",
            target=locked,
            before={"status": S.DRAWN},
            after={"status": S.OPEN, "closes_on": closes_on.isoformat()},
        )
    return locked


def survey_close(*, by, survey: Survey) -> Survey:
    """Freeze the result (5 认证模式 3): below the threshold the enterprise owes an improvement."""
    from certflow.surveys.aggregates import survey_tally
    from certflow.surveys.statistics import evaluate

    guard_survey_staff(by)
    with transaction.atomic():
        locked = lock_survey(survey)
        domain.check_transition(locked.status, A.CLOSE)
        tally = survey_tally(locked)
        outcome = evaluate(tally.answered, tally.satisfied, rules_for(locked))
        if outcome.passed is None:
            raise RuleViolation(
                "尚无任何作答，不能结束调查", "nobody has answered yet; the survey cannot be closed", "no_answers"
            )
        locked.status = domain.status_after_close(outcome.passed)
        locked.result_answered, locked.result_satisfied = tally.answered, tally.satisfied
        locked.result_passed = outcome.passed
        locked.closed_at, locked.closed_by = now(), by
        locked.save()
        record_event(
            actor=by,
            action="survey.closed",
            target=locked,
            before={"status": S.OPEN},
            after={
                "status": locked.status,
                "answered": tally.answered,
                "satisfied": tally.satisfied,
                "passed": outcome.passed,
            },
        )
        share = f"{tally.satisfied}/{tally.answered}"
        notify(
            recipients=enterprise_users(locked),
            kind="survey.closed",
            enterprise=locked.enterprise,
            title=f"满意度调查已结束：{'达标' if outcome.passed else '未达标'}（{locked.application.reference}）",
            body=(
                f"满意评分 {share}。"
                + ("" if outcome.passed else "请提交原因分析和改进措施。")
                + f" / Satisfied ratings {share}."
                + ("" if outcome.passed else " Please submit a cause analysis and improvement.")
            ),
            url=survey_url(locked),
        )
    return locked


def improvement_submit(*, by, survey: Survey, cause_analysis: str, improvement: str, completion_date=None):
    guard_enterprise_member(by, survey)
    if not cause_analysis.strip() or not improvement.strip():
        raise RuleViolation("请填写原因分析和改进措施", "give both the cause analysis and the improvement", "empty")
    with transaction.atomic():
        locked = lock_survey(survey)
        domain.check_transition(locked.status, A.SUBMIT_IMPROVEMENT)
        plan = ImprovementPlan.objects.create(
            survey=locked,
            cause_analysis=cause_analysis.strip(),
            improvement=improvement.strip(),
            completion_date=completion_date,
            submitted_by=by,
        )
        locked.status = S.IMPROVEMENT_SUBMITTED
        locked.save(update_fields=["status"])
        record_event(
            actor=by,
            action="survey.improvement_submitted",
            target=plan,
            before={"status": S.IMPROVEMENT_REQUIRED},
            after={"status": locked.status, "survey": locked.pk},
        )
        notify(
            recipients=survey_staff_users(),
            kind="survey.improvement_submitted",
            title=f"满意度改进待评审：{locked.enterprise.name}（{locked.application.reference}）",
            body="企业已提交原因分析和改进措施。 / The enterprise submitted its cause analysis and improvement.",
            url=survey_url(locked),
        )
    return plan


def improvement_review(*, by, plan: ImprovementPlan, accept: bool, comment: str = "") -> ImprovementPlan:
    guard_survey_staff(by)
    if not accept and not comment.strip():
        raise RuleViolation("退回时请说明理由", "say why when returning the improvement", "reason_required")
    with transaction.atomic():
        survey = lock_survey(plan.survey)
        plan = ImprovementPlan.objects.select_for_update().get(pk=plan.pk)
        action = A.ACCEPT_IMPROVEMENT if accept else A.RETURN_IMPROVEMENT
        target = domain.check_transition(survey.status, action)
        if plan.decision != ImprovementPlan.Decision.PENDING:
            raise RuleViolation("该改进已评审", "this improvement was already reviewed", "already_reviewed")
        plan.decision = ImprovementPlan.Decision.ACCEPTED if accept else ImprovementPlan.Decision.RETURNED
        plan.review_comment, plan.reviewed_by, plan.reviewed_at = comment.strip(), by, now()
        plan.save()
        before = survey.status
        survey.status = target
        survey.save(update_fields=["status"])
        record_event(
            actor=by,
            action="survey.improvement_reviewed",
            target=plan,
            before={"status": before},
            after={"status": target, "decision": plan.decision},
            reason=plan.review_comment,
        )
        notify(
            recipients=enterprise_users(survey),
            kind="survey.improvement_reviewed",
            enterprise=survey.enterprise,
            title=f"满意度改进{'已认可' if accept else '被退回'}（{survey.application.reference}）",
            body=(plan.review_comment or "—") + (" / accepted" if accept else " / returned"),
            url=survey_url(survey),
        )
    return plan


def resurvey_order(*, by, survey: Survey, reason: str) -> Survey:
    """6 用户满意度调查 2 「视情况进行复查」: a new round for the same application; the old one is kept."""
    guard_survey_staff(by)
    if not reason.strip():
        raise RuleViolation("请说明复查理由", "give the reason for the re-survey", "reason_required")
    with transaction.atomic():
        old = lock_survey(survey)
        if not rules_for(old).resurvey_allowed:
            raise RuleViolation("认证方案不允许复查", "the scheme does not allow re-surveys", "resurvey_not_allowed")
        before = old.status
        old.status = domain.check_transition(old.status, A.ORDER_RESURVEY)
        old.save(update_fields=["status"])
        new = Survey.objects.create(
            application=old.application,
            enterprise=old.enterprise,
            scheme_version=old.scheme_version,
            round=old.round + 1,
            previous=old,
            created_by=by,
        )
        record_event(
            actor=by,
            action="survey.resurvey_ordered",
            target=old,
            before={"status": before},
            after={"status": old.status, "new_survey": new.pk, "round": new.round},
            reason=reason.strip(),
        )
        notify(
            recipients=enterprise_users(old),
            kind="survey.resurvey_ordered",
            enterprise=old.enterprise,
            title=f"认证机构安排满意度复查（第 {new.round} 轮，{old.application.reference}）",
            body=f"{reason.strip()} / A re-survey was ordered; please upload your current customer list.",
            url=survey_url(new),
        )
    return new
