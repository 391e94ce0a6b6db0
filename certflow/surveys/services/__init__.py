"""Every write of the satisfaction survey. Import from here."""

from certflow.surveys.services.answers import (
    call_record,
    invitation_for_token,
    invitations_send,
    response_submit,
)
from certflow.surveys.services.imports import list_upload, run_import, start_import
from certflow.surveys.services.lifecycle import (
    improvement_review,
    improvement_submit,
    redraw_check,
    resurvey_order,
    survey_close,
    survey_create,
    survey_draw,
    survey_open,
)

__all__ = [
    "call_record",
    "improvement_review",
    "improvement_submit",
    "invitation_for_token",
    "invitations_send",
    "list_upload",
    "redraw_check",
    "response_submit",
    "resurvey_order",
    "run_import",
    "start_import",
    "survey_close",
    "survey_create",
    "survey_draw",
    "survey_open",
]
