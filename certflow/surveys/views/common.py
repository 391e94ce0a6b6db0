"""Small helpers the survey pages share."""

from dataclasses import dataclass

from django.utils.translation import get_language

from certflow.core.rules import RuleViolation
from certflow.surveys.domain import mask_email, mask_name, mask_phone


def message_of(exc: RuleViolation) -> str:
    return exc.zh if (get_language() or "zh").startswith("zh") else exc.en


@dataclass(frozen=True)
class Person:
    """A customer as the viewer may see them: masked unless the viewer makes the calls (decisions V9)."""

    name: str
    phone: str
    email: str


def person(customer, *, unmasked: bool) -> Person:
    if unmasked:
        return Person(customer.name, customer.phone, customer.email)
    return Person(
        mask_name(customer.name), mask_phone(customer.phone), mask_email(customer.email) if customer.email else ""
    )


def category_names(survey) -> dict[str, str]:
    """Stratum code → the scheme's Chinese category name, for display."""
    from certflow.surveys.services.common import scheme_for

    return {c.code: c.name.zh for c in scheme_for(survey.application).scope.categories}
