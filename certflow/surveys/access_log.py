"""Who saw customers' personal data unmasked (decisions PD2; PIPL art. 51: access records).

Only the survey staff see names and phone numbers unmasked (certflow/surveys/permissions.py); each
showing — a page of the customer list, the call list, one call record, the per-respondent answers, or
the same through the API — leaves one row. A masked view leaves none: it shows nothing personal.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address

from certflow.surveys.models import PersonalDataAccess

View = PersonalDataAccess.View


def _address(request) -> str | None:
    address = request.META.get("REMOTE_ADDR") or None
    try:
        validate_ipv46_address(address)
    except ValidationError:
        return None
    return address


def record_access(request, survey, view: str, *, shown: int, customer=None) -> None:
    """Keep one row for a page or response that showed `shown` customers unmasked (none: nothing kept)."""
    if shown <= 0:
        return
    PersonalDataAccess.objects.create(
        survey=survey,
        viewer=request.user,
        view=view,
        shown=shown,
        customer=customer,
        client_address=_address(request),
    )


def recent_accesses(survey, limit: int = 20):
    return survey.personal_data_accesses.select_related("viewer", "customer")[:limit]
