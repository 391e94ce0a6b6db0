"""Notifying people: the in-app row and its e-mail, written with the action and sent after commit.

`notify()` is called inside the transaction of the action it reports (e.g. `application_accept`), so
a rolled-back action notifies nobody. The e-mail is tried right after commit; if the mail server is
down the row stays `pending` with a back-off, and `deliver_pending()` (run by `certflow
send-notifications`, later by `certflow tick`) sends it once the server is back. Nothing is lost: the
in-app notification is there from the start. Notifications are messages about actions, not actions:
they do not write the event log (the reported action already did).
"""

import contextlib
import logging
import re
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from certflow.accounts.models import Membership
from certflow.notifications.models import EmailStatus, Notification

logger = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 8
# Minutes to wait after the 1st, 2nd, ... failed attempt; the last value repeats. With 8 attempts the
# last one is about 22 hours after the first: a mail server down for a day still delivers.
DEFAULT_BACKOFF_MINUTES = (1, 5, 15, 60, 180, 360, 720)
DEFAULT_CLAIM_MINUTES = 15

_KIND = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)*")


def max_attempts() -> int:
    return int(getattr(settings, "CERTFLOW_NOTIFICATION_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def backoff_delay(failed_attempts: int) -> timedelta:
    """How long to wait after the n-th failed attempt before trying again."""
    schedule = tuple(getattr(settings, "CERTFLOW_NOTIFICATION_BACKOFF_MINUTES", DEFAULT_BACKOFF_MINUTES))
    return timedelta(minutes=schedule[min(max(failed_attempts, 1), len(schedule)) - 1])


def _claim_lease() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "CERTFLOW_NOTIFICATION_CLAIM_MINUTES", DEFAULT_CLAIM_MINUTES)))


def wants_email(user) -> bool:
    return bool(user.is_active and user.email)


def _check_url(url: str) -> None:
    # A path inside certflow only: an e-mail from the CB must never carry a link to somewhere else.
    if url and (not url.startswith("/") or url.startswith("//") or "\\" in url or any(c.isspace() for c in url)):
        raise ValueError(f"notification url must be a path inside certflow such as /applications/1/, got {url!r}")


def _check_tenancy(recipients: list, enterprise) -> None:
    """An enterprise user hears only about their own enterprise (SPEC §4 tenancy)."""
    outsiders = [u for u in recipients if not u.is_cb_staff]
    if enterprise is None or not outsiders:
        return
    members = set(
        Membership.objects.filter(enterprise=enterprise, user__in=outsiders, ended_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    strangers = [u.email for u in outsiders if u.pk not in members]
    if strangers:
        raise ValueError(f"not members of enterprise {enterprise.pk}, may not be notified about it: {strangers}")


def notify(*, recipients: Iterable, kind: str, title: str, body: str, url: str = "", enterprise=None) -> list:
    """Create one notification per recipient and send their e-mails once the caller's transaction commits.

    `title` and `body` are plain text, Chinese first with English after. `url` is a path inside certflow.
    A recipient without an e-mail address, or whose account is inactive, gets the in-app notification
    only (`email_status` "skipped").
    """
    if not _KIND.fullmatch(kind or "") or len(kind) > 64:
        raise ValueError(f"notification kind must look like 'application.accepted', got {kind!r}")
    title = (title or "").strip()
    if not title or len(title) > 200 or "\n" in title:
        raise ValueError("notification title must be one line of 1-200 characters")
    _check_url(url)
    unique = list({user.pk: user for user in recipients if user is not None}.values())
    _check_tenancy(unique, enterprise)
    now = timezone.now()
    with transaction.atomic():
        created = [
            Notification.objects.create(
                recipient=user,
                enterprise=enterprise,
                kind=kind,
                title=title,
                body=body,
                url=url,
                created_at=now,
                email_status=EmailStatus.PENDING if wants_email(user) else EmailStatus.SKIPPED,
                next_attempt_at=now if wants_email(user) else None,
            )
            for user in unique
        ]
        pending = [n.pk for n in created if n.email_status == EmailStatus.PENDING]
        if pending:
            # robust: a failure here must not turn the caller's committed action into an error page.
            transaction.on_commit(partial(send_now, pending), robust=True)
    return created


def send_now(ids: list[int]) -> "DeliveryReport":
    """Try the e-mails of these notifications at once (registered by `notify` to run after commit)."""
    return _deliver(timezone.now(), limit=len(ids), ids=ids)


def notifications_mark_read(*, user, ids: Iterable[int] | None = None, now: datetime | None = None) -> int:
    """Mark the user's unread notifications (all, or those of `ids`) as read; returns how many changed.

    Only the user's own rows can change: another user's id is silently not among them.
    """
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=now or timezone.now())


# --- the outbox ----------------------------------------------------------------------------------------


@dataclass
class DeliveryReport:
    sent: int = 0
    retry: int = 0  # failed this time, will be tried again
    failed: int = 0  # failed for the last allowed time: given up
    skipped: int = 0  # no e-mail address, or the account was deactivated meanwhile
    deferred: int = 0  # claimed but not tried because this run ran out of time; tried again later


def deliver_pending(now: datetime | None = None, limit: int = 200) -> DeliveryReport:
    """Send the e-mails that are due (pending, next attempt reached), at most `limit` of them.

    Safe to run from several processes at once: each row is claimed by one sender before sending.
    """
    return _deliver(now or timezone.now(), limit=limit)


def _due(now: datetime) -> Q:
    return Q(email_status=EmailStatus.PENDING) & (Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True))


def _claim(now: datetime, limit: int, ids: list[int] | None) -> tuple[str, list[Notification]]:
    """Mark up to `limit` due rows as ours; the claim holds for the lease, then lapses if we died.

    On PostgreSQL, `SELECT … FOR UPDATE SKIP LOCKED` lets concurrent senders pick disjoint rows without
    waiting; the conditional UPDATE (still due, and only then) is what makes the claim exclusive on
    every database, SQLite included.
    """
    token = uuid.uuid4().hex
    with transaction.atomic():
        rows = Notification.objects.filter(_due(now))
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        picked = list(rows.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
        if not picked:
            return token, []
        Notification.objects.filter(_due(now), pk__in=picked).update(
            email_claim=token, next_attempt_at=now + _claim_lease()
        )
    claimed = Notification.objects.filter(email_claim=token).select_related("recipient").order_by("pk")
    return token, list(claimed)


def _message(notification: Notification, mail_connection) -> EmailMessage:
    context = {"notification": notification, "site_url": settings.CERTFLOW["SITE_URL"].rstrip("/")}
    subject = " ".join(render_to_string("notifications/email_subject.txt", context).split())
    return EmailMessage(
        subject=subject,
        body=render_to_string("notifications/email_body.txt", context),
        to=[notification.recipient.email],
        connection=mail_connection,
        headers={"Auto-Submitted": "auto-generated"},  # RFC 3834: no out-of-office replies to a robot
    )


def _finish(row: Notification, token: str, **fields) -> None:
    Notification.objects.filter(pk=row.pk, email_claim=token).update(email_claim="", **fields)


def _failed(row: Notification, token: str, exc: Exception, now: datetime, report: DeliveryReport) -> None:
    attempts = row.email_attempts + 1
    error = f"{type(exc).__name__}: {exc}"[:1000]
    logger.warning("notification %s: e-mail attempt %s failed: %s", row.pk, attempts, error)
    if attempts >= max_attempts():
        _finish(
            row,
            token,
            email_attempts=attempts,
            email_last_error=error,
            email_status=EmailStatus.FAILED,
            next_attempt_at=None,
        )
        report.failed += 1
    else:
        _finish(
            row, token, email_attempts=attempts, email_last_error=error, next_attempt_at=now + backoff_delay(attempts)
        )
        report.retry += 1


def _deliver(now: datetime, *, limit: int, ids: list[int] | None = None) -> DeliveryReport:
    report = DeliveryReport()
    token, rows = _claim(now, limit, ids)
    if not rows:
        return report
    # Stop well inside the claim's lease, so no other sender can take a row we are still sending.
    deadline = time.monotonic() + _claim_lease().total_seconds() / 2
    mail = get_connection(fail_silently=False, timeout=getattr(settings, "EMAIL_TIMEOUT", None) or 10)
    try:
        mail.open()
    except Exception as exc:  # the server is down: every row waits for its next attempt
        for row in rows:
            _failed(row, token, exc, now, report)
        return report
    try:
        for index, row in enumerate(rows):
            if time.monotonic() > deadline:
                for rest in rows[index:]:
                    _finish(rest, token, next_attempt_at=now)
                report.deferred += len(rows) - index
                break
            if not wants_email(row.recipient):
                _finish(row, token, email_status=EmailStatus.SKIPPED, next_attempt_at=None)
                report.skipped += 1
                continue
            try:
                if mail.send_messages([_message(row, mail)]) != 1:
                    raise RuntimeError("the mail backend did not accept the message")
            except Exception as exc:  # any error from the backend: SMTP refusal, timeout, TLS, ...
                _failed(row, token, exc, now, report)
            else:
                _finish(
                    row,
                    token,
                    email_status=EmailStatus.SENT,
                    email_attempts=row.email_attempts + 1,
                    email_sent_at=timezone.now(),
                    next_attempt_at=None,
                )
                report.sent += 1
    finally:
        # Closing a broken connection may fail too; every outcome is already recorded.
        with contextlib.suppress(Exception):
            mail.close()
    return report
