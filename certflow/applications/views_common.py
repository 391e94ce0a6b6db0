"""What the application pages of both sides share: the reader's language, today in Beijing, deadlines,
and the material rows (one per required material of clause 6 申请受理 1)."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from certflow.applications import domain
from certflow.applications.forms import local
from certflow.applications.selectors import material_checklist
from certflow.applications.services import MATERIAL_KINDS
from certflow.core.rules import RuleViolation
from certflow.core.uploads import DEFAULT_MAX_BYTES, KINDS
from certflow.core.workdays.services import CalendarDataMissing, working_days_between

DECLARATION_ITEM = "4.3-3"
KIND_ORDER = ("pdf", "png", "jpeg", "docx", "doc", "xlsx", "xls")


def pick(zh: str, en: str) -> str:
    """The Chinese or the English text, in the reader's language."""
    return zh if (get_language() or "zh").startswith("zh") else en


def message_of(exc: RuleViolation) -> str:
    """A domain refusal in the reader's language."""
    return pick(exc.zh, exc.en)


def today() -> date:
    # Deadlines and the holiday calendar are Beijing-time matters, whatever the server's clock says.
    return timezone.localdate(timezone=timezone.get_default_timezone())


@dataclass(frozen=True)
class DeadlineInfo:
    """The acceptance deadline as a queue shows it: due date, badge state, working days left."""

    due: date | None
    state: str  # overdue / today / soon / ok (domain.deadline_state)
    working_days_left: int | None  # negative when overdue; None when the calendar lacks the year

    @property
    def overdue_by(self) -> int | None:
        return -self.working_days_left if self.working_days_left is not None else None


def deadline_info(due: date | None, on: date) -> DeadlineInfo:
    if due is None:
        return DeadlineInfo(None, "ok", None)
    try:
        left = working_days_between(on, due)
    except CalendarDataMissing:
        left = None
    return DeadlineInfo(due, domain.deadline_state(due, on), left)


def open_request(application):
    """The supplement request still waiting for the enterprise (prefetched), or None."""
    return next((r for r in application.supplement_requests.all() if r.resolved_at is None), None)


def material_rows(application, scheme) -> list[dict]:
    """`material_checklist` rows with the name in the reader's language and the supplement state.

    Needs `application` from `application_detail` (prefetched files and requests): no extra queries.
    """
    request = open_request(application)
    requested = frozenset(item.material for item in request.items.all()) if request else frozenset()
    rows = material_checklist(application)
    for row in rows:
        row["label"] = local(row["name"])
        row["requested"] = row["code"] in requested
        row["may_upload"] = domain.may_upload(application.status, row["code"], requested)
        row["supplemented"] = bool(
            request and any(f.uploaded_at >= request.requested_at for f in row["files"] + row["history"])
        )
    return rows


def declaration_text(scheme) -> str:
    """Clause 4.3-3 word for word, from the scheme file."""
    try:
        return scheme.requirement(DECLARATION_ITEM).text
    except KeyError:
        return ""


def scheme_context(scheme) -> dict:
    """What both sides' pages take from the scheme file: deadlines, scope text, accepted file kinds."""
    extensions = [ext for kind in KIND_ORDER if kind in MATERIAL_KINDS for ext in KINDS[kind].extensions]
    return {
        "acceptance_days": scheme.deadline("acceptance").amount,
        "scope_exclusion": local(scheme.scope.exclusion),
        "accept": ",".join(f".{ext}" for ext in extensions),
        "accept_label": " ".join(f".{ext}" for ext in extensions),
        "max_size": getattr(settings, "CERTFLOW_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES),
    }


def named(entries, codes) -> str:
    """Scheme names (reader's language) of the chosen codes, in the scheme's order, as one line."""
    return pick("、", ", ").join(local(entry.name) for entry in entries if entry.code in codes)
