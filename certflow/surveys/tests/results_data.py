"""Survey data for the statistics tests, written in bulk (the answering services are tested elsewhere)."""

import hashlib
import itertools
from datetime import timedelta

from django.utils import timezone

from certflow.applications import services as application_services
from certflow.surveys.domain import Channel, SurveyStatus
from certflow.surveys.models import Customer, Invitation, Rating, Response, Survey

DIMENSIONS = (
    "product_quality",
    "design_rationality",
    "service_attitude",
    "response_timeliness",
    "problem_resolution",
)
_serial = itertools.count(1)


def make_survey(*, enterprise, user, staff, status=SurveyStatus.OPEN, **fields) -> Survey:
    application = application_services.application_create(by=user, enterprise=enterprise)
    defaults = {
        "seed": "test-seed",
        "frame_sha256": "ab" * 32,
        "population": 120,
        "sample_size": 92,
        "drawn_at": timezone.now() - timedelta(days=3),
        "opened_at": timezone.now() - timedelta(days=2),
    }
    defaults.update(fields)
    return Survey.objects.create(
        application=application,
        enterprise=enterprise,
        scheme_version=application.scheme_version,
        status=status,
        created_by=staff,
        **defaults,
    )


def invite(survey: Survey, count: int, *, sent: bool = True) -> list[Invitation]:
    customers = Customer.objects.bulk_create(
        Customer(
            survey=survey,
            name=f"客户{n}",
            phone=f"139{n:08d}",
            category="custom_furniture",
            order_id=f"DD{n}",
        )
        for n in (next(_serial) for _ in range(count))
    )
    now = timezone.now()
    return Invitation.objects.bulk_create(
        Invitation(
            survey=survey,
            customer=customer,
            stratum=customer.category,
            draw_order=i,
            token_hash=hashlib.sha256(f"{customer.phone}-{customer.pk}".encode()).hexdigest(),
            expires_at=now + timedelta(days=14),
            sent_at=now if sent else None,
        )
        for i, customer in enumerate(customers)
    )


def answer(
    survey: Survey,
    vectors,
    *,
    channel=Channel.QUESTIONNAIRE,
    address="203.0.113.{n}",
    start=None,
    step=timedelta(minutes=17),
    recorded_by=None,
    comment="",
) -> list[Response]:
    """One response per vector; a vector is ({dimension: value}, overall). Needs free invitations."""
    vectors = list(vectors)
    free = list(Invitation.objects.filter(survey=survey, response__isnull=True).order_by("id")[: len(vectors)])
    if len(free) < len(vectors):
        free += invite(survey, len(vectors) - len(free))
    start = start or timezone.now() - timedelta(days=1)
    responses = Response.objects.bulk_create(
        Response(
            survey=survey,
            invitation=invitation,
            channel=channel,
            submitted_at=start + i * step,
            overall=overall,
            comment=comment,
            client_address=address.format(n=i % 250 + 1) if channel == Channel.QUESTIONNAIRE and address else None,
            user_agent="pytest" if channel == Channel.QUESTIONNAIRE else "",
            recorded_by=recorded_by if channel == Channel.PHONE_CALLBACK else None,
        )
        for i, (invitation, (_ratings, overall)) in enumerate(zip(free, vectors, strict=True))
    )
    Rating.objects.bulk_create(
        Rating(response=response, dimension=code, value=value)
        for response, (ratings, _overall) in zip(responses, vectors, strict=True)
        for code, value in ratings.items()
    )
    return responses


def uniform(value: int, overall: int | None = None, dims=DIMENSIONS):
    return ({code: value for code in dims}, overall if overall is not None else value)
