"""Invitations, web answers and phone call-backs (decisions V6–V8)."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from certflow.core.events.services import record_event
from certflow.core.rules import RuleViolation
from certflow.surveys import domain, senders, tokens
from certflow.surveys.domain import CallOutcome, Channel, S
from certflow.surveys.models import CallAttempt, Dispatch, Invitation, Rating, Response, Survey
from certflow.surveys.services.common import guard_survey_staff, lock_survey, now, rules_for

ALREADY_ANSWERED = RuleViolation(
    "该问卷已提交过，每个链接只能提交一次。感谢您的参与！",
    "this questionnaire has already been submitted; each link can be used once. Thank you!",
    "already_answered",
)
LINK_INVALID = RuleViolation(
    "链接无效或已过期，请联系向您发送链接的认证机构",
    "the link is not valid or has expired; contact the certification body that sent it",
    "link_invalid",
)
NOT_OPEN = RuleViolation("调查未在进行中", "the survey is not open for answers", "survey_not_open")


def _expiry(survey: Survey) -> datetime:
    """Link validity from sending, never past the end of the survey's closing day."""
    until = now() + timedelta(days=settings.CERTFLOW_SURVEY_LINK_DAYS)
    if survey.closes_on:
        end = timezone.make_aware(datetime.combine(survey.closes_on, time(23, 59, 59)))
        until = min(until, end)
    return until


def _message(survey: Survey, link: str, medium: str, customer) -> senders.Message:
    ref = survey.enterprise.name
    if medium == "sms":
        text = f"【欧利斯认证】您好，{ref}邀请您参加定制服务满意度调查（约1分钟）：{link} 链接仅可使用一次。"
        return senders.Message(customer.phone, "", text)
    text = (
        f"您好：\n\n欧利斯认证正在对{ref}的定制服务开展用户满意度调查，您的订单被随机抽中。"
        f"请通过以下链接作答（约 1 分钟，无需注册，仅可提交一次）：\n\n{link}\n\n"
        "您的回答仅认证机构可见，企业只看到汇总结果。\n\n"
        f"Dear customer, please rate the custom service of {ref}: {link} "
        "(one use only; the enterprise sees only totals)."
    )
    return senders.Message(customer.email, "定制服务满意度调查 / Satisfaction survey", text)


def invitations_send(*, by, survey: Survey, medium: str, base_url: str, invitation_ids=None) -> dict:
    """Issue a fresh one-time link per unanswered invitation and send it; every attempt is recorded.

    A new link replaces the previous one (only one hash is kept), so a re-send makes an earlier
    message's link void.
    """
    guard_survey_staff(by)
    if medium not in settings.CERTFLOW_SURVEY_SENDERS:
        raise RuleViolation(f"未知发送方式：{medium}", f"unknown medium: {medium}", "unknown_medium")
    sender = senders.sender_for(medium)
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    with transaction.atomic():
        locked = lock_survey(survey)
        if locked.status != S.OPEN:
            raise NOT_OPEN
        qs = locked.invitations.select_for_update().select_related("customer").filter(used_at__isnull=True)
        if invitation_ids is not None:
            qs = qs.filter(pk__in=invitation_ids)
        for invitation in qs.order_by("pk"):
            address = invitation.customer.email if medium == "email" else invitation.customer.phone
            if not address:
                counts["skipped"] += 1
                continue
            token, token_hash = tokens.new_token()
            link = f"{base_url.rstrip('/')}/s/{token}/"
            ok, detail = sender.send(_message(locked, link, medium, invitation.customer))
            Dispatch.objects.create(
                invitation=invitation,
                medium=medium,
                sender=senders.sender_path(medium),
                ok=ok,
                detail=detail,
                sent_by=by,
            )
            if ok:
                invitation.token_hash, invitation.expires_at, invitation.sent_at = token_hash, _expiry(locked), now()
                invitation.save(update_fields=["token_hash", "expires_at", "sent_at"])
            counts["sent" if ok else "failed"] += 1
        record_event(actor=by, action="survey.invitations_sent", target=locked, after={"medium": medium, **counts})
    return counts


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link points at, if usable; the refusal says why, without telling a stranger more."""
    try:
        invitation = Invitation.objects.select_related("survey__application__scheme_version", "survey__enterprise").get(
            token_hash=tokens.hash_token(token)
        )
    except Invitation.DoesNotExist:
        raise LINK_INVALID from None
    if invitation.used_at is not None:
        raise ALREADY_ANSWERED
    if invitation.sent_at is None or invitation.expires_at <= now():
        raise LINK_INVALID
    if invitation.survey.status != S.OPEN:
        raise NOT_OPEN
    return invitation


def _clean_answers(survey: Survey, ratings: dict, overall) -> tuple[dict[str, int], int | None]:
    rules = rules_for(survey)
    known = set(rules.dimension_codes)
    unknown = set(ratings) - known
    if unknown:
        raise RuleViolation(
            f"未知维度：{', '.join(sorted(unknown))}", f"unknown dimensions: {sorted(unknown)}", "unknown_dimension"
        )
    clean = {}
    for code, value in ratings.items():
        if value in (None, ""):
            continue
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise RuleViolation("评分须为 1–5 的整数", "a rating must be a whole number 1–5", "bad_rating") from None
        if not rules.scale_min <= value <= rules.scale_max:
            raise RuleViolation(
                f"评分须在 {rules.scale_min}–{rules.scale_max} 之间",
                f"a rating must be {rules.scale_min}–{rules.scale_max}",
                "bad_rating",
            )
        clean[code] = value
    if overall not in (None, ""):
        try:
            overall = int(overall)
        except (TypeError, ValueError):
            raise RuleViolation("总体评价须为 1–5 的整数", "the overall rating must be 1–5", "bad_rating") from None
        if not rules.scale_min <= overall <= rules.scale_max:
            raise RuleViolation("总体评价须为 1–5", "the overall rating must be 1–5", "bad_rating")
    else:
        overall = None
    if not clean and overall is None:
        raise RuleViolation("请至少对一项作出评价", "rate at least one item", "no_answer")
    return clean, overall


def _save_response(invitation: Invitation, channel: str, ratings: dict, overall, comment: str, **extra) -> Response:
    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey_id=invitation.survey_id,
                invitation=invitation,
                channel=channel,
                overall=overall,
                comment=(comment or "").strip()[:2000],
                **extra,
            )
    except IntegrityError:
        # Two submits raced past the used_at check; the one-to-one lets exactly one through.
        raise ALREADY_ANSWERED from None
    Rating.objects.bulk_create([Rating(response=response, dimension=c, value=v) for c, v in ratings.items()])
    invitation.used_at = response.submitted_at
    invitation.save(update_fields=["used_at"])
    return response


def response_submit(
    *, token: str, ratings: dict, overall=None, comment: str = "", address=None, user_agent=""
) -> Response:
    """A customer's answer through the one-time link (no account)."""
    with transaction.atomic():
        invitation = invitation_for_token(token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.used_at is not None:
            raise ALREADY_ANSWERED
        clean, overall = _clean_answers(invitation.survey, ratings, overall)
        response = _save_response(
            invitation,
            Channel.QUESTIONNAIRE,
            clean,
            overall,
            comment,
            client_address=address,
            user_agent=(user_agent or "")[:300],
        )
        record_event(
            actor=None,
            action="survey.answered",
            target=response,
            after={"survey": invitation.survey_id, "channel": Channel.QUESTIONNAIRE, "ratings": len(clean)},
        )
    return response


def call_record(
    *, by, invitation: Invitation, outcome: str, note: str = "", ratings=None, overall=None, comment: str = ""
) -> CallAttempt:
    """One call-back attempt; an answered call carries the customer's ratings (phone channel)."""
    guard_survey_staff(by)
    if outcome not in CallOutcome.values:
        raise RuleViolation(f"未知通话结果：{outcome}", f"unknown call outcome: {outcome}", "bad_outcome")
    with transaction.atomic():
        survey = lock_survey(invitation.survey)
        if survey.status != S.OPEN:
            raise NOT_OPEN
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.used_at is not None:
            raise ALREADY_ANSWERED
        outcomes = list(invitation.calls.order_by("called_at", "pk").values_list("outcome", flat=True))
        domain.check_may_call(outcomes, settings.CERTFLOW_SURVEY_CALL_LIMIT)
        clean = {}
        if outcome == CallOutcome.ANSWERED:
            clean, overall = _clean_answers(survey, ratings or {}, overall)
        call = CallAttempt.objects.create(
            invitation=invitation, outcome=outcome, note=note.strip()[:2000], called_by=by
        )
        if outcome == CallOutcome.ANSWERED:
            _save_response(invitation, Channel.PHONE_CALLBACK, clean, overall, comment, recorded_by=by)
        record_event(
            actor=by,
            action="survey.call_recorded",
            target=call,
            after={"survey": survey.pk, "outcome": outcome, "attempt": len(outcomes) + 1},
        )
    return call
