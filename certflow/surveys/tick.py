"""The survey's contribution to `certflow tick` (see certflow/lifecycle/ticking.py).

- surveys.reminders: a sampled customer who was sent a link and has not answered gets one reminder
  CERTFLOW_SURVEY_REMINDER_DAYS days (default 3) before the survey closes, by the medium that reached them,
  with a fresh one-time link (the earlier link is void: only one hash is kept, decisions V6);
- a survey still open after its closing day is reported once to its owner (who created it) and the survey
  staff, who close it (closing freezes the result and is a person's act, decisions V10).

Once only, also across runners: each reminder claims a lifecycle TickNotice row first.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from certflow.core.events.services import record_event
from certflow.lifecycle.sweeps import _once
from certflow.lifecycle.ticking import TickStep
from certflow.surveys import senders, tokens
from certflow.surveys.domain import S
from certflow.surveys.models import Dispatch, Invitation, Survey
from certflow.surveys.services.common import notify, survey_staff_users, survey_url

DEFAULT_REMINDER_DAYS = 3


def reminder_days() -> int:
    return int(getattr(settings, "CERTFLOW_SURVEY_REMINDER_DAYS", DEFAULT_REMINDER_DAYS))


def reminder_due(closes_on: date, day: date, days_before: int) -> bool:
    """Within the last `days_before` days before the closing day, the closing day included."""
    return closes_on - timedelta(days=days_before) <= day <= closes_on


def _expiry(closes_on: date):
    until = timezone.now() + timedelta(days=settings.CERTFLOW_SURVEY_LINK_DAYS)
    return min(until, timezone.make_aware(datetime.combine(closes_on, time(23, 59, 59))))


def _reminder(survey: Survey, link: str, medium: str, customer) -> senders.Message:
    name = survey.enterprise.name
    closes = f"{survey.closes_on:%Y-%m-%d}"
    if medium == "sms":
        text = f"【欧利斯认证】提醒：{name}定制服务满意度调查将于{closes}截止，请通过新链接作答（约1分钟）：{link}"
        return senders.Message(customer.phone, "", text)
    text = (
        f"您好：\n\n欧利斯认证对{name}定制服务的满意度调查将于 {closes} 截止，您尚未作答。"
        f"请通过以下新链接作答（约 1 分钟，仅可提交一次；此前的链接已失效）：\n\n{link}\n\n"
        f"Reminder: the satisfaction survey about {name} closes on {closes}. Please answer here "
        f"(one use only; the earlier link no longer works): {link}"
    )
    return senders.Message(customer.email, "提醒：定制服务满意度调查 / Reminder: satisfaction survey", text)


def _last_medium(invitation: Invitation) -> str | None:
    return invitation.dispatches.filter(ok=True).order_by("-sent_at", "-id").values_list("medium", flat=True).first()


def remind_customers(day: date) -> int:
    days_before = reminder_days()
    base = settings.CERTFLOW["SITE_URL"].rstrip("/")
    sent = 0
    surveys = Survey.objects.filter(
        status=S.OPEN, closes_on__gte=day, closes_on__lte=day + timedelta(days=days_before)
    ).select_related("enterprise")
    for survey in surveys.order_by("closes_on", "id"):
        if not reminder_due(survey.closes_on, day, days_before):
            continue
        waiting = survey.invitations.filter(used_at__isnull=True, sent_at__isnull=False).select_related("customer")
        for invitation in waiting.order_by("id"):
            medium = _last_medium(invitation)
            if medium not in settings.CERTFLOW_SURVEY_SENDERS:
                continue
            address = invitation.customer.email if medium == "email" else invitation.customer.phone
            if not address:
                continue
            with transaction.atomic():
                locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
                if locked.used_at is not None or not _once("survey.reminder", str(locked.pk), day):
                    continue
                token, token_hash = tokens.new_token()
                ok, detail = senders.sender_for(medium).send(
                    _reminder(survey, f"{base}/s/{token}/", medium, invitation.customer)
                )
                Dispatch.objects.create(
                    invitation=locked,
                    medium=medium,
                    sender=senders.sender_path(medium),
                    ok=ok,
                    detail=f"reminder: {detail}"[:500],
                    sent_by=None,
                )
                if ok:
                    locked.token_hash, locked.expires_at, locked.sent_at = (
                        token_hash,
                        _expiry(survey.closes_on),
                        timezone.now(),
                    )
                    locked.save(update_fields=["token_hash", "expires_at", "sent_at"])
                    sent += 1
    return sent


def report_overdue_surveys(day: date) -> int:
    reported = 0
    overdue = Survey.objects.filter(status=S.OPEN, closes_on__lt=day).select_related(
        "enterprise", "application", "created_by"
    )
    staff = list(survey_staff_users())
    for survey in overdue.order_by("closes_on", "id"):
        with transaction.atomic():
            if not _once("survey.close_overdue", str(survey.pk), day):
                continue
            recipients = {u.pk: u for u in [survey.created_by, *staff] if u.is_active}
            notify(
                recipients=list(recipients.values()),
                kind="survey.close_overdue",
                title=f"满意度调查已过截止日期，请结束调查：{survey.enterprise.name}（{survey.application.reference}）",
                body=(
                    f"截止日期 {survey.closes_on:%Y-%m-%d} 已过，调查仍在进行中；请结束调查以确定结果。\n"
                    f"The survey's closing day {survey.closes_on:%Y-%m-%d} has passed and it is still open; "
                    "please close it so the result is fixed."
                ),
                url=survey_url(survey),
            )
            record_event(
                actor=None,
                action="survey.close_overdue",
                target=survey,
                after={"closes_on": survey.closes_on, "day": day},
            )
            reported += 1
    return reported


def reminders_step(day: date) -> dict[str, int]:
    return {"reminded": remind_customers(day), "overdue_reported": report_overdue_surveys(day)}


def tick_steps() -> list[TickStep]:
    from certflow.surveys.retention import retention_step

    return [
        TickStep("surveys.reminders", "满意度调查提醒", "survey reminders", reminders_step, order=60),
        TickStep("surveys.retention", "调查个人信息匿名化", "survey personal-data retention", retention_step, order=90),
    ]
