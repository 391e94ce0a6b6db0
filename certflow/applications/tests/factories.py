"""Building blocks for the application tests: files the upload inspector accepts, and applications at each
stage, made through the services (so events and notifications are what real use leaves)."""

import io
from datetime import date

import factory

from certflow.applications import services
from certflow.applications.demo import demo_pdf, demo_png
from certflow.applications.domain import ApplicationStatus
from certflow.applications.models import Application
from certflow.core.schemes.services import scheme_version_for
from certflow.core.testing.factories import EnterpriseFactory, UserFactory

# A Monday with no holiday near it: 5 working days later is Monday 2026-03-09.
TODAY = date(2026, 3, 2)

DETAILS = {
    "categories": ["custom_furniture"],
    "service_stages": ["requirements_research", "solution_design", "manufacturing"],
    "service_description": "全屋定制家具的设计、生产与安装",
}


def pdf_bytes(text: str = "material") -> bytes:
    return demo_pdf(text)


def pdf_file(name: str = "file.pdf", text: str = "") -> io.BytesIO:
    data = io.BytesIO(demo_pdf(text or name))
    data.name = name
    return data


def png_bytes(seed: int = 1) -> bytes:
    return demo_png(seed)


def material_codes(application) -> tuple[str, ...]:
    return application.scheme_version.as_scheme().material_codes


def upload(application, user, material: str, text: str = "", name: str = ""):
    name = name or f"{material}.pdf"
    return services.material_upload(
        by=user, application=application, material=material, name=name, data=pdf_file(name, text or name)
    )


def draft(enterprise, user, *, complete: bool = False, today: date = TODAY) -> Application:
    """A draft; `complete` fills details, a site, all nine materials and the declaration."""
    application = services.application_create(by=user, enterprise=enterprise, today=today)
    if complete:
        services.application_update_details(by=user, application=application, **DETAILS)
        services.site_add(by=user, application=application, kind="workshop", name="一号车间", address="深圳市宝安区8栋")
        for code in material_codes(application):
            upload(application, user, code, f"{enterprise.pk}-{code}")
        services.declaration_set(by=user, application=application, made=True)
    application.refresh_from_db()
    return application


def submitted(enterprise, user, *, today: date = TODAY) -> Application:
    application = draft(enterprise, user, complete=True, today=today)
    return services.application_submit(by=user, application=application, today=today)


def supplement_requested(enterprise, user, clerk, *, today: date = TODAY, items: dict | None = None) -> Application:
    application = submitted(enterprise, user, today=today)
    services.application_request_supplement(
        by=clerk,
        application=application,
        items=items or {"business_licence": "营业执照扫描件不清晰，请重新上传"},
        message="请补充后重新提交",
    )
    application.refresh_from_db()
    return application


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A bare row, for list pages and query counts; use the functions above for anything with a history."""

    class Meta:
        model = Application

    reference = factory.Sequence(lambda n: f"SQ2026-T{n:05d}")
    enterprise = factory.SubFactory(EnterpriseFactory)
    scheme_version = factory.LazyFunction(scheme_version_for)
    created_by = factory.SubFactory(UserFactory)
    status = ApplicationStatus.SUBMITTED
    received_on = TODAY
    acceptance_due = date(2026, 3, 9)
