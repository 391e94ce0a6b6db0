"""The loaded scheme: immutable, typed, with the arithmetic the workflow needs.

Nothing here reads files or the database; `loader.py` builds these from a validated document.
The names below (stages, deadlines, finding kinds) are the contract between the scheme files
and the workflow code: a scheme file may change every number, not the meaning of these names.
"""

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

STAGES = ("document_review", "onsite_audit", "surveillance")
DEADLINES = (
    "acceptance",
    "audit_notice",
    "special_audit_notice",
    "correction_major",
    "correction_minor",
    "onsite_verification_limit",
    "suspension_max",
    "certificate_validity",
    "recertification_opens",
)
DEADLINE_UNITS = ("working_days", "calendar_days", "months", "years")
FINDINGS = ("conforming", "minor", "major")


@dataclass(frozen=True)
class Text:
    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


@dataclass(frozen=True)
class Named:
    code: str
    name: Text


@dataclass(frozen=True)
class Category(Named):
    description_required: bool = False


@dataclass(frozen=True)
class Stage(Named):
    source: str = ""


@dataclass(frozen=True)
class Clause:
    number: str
    title: Text


@dataclass(frozen=True)
class Requirement:
    id: str
    clause: str
    title: Text
    text: str
    stages: tuple[str, ...]
    weight: int

    def checked_at(self, stage: str) -> bool:
        return stage in self.stages


@dataclass(frozen=True)
class Threshold:
    """A fraction to reach; `inclusive` says whether reaching it exactly is enough."""

    value: Fraction
    inclusive: bool
    source: str = ""

    def met_by(self, share: Fraction) -> bool:
        return share >= self.value if self.inclusive else share > self.value


@dataclass(frozen=True)
class Scope:
    activities: tuple[Named, ...]
    categories: tuple[Category, ...]
    service_stages: tuple[Named, ...]
    exclusion: Text
    source: str

    def category(self, code: str) -> Category:
        return _by_code(self.categories, code, "scope category")


@dataclass(frozen=True)
class SampleSize:
    z: Fraction
    margin_of_error: Fraction
    proportion: Fraction
    confidence: Fraction
    floor: int
    ceiling: int
    source: str

    def for_population(self, population: int) -> int:
        """How many completed answers to collect from a customer list of `population`."""
        if population < 0:
            raise ValueError("population must not be negative")
        if population == 0:
            return 0
        n0 = self.z**2 * self.proportion * (1 - self.proportion) / self.margin_of_error**2
        corrected = n0 / (1 + (n0 - 1) / population)
        n = math.ceil(corrected)
        return min(population, self.ceiling, max(n, self.floor))


@dataclass(frozen=True)
class Survey:
    dimensions: tuple[Named, ...]
    methods: tuple[Named, ...]
    scale_min: int
    scale_max: int
    scale_labels: tuple[tuple[int, Text], ...]
    satisfied_min_rating: int
    threshold: Threshold
    sample_size: SampleSize
    resurvey_allowed: bool
    result_definition: Text

    @property
    def dimension_codes(self) -> tuple[str, ...]:
        return tuple(d.code for d in self.dimensions)

    def satisfaction(self, ratings: Iterable[int | None]) -> Fraction | None:
        """Share of answered ratings at or above `satisfied_min_rating`; None when nothing was answered."""
        answered = satisfied = 0
        for rating in ratings:
            if rating is None:
                continue
            if not self.scale_min <= rating <= self.scale_max:
                raise ValueError(f"rating {rating} is outside {self.scale_min}–{self.scale_max}")
            answered += 1
            satisfied += rating >= self.satisfied_min_rating
        return Fraction(satisfied, answered) if answered else None

    def passes(self, share: Fraction | None) -> bool:
        return share is not None and self.threshold.met_by(share)


@dataclass(frozen=True)
class Deadline:
    name: str
    amount: int
    unit: str
    counted_from: str
    description: Text
    source: str

    def __str__(self) -> str:
        return f"{self.name}: {self.amount} {self.unit}"


@dataclass(frozen=True)
class Surveillance:
    per_validity_year: int
    first_within_months: int
    window_months_before_anniversary: int
    window_months_after_anniversary: int
    recertification_audit_counts: bool
    source: str


@dataclass(frozen=True)
class Transition:
    application_cutoff: date
    application_cutoff_inclusive: bool
    deadline: date
    deadline_inclusive: bool
    completion_event: str
    on_missed: Text
    source: str

    def covers_application(self, submitted_on: date) -> bool:
        cutoff = self.application_cutoff
        return submitted_on <= cutoff if self.application_cutoff_inclusive else submitted_on < cutoff

    def in_time(self, completed_on: date) -> bool:
        return completed_on <= self.deadline if self.deadline_inclusive else completed_on < self.deadline

    @property
    def lapses_on(self) -> date:
        """The first day a legacy certificate that was not re-certified is no longer valid."""
        return self.deadline + timedelta(days=1) if self.deadline_inclusive else self.deadline


@dataclass(frozen=True)
class Grade(Named):
    min_score: int = 0


@dataclass(frozen=True)
class Grading:
    is_default: bool
    label: Text
    max_score: int
    grades: tuple[Grade, ...]
    finding_factors: tuple[tuple[str, Fraction], ...]
    survey_must_pass: bool
    open_major_allowed: bool
    open_minor_needs_accepted_plan: bool
    source: str

    def grade_for(self, score: Fraction | int) -> Grade | None:
        """The highest grade whose minimum the score reaches; None below the lowest (not compliant)."""
        if not 0 <= score <= self.max_score:
            raise ValueError(f"score {score} is outside 0–{self.max_score}")
        reached = [grade for grade in self.grades if score >= grade.min_score]
        return reached[-1] if reached else None

    def factor(self, finding: str) -> Fraction:
        return dict(self.finding_factors)[finding]


@dataclass(frozen=True)
class Committee:
    quorum: int
    approval: Threshold
    exclude_involved_persons: bool
    source: str

    def approves(self, votes_for: int, votes_cast: int) -> bool:
        """True when enough members voted and the share in favour meets the approval threshold."""
        if not 0 <= votes_for <= votes_cast:
            raise ValueError("votes in favour must be between 0 and the votes cast")
        return votes_cast >= self.quorum and self.approval.met_by(Fraction(votes_for, votes_cast))


@dataclass(frozen=True)
class Scheme:
    code: str
    version: str
    title: Text
    issuer: Text
    published: date
    effective: date
    stages: tuple[Stage, ...]
    clauses: tuple[Clause, ...]
    requirements: tuple[Requirement, ...]
    materials: tuple[Named, ...]
    nonconformity_grades: tuple[Named, ...]
    scope: Scope
    survey: Survey
    deadlines: tuple[Deadline, ...]
    surveillance: Surveillance
    transition: Transition
    grading: Grading
    committee: Committee
    sha256: str
    origin: str
    content_json: str  # the validated document as canonical JSON, kept as text so it cannot be mutated

    @property
    def label(self) -> str:
        return f"{self.code} {self.version}"

    @property
    def content(self) -> dict:
        return json.loads(self.content_json)

    def requirement(self, item_id: str) -> Requirement:
        for item in self.requirements:
            if item.id == item_id:
                return item
        raise KeyError(f"no requirement {item_id!r} in {self.label}")

    def items_for_stage(self, stage: str) -> tuple[Requirement, ...]:
        if stage not in STAGES:
            raise KeyError(f"unknown stage {stage!r}; known: {', '.join(STAGES)}")
        return tuple(item for item in self.requirements if stage in item.stages)

    def items_in_clause(self, clause: str) -> tuple[Requirement, ...]:
        return tuple(item for item in self.requirements if item.clause == clause)

    @property
    def material_codes(self) -> tuple[str, ...]:
        return tuple(material.code for material in self.materials)

    def material(self, code: str) -> Named:
        return _by_code(self.materials, code, "material")

    def deadline(self, name: str) -> Deadline:
        for deadline in self.deadlines:
            if deadline.name == name:
                return deadline
        raise KeyError(f"no deadline {name!r} in {self.label}")

    @property
    def pass_threshold(self) -> Fraction:
        return self.survey.threshold.value

    def grade_for(self, score: Fraction | int) -> Grade | None:
        return self.grading.grade_for(score)

    def score(self, findings: Mapping[str, str]) -> Fraction:
        """Weighted score out of `max_score` from one finding per requirement item (see FINDINGS)."""
        missing = [item.id for item in self.requirements if item.id not in findings]
        unknown = sorted(set(findings) - {item.id for item in self.requirements})
        if missing or unknown:
            raise ValueError(f"findings must cover every item exactly: missing {missing}, unknown {unknown}")
        earned = sum((item.weight * self.grading.factor(findings[item.id]) for item in self.requirements), Fraction(0))
        total = sum(item.weight for item in self.requirements)
        return earned * self.grading.max_score / total


def _by_code(entries: Iterable[Named], code: str, what: str):
    for entry in entries:
        if entry.code == code:
            return entry
    raise KeyError(f"no {what} {code!r}")
