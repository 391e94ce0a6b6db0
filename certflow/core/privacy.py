"""The personal-data inventory (PIPL 个人信息保护法; issue 10 item 8): every stored field, personal or not.

Every field of every installed model is in exactly one of two places of its model's entry in INVENTORY:
`personal` (with what it is, how sensitive, why it is kept and how long) or `not_personal`.
`certflow/core/tests/test_privacy_inventory.py` fails when a model gains a field that is in neither, so a
new field cannot reach the database without someone deciding what it holds.

How the fields were judged:
- A natural person's name, phone, e-mail, job title, ID-like number (qualification number, order number,
  login name), address, IP address or browser string is personal. An enterprise's own name, USCC and
  registered address are a legal person's (PIPL art. 4 covers natural persons) and are not.
- A link to an account (`uploaded_by`, `decided_by` …) says who did something: personal (`account_link`),
  kept with the record it belongs to. The person's details live in the account, not in the link.
- Free text written by people may name someone whatever the form says: personal. Text about a person
  (a complaint, a customer's comment, an auditor's unavailability reason) is `personal`; text about the
  enterprise's conformity is `incidental` (a name may appear; the text is not about anybody).
  Text the program writes itself from codes (import messages, tick errors, signed payloads) is not personal.
- Stored files (materials, evidence, photos) may be ID copies or photographs: their `storage_name` is listed
  as `file_content` so retention deletes the bytes with the row.
- Dates, statuses, codes, counts and hashes of the record are not personal on their own.

Masking and the retention job are decided separately; `mask_phone` and `mask_name` are here for them.
"""

from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    IDENTITY = "identity"  # a natural person's name, job title, login name
    CONTACT = "contact"  # phone, e-mail, other contact details
    IDENTIFIER = "identifier"  # ID-like numbers that single out a person (qualification no., order no.)
    NETWORK = "network"  # IP address, user agent, browser headers
    CREDENTIAL = "credential"  # password hashes, keys, tokens, session data: never shown, never exported
    ACTIVITY = "activity"  # when a person signed in, was unavailable, was sampled …
    PROFESSIONAL = "professional"  # an auditor's qualification and competence
    ACCOUNT_LINK = "account_link"  # a link to the account of whoever acted
    FREE_TEXT = "free_text"  # written by people; may contain anything
    SURVEY_RESPONSE = "survey_response"  # a customer's answers and comments
    CUSTOMER_LIST = "customer_list"  # the enterprise's customers and their orders (the sampling frame)
    FILE_CONTENT = "file_content"  # stored bytes that may be ID copies or photographs
    AUDIT_TRAIL = "audit_trail"  # the append-only event log's payloads


class Sensitivity(StrEnum):
    # PIPL art. 28 (敏感个人信息): health, whereabouts, financial accounts, minors … or anything whose leak
    # lets someone act as the person (credentials).
    SENSITIVE = "sensitive"
    PERSONAL = "personal"  # ordinary personal information
    INCIDENTAL = "incidental"  # not about a person, but may name one


class Subject(StrEnum):
    """Whose data it is."""

    ANY_USER = "any_user"  # anyone with an account
    STAFF = "staff"  # certification-body staff (auditors, committee, clerks)
    ENTERPRISE_PERSON = "enterprise_person"  # legal representative, contact, enterprise users
    CUSTOMER = "customer"  # the enterprise's customers (survey)
    PUBLIC = "public"  # complainants, visitors, people trying to sign in
    MENTIONED = "mentioned"  # whoever the text happens to name


class Retention(StrEnum):
    ACCOUNT = "account"  # while the account exists; anonymised when it is closed, links stay
    CERTIFICATION_RECORD = "certification_record"  # with the certification record (ISO/IEC 17065 7.12)
    SURVEY = "survey"  # anonymised after the configured period; counts and statistics stay
    CASE = "case"  # with the complaint/appeal file
    STAFF_RECORD = "staff_record"  # with the auditor's competence record
    SECURITY_LOG = "security_log"  # sign-in attempts: until the configured clean-up
    SESSION = "session"  # until the session or token ends
    NOTIFICATION = "notification"  # with the inbox and its mail outbox
    EVENT_LOG = "event_log"  # forever: the hash chain forbids edits, so payloads must stay lean


@dataclass(frozen=True)
class PersonalField:
    category: Category
    sensitivity: Sensitivity
    subject: Subject
    purpose: str
    retention: Retention


def personal(category, subject, purpose, retention, sensitivity=Sensitivity.PERSONAL) -> PersonalField:
    return PersonalField(category, sensitivity, subject, purpose, retention)


C, S, W, R = Category, Sensitivity, Subject, Retention


def actor(what: str, retention: Retention = R.CERTIFICATION_RECORD, subject: Subject = W.ANY_USER) -> PersonalField:
    """A link to the account of whoever did `what`."""
    return personal(C.ACCOUNT_LINK, subject, what, retention)


def notes(purpose: str, retention: Retention = R.CERTIFICATION_RECORD) -> PersonalField:
    """Free text about an enterprise's case that may name a person."""
    return personal(C.FREE_TEXT, W.MENTIONED, purpose, retention, S.INCIDENTAL)


def stored_file(purpose: str, retention: Retention = R.CERTIFICATION_RECORD) -> dict[str, PersonalField]:
    """The fields every StoredFile subclass has that are personal: the uploader, the name and the bytes."""
    return {
        "original_name": notes("the uploader's file name (may carry a person's name)", retention),
        "storage_name": personal(C.FILE_CONTENT, W.MENTIONED, purpose, retention),
        "uploaded_by": actor("who uploaded the file", retention),
    }


STORED_FILE_NOT_PERSONAL = ("id", "kind", "content_type", "size", "sha256", "uploaded_at")


@dataclass(frozen=True)
class ModelEntry:
    personal: dict[str, PersonalField]
    not_personal: tuple[str, ...]
    note: str = ""


def entry(fields: dict | None = None, not_personal: tuple[str, ...] = (), note: str = "") -> ModelEntry:
    """`fields`: the personal fields and their classification; `not_personal`: every other field."""
    return ModelEntry(fields or {}, tuple(not_personal), note)


# --- the inventory: app label.Model → entry ---------------------------------------------------------------

INVENTORY: dict[str, ModelEntry] = {
    # core
    "core.Counter": entry(not_personal=("id", "name", "value")),
    "events.Event": entry(
        {
            "actor": actor("who made the change", R.EVENT_LOG),
            "actor_label": personal(C.IDENTITY, W.ANY_USER, "the actor's name as it was", R.EVENT_LOG),
            "before": personal(C.AUDIT_TRAIL, W.MENTIONED, "state before the change", R.EVENT_LOG),
            "after": personal(
                C.AUDIT_TRAIL, W.MENTIONED, "state after the change (account events: e-mail, name)", R.EVENT_LOG
            ),
            "reason": notes("why the change was made", R.EVENT_LOG),
        },
        ("id", "seq", "occurred_at", "action", "target_type", "target_id", "prev_hash", "hash"),
        note="Append-only and hash-chained: personal data written here can never be anonymised in place.",
    ),
    "events.ChainHead": entry(not_personal=("id", "seq", "hash")),
    "workdays.CalendarDay": entry(
        {"entered_by": actor("who entered the day", R.ACCOUNT)},
        ("id", "date", "is_working_day", "name", "source", "entered_at"),
    ),
    "workdays.CalendarYear": entry(
        {"declared_by": actor("who declared the year complete", R.ACCOUNT)},
        ("id", "year", "declared_complete", "source", "declared_at"),
    ),
    "schemes.SchemeVersion": entry(
        not_personal=(
            "id",
            "code",
            "version",
            "title",
            "effective_date",
            "sha256",
            "content",
            "source_name",
            "loaded_at",
        )
    ),
    # accounts
    "accounts.User": entry(
        {
            "password": personal(C.CREDENTIAL, W.ANY_USER, "sign-in (salted hash)", R.ACCOUNT, S.SENSITIVE),
            "last_login": personal(C.ACTIVITY, W.ANY_USER, "security review", R.ACCOUNT),
            "email": personal(C.CONTACT, W.ANY_USER, "sign-in name and notifications", R.ACCOUNT),
            "full_name": personal(C.IDENTITY, W.ANY_USER, "who acts, on records and pages", R.ACCOUNT),
            "phone": personal(C.CONTACT, W.ANY_USER, "contact about the certification", R.ACCOUNT),
            "date_joined": personal(C.ACTIVITY, W.ANY_USER, "account history", R.ACCOUNT),
        },
        ("id", "is_superuser", "kind", "is_staff", "is_active", "groups", "user_permissions"),
    ),
    "accounts.RoleGrant": entry(
        {
            "user": actor("who holds the role", R.ACCOUNT, W.STAFF),
            "granted_by": actor("who granted it", R.ACCOUNT, W.STAFF),
        },
        ("id", "role", "granted_at", "revoked_at"),
    ),
    "accounts.Enterprise": entry(
        {
            "legal_representative": personal(
                C.IDENTITY, W.ENTERPRISE_PERSON, "the certificate holder's legal representative", R.CERTIFICATION_RECORD
            ),
            "contact_name": personal(C.IDENTITY, W.ENTERPRISE_PERSON, "who the CB contacts", R.CERTIFICATION_RECORD),
            "contact_phone": personal(C.CONTACT, W.ENTERPRISE_PERSON, "who the CB contacts", R.CERTIFICATION_RECORD),
            "contact_email": personal(C.CONTACT, W.ENTERPRISE_PERSON, "who the CB contacts", R.CERTIFICATION_RECORD),
            "created_by": actor("who registered the enterprise"),
        },
        # Name, USCC and registered address belong to the legal person and are printed on the certificate.
        ("id", "name", "uscc", "address", "created_at"),
    ),
    "accounts.Membership": entry(
        {"user": actor("which account acts for the enterprise", R.ACCOUNT, W.ENTERPRISE_PERSON)},
        ("id", "enterprise", "role", "created_at", "ended_at"),
    ),
    # notifications
    "notifications.Notification": entry(
        {
            "recipient": actor("who is told", R.NOTIFICATION),
            "title": notes("what happened (names people at times)", R.NOTIFICATION),
            "body": notes("what happened (names people at times)", R.NOTIFICATION),
            "email_last_error": notes("the mail server's answer (may quote the address)", R.NOTIFICATION),
        },
        (
            "id",
            "enterprise",
            "kind",
            "url",
            "created_at",
            "read_at",
            "email_status",
            "email_attempts",
            "email_sent_at",
            "next_attempt_at",
            "email_claim",
        ),
    ),
    # applications
    "applications.Application": entry(
        {
            "other_category_description": notes("what 'other' category the enterprise means"),
            "service_description": notes("the enterprise's customisation service"),
            "decision_reason": notes("why the application was not accepted"),
            "declared_by": actor("who made the declaration"),
            "created_by": actor("who started the application"),
            "decided_by": actor("the acceptance clerk"),
        },
        (
            "id",
            "reference",
            "enterprise",
            "scheme_version",
            "application_type",
            "status",
            "categories",
            "service_stages",
            "declaration_made",
            "declared_at",
            "created_at",
            "submitted_at",
            "received_on",
            "acceptance_due",
            "decided_at",
            "out_of_scope",
            "updated_at",
        ),
    ),
    "applications.Site": entry(
        # Workshops, showrooms and offices of the enterprise: business premises, not homes.
        not_personal=("id", "application", "kind", "name", "address", "removed_at")
    ),
    "applications.MaterialFile": entry(
        stored_file("application material (licences may show the legal representative's ID)"),
        (*STORED_FILE_NOT_PERSONAL, "application", "material", "version", "replaces", "withdrawn_at"),
    ),
    "applications.SupplementRequest": entry(
        {"message": notes("what the clerk asks for"), "requested_by": actor("the clerk")},
        ("id", "application", "requested_at", "resolved_at"),
    ),
    "applications.SupplementItem": entry(
        {"message": notes("what is to be supplied")},
        ("id", "request", "material"),
    ),
    "applications.Assignment": entry(
        {"user": actor("who is assigned", subject=W.STAFF), "assigned_by": actor("who assigned", subject=W.STAFF)},
        ("id", "application", "role", "assigned_at", "ended_at"),
    ),
    # reviews
    "reviews.DocumentReview": entry(
        {
            "reviewer": actor("the reviewing auditor", subject=W.STAFF),
            "assigned_by": actor("who assigned the review", subject=W.STAFF),
            "summary": notes("the review's conclusion"),
        },
        (
            "id",
            "application",
            "status",
            "assigned_at",
            "started_at",
            "completed_at",
            "completed_on",
            "passed_at",
            "report_generated_at",
        ),
    ),
    "reviews.ChecklistEntry": entry(
        {
            "note": notes("the facts found"),
            "na_reason": notes("why the item does not apply"),
            "recorded_by": actor("the auditor", subject=W.STAFF),
        },
        ("id", "review", "item_id", "result", "evidence", "evidence_page", "recorded_at"),
    ),
    "reviews.Nonconformity": entry(
        {
            "description": notes("the nonconformity's facts"),
            "raised_by": actor("who raised it", subject=W.STAFF),
            "verified_by": actor("who verified the correction", subject=W.STAFF),
            "closed_reason": notes("why it was closed"),
        },
        (
            "id",
            "application",
            "certificate",
            "stage",
            "review",
            "audit",
            "number",
            "item_id",
            "grade",
            "raised_at",
            "reported_on",
            "due_date",
            "due_provisional",
            "state",
            "verified_at",
        ),
    ),
    "reviews.CorrectiveAction": entry(
        {
            "cause_analysis": notes("the enterprise's cause analysis"),
            "correction": notes("the correction"),
            "corrective_action": notes("the corrective action"),
            "submitted_by": actor("who submitted it", subject=W.ENTERPRISE_PERSON),
            "decided_by": actor("who verified it", subject=W.STAFF),
            "comment": notes("the auditor's comment"),
        },
        ("id", "nonconformity", "round", "submitted_at", "decision", "decided_at"),
    ),
    "reviews.CorrectiveEvidence": entry(
        stored_file("evidence of a correction (photos, records)"), (*STORED_FILE_NOT_PERSONAL, "action")
    ),
    # auditors
    "auditors.AuditorProfile": entry(
        {
            "user": actor("whose profile", R.STAFF_RECORD, W.STAFF),
            "qualification_number": personal(C.IDENTIFIER, W.STAFF, "CCAA registration", R.STAFF_RECORD),
            "level": personal(C.PROFESSIONAL, W.STAFF, "who may lead an audit", R.STAFF_RECORD),
            "valid_from": personal(C.PROFESSIONAL, W.STAFF, "qualification validity", R.STAFF_RECORD),
            "valid_until": personal(C.PROFESSIONAL, W.STAFF, "qualification validity", R.STAFF_RECORD),
            "notes": personal(C.FREE_TEXT, W.STAFF, "remarks about the auditor", R.STAFF_RECORD),
        },
        ("id", "created_at", "updated_at"),
    ),
    "auditors.Competence": entry(
        {
            "category": personal(C.PROFESSIONAL, W.STAFF, "competence per product category", R.STAFF_RECORD),
            "granted_on": personal(C.PROFESSIONAL, W.STAFF, "competence history", R.STAFF_RECORD),
            "basis": personal(C.FREE_TEXT, W.STAFF, "training and experience behind it", R.STAFF_RECORD),
            "removed_by": actor("who withdrew it", R.STAFF_RECORD, W.STAFF),
        },
        ("id", "profile", "removed_at"),
    ),
    "auditors.ConflictDeclaration": entry(
        {
            "reason": personal(C.FREE_TEXT, W.STAFF, "the auditor's tie to the enterprise", R.STAFF_RECORD),
            "declared_by": actor("who declared it", R.STAFF_RECORD, W.STAFF),
            "withdrawn_by": actor("who withdrew it", R.STAFF_RECORD, W.STAFF),
            "withdrawn_reason": personal(C.FREE_TEXT, W.STAFF, "why the tie ended", R.STAFF_RECORD),
        },
        ("id", "profile", "enterprise", "until", "declared_at", "withdrawn_at"),
    ),
    "auditors.Unavailability": entry(
        {
            "start": personal(C.ACTIVITY, W.STAFF, "planning: when the auditor is away", R.STAFF_RECORD),
            "end": personal(C.ACTIVITY, W.STAFF, "planning: when the auditor is away", R.STAFF_RECORD),
            # Leave reasons ("病假", hospital) can reveal health: PIPL art. 28.
            "reason": personal(C.FREE_TEXT, W.STAFF, "why the auditor is away", R.STAFF_RECORD, S.SENSITIVE),
            "created_by": actor("who entered it", R.STAFF_RECORD, W.STAFF),
            "removed_by": actor("who removed it", R.STAFF_RECORD, W.STAFF),
        },
        ("id", "profile", "created_at", "removed_at"),
    ),
    # audits
    "audits.Audit": entry(
        {
            "special_reason": notes("why a special audit is held"),
            "objectives": notes("the audit's objectives"),
            "created_by": actor("who planned it", subject=W.STAFF),
            "cancel_reason": notes("why it was cancelled"),
        },
        (
            "id",
            "reference",
            "enterprise",
            "application",
            "certificate",
            "surveillance_window",
            "scheme_version",
            "audit_type",
            "status",
            "days",
            "first_day",
            "last_day",
            "created_at",
            "notice_sent_on",
            "started_at",
            "closed_at",
            "passed_at",
            "cancelled_at",
            "passed_on_plan",
        ),
    ),
    "audits.AuditTeamMember": entry(
        {"user": actor("who audits", subject=W.STAFF), "added_by": actor("who staffed the team", subject=W.STAFF)},
        ("id", "audit", "role", "added_at", "removed_at"),
    ),
    "audits.DateProposal": entry(
        {
            "message": notes("why these dates"),
            "proposed_by": actor("who proposed"),
            "responded_by": actor("who answered"),
            "response_message": notes("the answer"),
        },
        ("id", "audit", "side", "days", "proposed_at", "response", "responded_at"),
    ),
    "audits.AuditSite": entry(not_personal=("id", "audit", "site", "kind", "name", "address")),
    "audits.ScheduleSlot": entry(
        {
            "auditor": actor("who audits in this slot", subject=W.STAFF),
            "activity": notes("what is audited (may name the interviewee)"),
        },
        ("id", "audit", "day", "start", "end", "site", "item_ids"),
    ),
    "audits.AuditNotice": entry(
        {
            "sent_by": actor("who sent the notice", subject=W.STAFF),
            # The notice PDF names the audit team.
            "storage_name": personal(C.FILE_CONTENT, W.STAFF, "the audit notice", R.CERTIFICATION_RECORD),
        },
        ("id", "audit", "sent_on", "sent_at", "last_allowed_on", "sha256", "size"),
    ),
    "audits.Finding": entry(
        {
            "note": notes("the facts found on site"),
            "na_reason": notes("why the item does not apply"),
            "recorded_by": actor("the auditor", subject=W.STAFF),
        },
        ("id", "audit", "item_id", "result", "recorded_at", "revision", "client_token"),
    ),
    "audits.FindingFile": entry(
        stored_file("on-site photos and records (may show employees)"), (*STORED_FILE_NOT_PERSONAL, "finding")
    ),
    "audits.NonconformityConfirmation": entry(
        {
            "representative_name": personal(
                C.IDENTITY, W.ENTERPRISE_PERSON, "who confirmed for the enterprise", R.CERTIFICATION_RECORD
            ),
            "representative_title": personal(
                C.IDENTITY, W.ENTERPRISE_PERSON, "the representative's post", R.CERTIFICATION_RECORD
            ),
            "enterprise_user": actor("the enterprise account that confirmed", subject=W.ENTERPRISE_PERSON),
            "recorded_by": actor("the auditor who recorded it", subject=W.STAFF),
            "remark": notes("the enterprise's remark"),
        },
        ("id", "nonconformity", "confirmed_at"),
    ),
    "audits.ClosingMeeting": entry(
        {
            "attendees": personal(
                C.IDENTITY, W.ENTERPRISE_PERSON, "who attended (names, posts)", R.CERTIFICATION_RECORD
            ),
            "conclusion": notes("the audit conclusion"),
            "recommendation": notes("the team's recommendation"),
            "recorded_by": actor("the lead auditor", subject=W.STAFF),
        },
        ("id", "audit", "held_at", "recorded_at", "report_generated_at"),
    ),
    # surveys
    "surveys.Survey": entry(
        {
            "created_by": actor("who created the survey"),
            "drawn_by": actor("who drew the sample", subject=W.STAFF),
            "closed_by": actor("who closed it", subject=W.STAFF),
        },
        (
            "id",
            "application",
            "enterprise",
            "scheme_version",
            "round",
            "status",
            "created_at",
            "seed",
            "frame_sha256",
            "population",
            "sample_size",
            "drawn_at",
            "opened_at",
            "closes_on",
            "closed_at",
            "result_answered",
            "result_satisfied",
            "result_passed",
            "previous",
            "anonymised_at",
        ),
    ),
    "surveys.PersonalDataAccess": entry(
        {
            "viewer": actor("who was shown customers' data unmasked", R.SECURITY_LOG, W.STAFF),
            "client_address": personal(C.NETWORK, W.STAFF, "where the viewer was", R.SECURITY_LOG),
        },
        ("id", "survey", "view", "shown", "customer", "at"),
    ),
    "surveys.Customer": entry(
        {
            "name": personal(C.IDENTITY, W.CUSTOMER, "addressing the customer", R.SURVEY),
            "phone": personal(C.CONTACT, W.CUSTOMER, "sending the link, calling back", R.SURVEY),
            "email": personal(C.CONTACT, W.CUSTOMER, "sending the link", R.SURVEY),
            "category": personal(C.CUSTOMER_LIST, W.CUSTOMER, "stratified sampling", R.SURVEY),
            "order_id": personal(C.IDENTIFIER, W.CUSTOMER, "telling two orders of one customer apart", R.SURVEY),
            "order_date": personal(C.CUSTOMER_LIST, W.CUSTOMER, "the sampling window", R.SURVEY),
            "delivery_date": personal(C.CUSTOMER_LIST, W.CUSTOMER, "the sampling window", R.SURVEY),
            "other_order_ids": personal(C.IDENTIFIER, W.CUSTOMER, "orders merged into this customer", R.SURVEY),
        },
        ("id", "survey", "source_rows"),
    ),
    "surveys.ImportJob": entry(
        {
            "original_name": notes("the uploaded list's file name", R.SURVEY),
            "storage_name": personal(C.CUSTOMER_LIST, W.CUSTOMER, "the uploaded customer list", R.SURVEY),
            "uploaded_by": actor("who uploaded the list", R.SURVEY, W.ENTERPRISE_PERSON),
        },
        (
            "id",
            "survey",
            "kind",
            "size",
            "sha256",
            "encoding",
            "state",
            "rows_seen",
            "rows_rejected",
            "rows_merged",
            "customers_created",
            "message_zh",  # written by the importer from counts and codes
            "message_en",
            "uploaded_at",
            "finished_at",
        ),
    ),
    "surveys.ImportRow": entry(
        {
            "reason_zh": notes("why the row was refused (quotes the bad cell)", R.SURVEY),
            "reason_en": notes("why the row was refused (quotes the bad cell)", R.SURVEY),
            "key": personal(C.CONTACT, W.CUSTOMER, "the normalised phone, for merging duplicates", R.SURVEY),
            "data": personal(C.CUSTOMER_LIST, W.CUSTOMER, "the normalised row (name, phone, e-mail, order)", R.SURVEY),
        },
        ("id", "job", "row_number", "outcome", "merged_into"),
    ),
    "surveys.Invitation": entry(
        {
            "token_hash": personal(C.CREDENTIAL, W.CUSTOMER, "recognising the link (hash only)", R.SURVEY),
            "sent_at": personal(C.ACTIVITY, W.CUSTOMER, "when the customer was contacted", R.SURVEY),
            "used_at": personal(C.ACTIVITY, W.CUSTOMER, "when the customer answered", R.SURVEY),
        },
        ("id", "survey", "customer", "stratum", "draw_order", "expires_at"),
    ),
    "surveys.Dispatch": entry(
        {
            "detail": notes("the SMS/e-mail gateway's answer (may quote the number)", R.SURVEY),
            "sent_by": actor("who sent it", R.SURVEY),
        },
        ("id", "invitation", "medium", "sender", "ok", "sent_at"),
    ),
    "surveys.Response": entry(
        {
            "overall": personal(C.SURVEY_RESPONSE, W.CUSTOMER, "the satisfaction result", R.SURVEY),
            "comment": personal(C.SURVEY_RESPONSE, W.CUSTOMER, "the customer's suggestions", R.SURVEY),
            "client_address": personal(C.NETWORK, W.CUSTOMER, "spotting abuse of links", R.SURVEY),
            "user_agent": personal(C.NETWORK, W.CUSTOMER, "spotting abuse of links", R.SURVEY),
            "recorded_by": actor("who recorded a phone answer", R.SURVEY, W.STAFF),
        },
        ("id", "survey", "invitation", "channel", "submitted_at"),
    ),
    "surveys.Rating": entry(
        {"value": personal(C.SURVEY_RESPONSE, W.CUSTOMER, "the satisfaction result", R.SURVEY)},
        ("id", "response", "dimension"),
    ),
    "surveys.CallAttempt": entry(
        {
            "outcome": personal(C.ACTIVITY, W.CUSTOMER, "whether the customer answered the call", R.SURVEY),
            "note": personal(C.FREE_TEXT, W.CUSTOMER, "what the caller noted about the call", R.SURVEY),
            "called_by": actor("who called", R.SURVEY, W.STAFF),
            "called_at": personal(C.ACTIVITY, W.CUSTOMER, "when the customer was called", R.SURVEY),
        },
        ("id", "invitation"),
    ),
    "surveys.ImprovementPlan": entry(
        {
            "cause_analysis": notes("why satisfaction was low"),
            "improvement": notes("the enterprise's improvement"),
            "submitted_by": actor("who submitted it", subject=W.ENTERPRISE_PERSON),
            "review_comment": notes("the reviewer's comment"),
            "reviewed_by": actor("who reviewed it", subject=W.STAFF),
        },
        ("id", "survey", "completion_date", "submitted_at", "decision", "reviewed_at"),
    ),
    # certificates
    "certificates.Certificate": entry(
        {
            "status_reason": notes("why the status changed"),
            "scope_text": notes("the certified scope as printed"),
            "scope_text_en": notes("the certified scope as printed"),
            "created_by": actor("who issued it", subject=W.STAFF),
        },
        (
            "id",
            "number",
            "enterprise",
            "application",
            "scheme_version",
            "scheme_code",
            "scheme_version_label",
            # The holder is a legal person; these are printed on the public certificate.
            "enterprise_name",
            "enterprise_uscc",
            "enterprise_address",
            "scope_categories",
            "scope_services",
            "grade_code",
            "grade_name",
            "grade_name_en",
            "issued_on",
            "expires_on",
            "status",
            "status_since",
            "is_legacy",
            "supersedes",
            "signed_payload",  # the fields above, signed
            "signature",
            "signing_key_id",
            "created_at",
            "updated_at",
        ),
    ),
    "certificates.CertificateStatusChange": entry(
        {"reason": notes("why the status changed"), "changed_by": actor("who changed it", subject=W.STAFF)},
        ("id", "certificate", "from_status", "to_status", "effective_on", "changed_at"),
    ),
    # lifecycle
    "lifecycle.TickRun": entry(
        # `error` is repr() of an exception from the daily steps, which handle codes and dates, not people.
        not_personal=("id", "day", "step", "status", "counts", "error", "started_at", "finished_at")
    ),
    "lifecycle.TickNotice": entry(not_personal=("id", "kind", "key", "day", "sent_at")),
    "lifecycle.LegacyImport": entry(
        {
            "filename": notes("the uploaded register's file name"),
            "errors": notes("why rows were refused (quotes cells of the register)"),
            "created_by": actor("who imported it", subject=W.STAFF),
        },
        ("id", "sha256", "outcome", "rows_total", "rows_failed", "lapsed", "created_at"),
    ),
    "lifecycle.LegacyRecord": entry(
        not_personal=("id", "certificate", "legacy_import", "line", "applied_on", "enterprise_created")
    ),
    "lifecycle.Case": entry(
        {
            "subject_text": notes("who or what the complaint is about", R.CASE),
            "complainant_name": personal(C.IDENTITY, W.PUBLIC, "answering the complainant", R.CASE),
            "complainant_contact": personal(C.CONTACT, W.PUBLIC, "answering the complainant", R.CASE),
            "description": personal(C.FREE_TEXT, W.PUBLIC, "the complaint or appeal in the person's words", R.CASE),
            "tracking_code": personal(C.CREDENTIAL, W.PUBLIC, "lets the complainant follow the case", R.CASE),
            "submitted_by": actor("the account that filed it", R.CASE),
            "handler": actor("who handles it", R.CASE, W.STAFF),
            "decision": notes("the decision on the case", R.CASE),
            "decided_by": actor("who decided", R.CASE, W.STAFF),
        },
        (
            "id",
            "reference",
            "kind",
            "status",
            "enterprise",
            "certificate",
            "application",
            "received_on",
            "acknowledge_by",
            "acknowledge_provisional",
            "decide_by",
            "acknowledged_on",
            "outcome",
            "decided_on",
            "special_audit_requested",
            "special_audit_reference",
            "created_at",
        ),
    ),
    "lifecycle.ChangeReport": entry(
        {
            "description": notes("what changed at the enterprise (e.g. a new legal representative)"),
            "submitted_by": actor("who reported it", subject=W.ENTERPRISE_PERSON),
            "assessment_note": notes("the assessment"),
            "assessed_by": actor("who assessed it", subject=W.STAFF),
        },
        (
            "id",
            "reference",
            "certificate",
            "enterprise",
            "kind",
            "effective_on",
            "status",
            "submitted_on",
            "assessment",
            "assessed_on",
            "special_audit_reference",
            "created_at",
        ),
    ),
    "lifecycle.MajorEvent": entry(
        {
            # Accidents and quality incidents can describe injured people: health data (PIPL art. 28).
            "description": personal(C.FREE_TEXT, W.MENTIONED, "what happened", R.CERTIFICATION_RECORD, S.SENSITIVE),
            "submitted_by": actor("who reported it"),
            "resolution": notes("how it was resolved"),
            "resolved_by": actor("who resolved it", subject=W.STAFF),
        },
        (
            "id",
            "reference",
            "certificate",
            "enterprise",
            "kind",
            "occurred_on",
            "reported_by_enterprise",
            "status",
            "recorded_on",
            "suspended_certificate",
            "resolved_on",
            "restored_certificate",
            "created_at",
        ),
    ),
    # decisions
    "decisions.Decision": entry(
        {
            "opened_by": actor("who put it to the committee", subject=W.STAFF),
            "dossier": notes("the frozen dossier (names the audit team and members)"),
            "reasons": notes("the reasons for a refusal"),
            "decided_by": actor("who concluded it", subject=W.STAFF),
            # The notice PDF names the enterprise's representative and the decision makers.
            "notice_storage_name": personal(C.FILE_CONTENT, W.MENTIONED, "the decision notice", R.CERTIFICATION_RECORD),
        },
        (
            "id",
            "application",
            "enterprise",
            "status",
            "opened_at",
            "score",
            "grade_code",
            "decided_on",
            "decided_at",
            "certificate",
            "notice_sha256",
            "notice_size",
        ),
    ),
    "decisions.CommitteeMember": entry(
        {
            "user": actor("who sits", subject=W.STAFF),
            "assigned_by": actor("who seated the member", subject=W.STAFF),
            "impartiality_declared_at": personal(
                C.ACTIVITY, W.STAFF, "when the member declared impartiality", R.CERTIFICATION_RECORD
            ),
            "removed_reason": personal(C.FREE_TEXT, W.STAFF, "why the member left", R.CERTIFICATION_RECORD),
        },
        ("id", "decision", "assigned_at", "removed_at"),
    ),
    "decisions.Opinion": entry(
        {
            "vote": personal(C.ACTIVITY, W.STAFF, "a member's own vote", R.CERTIFICATION_RECORD),
            "reasoning": personal(C.FREE_TEXT, W.STAFF, "the member's reasons", R.CERTIFICATION_RECORD),
        },
        ("id", "decision", "member", "recorded_at", "revision"),
    ),
    # surveillance
    "surveillance.SurveillanceReminder": entry(
        not_personal=("id", "certificate", "window", "kind", "day", "window_opens", "window_closes", "sent_at")
    ),
    "surveillance.NextObligation": entry(
        not_personal=(
            "certificate",
            "window",
            "opens",
            "closes",
            "recertification_counts",
            "planned",
            "planned_late",
            "computed_at",
        )
    ),
    "surveillance.SurveillanceSuspension": entry(
        {"reason": notes("why the certificate was suspended")},
        ("id", "audit", "certificate", "nonconformities", "suspended_on", "suspended_here", "restored_on"),
    ),
    # --- Django and the libraries: they store personal data too -----------------------------------------
    "admin.LogEntry": entry(
        {
            "user": actor("who used the admin site", R.ACCOUNT, W.STAFF),
            "object_repr": personal(
                C.IDENTITY, W.MENTIONED, "what was changed (a user's name for accounts)", R.ACCOUNT
            ),
            "change_message": notes("which fields changed", R.ACCOUNT),
        },
        ("id", "action_time", "content_type", "object_id", "action_flag"),
    ),
    "auth.Permission": entry(not_personal=("id", "name", "content_type", "codename")),
    "auth.Group": entry(not_personal=("id", "name", "permissions")),
    "contenttypes.ContentType": entry(not_personal=("id", "app_label", "model")),
    "sessions.Session": entry(
        {
            "session_key": personal(C.CREDENTIAL, W.ANY_USER, "the sign-in cookie", R.SESSION, S.SENSITIVE),
            "session_data": personal(C.CREDENTIAL, W.ANY_USER, "who is signed in", R.SESSION, S.SENSITIVE),
        },
        ("expire_date",),
    ),
    "authtoken.Token": entry(
        {
            "key": personal(C.CREDENTIAL, W.ANY_USER, "API access", R.SESSION, S.SENSITIVE),
            "user": actor("whose token", R.SESSION),
        },
        ("created",),
    ),
    "axes.AccessAttempt": entry(
        {
            "user_agent": personal(C.NETWORK, W.PUBLIC, "throttling failed sign-ins", R.SECURITY_LOG),
            "ip_address": personal(C.NETWORK, W.PUBLIC, "throttling failed sign-ins", R.SECURITY_LOG),
            "username": personal(C.IDENTITY, W.PUBLIC, "throttling failed sign-ins", R.SECURITY_LOG),
            "http_accept": personal(C.NETWORK, W.PUBLIC, "throttling failed sign-ins", R.SECURITY_LOG),
            "get_data": notes("the request's query (may hold a name)", R.SECURITY_LOG),
            "post_data": notes("the form sent, passwords removed by axes", R.SECURITY_LOG),
            "attempt_time": personal(C.ACTIVITY, W.PUBLIC, "throttling failed sign-ins", R.SECURITY_LOG),
        },
        ("id", "path_info", "failures_since_start"),
    ),
    "axes.AccessAttemptExpiration": entry(not_personal=("access_attempt", "expires_at")),
    "axes.AccessFailureLog": entry(
        {
            "user_agent": personal(C.NETWORK, W.PUBLIC, "security review of failed sign-ins", R.SECURITY_LOG),
            "ip_address": personal(C.NETWORK, W.PUBLIC, "security review of failed sign-ins", R.SECURITY_LOG),
            "username": personal(C.IDENTITY, W.PUBLIC, "security review of failed sign-ins", R.SECURITY_LOG),
            "http_accept": personal(C.NETWORK, W.PUBLIC, "security review of failed sign-ins", R.SECURITY_LOG),
            "attempt_time": personal(C.ACTIVITY, W.PUBLIC, "security review of failed sign-ins", R.SECURITY_LOG),
        },
        ("id", "path_info", "locked_out"),
    ),
    "axes.AccessLog": entry(
        {
            "user_agent": personal(C.NETWORK, W.ANY_USER, "security review of sign-ins", R.SECURITY_LOG),
            "ip_address": personal(C.NETWORK, W.ANY_USER, "security review of sign-ins", R.SECURITY_LOG),
            "username": personal(C.IDENTITY, W.ANY_USER, "security review of sign-ins", R.SECURITY_LOG),
            "http_accept": personal(C.NETWORK, W.ANY_USER, "security review of sign-ins", R.SECURITY_LOG),
            "attempt_time": personal(C.ACTIVITY, W.ANY_USER, "security review of sign-ins", R.SECURITY_LOG),
            "logout_time": personal(C.ACTIVITY, W.ANY_USER, "security review of sign-ins", R.SECURITY_LOG),
            "session_hash": personal(C.CREDENTIAL, W.ANY_USER, "which session it was", R.SECURITY_LOG),
        },
        ("id", "path_info"),
    ),
    "otp_totp.TOTPDevice": entry(
        {
            "user": actor("whose authenticator", R.ACCOUNT),
            "name": personal(C.FREE_TEXT, W.ANY_USER, "the device's name as the person typed it", R.ACCOUNT),
            "key": personal(C.CREDENTIAL, W.ANY_USER, "the second factor's secret", R.ACCOUNT, S.SENSITIVE),
            "last_used_at": personal(C.ACTIVITY, W.ANY_USER, "security review", R.ACCOUNT),
        },
        (
            "id",
            "confirmed",
            "throttling_failure_timestamp",
            "throttling_failure_count",
            "created_at",
            "step",
            "t0",
            "digits",
            "tolerance",
            "drift",
            "last_t",
        ),
    ),
}


def personal_fields(category: Category | None = None) -> list[tuple[str, str, PersonalField]]:
    """(model label, field name, classification) for every personal field, optionally of one category:
    what the masking and retention work will walk."""
    return [
        (label, name, field)
        for label, model_entry in INVENTORY.items()
        for name, field in model_entry.personal.items()
        if category is None or field.category == category
    ]


# --- masking helpers (pure; where and for whom to mask is decided elsewhere) -----------------------------


def mask_phone(phone: str) -> str:
    """138****5678: the first three and last four characters stay, the rest become stars.
    Seven characters or fewer are all starred (keeping 3 + 4 of them would show the whole number)."""
    phone = (phone or "").strip()
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str) -> str:
    """王**: the first character (the family name of a Chinese name) and one star per other character,
    at least one, so a one-character entry does not show whole."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


# What the event log keeps instead of a personal value: the log is append-only and hash-chained, so nothing
# written into it can be anonymised later (decisions PD4). The record itself keeps the value, under its own
# retention; the event says that the field was set or changed, not to what.
PERSONAL_IN_EVENT = "〔个人信息 / personal data〕"


def event_safe(model_label: str, values: dict) -> dict:
    """`values` with every field the inventory classifies as personal for `model_label` replaced by
    PERSONAL_IN_EVENT (empty values stay empty: "not given" is not personal)."""
    personal = INVENTORY[model_label].personal
    return {k: (PERSONAL_IN_EVENT if k in personal and v not in ("", None) else v) for k, v in values.items()}


def unclassified_fields(models) -> list[str]:
    """ "app.Model.field" for every stored field of `models` that INVENTORY does not classify, and for a
    field classified both ways. Proxy models share their concrete model's fields and are skipped."""
    problems = []
    for model in models:
        meta = model._meta
        if meta.proxy:
            continue
        model_entry = INVENTORY.get(meta.label)
        classified_personal = set(model_entry.personal) if model_entry else set()
        classified_not = set(model_entry.not_personal) if model_entry else set()
        for f in [*meta.fields, *meta.many_to_many]:
            if f.name in classified_personal and f.name in classified_not:
                problems.append(f"{meta.label}.{f.name} (classified both personal and not personal)")
            elif f.name not in classified_personal | classified_not:
                problems.append(f"{meta.label}.{f.name}")
    return problems
