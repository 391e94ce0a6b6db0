"""Reads of the auditor register, shaped for audit planning, the register pages and the API.

Every function here runs a fixed number of queries whatever the number of auditors.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Case, CharField, Count, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from certflow.auditors.domain import (
    EXPIRING_WITHIN_DAYS,
    AuditorFacts,
    QualificationFlag,
    Refusal,
    auditor_problems,
    qualification_flag,
)
from certflow.auditors.models import AuditorProfile, Competence, ConflictDeclaration, Unavailability
from certflow.core.schemes.registry import all_schemes


def category_catalogue() -> dict[str, tuple[str, str]]:
    """Every custom-goods category code of the shipped schemes with its (zh, en) name, in file order.

    Competence is recorded against these codes (scheme `scope.categories`); a code shared by two
    scheme versions is one competence (decisions Q4).
    """
    names: dict[str, tuple[str, str]] = {}
    for scheme in all_schemes():
        for category in scheme.scope.categories:
            names.setdefault(category.code, (category.name.zh, category.name.en))
    return names


def current_competences() -> QuerySet[Competence]:
    return Competence.objects.filter(removed_at__isnull=True)


def open_conflicts() -> QuerySet[ConflictDeclaration]:
    return ConflictDeclaration.objects.filter(withdrawn_at__isnull=True)


def current_unavailability() -> QuerySet[Unavailability]:
    return Unavailability.objects.filter(removed_at__isnull=True)


def _profile_prefetches() -> list[Prefetch]:
    return [
        Prefetch("competences", queryset=current_competences(), to_attr="current_competences"),
        Prefetch("conflicts", queryset=open_conflicts(), to_attr="open_conflicts"),
        Prefetch("unavailable_periods", queryset=current_unavailability(), to_attr="current_unavailability"),
    ]


def facts_of(user, profile: AuditorProfile | None) -> AuditorFacts:
    """Facts from a user and a profile loaded with `_profile_prefetches()` (or None: not registered)."""
    label = user.full_name or user.email
    if profile is None:
        return AuditorFacts(user.pk, label, user.is_active, None, "", None, None, frozenset(), (), ())
    return AuditorFacts(
        user_id=user.pk,
        label=label,
        is_active=user.is_active and user.is_cb_staff,
        level=profile.level,
        qualification_number=profile.qualification_number,
        valid_from=profile.valid_from,
        valid_until=profile.valid_until,
        categories=frozenset(c.category for c in profile.current_competences),
        conflicts=tuple((c.enterprise_id, c.until) for c in profile.open_conflicts),
        unavailable=tuple((u.start, u.end) for u in profile.current_unavailability),
    )


def auditor_facts(user_ids: Iterable[int]) -> dict[int, AuditorFacts]:
    """Facts for each existing user id (unregistered users get `level=None`), in four queries."""
    ids = {int(i) for i in user_ids}
    if not ids:
        return {}
    profiles = {
        p.user_id: p for p in AuditorProfile.objects.filter(user_id__in=ids).prefetch_related(*_profile_prefetches())
    }
    users = get_user_model().objects.filter(pk__in=ids)
    return {user.pk: facts_of(user, profiles.get(user.pk)) for user in users}


@dataclass
class Candidate:
    """One registered, active auditor measured against an audit.

    `problems` are his own refusals as a member; `lead_problems` as the lead. A member whose only
    problem is `not_competent` while covering some of the categories may still join a team that covers
    the rest (`may_join_team`, decisions Q1).
    """

    user: object
    facts: AuditorFacts
    problems: list[Refusal]
    lead_problems: list[Refusal]
    wanted: frozenset[str] = field(default_factory=frozenset)

    @property
    def eligible(self) -> bool:
        return not self.problems

    @property
    def eligible_as_lead(self) -> bool:
        return not self.lead_problems

    @property
    def covers(self) -> frozenset[str]:
        return self.facts.categories & self.wanted

    @property
    def may_join_team(self) -> bool:
        return all(p.code == "not_competent" for p in self.problems) and (bool(self.covers) or not self.wanted)


def candidates(*, enterprise_id: int, categories: Iterable[str], audit_days) -> list[Candidate]:
    """Every registered auditor whose account is active, eligible first (then lead-eligible, by name)."""
    wanted = frozenset(categories)
    days = sorted(set(audit_days))
    names = category_catalogue()
    profiles = (
        AuditorProfile.objects.filter(user__is_active=True)
        .select_related("user")
        .prefetch_related(*_profile_prefetches())
    )
    result = []
    for profile in profiles:
        facts = facts_of(profile.user, profile)
        common = {"enterprise_id": enterprise_id, "categories": wanted, "audit_days": days, "category_names": names}
        result.append(
            Candidate(
                user=profile.user,
                facts=facts,
                problems=auditor_problems(facts, **common),
                lead_problems=auditor_problems(facts, as_lead=True, **common),
                wanted=wanted,
            )
        )
    result.sort(key=lambda c: (not c.eligible, not c.may_join_team, not c.eligible_as_lead, c.facts.label))
    return result


def _flag_annotation(today: date) -> Case:
    soon = today + timedelta(days=EXPIRING_WITHIN_DAYS)
    return Case(
        When(valid_until__lt=today, then=Value(QualificationFlag.EXPIRED.value)),
        When(valid_from__gt=today, then=Value(QualificationFlag.NOT_YET_VALID.value)),
        When(valid_until__lte=soon, then=Value(QualificationFlag.EXPIRING.value)),
        default=Value(QualificationFlag.VALID.value),
        output_field=CharField(),
    )


def register_list(
    *, level: str = "", category: str = "", flag: str = "", q: str = "", today: date | None = None
) -> QuerySet[AuditorProfile]:
    """The register, filtered; each row annotated with `flag`, `competence_count`, `open_conflict_count`
    and prefetched `current_competences` (paginate the result: the prefetch runs on the page only)."""
    today = today or timezone.localdate()
    qs = AuditorProfile.objects.select_related("user").annotate(
        flag=_flag_annotation(today),
        competence_count=Count("competences", filter=Q(competences__removed_at__isnull=True), distinct=True),
        open_conflict_count=Count("conflicts", filter=Q(conflicts__withdrawn_at__isnull=True), distinct=True),
    )
    if level:
        qs = qs.filter(level=level)
    if category:
        qs = qs.filter(pk__in=current_competences().filter(category=category).values("profile_id"))
    if flag:
        qs = qs.filter(flag=flag)
    if q:
        qs = qs.filter(
            Q(user__full_name__icontains=q) | Q(user__email__icontains=q) | Q(qualification_number__icontains=q)
        )
    return qs.prefetch_related(
        Prefetch("competences", queryset=current_competences(), to_attr="current_competences")
    ).order_by("user__full_name", "id")


def profile_detail(pk: int) -> AuditorProfile:
    """One profile with its current competences and the whole history of conflicts and unavailability."""
    return (
        AuditorProfile.objects.select_related("user")
        .prefetch_related(
            Prefetch("competences", queryset=current_competences().order_by("category"), to_attr="current_competences"),
            Prefetch(
                "conflicts",
                queryset=ConflictDeclaration.objects.select_related("enterprise", "declared_by", "withdrawn_by"),
                to_attr="all_conflicts",
            ),
            Prefetch(
                "unavailable_periods",
                queryset=current_unavailability().order_by("start"),
                to_attr="current_unavailability",
            ),
        )
        .get(pk=pk)
    )


def flag_for(profile: AuditorProfile, today: date | None = None) -> str:
    return qualification_flag(
        AuditorFacts(
            profile.user_id, "", True, profile.level, "", profile.valid_from, profile.valid_until, frozenset(), (), ()
        ),
        today or timezone.localdate(),
    )
