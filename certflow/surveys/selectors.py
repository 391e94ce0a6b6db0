"""Reads of surveys, customer lists, invitations and call-backs (constant query counts)."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from certflow.applications.selectors import applications_for_user
from certflow.surveys.models import CallAttempt, Customer, ImportJob, ImportRow, Invitation, Response, Survey


def surveys_for_user(user) -> QuerySet[Survey]:
    """Surveys of the applications the user may see: CB roles spanning clients all; auditors those of
    applications they are assigned to; enterprise users their own enterprises'."""
    return Survey.objects.filter(application__in=applications_for_user(user))


def survey_list(user, *, status: str = "") -> QuerySet[Survey]:
    qs = surveys_for_user(user).select_related("application", "enterprise")
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(
        customer_count=Count("customers", distinct=True),
    ).order_by("-created_at", "-id")


def survey_progress(survey: Survey) -> dict:
    """Counts for the survey page: invited, sent, answered by channel."""
    agg = survey.invitations.aggregate(
        invited=Count("pk"),
        sent=Count("pk", filter=Q(sent_at__isnull=False)),
        answered=Count("pk", filter=Q(used_at__isnull=False)),
        web=Count("pk", filter=Q(response__channel="questionnaire")),
        phone=Count("pk", filter=Q(response__channel="phone_callback")),
    )
    agg["strata"] = list(
        survey.invitations.values("stratum")
        .annotate(n=Count("pk"), answered=Count("pk", filter=Q(used_at__isnull=False)))
        .order_by("stratum")
    )
    return agg


def customer_page_qs(survey: Survey) -> QuerySet[Customer]:
    sampled = Invitation.objects.filter(customer=OuterRef("pk"))
    return survey.customers.annotate(sampled=Exists(sampled)).order_by("category", "phone", "pk")


def latest_import(survey: Survey) -> ImportJob | None:
    return survey.imports.order_by("-uploaded_at", "-id").first()


def import_report_rows(job: ImportJob, *, outcome: str = "") -> QuerySet[ImportRow]:
    qs = job.rows.exclude(outcome=ImportRow.Outcome.ACCEPTED) if not outcome else job.rows.filter(outcome=outcome)
    return qs.only("row_number", "outcome", "reason_zh", "reason_en", "merged_into").order_by("row_number")


def call_list(survey: Survey, *, state: str = "") -> QuerySet[Invitation]:
    """The call-back work list: sampled customers with their calls so far (staff only)."""
    qs = (
        survey.invitations.select_related("customer", "response")
        .annotate(call_count=Count("calls"))
        .order_by("used_at", "stratum", "draw_order", "pk")
    )
    if state == "todo":
        qs = qs.filter(used_at__isnull=True).exclude(calls__outcome__in=["refused", "wrong_number"])
    elif state == "answered":
        qs = qs.filter(used_at__isnull=False)
    return qs


def calls_for(invitation_ids) -> dict[int, list[CallAttempt]]:
    calls: dict[int, list[CallAttempt]] = {}
    for call in CallAttempt.objects.filter(invitation_id__in=invitation_ids).select_related("called_by"):
        calls.setdefault(call.invitation_id, []).append(call)
    return calls


def responses_qs(survey: Survey) -> QuerySet[Response]:
    return survey.responses.select_related("invitation__customer", "recorded_by").prefetch_related("ratings")
