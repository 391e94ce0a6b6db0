"""A start state for the decision stage, built through the services instead of the pages.

``ready_for_decision(world, case)`` leaves ``case`` where the on-site stage leaves it in the main
scenario: the enterprise and its owner login exist, the document review and the on-site audit passed
with nothing found, and a satisfaction survey closed with the given share of satisfied ratings. It is
for developing the decision stage on its own and for the refusal scenarios' preconditions only; the
main lifecycle scenario walks these stages through the pages (e2e/journey/early.py, onsite.py).

The code runs in ``certflow shell`` on the server's database at the server's clock, with the same
steps the demo uses (certflow/audits/demo.py, demo_conduct.py, decisions/demo.py): the audit days
lie a few weeks before the server's today, the notice went out the 8 working days the standard asks
before them, and the survey closes today.
"""

from __future__ import annotations

import json
import zlib

from e2e.journey import Case, World

_CODE = """
import json
from certflow.accounts.models import Enterprise, User
from certflow.accounts.services import enterprise_register, user_create
from certflow.audits.demo_conduct import _backdate, _closed, _started
from certflow.core.workdays.services import subtract_working_days
from certflow.decisions import demo as decision_demo
from django.utils import timezone

p = json.loads({params!r})
owner = User.objects.filter(email=p["email"]).first() or user_create(
    by=None, email=p["email"], full_name=p["person"], password=p["password"]
)
if not Enterprise.objects.filter(uscc=p["uscc"]).exists():
    enterprise_register(
        by=owner, name=p["name"], uscc=p["uscc"], address=p["address"],
        contact_name=p["person"], contact_phone=p["phone"],
    )
spec = (p["name"], p["uscc"][:17], p["address"], p["email"], p["person"])
today = timezone.localdate()
audit, days = _started(spec, sent_on=subtract_working_days(today, 20))
if audit is not None:
    _closed(audit, owner, days, findings={{}})
    _backdate(audit, days)
application = decision_demo._application(spec)
decision_demo._survey(application, seed=p["seed"], share=p["share"])
application.refresh_from_db()
survey = application.surveys.order_by("id").last()
print("SHORTCUT " + json.dumps({{
    "application": application.pk,
    "status": application.status,
    "audit": application.audits.order_by("id").first().pk,
    "survey": survey.pk,
    "survey_status": survey.status,
}}))
"""


def ready_for_decision(world: World, case: Case, *, survey_share: float = 0.9) -> dict:
    """Build ``case`` up to "on-site audit passed, survey closed" and fill in its ids; returns the facts."""
    params = {
        "email": case.owner_email,
        "password": case.owner_password,
        "person": case.notes.get("owner_name", "张明"),
        "name": case.enterprise_name,
        "uscc": case.uscc,
        "address": case.notes.get("address", "上海市浦东新区张江路88号"),
        "phone": case.contact_phone,
        # Each enterprise its own customers: the survey's phone numbers come from this seed.
        "seed": zlib.crc32(case.uscc.encode()) % 10_000,
        "share": survey_share,
    }
    result = world.server.certflow("shell", "-c", _CODE.format(params=json.dumps(params)))
    line = next(line for line in result.stdout.splitlines() if line.startswith("SHORTCUT "))
    facts = json.loads(line.removeprefix("SHORTCUT "))
    if facts["status"] != "onsite_audit_passed":
        raise AssertionError(f"the shortcut left the application {facts['status']}, not onsite_audit_passed")
    case.application_id = facts["application"]
    case.onsite_audit_id = facts["audit"]
    case.survey_id = facts["survey"]
    return facts
