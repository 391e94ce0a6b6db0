"""A shortcut to the state on-site audit planning starts from, built through the services.

For developing the on-site stage and for the preconditions of its refusal scenarios only: the main
lifecycle scenario walks the early stages through the pages (``e2e/journey/early.py``).
"""

from __future__ import annotations

import json

from e2e.journey import Case, World

# Runs inside ``certflow shell`` on the server's database at the server's clock; the parameters come in
# as one JSON literal so names with Chinese characters or quotes need no escaping.
_BUILD = """
import io, json
from django.utils import timezone
from certflow.accounts.models import Enterprise, User
from certflow.accounts.services import enterprise_register, user_create
from certflow.applications import services as application_services
from certflow.reviews import services as review_services
from certflow.reviews.demo import _record
from certflow.reviews.selectors import scheme_for
from certflow.core.pdf import build_pdf, para

p = json.loads({params!r})
today = timezone.localdate(timezone=timezone.get_default_timezone())
clerk = User.objects.get(email="clerk@olis-cert.example")
reviewer = User.objects.get(email=p["reviewer"])
owner = User.objects.filter(email=p["email"]).first() or user_create(
    by=None, email=p["email"], full_name=p["person"], password=p["password"], phone=p["phone"]
)
enterprise = Enterprise.objects.filter(uscc=p["uscc"]).first() or enterprise_register(
    by=owner, name=p["name"], uscc=p["uscc"], address=p["address"], contact_name=p["person"],
    contact_phone=p["phone"],
)
application = application_services.application_create(by=owner, enterprise=enterprise, today=today)
scheme = scheme_for(application)
application_services.application_update_details(
    by=owner,
    application=application,
    categories=[scheme.scope.categories[0].code],
    service_stages=[stage.code for stage in scheme.scope.service_stages],
    service_description="定制商品的需求调研、方案设计、生产制造、质量检测、配送安装及售后服务。",
)
application_services.site_add(
    by=owner, application=application, kind="workshop", name="生产车间", address=enterprise.address
)
for material in scheme.materials:
    data = build_pdf([para(material.name.zh, "title"), para(enterprise.name)], title=material.name.zh, subject="e2e")
    application_services.material_upload(
        by=owner, application=application, material=material.code, name=material.name.zh + ".pdf",
        data=io.BytesIO(data),
    )
application_services.declaration_set(by=owner, application=application, made=True)
application_services.application_submit(by=owner, application=application, today=today)
application = application_services.application_accept(by=clerk, application=application)
review = review_services.review_assign(by=clerk, application=application, reviewer=reviewer)
_record(review, reviewer)
review_services.review_complete(
    by=reviewer, review=review, summary="文件审核未发现不符合项，可安排现场审核。", today=today
)
application.refresh_from_db()
print("APPLICATION=" + json.dumps({{"id": application.pk, "status": application.status}}))
"""


def reviewed_application(world: World, case: Case, *, reviewer: str = "auditor@olis-cert.example") -> int:
    """An enterprise owned by ``case.owner_email`` with an application accepted and its document review
    passed, made at the server's clock; fills ``case.application_id``."""
    params = {
        "email": case.owner_email,
        "password": case.owner_password,
        "person": case.notes.get("owner_name", "张定制"),
        "phone": case.contact_phone,
        "name": case.enterprise_name,
        "uscc": case.uscc,
        "address": case.notes.get("address", "广东省广州市天河区珠江新城华夏路10号"),
        "reviewer": reviewer,
    }
    code = _BUILD.format(params=json.dumps(params, ensure_ascii=False))
    result = world.server.certflow("shell", "-c", code)
    line = next(x for x in result.stdout.splitlines() if x.startswith("APPLICATION="))
    built = json.loads(line.removeprefix("APPLICATION="))
    assert built["status"] == "document_review_passed", built
    case.application_id = built["id"]
    return built["id"]
