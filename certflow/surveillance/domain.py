"""The surveillance programme (持续监督): windows, the state of each obligation, and audit outcomes.

Pure: no ORM, no request. Services gather plain facts (the certificate's dates, the scheme's
`surveillance:` rules, the audits of the certificate) and get back windows, states and decisions.

Clauses: 5 认证模式 4 and 6 持续监督 1 (每年至少一次监督审核 while the certificate is valid), 6 持续监督 2
(一般不符合项 → correction and verification by the deadline; 严重不符合项 → suspension or revocation).
Decisions SV1–SV10 in docs/decisions.md (surveillance).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from certflow.core.months import add_months  # noqa: F401 — re-exported: callers import it from here
from certflow.core.rules import RuleViolation


@dataclass(frozen=True)
class Rules:
    """The scheme's `surveillance:` block, as plain numbers (certflow.core.schemes.entities.Surveillance)."""

    per_validity_year: int = 1
    first_within_months: int = 12
    window_months_before: int = 3
    window_months_after: int = 0
    recertification_audit_counts: bool = True

    @classmethod
    def of(cls, surveillance) -> "Rules":
        return cls(
            per_validity_year=surveillance.per_validity_year,
            first_within_months=surveillance.first_within_months,
            window_months_before=surveillance.window_months_before_anniversary,
            window_months_after=surveillance.window_months_after_anniversary,
            recertification_audit_counts=surveillance.recertification_audit_counts,
        )


@dataclass(frozen=True)
class Window:
    """The n-th surveillance obligation: done by an audit held from `opens` to `closes` (both inclusive)."""

    number: int
    anniversary: date
    opens: date
    closes: date
    # The last obligation before expiry: a re-certification audit held in it counts (scheme flag, SV3).
    recertification_counts: bool = False

    def contains(self, day: date) -> bool:
        return self.opens <= day <= self.closes


def windows(issued_on: date, expires_on: date, rules: Rules) -> tuple[Window, ...]:
    """Every surveillance window of a certificate decided on `issued_on` and valid to `expires_on` (SV1, SV2).

    The n-th falls due on the n-th anniversary (per_validity_year > 1 divides the year evenly) and opens
    `window_months_before` earlier; it closes `window_months_after` later, the first never later than
    `first_within_months` after the decision. Anniversaries after the expiry owe nothing (the certificate is
    gone); the one on or nearest before the expiry is the re-certification year's (SV3).
    """
    if rules.per_validity_year < 1 or 12 % rules.per_validity_year:
        raise RuleViolation(
            "认证规范的监督频次须为每年 1、2、3、4、6 或 12 次",
            "the scheme's surveillance frequency must divide the year (1, 2, 3, 4, 6 or 12 a year)",
            "bad_frequency",
        )
    if expires_on < issued_on:
        raise RuleViolation("证书有效期早于颁证日期", "the certificate expires before it was issued", "bad_dates")
    step = 12 // rules.per_validity_year
    result: list[Window] = []
    n = 1
    while (anniversary := add_months(issued_on, step * n)) <= expires_on:
        opens = add_months(anniversary, -rules.window_months_before)
        closes = add_months(anniversary, rules.window_months_after)
        if n == 1:
            closes = min(closes, add_months(issued_on, rules.first_within_months))
        opens = max(min(opens, closes), issued_on)
        result.append(Window(n, anniversary, opens, closes))
        n += 1
    if result and rules.recertification_audit_counts:
        last = result[-1]
        # Only the last year's window sits where re-certification happens (before expiry).
        if add_months(last.anniversary, step) > expires_on:
            result[-1] = Window(last.number, last.anniversary, last.opens, last.closes, recertification_counts=True)
    return tuple(result)


# --- the state of an obligation ----------------------------------------------------------------------


class ObligationState(models.TextChoices):
    NOT_YET_OPEN = "not_yet_open", _("未到期")
    DUE = "due", _("应安排")
    PLANNED = "planned", _("已安排")
    OVERDUE = "overdue", _("已逾期")
    DONE = "done", _("已完成")


STATE_EN = {
    "not_yet_open": "not yet open",
    "due": "due",
    "planned": "planned",
    "overdue": "overdue",
    "done": "done",
}


@dataclass(frozen=True)
class AuditFacts:
    """One audit of the certificate's enterprise, as the programme sees it.

    `window` is the obligation a surveillance audit was planned for (stored on the audit); None for a
    re-certification audit, which counts by its date. `held_on` is the closing meeting's day, None while the
    audit has not been held; `open` is True while it is planned and not cancelled.
    """

    pk: int
    reference: str
    audit_type: str  # "surveillance" | "recertification"
    window: int | None
    open: bool
    held_on: date | None
    first_day: date | None = None
    status: str = ""


@dataclass(frozen=True)
class Obligation:
    window: Window
    state: str
    audits: tuple[AuditFacts, ...] = field(default_factory=tuple)
    done_by: AuditFacts | None = None
    late: bool = False  # done, but held after the window closed
    planned_late: bool = False  # planned for a day after the window closes

    @property
    def state_en(self) -> str:
        return STATE_EN[self.state]

    @property
    def label(self) -> str:
        return ObligationState(self.state).label


def _belongs(audit: AuditFacts, window: Window) -> bool:
    if audit.audit_type == "surveillance":
        return audit.window == window.number
    if audit.audit_type == "recertification" and window.recertification_counts:
        day = audit.held_on or audit.first_day
        return day is not None and window.opens <= day <= window.closes
    return False


def obligation(window: Window, audits: Iterable[AuditFacts], today: date) -> Obligation:
    """The state of one obligation on `today` (SV4): done once an audit for it has held its closing meeting
    (passed or still in corrections); otherwise overdue after the window closed (a plan alone does not keep
    it from being overdue); planned while an audit for it is open; due while the window is open; else not
    yet open."""
    mine = tuple(a for a in audits if _belongs(a, window))
    held = sorted((a for a in mine if a.held_on is not None), key=lambda a: (a.held_on, a.pk))
    if held:
        first = held[0]
        return Obligation(window, ObligationState.DONE, mine, done_by=first, late=first.held_on > window.closes)
    planned = [a for a in mine if a.open]
    if today > window.closes:
        return Obligation(window, ObligationState.OVERDUE, mine)
    if planned:
        late = any(a.first_day is not None and a.first_day > window.closes for a in planned)
        return Obligation(window, ObligationState.PLANNED, mine, planned_late=late)
    if today >= window.opens:
        return Obligation(window, ObligationState.DUE, mine)
    return Obligation(window, ObligationState.NOT_YET_OPEN, mine)


def programme(all_windows: Sequence[Window], audits: Iterable[AuditFacts], today: date) -> tuple[Obligation, ...]:
    audits = tuple(audits)
    return tuple(obligation(w, audits, today) for w in all_windows)


def next_obligation(obligations: Sequence[Obligation]) -> Obligation | None:
    """The obligation the programme manager acts on: the first not done; None when every one is done."""
    return next((o for o in obligations if o.state != ObligationState.DONE), None)


def window_for_new_audit(obligations: Sequence[Obligation]) -> Window:
    """Which obligation a new surveillance audit is for: the first not done and not already planned (SV5)."""
    for o in obligations:
        if o.state == ObligationState.DONE:
            continue
        if any(a.open for a in o.audits):
            continue
        return o.window
    raise RuleViolation(
        "该证书的全部监督审核均已完成或已安排",
        "every surveillance audit of this certificate is already done or planned",
        "nothing_due",
    )


def guard_programme(*, status: str, is_legacy: bool, has_scheme: bool) -> None:
    """Only a certificate in force under the current scheme has a surveillance programme (SV6)."""
    if is_legacy or not has_scheme:
        raise RuleViolation(
            "旧版体系证书须在过渡期内按 A/0 版重新认证，不再安排监督审核（前言；决定 SV6）",
            "legacy certificates must re-certify under A/0 within the transition period; no surveillance is "
            "planned for them (foreword; decision SV6)",
            "legacy",
        )
    if status not in ("valid", "suspended"):
        raise RuleViolation(
            "只有有效或暂停中的证书需要监督审核",
            "only a valid or suspended certificate is under surveillance",
            "not_in_force",
        )


# --- outcomes of a surveillance audit (6 持续监督 2) ---------------------------------------------------


@dataclass(frozen=True)
class NcFacts:
    number: str
    grade: str  # minor | major
    state: str  # open | action_submitted | returned | verified | plan_accepted


def suspension_reason(audit_reference: str, ncs: Sequence[NcFacts]) -> str | None:
    """At the closing meeting: the suspension reason when the audit raised a major nonconformity, else None
    (minor ones are corrected and verified by their deadline; the certificate stays valid) (SV7)."""
    majors = sorted(nc.number for nc in ncs if nc.grade == "major")
    if not majors:
        return None
    return (
        f"监督审核 {audit_reference} 发现严重不符合项 {'、'.join(majors)}，证书暂停至整改验证有效"
        f"（第6章 持续监督 2）/ surveillance audit {audit_reference} found major nonconformity "
        f"{', '.join(majors)}; the certificate is suspended until the correction is verified "
        "(clause 6 surveillance 2)"
    )


def restore_due(ncs: Sequence[NcFacts]) -> bool:
    """Every major nonconformity of the audit verified: the certificate suspended for it is restored (SV7)."""
    majors = [nc for nc in ncs if nc.grade == "major"]
    return bool(majors) and all(nc.state == "verified" for nc in majors)


def restore_reason(audit_reference: str, ncs: Sequence[NcFacts]) -> str:
    majors = sorted(nc.number for nc in ncs if nc.grade == "major")
    return (
        f"监督审核 {audit_reference} 的严重不符合项 {'、'.join(majors)} 整改已验证有效，证书恢复有效"
        f" / the corrections of {', '.join(majors)} (surveillance audit {audit_reference}) are verified; "
        "the certificate is valid again"
    )


# --- reminders (the daily sweep) ---------------------------------------------------------------------


class ReminderKind(models.TextChoices):
    OPENED = "opened", _("监督窗口开启")
    OVERDUE = "overdue", _("监督审核逾期")


def reminders_due(obligations: Sequence[Obligation], day: date) -> list[tuple[str, Window]]:
    """What the sweep of `day` tells: a window that is open on `day` and not yet done or planned (its opening
    reminder; a sweep that missed the opening day catches up), and a window closed before `day` with no audit
    held (overdue). The services keep a record so each is told once (SV8)."""
    due: list[tuple[str, Window]] = []
    for o in obligations:
        w = o.window
        if o.state == ObligationState.DUE and w.contains(day):
            due.append((ReminderKind.OPENED, w))
        elif o.state == ObligationState.OVERDUE and day > w.closes:
            due.append((ReminderKind.OVERDUE, w))
    return due
