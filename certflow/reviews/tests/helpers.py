"""Building blocks for the review tests: an accepted application made through the applications services."""

import io
from datetime import date

from certflow.applications import services as application_services
from certflow.applications.models import Application, Assignment
from certflow.core.events.models import Event
from certflow.reviews import services
from certflow.reviews.domain import ChecklistResult
from certflow.reviews.models import (
    ChecklistEntry,
    CorrectiveAction,
    CorrectiveEvidence,
    DocumentReview,
    Nonconformity,
)
from certflow.reviews.selectors import review_items

# A Monday with no holiday near it: deadlines in the tests are easy to check by hand.
TODAY = date(2026, 3, 2)


def tiny_pdf(text: str = "material") -> bytes:
    """A small PDF the upload inspector accepts (distinct per `text`, so duplicates are not refused)."""
    body = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>endobj\n"
        b"4 0 obj<</Length " + str(len(body)).encode() + b">>stream\n" + body + b"\nendstream endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def pdf_file(name: str, text: str = "") -> tuple[str, io.BytesIO]:
    return name, io.BytesIO(tiny_pdf(text or name))


def accepted_application(*, enterprise, user, clerk, today: date = TODAY) -> Application:
    """create → details → site → nine materials → declaration → submit → accept."""
    application = application_services.application_create(by=user, enterprise=enterprise, today=today)
    application_services.application_update_details(
        by=user,
        application=application,
        categories=["custom_furniture"],
        service_stages=["requirements_research", "solution_design", "manufacturing"],
        service_description="全屋定制家具的设计、生产与安装",
    )
    application_services.site_add(
        by=user, application=application, kind="workshop", name="一号车间", address="广东省深圳市宝安区定制产业园8栋"
    )
    scheme = application.scheme_version.as_scheme()
    for code in scheme.material_codes:
        name, data = pdf_file(f"{code}.pdf", f"{enterprise.pk}-{code}")
        application_services.material_upload(by=user, application=application, material=code, name=name, data=data)
    application_services.declaration_set(by=user, application=application, made=True)
    application_services.application_submit(by=user, application=application, today=today)
    return application_services.application_accept(by=clerk, application=application)


def record_all(review: DocumentReview, by, results: dict[str, str] | None = None) -> None:
    """Answer every item: `results` maps item ids to minor/major/not_applicable; the rest conform."""
    results = results or {}
    for item in review_items(review.application):
        result = results.get(item.id, ChecklistResult.CONFORM)
        services.checklist_record(
            by=by,
            review=review,
            item_id=item.id,
            result=result,
            note=f"{item.id} 的不符合事实：制度缺少记录" if result in ("minor", "major") else "",
            na_reason="本企业无此业务" if result == "not_applicable" else "",
        )


def snapshot(*objects) -> list:
    """Every field of every object, fresh from the database: for 'nothing changed' assertions."""
    rows = []
    for obj in objects:
        fresh = type(obj).objects.get(pk=obj.pk)
        rows.append({f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields})
    return rows


class Unchanged:
    """Asserts that the rows given, the row counts and the event log are the same after the block."""

    def __init__(self, *objects):
        self.objects = objects

    def _state(self):
        models = (DocumentReview, ChecklistEntry, Nonconformity, CorrectiveAction, CorrectiveEvidence, Assignment)
        return snapshot(*self.objects), [m.objects.count() for m in models], Event.objects.count()

    def __enter__(self):
        self.before = self._state()
        return self

    def __exit__(self, *exc):
        assert self._state() == self.before
