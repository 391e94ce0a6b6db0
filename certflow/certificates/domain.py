"""The certificate's life: statuses, the transition table with its guards, expiry and the number format.

Pure: no ORM, no request. Clause 6 认证决定 2 (a certificate of the matching grade, valid 3 years),
6 持续监督 2 (suspend or revoke), 前言 (legacy certificates lapse after the transition deadline).
"""

import calendar
import re
import string
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from certflow.core.env import ConfigurationError
from certflow.core.rules import RuleViolation


class CertificateStatus(models.TextChoices):
    # A context of their own: "有效" is also a user account's "active" elsewhere.
    VALID = "valid", pgettext_lazy("certificate status", "有效")
    SUSPENDED = "suspended", pgettext_lazy("certificate status", "暂停")
    REVOKED = "revoked", pgettext_lazy("certificate status", "撤销")
    EXPIRED = "expired", pgettext_lazy("certificate status", "过期")
    LAPSED = "lapsed", pgettext_lazy("certificate status", "失效")
    SUPERSEDED = "superseded", pgettext_lazy("certificate status", "已换发")


STATUS_EN = {
    "valid": "valid",
    "suspended": "suspended",
    "revoked": "revoked",
    "expired": "expired",
    "lapsed": "lapsed",
    "superseded": "superseded",
}


class CertificateAction(models.TextChoices):
    SUSPEND = "suspend", pgettext_lazy("certificate action", "暂停")
    RESTORE = "restore", pgettext_lazy("certificate action", "恢复")
    REVOKE = "revoke", pgettext_lazy("certificate action", "撤销")
    EXPIRE = "expire", _("到期")
    LAPSE = "lapse", _("过渡期失效")
    SUPERSEDE = "supersede", _("换发")


S = CertificateStatus
# Statuses in which a certificate still certifies something (and may still lapse or expire).
ACTIVE_STATUSES = frozenset({S.VALID, S.SUSPENDED})
A = CertificateAction

# action → (statuses it may start from, the status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    A.SUSPEND: (frozenset({S.VALID}), S.SUSPENDED),
    A.RESTORE: (frozenset({S.SUSPENDED}), S.VALID),
    A.REVOKE: (frozenset({S.VALID, S.SUSPENDED}), S.REVOKED),
    A.EXPIRE: (frozenset({S.VALID, S.SUSPENDED}), S.EXPIRED),
    A.LAPSE: (frozenset({S.VALID, S.SUSPENDED}), S.LAPSED),
    A.SUPERSEDE: (frozenset({S.VALID}), S.SUPERSEDED),
}

# Suspension and revocation take the certificate from the enterprise: the reason is printed on the
# status history and told to the enterprise (ISO/IEC 17021-1:2015 9.6.5).
REASON_REQUIRED = frozenset({A.SUSPEND, A.REVOKE})

ACTION_EN = {
    "suspend": "suspend",
    "restore": "restore",
    "revoke": "revoke",
    "expire": "expire",
    "lapse": "lapse",
    "supersede": "supersede",
}


@dataclass(frozen=True)
class CertificateFacts:
    """What the guards need to know about one certificate, gathered by the service."""

    status: str
    expires_on: date
    is_legacy: bool


def check_transition(
    facts: CertificateFacts,
    action: str,
    *,
    today: date,
    reason: str = "",
    lapses_on: date | None = None,
) -> str:
    """The status `action` leads to, or a RuleViolation explaining in Chinese and English why not."""
    if action not in TRANSITIONS:
        raise RuleViolation(f"未知操作：{action}", f"unknown action: {action}", "unknown_action")
    sources, target = TRANSITIONS[action]
    if facts.status not in sources:
        raise RuleViolation(
            f"证书当前状态为“{S(facts.status).label}”，不能执行“{A(action).label}”",
            f"the certificate is {STATUS_EN[facts.status]}; '{ACTION_EN[action]}' is not possible now",
            "wrong_state",
        )
    if action in REASON_REQUIRED and not reason.strip():
        raise RuleViolation(
            f"“{A(action).label}”证书必须说明原因",
            f"a reason is required to {ACTION_EN[action]} a certificate",
            "reason_required",
        )
    if action == A.EXPIRE and not is_past_expiry(facts.expires_on, today):
        first_day = facts.expires_on + timedelta(days=1)
        raise RuleViolation(
            f"证书有效期至 {facts.expires_on:%Y-%m-%d}，{first_day:%Y-%m-%d} 起方可标记为过期",
            f"the certificate is valid until {facts.expires_on:%Y-%m-%d}; it expires from {first_day:%Y-%m-%d}",
            "not_expired_yet",
        )
    if action == A.LAPSE:
        if not facts.is_legacy:
            raise RuleViolation(
                "只有旧版体系证书会因过渡期届满而失效",
                "only certificates of the earlier scheme lapse at the end of the transition period",
                "not_legacy",
            )
        if lapses_on is None or today < lapses_on:
            day = f"{lapses_on:%Y-%m-%d}" if lapses_on else "—"
            raise RuleViolation(
                f"过渡期尚未届满，旧版证书自 {day} 起失效",
                f"the transition period has not ended; legacy certificates lapse from {day}",
                "transition_open",
            )
    return target


def allowed_actions(status: str) -> list[str]:
    return [action for action, (sources, _target) in TRANSITIONS.items() if status in sources]


def add_years(start: date, years: int) -> date:
    """The corresponding day `years` later; 29 February → 28 February when the year has none
    (Civil Code art. 202: 没有对应日的，月末日为期间的最后一日)."""
    year = start.year + years
    last_day = calendar.monthrange(year, start.month)[1]
    return date(year, start.month, min(start.day, last_day))


def expiry_for(issued_on: date, years: int) -> date:
    """The last day a certificate issued on `issued_on` is valid (decisions C2).

    The issue day is not counted (Civil Code art. 201) and a period of years ends on the
    corresponding day (art. 202), which is still valid: issued 2026-11-20 → valid to 2029-11-20;
    issued 2028-02-29 → valid to 2031-02-28.
    """
    if years < 1:
        raise ValueError("a certificate is valid for at least one year")
    return add_years(issued_on, years)


def is_past_expiry(expires_on: date, today: date) -> bool:
    return today > expires_on


def effective_status(
    status: str,
    status_since: date,
    *,
    expires_on: date,
    is_legacy: bool,
    lapses_on: date | None,
    today: date,
    recertified_in_time: bool = False,
) -> tuple[str, date]:
    """The status the public sees today, with the day it began.

    A certificate past its expiry (or a legacy one past the transition deadline whose enterprise did
    not re-certify under the current scheme in time, decisions L2) is shown expired (lapsed) from that
    day even before the daily sweep has written the change, so the public never sees "valid" on a
    certificate that no longer is.
    """
    if status not in (S.VALID, S.SUSPENDED):
        return status, status_since
    lapsing = is_legacy and not recertified_in_time and lapses_on is not None
    if lapsing and today >= lapses_on and lapses_on <= expires_on:
        return S.LAPSED, lapses_on
    if is_past_expiry(expires_on, today):
        return S.EXPIRED, expires_on + timedelta(days=1)
    return status, status_since


# --- certificate numbers ---------------------------------------------------------------------------

NUMBER_FIELDS = frozenset({"year", "seq"})
NUMBER_CHARACTERS = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{2,47}")
NUMBER_INPUT = re.compile(r"[A-Za-z0-9._-]{1,48}")


def validate_number_format(fmt: str) -> None:
    """Refuse a format that could give duplicate or unprintable numbers (ConfigurationError).

    It must use {year} and {seq} (the sequence restarts each year, so a number without the year
    would repeat), no other field, and give a number of letters, digits, '.', '_' and '-' only:
    the number is part of the verification URL printed in the QR code.
    """
    name = "CERTFLOW_CERTIFICATE_NUMBER_FORMAT"
    try:
        fields = [field for _text, field, _spec, _conv in string.Formatter().parse(fmt) if field is not None]
    except ValueError as exc:
        raise ConfigurationError(f"{name} is not a valid format string ({exc}); got {fmt!r}") from None
    unknown = sorted(set(fields) - NUMBER_FIELDS)
    if unknown:
        raise ConfigurationError(f"{name} may use only {{year}} and {{seq}}; got {', '.join(unknown)} in {fmt!r}")
    missing = sorted(NUMBER_FIELDS - set(fields))
    if missing:
        raise ConfigurationError(f"{name} must contain {{year}} and {{seq}} (missing {', '.join(missing)}): {fmt!r}")
    for year, seq in ((2026, 1), (2099, 99999)):
        try:
            sample = fmt.format(year=year, seq=seq)
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            raise ConfigurationError(f"{name} cannot be formatted ({exc}): {fmt!r}") from None
        if not NUMBER_CHARACTERS.fullmatch(sample):
            raise ConfigurationError(
                f"{name} must give 3–48 letters, digits, '.', '_' or '-' (it goes into the verification URL); "
                f"{fmt!r} gives {sample!r}"
            )


def format_number(fmt: str, *, year: int, seq: int) -> str:
    return fmt.format(year=year, seq=seq)


def sequence_name(year: int) -> str:
    return f"certificate-number-{year}"


# --- who may do what (decisions C6) ------------------------------------------------------------------

# The certificate is issued on the technical committee's decision (6 认证决定 1–2); the decision records
# who decided, and the committee member, the programme manager or an administrator issues it.
ISSUER_ROLES = frozenset({"technical_committee", "programme_manager", "administrator"})
# Suspending, restoring and revoking follow surveillance findings (6 持续监督 2): the programme manager who
# runs the client's programme, or an administrator (ISO/IEC 17021-1:2015 9.6.5).
STATUS_ROLES = frozenset({"programme_manager", "administrator"})


# --- scope reduction (ISO/IEC 17021-1:2015 9.6.5.1 c; ISO/IEC 17065:2012 7.11.1) -------------------------


def check_scope_reduction(
    *,
    status: str,
    old_categories: list[str],
    old_services: list[str],
    categories: list[str],
    services: list[str],
    reason: str,
) -> None:
    """A reduction keeps a non-empty part of the certified scope and drops at least one code of it.

    Only a valid certificate is reduced (a suspended one is restored or revoked first; the replacement
    starts valid). Adding anything is an extension, which needs an application and an audit."""
    if status != S.VALID:
        raise RuleViolation(
            f"证书当前状态为“{S(status).label}”，只有有效的证书可以缩小认证范围",
            f"the certificate is {STATUS_EN[status]}; only a valid certificate's scope can be reduced",
            "wrong_state",
        )
    if not old_categories:
        raise RuleViolation(
            "该证书的认证范围没有分类代码（旧版体系证书），不能在此缩小范围",
            "this certificate's scope has no codes (earlier scheme); it cannot be reduced here",
            "no_scope_codes",
        )
    if not reason.strip():
        raise RuleViolation("缩小认证范围须说明原因", "a reason is required to reduce the scope", "reason_required")
    if not categories:
        raise RuleViolation(
            "缩小后的认证范围须至少保留一个定制商品类别（全部不符合的，应暂停或撤销证书）",
            "the reduced scope keeps at least one category (if none qualifies, suspend or revoke instead)",
            "empty_scope",
        )
    added = [c for c in categories if c not in old_categories] + [s for s in services if s not in old_services]
    if added:
        raise RuleViolation(
            f"缩小范围不能增加内容：{', '.join(added)}（扩大范围须另行申请）",
            f"a reduction cannot add {', '.join(added)} (an extension needs an application)",
            "not_a_reduction",
        )
    if set(categories) == set(old_categories) and set(services) == set(old_services):
        raise RuleViolation(
            "新的认证范围与原范围相同，没有缩小",
            "the new scope is the same as the current one; nothing is removed",
            "not_smaller",
        )
