"""Building blocks for the survey tests: a survey with a list, drawn and opened through the services."""

import csv
import io
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from certflow.reviews.tests.helpers import accepted_application
from certflow.surveys import services
from certflow.surveys.models import Survey

HEADER = ["姓名", "电话", "邮箱", "商品类别", "订单号", "下单日期", "交付日期"]
CATEGORIES = ["定制家具", "custom_apparel", "定制电子配件"]


def customer_rows(n: int, *, start: int = 0, categories=CATEGORIES) -> list[list[str]]:
    rows = []
    for i in range(start, start + n):
        rows.append(
            [
                f"客户{i}",
                f"139{i:08d}",
                f"c{i}@example.com",
                categories[i % len(categories)],
                f"SO{i:07d}",
                "2025-10-01",
                "2025-11-01",
            ]
        )
    return rows


def csv_bytes(rows, *, header=HEADER, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def new_survey(*, enterprise, user, clerk) -> Survey:
    application = accepted_application(enterprise=enterprise, user=user, clerk=clerk)
    return services.survey_create(by=clerk, application=application)


def survey_with_list(*, enterprise, user, clerk, n: int = 60) -> Survey:
    survey = new_survey(enterprise=enterprise, user=user, clerk=clerk)
    job = services.list_upload(by=user, survey=survey, upload=upload("list.csv", csv_bytes(customer_rows(n))))
    job.refresh_from_db()
    assert job.state == "accepted", (job.message_en, list(job.rows.values_list("reason_en", flat=True)[:5]))
    survey.refresh_from_db()
    return survey


def open_survey(*, enterprise, user, clerk, n: int = 60) -> Survey:
    survey = survey_with_list(enterprise=enterprise, user=user, clerk=clerk, n=n)
    services.survey_draw(by=clerk, survey=survey)
    return services.survey_open(by=clerk, survey=survey, closes_on=timezone.localdate() + timedelta(days=20))


def send_links(survey, clerk, *, medium="sms") -> list[str]:
    """Send every invitation and return the links' tokens, read from the memory SMS outbox."""
    from certflow.surveys.senders import MemorySmsSender

    MemorySmsSender.outbox.clear()
    services.invitations_send(by=clerk, survey=survey, medium=medium, base_url="https://cb.example")
    return [m.text.split("/s/")[1].split("/")[0] for m in MemorySmsSender.outbox]


ALL_FIVE = {
    "product_quality": 5,
    "design_rationality": 4,
    "service_attitude": 5,
    "response_timeliness": 4,
    "problem_resolution": 5,
}

PAST = date(2025, 10, 1)
