"""The auditor register's rules: who may sit on an audit team, and whether a qualification still holds.

Pure: no ORM, no request. Selectors gather `AuditorFacts`; these functions answer with `Refusal`s in
Chinese and English, or raise one `RuleViolation` for a whole team.

Clauses: 6 现场审核 ("审核组由具备资格的审核员组成，熟悉定制商品设计、生产"), ISO/IEC 17021-1 5.2 and
7.1/7.2 (impartiality: declared conflicts; competence per technical area), 9.1.4/9.2.2 (audit team
selection: a team leader, members available and competent, the team as a whole covering the scope).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from certflow.accounts.roles import StaffRole
from certflow.core.rules import RuleViolation


class AuditorLevel(models.TextChoices):
    AUDITOR = "auditor", _("审核员")
    LEAD_AUDITOR = "lead_auditor", _("审核组长")


class QualificationFlag(models.TextChoices):
    VALID = "valid", pgettext_lazy("qualification", "有效")
    EXPIRING = "expiring", pgettext_lazy("qualification", "即将到期")
    EXPIRED = "expired", _("已过期")
    NOT_YET_VALID = "not_yet_valid", _("尚未生效")


# Who keeps the register: arranging audit teams is the programme manager's work; administrators
# correct records (decisions Q5). Auditors only declare their own conflicts and unavailable dates.
REGISTER_KEEPERS = frozenset({StaffRole.PROGRAMME_MANAGER, StaffRole.ADMINISTRATOR})

# A qualification ending within this many calendar days is flagged, so the programme manager can
# arrange re-qualification before audits have to be refused (decisions Q3). Not a scheme number:
# the standard says nothing about auditor qualification periods.
EXPIRING_WITHIN_DAYS = 60


@dataclass(frozen=True)
class AuditorFacts:
    """What the register knows about one person, as plain values. `level is None`: not in the register.

    `conflicts` holds only declared, not withdrawn conflicts: (enterprise id, until or None for no end).
    `unavailable` holds inclusive (start, end) periods.
    """

    user_id: int
    label: str
    is_active: bool
    level: str | None
    qualification_number: str
    valid_from: date | None
    valid_until: date | None
    categories: frozenset[str]
    conflicts: tuple[tuple[int, date | None], ...]
    unavailable: tuple[tuple[date, date], ...]

    @property
    def registered(self) -> bool:
        return self.level is not None

    def qualified_on(self, day: date) -> bool:
        if self.valid_from is None or self.valid_until is None:
            return False
        return self.valid_from <= day <= self.valid_until


@dataclass(frozen=True)
class Refusal:
    code: str
    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


CategoryNames = Mapping[str, tuple[str, str]]


def _names(codes: Iterable[str], names: CategoryNames | None) -> tuple[str, str]:
    codes = sorted(codes)
    names = names or {}
    zh = "、".join(names.get(c, (c, c))[0] for c in codes)
    en = ", ".join(names.get(c, (c, c))[1] for c in codes)
    return zh, en


def _days(days: Iterable[date]) -> str:
    return ", ".join(d.isoformat() for d in sorted(days))


def _who(facts: AuditorFacts) -> str:
    return facts.label or f"#{facts.user_id}"


def has_conflict(facts: AuditorFacts, enterprise_id: int, first_day: date | None) -> bool:
    """A conflict counts while it lasts on the first audit day; one that ended the day before does not.
    Before the days are known (`first_day` None) every open declaration counts: better to ask than to
    offer someone who may not audit the enterprise."""
    return any(
        eid == enterprise_id and (until is None or first_day is None or until >= first_day)
        for eid, until in facts.conflicts
    )


def unavailable_days(facts: AuditorFacts, audit_days: Iterable[date]) -> list[date]:
    return sorted({d for d in audit_days for start, end in facts.unavailable if start <= d <= end})


def auditor_problems(
    facts: AuditorFacts,
    *,
    enterprise_id: int,
    categories: Iterable[str],
    audit_days: Sequence[date],
    as_lead: bool = False,
    category_names: CategoryNames | None = None,
) -> list[Refusal]:
    """Every reason this person may not sit on the audit of `enterprise_id` on `audit_days`.

    `not_competent` names every category of the application the person is not competent for; the team
    check decides whether another member covers them (decisions Q1).
    """
    who = _who(facts)
    problems: list[Refusal] = []
    if not facts.registered:
        problems.append(
            Refusal("not_registered", f"{who}不在审核员注册名单中", f"{who} is not in the auditor register")
        )
    if not facts.is_active:
        problems.append(Refusal("inactive", f"{who}的账号已停用", f"{who}'s account is deactivated"))
    if not facts.registered:
        return problems
    days = sorted(set(audit_days))
    not_qualified = [d for d in days if not facts.qualified_on(d)]
    if not_qualified:
        span = f"{facts.valid_from or '?'} – {facts.valid_until or '?'}"
        problems.append(
            Refusal(
                "not_qualified_on_dates",
                f"{who}的审核员资格（{span}）在审核日 {_days(not_qualified)} 无效",
                f"{who}'s qualification ({span}) is not valid on audit day(s) {_days(not_qualified)}",
            )
        )
    if as_lead and facts.level != AuditorLevel.LEAD_AUDITOR:
        problems.append(Refusal("not_lead", f"{who}不具备审核组长资格", f"{who} is not qualified as a lead auditor"))
    missing = set(categories) - facts.categories
    if missing:
        zh, en = _names(missing, category_names)
        problems.append(
            Refusal(
                "not_competent",
                f"{who}不具备以下定制商品类别的专业能力：{zh}",
                f"{who} is not competent for the custom-goods categories: {en}",
            )
        )
    if has_conflict(facts, enterprise_id, days[0] if days else None):
        problems.append(
            Refusal(
                "conflict",
                f"{who}已声明与该企业存在利益冲突，不能审核该企业",
                f"{who} has declared a conflict of interest with this enterprise and cannot audit it",
            )
        )
    busy = unavailable_days(facts, days)
    if busy:
        problems.append(
            Refusal(
                "unavailable",
                f"{who}在 {_days(busy)} 不能参加审核",
                f"{who} is unavailable on {_days(busy)}",
            )
        )
    return problems


def _tolerated(refusal: Refusal, facts: AuditorFacts, categories: set[str]) -> bool:
    """A member who brings at least one of the application's categories may join a team that covers the
    rest (decisions Q1); one who brings none is refused."""
    return refusal.code == "not_competent" and bool(facts.categories & categories)


def team_problems(
    members: Sequence[AuditorFacts],
    lead_id: int | None,
    *,
    enterprise_id: int,
    categories: Iterable[str],
    audit_days: Sequence[date],
    category_names: CategoryNames | None = None,
) -> list[Refusal]:
    """Every reason the team may not audit. The lead is one of `members` (decisions Q1, Q2)."""
    wanted = set(categories)
    problems: list[Refusal] = []
    if not members:
        problems.append(Refusal("empty_team", "审核组没有成员", "the audit team has no members"))
    if not audit_days:
        problems.append(Refusal("no_audit_days", "尚未确定审核日期", "no audit days are given"))
    ids = [m.user_id for m in members]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    for facts in members:
        if facts.user_id in duplicates:
            problems.append(
                Refusal(
                    "duplicate_member",
                    f"{_who(facts)}在审核组中重复出现",
                    f"{_who(facts)} appears more than once in the team",
                )
            )
            duplicates.remove(facts.user_id)
    if lead_id is None:
        problems.append(Refusal("no_lead", "审核组必须指定一名审核组长", "the audit team needs a lead auditor"))
    elif lead_id not in ids:
        problems.append(
            Refusal("lead_not_member", "审核组长必须是审核组成员", "the lead auditor must be a member of the team")
        )
    seen: set[int] = set()
    for facts in members:
        if facts.user_id in seen:
            continue
        seen.add(facts.user_id)
        found = auditor_problems(
            facts,
            enterprise_id=enterprise_id,
            categories=wanted,
            audit_days=audit_days,
            as_lead=facts.user_id == lead_id,
            category_names=category_names,
        )
        problems.extend(p for p in found if not _tolerated(p, facts, wanted))
    covered = set().union(*(m.categories for m in members if m.registered)) if members else set()
    uncovered = wanted - covered
    if members and uncovered:
        zh, en = _names(uncovered, category_names)
        problems.append(
            Refusal(
                "team_not_competent",
                f"审核组没有成员具备以下定制商品类别的专业能力：{zh}",
                f"no member of the audit team is competent for: {en}",
            )
        )
    return problems


def check_team(
    members: Sequence[AuditorFacts],
    lead_id: int | None,
    *,
    enterprise_id: int,
    categories: Iterable[str],
    audit_days: Sequence[date],
    category_names: CategoryNames | None = None,
) -> None:
    """Raise one `RuleViolation` (code `team_refused`) listing every problem, or return."""
    problems = team_problems(
        members,
        lead_id,
        enterprise_id=enterprise_id,
        categories=categories,
        audit_days=audit_days,
        category_names=category_names,
    )
    if problems:
        raise RuleViolation(
            "审核组不符合要求：" + "；".join(p.zh for p in problems),
            "the audit team is refused: " + "; ".join(p.en for p in problems),
            "team_refused",
        )


def qualification_flag(facts: AuditorFacts, today: date) -> str:
    """valid / expiring (ends within EXPIRING_WITHIN_DAYS) / expired / not_yet_valid."""
    if facts.valid_until is None or facts.valid_until < today:
        return QualificationFlag.EXPIRED.value
    if facts.valid_from is not None and facts.valid_from > today:
        return QualificationFlag.NOT_YET_VALID.value
    if facts.valid_until <= today + timedelta(days=EXPIRING_WITHIN_DAYS):
        return QualificationFlag.EXPIRING.value
    return QualificationFlag.VALID.value
