"""The declared access policy: every route × method × role, as data (issue 10, item 1).

The permission-matrix test (certflow/core/tests/test_permission_matrix.py) walks the URL resolver and
fails when a route is missing here or listed here but gone, then exercises every cell.

Roles (relative to the object a route addresses; "A" owns it, "B" is another enterprise):
  anon       nobody signed in
  ent_a      a user of the enterprise owning the object
  ent_b      a user of another enterprise
  clerk      acceptance clerk
  auditor    an auditor assigned to A's work (document reviewer / audit team member)
  auditor_x  an auditor with no assignment
  committee  technical committee member (not seated on A's dossier)
  pm         programme manager
  admin      administrator
  token      the holder of a survey link (only on the questionnaire routes; elsewhere the same as anon)

A cell is "allowed" (2xx/3xx other than a redirect to the sign-in page; for GET also 400, a missing query
parameter) when the role is in the method's set, otherwise "refused" with exactly the answer `refusal()` gives
(below; decisions LG11): the permission is checked before the body is read, so an empty body never turns a
refusal into a 400. Methods a route does not declare are n/a. KNOWN_DEFECTS lists cells where the code does not
yet do what the policy says: the test fails when such a cell starts to behave (strict), so the entry is removed
with the fix.
"""

import functools

ROLES = ("anon", "ent_a", "ent_b", "clerk", "auditor", "auditor_x", "committee", "pm", "admin", "token")

STAFF = frozenset({"clerk", "auditor", "auditor_x", "committee", "pm", "admin"})
SEE_ALL = frozenset({"clerk", "committee", "pm", "admin"})  # accounts.roles.ROLES_SEEING_ALL_ENTERPRISES
SIGNED_IN = STAFF | {"ent_a", "ent_b"}
EVERYONE = SIGNED_IN | {"anon"}
NOBODY = frozenset()
A = frozenset({"ent_a"})
PM = frozenset({"pm"})
PM_ADMIN = frozenset({"pm", "admin"})
CLERK = frozenset({"clerk"})
LEGACY = frozenset({"committee", "pm", "admin"})  # lifecycle.permissions.may_import_legacy (C6)
ADMIN = frozenset({"admin"})
ASSIGNED = frozenset({"auditor"})
A_SEE_ALL = A | SEE_ALL
A_ALL_STAFF_VIEW = A | SEE_ALL | ASSIGNED
STAFF_VIEW = SEE_ALL | ASSIGNED


def r(obj=None, *, token=False, **methods):
    """One route: `obj` is the kind of object its URL names (None: no object); methods map to allowed roles."""
    return {"obj": obj, "token": token, **{m: frozenset(v) for m, v in methods.items()}}


# ---------------------------------------------------------------- pages
PAGES = {
    "home": r(GET=SIGNED_IN),
    "dashboard": r(GET=STAFF),
    "enterprise_home": r(GET={"ent_a", "ent_b"}),
    "event_list": r(GET=ADMIN),
    "event_verify": r(GET=ADMIN),  # the button loads it with a GET (htmx): it only reads
    "workday_calendar": r(GET=ADMIN),
    "healthz": r(GET=EVERYONE),
    "set_language": r(POST=EVERYONE),
    "login": r(GET=EVERYONE, POST=EVERYONE),
    "register": r(GET=EVERYONE, POST=EVERYONE),  # enterprise self-registration (public form)
    "logout": r(POST=EVERYONE),
    "password_change": r(GET=SIGNED_IN, POST=SIGNED_IN),
    "password_change_done": r(GET=SIGNED_IN),
    "password_reset": r(GET=EVERYONE, POST=EVERYONE),
    "password_reset_done": r(GET=EVERYONE),
    "password_reset_confirm": r("reset", GET=EVERYONE, POST=EVERYONE),
    "password_reset_complete": r(GET=EVERYONE),
    "otp_verify": r(GET=SIGNED_IN, POST=SIGNED_IN),
    "otp_enrol": r(GET=SIGNED_IN, POST=SIGNED_IN),
    "account_security": r(GET=SIGNED_IN),
    "user_second_factor": r("user", GET=ADMIN, POST=ADMIN),
    "enterprise_list": r(GET=SIGNED_IN),  # each sees the enterprises it may
    "enterprise_detail": r("enterprise", GET=A_SEE_ALL),
    "notification_list": r(GET=SIGNED_IN),
    "notification_mark_read": r(POST=SIGNED_IN),
    # document review
    "review_list": r(GET=SIGNED_IN),
    "review_assign": r("application", GET=CLERK | PM, POST=CLERK | PM),
    "review_detail": r("review", GET=A_ALL_STAFF_VIEW),
    "review_entry_save": r("review", POST=ASSIGNED),
    "review_complete": r("review", POST=ASSIGNED),
    "review_report": r("review", GET=STAFF_VIEW),
    "review_material_download": r("review", GET=STAFF_VIEW),
    "nonconformity_list": r(GET=SIGNED_IN),
    "application_nonconformities": r("application", GET=A_ALL_STAFF_VIEW),
    "nonconformity_detail": r("nonconformity", GET=A_ALL_STAFF_VIEW),
    "corrective_action_submit": r("nonconformity", POST=A),
    "corrective_action_accept": r("action", POST=ASSIGNED),
    "corrective_action_accept_plan": r("action", POST=ASSIGNED),
    "corrective_action_return": r("action", POST=ASSIGNED),
    "corrective_evidence_download": r("evidence", GET=A_ALL_STAFF_VIEW),
    # applications
    "application_list": r(GET=SIGNED_IN),
    "application_new": r(GET={"ent_a", "ent_b"}, POST={"ent_a", "ent_b"}),
    "acceptance_queue": r(GET=CLERK),
    "material_file_download": r("file", GET=A_ALL_STAFF_VIEW),
    "application_detail": r("application", GET=A_ALL_STAFF_VIEW),
    "application_details_save": r("application", POST=A),
    "application_site_add": r("application", POST=A),
    "application_site_remove": r("application", POST=A),
    "application_material_upload": r("application", POST=A),
    "application_file_withdraw": r("application", POST=A),
    "application_declaration_save": r("application", POST=A),
    "application_submit": r("application", POST=A),
    "application_resubmit": r("application", POST=A),
    "application_withdraw": r("application", POST=A),
    "application_accept": r("application", POST=CLERK),
    "application_request_supplement": r("application", POST=CLERK),
    "application_not_accept": r("application", POST=CLERK),
    # auditor register
    # The pages show the register to its keepers and to auditors with a profile; the API (below) lists it to all
    # CB staff. Two doors, two rules: reported to the lead, declared as they are.
    "auditor_list": r(GET=PM_ADMIN | ASSIGNED),  # ASSIGNED here: an auditor with a register profile
    "auditor_create": r(GET=PM_ADMIN, POST=PM_ADMIN),
    "auditor_me": r(GET=ASSIGNED),
    "auditor_detail": r("profile", GET=PM_ADMIN),
    "auditor_edit": r("profile", GET=PM_ADMIN, POST=PM_ADMIN),
    "auditor_competence_add": r("profile", POST=PM_ADMIN),
    "auditor_conflict_declare": r("profile", POST=PM_ADMIN),
    "auditor_unavailability_add": r("profile", POST=PM_ADMIN),
    "auditor_competence_remove": r("competence", POST=PM_ADMIN),
    "auditor_conflict_withdraw": r("conflict", POST=PM_ADMIN),
    "auditor_unavailability_remove": r("unavailability", POST=PM_ADMIN),
    # audits
    "audit_list": r(GET=SIGNED_IN),
    "audit_special_new": r(GET=PM, POST=PM),
    "audit_create": r("application", GET=PM, POST=PM),
    "audit_detail": r("audit", GET=A_ALL_STAFF_VIEW),
    "audit_dates": r("audit", GET=A, POST=A),
    "audit_plan": r("audit", GET=PM),
    "audit_propose_dates": r("audit", POST=PM),
    "audit_accept_counter": r("audit", POST=PM),
    "audit_notice_date": r("audit", GET=STAFF_VIEW),
    "audit_team": r("audit", POST=PM),
    "audit_site_add": r("audit", POST=PM),
    "audit_site_remove": r("audit", POST=PM),
    "audit_slot_add": r("audit", POST=PM),
    "audit_slot_remove": r("audit", POST=PM),
    "audit_send_notice": r("audit", POST=PM),
    "audit_cancel": r("audit", POST=PM),
    "audit_notice_download": r("audit", GET=A_ALL_STAFF_VIEW),
    "audit_checklist": r("audit", GET=A_ALL_STAFF_VIEW),
    "audit_start": r("audit", POST=ASSIGNED),
    "audit_finding_save": r("audit", POST=ASSIGNED),
    "audit_finding_file_add": r("audit", POST=ASSIGNED),
    "audit_nonconformity_raise": r("audit", POST=ASSIGNED),
    "audit_finding_file": r("finding_file", GET=A_ALL_STAFF_VIEW),
    "audit_closing": r("audit", GET=A_ALL_STAFF_VIEW, POST=ASSIGNED),
    "audit_nonconformity_confirm": r("audit_nc", POST=A | ASSIGNED),  # team records it on site
    "audit_pass": r("audit", POST=ASSIGNED),
    "audit_report": r("audit", GET=A_ALL_STAFF_VIEW),
    # surveys
    "survey_list": r(GET=SIGNED_IN),
    "survey_for_application": r("application", GET=A_ALL_STAFF_VIEW),
    "survey_create": r("application", GET=CLERK | PM, POST=CLERK | PM),
    "survey_detail": r("survey", GET=A_ALL_STAFF_VIEW),
    "survey_upload": r("survey", POST=A),
    "survey_customers": r("survey", GET=A_ALL_STAFF_VIEW),
    "survey_draw": r("survey", POST=CLERK | PM),
    "survey_open": r("survey", POST=CLERK | PM),
    "survey_send": r("survey", POST=CLERK | PM),
    "survey_close": r("survey", POST=CLERK | PM),
    "survey_resurvey": r("survey", POST=CLERK | PM),
    "survey_improvement": r("survey", POST=A),
    "survey_calls": r("survey", GET=CLERK | PM),
    "survey_responses": r("survey", GET=CLERK | PM),
    "survey_call": r("invitation", POST=CLERK | PM),
    "survey_import": r("import", GET=A_ALL_STAFF_VIEW),
    "survey_improvement_review": r("improvement", POST=CLERK | PM),
    "survey_results": r("survey", GET=A_ALL_STAFF_VIEW),
    "survey_report": r("survey", GET=A_ALL_STAFF_VIEW),
    "survey_questionnaire": r("token", token=True, GET={"token"}, POST={"token"}),
    # certificates
    "certificate_list": r(GET=SIGNED_IN),
    "certificate_export": r(GET=SEE_ALL),
    "certificate_detail": r("certificate", GET=A_SEE_ALL),
    "certificate_pdf": r("certificate", GET=A_SEE_ALL),
    "certificate_reduce_scope": r("certificate", POST=PM_ADMIN),
    "certificate_action": r("certificate", POST=PM_ADMIN),
    "verify_search": r(GET=EVERYONE),
    "verify_certificate": r("number", GET=EVERYONE),
    "verify_key": r(GET=EVERYONE),
    # lifecycle
    "legacy_overview": r(GET=SEE_ALL, POST=LEGACY),
    "legacy_import_detail": r("legacy_import", GET=SEE_ALL),
    "lapsed_report": r(GET=SEE_ALL),
    "case_list": r(GET=PM_ADMIN | {"ent_a", "ent_b"}),
    "case_detail": r("case", GET=PM_ADMIN),  # A is the complained-about side
    "case_action": r("case", POST=PM_ADMIN),
    "appeal_new": r(GET={"ent_a", "ent_b"}, POST={"ent_a", "ent_b"}),
    "complaint_new": r(GET=EVERYONE, POST=EVERYONE),
    "complaint_track": r(GET=EVERYONE),  # the form is a GET: tracking reads, it writes nothing
    "change_list": r(GET=PM_ADMIN | {"ent_a", "ent_b"}),
    "change_new": r("certificate_query", GET=A | PM_ADMIN, POST=A | PM_ADMIN),
    "change_detail": r("change", GET=A | PM_ADMIN),
    "change_assess": r("change", POST=PM_ADMIN),
    "major_event_list": r(GET=PM_ADMIN | {"ent_a", "ent_b"}),
    "major_event_new": r("certificate_query", GET=A | PM_ADMIN, POST=A | PM_ADMIN),
    "major_event_detail": r("event", GET=A | PM_ADMIN),
    "major_event_resolve": r("event", POST=PM_ADMIN),
    # decisions
    "decision_queue": r(GET={"ent_a", "ent_b", "committee", "pm", "admin"}),
    "decision_open": r(POST=PM_ADMIN),
    "decision_detail": r("decision", GET=A | PM_ADMIN),  # committee: only if seated
    "decision_member_add": r("decision", POST=PM_ADMIN),
    "decision_member_remove": r("decision", POST=PM_ADMIN),
    "decision_opinion": r("decision", POST=NOBODY),  # only a seated member
    "decision_conclude": r("decision", POST=PM_ADMIN),
    "decision_notice": r("decision_refused", GET=A | PM_ADMIN),
    "decision_dossier_pdf": r("decision", GET=PM_ADMIN),
    "decision_reapply": r("decision", POST=A),
    # surveillance and reports
    "surveillance_programme": r(GET=SEE_ALL),
    "surveillance_certificate": r("certificate", GET=A_SEE_ALL),
    "surveillance_plan": r("certificate", POST=PM),
    "report_monthly": r(GET=SEE_ALL),
    "report_monthly_xlsx": r("month", GET=SEE_ALL),
}

# ---------------------------------------------------------------- API (/api/v1/); DRF route names
API = {
    "api-root": r(GET=SIGNED_IN),
    "api-me": r(GET=SIGNED_IN),
    "api-token": r(POST=EVERYONE),
    "api-report-monthly": r("month", GET=SEE_ALL),
    "api-report-monthly-xlsx": r("month", GET=SEE_ALL),
    "api-survey-results": r("survey", GET=A_ALL_STAFF_VIEW),
    "api-public-certificate": r("number", GET=EVERYONE),
    "api-public-complaints": r(POST=EVERYONE),
    "enterprise-list": r(GET=SIGNED_IN, POST={"ent_a", "ent_b"}),
    "enterprise-detail": r("enterprise", GET=A_SEE_ALL, PUT=A | ADMIN | CLERK, PATCH=A | ADMIN | CLERK),
    "user-list": r(GET=SIGNED_IN),  # non-administrators see only themselves
    "user-detail": r("user", GET=ADMIN),
    "user-reset-second-factor": r("user", POST=ADMIN),
    "application-list": r(GET=SIGNED_IN, POST={"ent_a", "ent_b"}),
    "application-detail": r("application", GET=A_ALL_STAFF_VIEW, PATCH=A),
    "application-accept": r("application", POST=CLERK),
    "application-materials": r("application", GET=A_ALL_STAFF_VIEW, POST=A),
    "application-not-accept": r("application", POST=CLERK),
    "application-request-supplement": r("application", POST=CLERK),
    "application-resubmit": r("application", POST=A),
    "application-site-remove": r("application", DELETE=A),
    "application-sites": r("application", GET=A_ALL_STAFF_VIEW, POST=A),
    "application-submit": r("application", POST=A),
    "application-withdraw": r("application", POST=A),
    "material-file-detail": r("file", GET=A_ALL_STAFF_VIEW),
    "material-file-download": r("file", GET=A_ALL_STAFF_VIEW),
    "material-file-withdraw": r("file", POST=A),
    "document-review-list": r(GET=SIGNED_IN, POST=CLERK | PM),
    "document-review-detail": r("review", GET=A_ALL_STAFF_VIEW),
    "document-review-complete": r("review", POST=ASSIGNED),
    "document-review-entries": r("review", PATCH=ASSIGNED),
    "document-review-reassign": r("review", POST=CLERK | PM),
    "document-review-report": r("review", GET=STAFF_VIEW),
    "nonconformity-list": r(GET=SIGNED_IN),
    "nonconformity-detail": r("nonconformity", GET=A_ALL_STAFF_VIEW),
    "corrective-action-list": r(GET=SIGNED_IN, POST={"ent_a", "ent_b"}),
    "corrective-action-detail": r("action", GET=A_ALL_STAFF_VIEW),
    "corrective-action-accept": r("action", POST=ASSIGNED),
    "corrective-action-accept-plan": r("action", POST=ASSIGNED),
    "corrective-action-files": r("action", GET=A_ALL_STAFF_VIEW),
    "corrective-action-return": r("action", POST=ASSIGNED),
    "notification-list": r(GET=SIGNED_IN),
    "notification-mark-read": r(POST=SIGNED_IN),
    "notification-detail": r("notification", GET=A),
    "notification-mark-read-one": r("notification", POST=A),
    "survey-list": r(GET=SIGNED_IN, POST=CLERK | PM),
    "survey-detail": r("survey", GET=A_ALL_STAFF_VIEW),
    "survey-close": r("survey", POST=CLERK | PM),
    "survey-customers": r("survey", GET=A_ALL_STAFF_VIEW),
    "survey-draw": r("survey", POST=CLERK | PM),
    "survey-improvement": r("survey", POST=A),
    "survey-invitations": r("survey", GET=CLERK | PM),
    "survey-access-log": r("survey", GET=CLERK | PM),
    "survey-open-survey": r("survey", POST=CLERK | PM),
    "survey-resurvey": r("survey", POST=CLERK | PM),
    "survey-send": r("survey", POST=CLERK | PM),
    "survey-upload": r("survey", POST=A),
    "survey-import-detail": r("import", GET=A_ALL_STAFF_VIEW),
    "survey-import-rows": r("import", GET=A_ALL_STAFF_VIEW),
    "survey-invitation-calls": r("invitation", POST=CLERK | PM),
    "survey-improvement-detail": r("improvement", GET=A_ALL_STAFF_VIEW),
    "survey-improvement-review": r("improvement", POST=CLERK | PM),
    "questionnaire-detail": r("token", token=True, GET={"token"}),
    "questionnaire-answer": r("token", token=True, POST={"token"}),
    "auditor-list": r(GET=STAFF, POST=PM_ADMIN),
    "auditor-candidates": r(GET=PM_ADMIN),
    "auditor-me": r(GET=ASSIGNED),  # only auditors with a register profile
    "auditor-detail": r("profile", GET=PM_ADMIN, PATCH=PM_ADMIN),
    "auditor-competence-list": r(GET=STAFF, POST=PM_ADMIN),
    "auditor-competence-detail": r("competence", GET=PM_ADMIN),
    "auditor-competence-remove": r("competence", POST=PM_ADMIN),
    "auditor-conflict-list": r(GET=STAFF, POST=PM_ADMIN | ASSIGNED),  # ASSIGNED: for his own profile
    "auditor-conflict-detail": r("conflict", GET=PM_ADMIN),
    "auditor-conflict-withdraw": r("conflict", POST=PM_ADMIN),
    "auditor-unavailability-list": r(GET=STAFF, POST=PM_ADMIN | ASSIGNED),  # ASSIGNED: for his own profile
    "auditor-unavailability-detail": r("unavailability", GET=PM_ADMIN),
    "auditor-unavailability-remove": r("unavailability", POST=PM_ADMIN),
    "audit-list": r(GET=SIGNED_IN, POST=PM),
    "audit-special": r(POST=PM),
    "audit-detail": r("audit", GET=A_ALL_STAFF_VIEW),
    "audit-accept-counter": r("audit", POST=PM),
    "audit-add-site": r("audit", POST=PM),
    "audit-add-slot": r("audit", POST=PM),
    "audit-cancel": r("audit", POST=PM),
    "audit-candidates": r("audit", GET=PM),
    "audit-confirm-dates": r("audit", POST=A),
    "audit-counter-propose": r("audit", POST=A),
    "audit-notice": r("audit", GET=A_ALL_STAFF_VIEW),
    "audit-propose-dates": r("audit", POST=PM),
    "audit-remove-site": r("audit", POST=PM),
    "audit-remove-slot": r("audit", POST=PM),
    "audit-send-notice": r("audit", POST=PM),
    "audit-set-team": r("audit", POST=PM),
    "audit-conduct-detail": r("audit", GET=A_ALL_STAFF_VIEW),
    "audit-conduct-closing-meeting": r("audit", POST=ASSIGNED),
    "audit-conduct-confirm": r("audit_nc", POST=A | ASSIGNED),
    "audit-conduct-pass": r("audit", POST=ASSIGNED),
    "audit-conduct-report": r("audit", GET=A_ALL_STAFF_VIEW),
    "audit-conduct-start": r("audit", POST=ASSIGNED),
    "audit-finding-list": r(GET=NOBODY, POST=ASSIGNED),  # list needs ?audit=
    "audit-finding-files": r("finding", POST=ASSIGNED),
    "audit-finding-nonconformity": r("finding", POST=ASSIGNED),
    "certificate-list": r(GET=SIGNED_IN),
    "certificate-export": r(GET=SEE_ALL),
    "certificate-detail": r("certificate", GET=A_SEE_ALL),
    "certificate-pdf": r("certificate", GET=A_SEE_ALL),
    "certificate-reduce-scope": r("certificate", POST=PM_ADMIN),
    "certificate-restore": r("certificate", POST=PM_ADMIN),
    "certificate-revoke": r("certificate", POST=PM_ADMIN),
    "certificate-suspend": r("certificate", POST=PM_ADMIN),
    "legacy-import-list": r(GET=SEE_ALL, POST=LEGACY),
    "legacy-import-detail": r("legacy_import", GET=SEE_ALL),
    "lapsed-certificate-list": r(GET=SEE_ALL),
    "lapsed-certificate-export": r(GET=SEE_ALL),
    "case-list": r(GET=SIGNED_IN, POST={"ent_a", "ent_b"}),
    "case-detail": r("case", GET=PM_ADMIN),
    "case-acknowledge": r("case", POST=PM_ADMIN),
    "case-assign": r("case", POST=PM_ADMIN),
    "case-decide": r("case", POST=PM_ADMIN),
    "case-special-audit": r("case", POST=PM_ADMIN),
    "decision-list": r(GET=SIGNED_IN),
    "decision-open": r(POST=PM_ADMIN),
    "decision-detail": r("decision", GET=A | PM_ADMIN),
    "decision-conclude": r("decision", POST=PM_ADMIN),
    "decision-members": r("decision", POST=PM_ADMIN),
    "decision-notice": r("decision_refused", GET=A | PM_ADMIN),
    "decision-opinion": r("decision", POST=NOBODY),
    "decision-reapply": r("decision", POST=A),
    "decision-remove-member": r("decision", POST=PM_ADMIN),
    "surveillance-programme-list": r(GET=SEE_ALL),
    "surveillance-certificate-detail": r("certificate", GET=A_SEE_ALL),
    "surveillance-audit-list": r(POST=PM),
    "change-report-list": r(GET=PM_ADMIN | {"ent_a", "ent_b"}, POST=PM_ADMIN | {"ent_a", "ent_b"}),
    "change-report-detail": r("change", GET=A | PM_ADMIN),
    "change-report-assess": r("change", POST=PM_ADMIN),
    "major-event-list": r(GET=PM_ADMIN | {"ent_a", "ent_b"}, POST=PM_ADMIN | {"ent_a", "ent_b"}),
    "major-event-detail": r("event", GET=A | PM_ADMIN),
    "major-event-resolve": r("event", POST=PM_ADMIN),
}

# Outside the application's own policy: the schema/docs pages and the Django admin (is_staff only).
OTHER = {
    "api-schema": r(GET=EVERYONE),
    "api-docs": r(GET=EVERYONE),
    "api-redoc": r(GET=EVERYONE),
    "admin: staff only": r(GET=ADMIN),
}

POLICY = {**PAGES, **API, **OTHER}

# (route, method, role) -> why; each is a strict xfail in the matrix test and a diff in the report.
KNOWN_DEFECTS: dict[tuple[str, str, str], str] = {}

# ---------------------------------------------------------------- the answer a refusal gets (decisions LG11)
# A refused caller learns no more than it may know:
#   anon       pages: the sign-in redirect; API: 401 with WWW-Authenticate: Token; a survey link that is not
#              the holder's: 404 for everyone.
#   signed in  404 when the route names an object the role may not see (not even that it exists), or the route
#              lies in an area hidden from the role (HIDDEN); 403 otherwise: the role may see the object, or the
#              route names none, but may not do this.
# The roles that see an object kind are those allowed to GET some route naming that kind; SEEN_AS sends the
# kinds no GET route names to the kind they belong to; NOT_SECRET kinds name no one's record.
SEEN_AS = {"audit_nc": "audit", "finding": "audit", "certificate_query": "certificate"}
NOT_SECRET = {"month", "number", "reset", "legacy_import"}
ENTERPRISES = frozenset({"ent_a", "ent_b"})
_REGISTER = "the auditor register is the CB's own: it does not exist for enterprise users (auditors/permissions.py)"
_REPORT = "the monthly report names every client: it does not exist for enterprise users (decisions MR9)"
_WORKING_PAPER = "a working paper of the CB: the enterprise sees the outcome, not that the paper exists"
# Keyed by route, or by (route, method) where one method only is hidden.
HIDDEN: dict[str | tuple[str, str], tuple[frozenset, str]] = {
    **{
        name: (ENTERPRISES, _REGISTER)
        for name in (
            "auditor_list",
            "auditor_create",
            "auditor-list",
            "auditor-candidates",
            "auditor-competence-list",
            "auditor-conflict-list",
            "auditor-unavailability-list",
        )
    },
    "auditor_me": (SIGNED_IN, "one's own register profile: 404 for anyone who has none"),
    "auditor-me": (SIGNED_IN, "one's own register profile: 404 for anyone who has none"),
    **{
        name: (ENTERPRISES, _REPORT)
        for name in (
            "report_monthly",
            "report_monthly_xlsx",
            "api-report-monthly",
            "api-report-monthly-xlsx",
        )
    },
    "decision_queue": (
        frozenset({"clerk", "auditor", "auditor_x"}),
        "the queue names the enterprises awaiting a decision: staff outside the decision get 404 (decisions DU1)",
    ),
    ("audit-finding-list", "GET"): (SIGNED_IN, "the list is of the audit named by ?audit=; without it, none"),
    "decision_dossier_pdf": (A, "the committee's dossier is internal; the enterprise gets the decision and notice"),
    "review_report": (A, _WORKING_PAPER),
    "review_material_download": (A, _WORKING_PAPER),
    "document-review-report": (A, _WORKING_PAPER),
}


@functools.cache
def seen_by() -> dict[str, frozenset]:
    seen: dict[str, set] = {}
    for row in POLICY.values():
        if row["obj"] and "GET" in row:
            seen.setdefault(row["obj"], set()).update(row["GET"])
    for kind, parent in SEEN_AS.items():
        seen[kind] = seen[parent]
    return {kind: frozenset(roles) for kind, roles in seen.items()}


def refusal(name: str, method: str, role: str) -> str | int:
    """The answer a role refused on route `name` gets: "login" (the sign-in redirect), 403 or 404."""
    row = POLICY[name]
    if row["token"]:
        return 404
    if role in ("anon", "token"):
        return 401 if name in API else "login"
    hidden = HIDDEN.get((name, method)) or HIDDEN.get(name)
    if hidden and role in hidden[0]:
        return 404
    kind = row["obj"]
    if kind and kind not in NOT_SECRET and role not in seen_by().get(kind, ()):
        return 404
    return 403


# Allowed cells whose empty-body request names no object and so answers 404 (the object comes in the body).
EMPTY_BODY_404 = {("decision_open", "POST")}


# Writes that change no certification record, so they write no event (issue 10, item 4; decisions LG10).
NOT_RECORDED = {
    "set_language": "a display preference in a cookie",
    "login": "a sign-in is recorded by django-axes' access log, not the certification record",
    "logout": "ends a session",
    "password_reset": "sends a mail; the reset itself is recorded",
    "api-token": "an API sign-in: the token is the API's session (a credential), like the page sign-in",
    "otp_verify": "checks a code; only the device's replay counter moves",
    "otp_enrol": "the authenticator is a credential, not the certification record (enrolment is an event all the same)",
    "notification_mark_read": "a read receipt on a message about a record, not the record",
    "notification-mark-read": "a read receipt on a message about a record, not the record",
    "notification-mark-read-one": "a read receipt on a message about a record, not the record",
}

# Routes whose one request changes several records and writes one event for each (issue 10 item 4; decisions
# LG10): the event audit accepts one or more; every other route changing the record must write exactly one.
SEVERAL_RECORDS: dict[str, str] = {
    "register": "the account, the enterprise and its administrator's membership",
    "application_new": "the application and its number",
    "application-list": "the application and its number",
    "application-detail": "the details and the declaration, each saved by its own step",
    "application_material_upload": "one event per file of a multi-file upload",
    "review_assign": "the review, the reviewer's assignment and the application's stage",
    "document-review-list": "the review, the reviewer's assignment and the application's stage",
    "document-review-reassign": "the review, the reviewer's assignment ended and the new reviewer's begun",
    "review_complete": "the review, each nonconformity raised and the application's stage",
    "document-review-complete": "the review, each nonconformity raised and the application's stage",
    "audit_create": "the audit and the application's stage",
    "audit-list": "the audit and the application's stage",
    "audit_special_new": "the audit and its number",
    "audit-special": "the audit and its number",
    "case-special-audit": "the audit and the complaint or appeal it answers",
    "audit_team": "one event per team member appointed or removed",
    "audit-set-team": "one event per team member appointed or removed",
    "audit_pass": "the audit and the application's stage",
    "audit-conduct-pass": "the audit and the application's stage",
    "audit_closing": "the closing meeting, each nonconformity it confirms and the stages it moves",
    "audit-conduct-closing-meeting": "the closing meeting, each nonconformity it confirms and the stages it moves",
    "corrective-action-accept-plan": "the plan, its nonconformity and the stages it moves",
    "decision_open": "the decision and the application's stage",
    "decision-open": "the decision and the application's stage",
    "decision_conclude": "the decision, the application's stage and the certificate it grants",
    "decision-conclude": "the decision, the application's stage and the certificate it grants",
    "decision_reapply": "the new application and each site copied",
    "decision-reapply": "the new application and each site copied",
    "certificate_reduce_scope": "the certificate superseded and its replacement issued",
    "certificate-reduce-scope": "the certificate superseded and its replacement issued",
    "major_event_new": "the major event and the certificate it suspends",
    "major-event-list": "the major event and the certificate it suspends",
    "major_event_resolve": "the major event and the certificate it restores or revokes",
    "major-event-resolve": "the major event and the certificate it restores or revokes",
    "legacy_overview": "the import and each legacy certificate it imports",
    "legacy-import-list": "the import and each legacy certificate it imports",
    "survey_upload": "the import and the customer list it fills",
    "survey-upload": "the import and the customer list it fills",
}

# Write routes no test yet drives to a change of the record (the event audit cannot check them): the list must
# match exactly, so it shrinks as tests are added.
EVENT_AUDIT_NOT_EXERCISED: set[tuple[str, str]] = set()
