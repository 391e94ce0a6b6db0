"""Turn a validated scheme document into the immutable `Scheme`. Assumes validation passed."""

import json
from datetime import date
from fractions import Fraction

from certflow.core.schemes.entities import (
    DEADLINE_UNITS,
    Category,
    Clause,
    Committee,
    Deadline,
    Grade,
    Grading,
    Named,
    Requirement,
    SampleSize,
    Scheme,
    Scope,
    Stage,
    Surveillance,
    Survey,
    Text,
    Threshold,
    Transition,
)


def build_scheme(data: dict, *, sha256: str, origin: str) -> Scheme:
    head, survey, grading = data["scheme"], data["survey"], data["grading"]
    return Scheme(
        code=head["code"],
        version=head["version"],
        title=_text(head["title"]),
        issuer=_text(head["issuer"]),
        published=_day(head["published"]),
        effective=_day(head["effective"]),
        stages=tuple(Stage(s["code"], _text(s["name"]), s["source"]) for s in data["stages"]),
        clauses=tuple(Clause(c["number"], _text(c["title"])) for c in data["clauses"]),
        requirements=tuple(
            Requirement(
                id=r["id"],
                clause=r["clause"],
                title=_text(r["title"]),
                text=r["text"],
                stages=tuple(r["stages"]),
                weight=grading["weights"][r["id"]],
            )
            for r in data["requirements"]
        ),
        materials=_named(data["materials"]["items"]),
        nonconformity_grades=_named(data["nonconformity_grades"]),
        scope=_scope(data["scope"]),
        survey=_survey(survey),
        deadlines=tuple(_deadline(name, d) for name, d in data["deadlines"].items()),
        surveillance=_surveillance(data["surveillance"]),
        transition=_transition(data["transition"]),
        grading=_grading(grading),
        committee=_committee(data["committee"]),
        sha256=sha256,
        origin=origin,
        content_json=canonical_json(data),
    )


def canonical_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=_json_default)


def _json_default(value):
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in a scheme")


def _text(value: dict) -> Text:
    return Text(value["zh"], value["en"])


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _frac(value: dict) -> Fraction:
    return Fraction(value["numerator"], value["denominator"])


def _threshold(value: dict, source: str = "") -> Threshold:
    return Threshold(_frac(value), value["inclusive"], value.get("source", source))


def _named(entries: list[dict]) -> tuple[Named, ...]:
    return tuple(Named(e["code"], _text(e["name"])) for e in entries)


def _scope(scope: dict) -> Scope:
    return Scope(
        activities=_named(scope["activities"]),
        categories=tuple(Category(c["code"], _text(c["name"]), c["description_required"]) for c in scope["categories"]),
        service_stages=_named(scope["service_stages"]),
        exclusion=_text(scope["exclusion"]),
        source=scope["source"],
    )


def _survey(survey: dict) -> Survey:
    scale, sample, result = survey["scale"], survey["sample_size"], survey["result"]
    return Survey(
        dimensions=_named(survey["dimensions"]),
        methods=_named(survey["methods"]),
        scale_min=scale["min"],
        scale_max=scale["max"],
        scale_labels=tuple(
            (label["value"], _text(label)) for label in sorted(scale["labels"], key=lambda x: x["value"])
        ),
        satisfied_min_rating=result["satisfied_min_rating"],
        threshold=_threshold(survey["pass_threshold"]),
        sample_size=SampleSize(
            z=_frac(sample["z"]),
            margin_of_error=_frac(sample["margin_of_error"]),
            proportion=_frac(sample["proportion"]),
            confidence=_frac(sample["confidence"]),
            floor=sample["floor"],
            ceiling=sample["ceiling"],
            source=sample["source"],
        ),
        resurvey_allowed=survey["resurvey"]["allowed"],
        result_definition=_text(result),
    )


def _deadline(name: str, value: dict) -> Deadline:
    unit = next(u for u in DEADLINE_UNITS if u in value)
    return Deadline(name, value[unit], unit, value["counted_from"], _text(value["description"]), value["source"])


def _surveillance(value: dict) -> Surveillance:
    return Surveillance(
        per_validity_year=value["per_validity_year"],
        first_within_months=value["first_within_months"],
        window_months_before_anniversary=value["window_months_before_anniversary"],
        window_months_after_anniversary=value["window_months_after_anniversary"],
        recertification_audit_counts=value["recertification_audit_counts"],
        source=value["source"],
    )


def _transition(value: dict) -> Transition:
    return Transition(
        application_cutoff=_day(value["application_cutoff"]),
        application_cutoff_inclusive=value["application_cutoff_inclusive"],
        deadline=_day(value["deadline"]),
        deadline_inclusive=value["deadline_inclusive"],
        completion_event=value["completion_event"],
        on_missed=_text(value["on_missed"]),
        source=value["source"],
    )


def _grading(value: dict) -> Grading:
    gates = value["gates"]
    return Grading(
        is_default=value["default"],
        label=_text(value["label"]),
        max_score=value["max_score"],
        grades=tuple(Grade(g["code"], _text(g["name"]), g["min_score"]) for g in value["grades"]),
        finding_factors=tuple((name, _frac(f)) for name, f in value["finding_factors"].items()),
        survey_must_pass=gates["survey_must_pass"],
        open_major_allowed=gates["open_major_allowed"],
        open_minor_needs_accepted_plan=gates["open_minor_needs_accepted_plan"],
        source=value["source"],
    )


def _committee(value: dict) -> Committee:
    return Committee(
        quorum=value["quorum"],
        approval=_threshold(value["approval"], value["source"]),
        exclude_involved_persons=value["exclude_involved_persons"],
        source=value["source"],
    )
