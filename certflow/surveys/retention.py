"""The retention job: customers' personal data of a closed survey are anonymised after the period
(decisions PD3; PIPL art. 19 and 47: kept no longer than the purpose needs).

The survey's purpose is the certification decision and its review in the certification cycle, so the
period runs from the day the survey closed (CERTFLOW_SURVEY_RETENTION_MONTHS, default 36: one
three-year certification cycle, long enough for an appeal, surveillance and an accreditation audit
to look at it). Then names, phone numbers, e-mail addresses, order numbers, the stored customer list,
the import rows, call notes, free-text comments and network traces are removed. What stays: the
strata, the sample, every rating and overall score, the frozen result and the event chain — the
statistics and the certification record read the same before and after.
"""

import logging
from datetime import date, datetime, time

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from certflow.core.events.services import record_event
from certflow.core.months import add_months
from certflow.surveys.domain import CLOSED_STATUSES
from certflow.surveys.models import CallAttempt, Customer, Dispatch, ImportJob, ImportRow, Response, Survey

logger = logging.getLogger(__name__)
ANONYMOUS_NAME = "（已匿名）"


def retention_months() -> int:
    return int(getattr(settings, "CERTFLOW_SURVEY_RETENTION_MONTHS", 36))


def cutoff(day: date, months: int) -> date:
    """Surveys closed before this day have been kept for the whole period."""
    return add_months(day, -months)


def due_surveys(day: date):
    limit = cutoff(day, retention_months())
    tz = timezone.get_default_timezone()
    start_of_limit = timezone.make_aware(datetime.combine(limit, time.min), tz)
    return Survey.objects.filter(
        status__in=CLOSED_STATUSES, anonymised_at__isnull=True, closed_at__lt=start_of_limit
    ).order_by("pk")


def anonymise(survey: Survey) -> dict[str, int]:
    """Remove the personal data of one closed survey; idempotent (a second call changes nothing)."""
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.anonymised_at is not None or survey.status not in CLOSED_STATUSES:
            return {}
        customers = Customer.objects.filter(survey=survey)
        counts = {"customers": customers.count()}
        # One UPDATE for the whole list: the phone must stay unique per survey, so it becomes "anon-<id>",
        # built from the row's own key. (Row by row it was ~350,000 statements for the first sweep over
        # the benchmark's 2,000,000 responses, bench/RESULTS.md.)
        customers.update(
            name=ANONYMOUS_NAME,
            phone=Concat(Value("anon-"), Cast("pk", output_field=CharField())),
            email="",
            order_id="",
            other_order_ids=[],
            order_date=None,
            delivery_date=None,
        )
        jobs = ImportJob.objects.filter(survey=survey)
        files = [name for name in jobs.values_list("storage_name", flat=True) if name]
        counts["import_rows"] = ImportRow.objects.filter(job__survey=survey).update(
            data={}, key="", reason_zh="", reason_en=""
        )
        jobs.update(storage_name="", original_name="")
        counts["comments"] = Response.objects.filter(survey=survey).update(
            comment="", client_address=None, user_agent=""
        )
        CallAttempt.objects.filter(invitation__survey=survey).update(note="")
        Dispatch.objects.filter(invitation__survey=survey).update(detail="")
        survey.anonymised_at = timezone.now()
        survey.save(update_fields=["anonymised_at"])
        counts["files"] = len(files)
        record_event(
            actor=None,
            action="survey.anonymised",
            target=survey,
            after={**counts, "retention_months": retention_months()},
        )
        # The files go only once the database says the rows no longer point at them.
        transaction.on_commit(lambda: _delete_files(files))
    return counts


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            # The row no longer names the file; a storage clean-up can find it by its folder.
            logger.exception("retention: could not delete %s", name)


def retention_step(day: date) -> dict[str, int]:
    done = 0
    for survey in due_surveys(day):
        if anonymise(survey):
            done += 1
    return {"surveys_anonymised": done}
