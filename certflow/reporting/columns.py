"""The platform's three tables, column by column: header (Chinese as the template has it, English for
us), whether the platform needs the cell, and where the value comes from.

This is the one place to edit when the platform changes its template (decisions MR3): the order
here is the column order of the sheet, the Chinese header is the header cell.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone, translation

from certflow.audits.domain import AuditType
from certflow.certificates.domain import CertificateStatus
from certflow.reporting.domain import Column, Table

# 审核方式 (市监认证(司)函〔2021〕102号): FS01 现场审核, FS02 远程审核, FS03 两者结合. certflow's audits are
# all on site (the scheme asks for an on-site audit), so every audit is FS01.
AUDIT_METHOD_ON_SITE = "FS01"

DECISION_LABELS = {"open": "审议中", "granted": "批准认证", "refused": "不予认证"}
# Statuses whose reason the platform must be told (ISO/IEC 17021-1 9.6.5; the certificate app's
# REASON_REQUIRED asks for one on suspend and revoke too).
STATUSES_NEEDING_REASON = frozenset({CertificateStatus.SUSPENDED, CertificateStatus.REVOKED})


def zh(label) -> str:
    """The Chinese text of a choice label, whatever language the request is in: the template is Chinese."""
    with translation.override("zh-hans"):
        return str(label)


def local_date(moment):
    return timezone.localtime(moment).date() if moment else None


def _scheme(audit) -> str:
    version = audit.scheme_version
    return f"{version.code} {version.version}" if version else ""


def _person(member) -> str:
    return member.user.full_name if member else ""


def _qualification(member) -> str:
    if member is None:
        return ""
    try:
        return member.user.auditor_profile.qualification_number
    except ObjectDoesNotExist:
        return ""


def _sites(audit) -> str:
    return "；".join(f"{s.name}（{s.address}）" if s.address else s.name for s in audit.sites.all())


def _person_days(source):
    days = len(source.audit.days or [])
    return days * len(source.team) if days and source.team else None


def _closing(audit):
    try:
        return audit.closing_meeting
    except ObjectDoesNotExist:
        return None


def _conclusion(source) -> str:
    meeting = _closing(source.audit)
    return meeting.conclusion if meeting else ""


def _decision_status(source) -> str:
    decision = source.decision
    if decision is None:
        return ""
    display = getattr(decision, "get_status_display", None)
    if display is None:
        return DECISION_LABELS.get(decision.status, decision.status)
    with translation.override("zh-hans"):
        return str(display())


def _decided_on(source):
    return getattr(source.decision, "decided_on", None) if source.decision is not None else None


def _members_registered(source) -> bool:
    return bool(source.members)


AUDIT_PLAN = Table(
    code="audit_plan",
    zh="审核计划信息表",
    en="Audit plan information",
    reference=lambda s: ("audit", s.audit.pk, s.audit.reference),
    columns=[
        Column("plan_number", "审核计划编号", "Audit plan number", lambda s: s.audit.reference, kind="code"),
        Column("org_name", "组织名称", "Organisation", lambda s: s.audit.enterprise.name, width=30),
        Column(
            "uscc", "统一社会信用代码", "Unified social credit code", lambda s: s.audit.enterprise.uscc, kind="code"
        ),
        Column("org_address", "组织地址", "Organisation address", lambda s: s.audit.enterprise.address, width=36),
        Column("sites", "审核场所", "Audited sites", lambda s: _sites(s.audit), width=40),
        Column("scheme", "认证依据", "Certification scheme", lambda s: _scheme(s.audit), width=26),
        Column("scope", "认证范围", "Scope", lambda s: s.scope, width=40),
        Column("audit_type", "审核类型", "Audit type", lambda s: zh(AuditType(s.audit.audit_type).label)),
        Column("audit_method", "审核方式", "Audit method", lambda s: AUDIT_METHOD_ON_SITE, kind="code", width=10),
        Column("start", "审核开始日期", "First audit day", lambda s: s.audit.first_day, kind="date", width=13),
        Column("end", "审核结束日期", "Last audit day", lambda s: s.audit.last_day, kind="date", width=13),
        Column("person_days", "审核人日", "Auditor-days", _person_days, kind="number", width=10),
        Column("lead", "审核组长", "Lead auditor", lambda s: _person(s.lead), width=12),
        Column("lead_number", "审核组长注册号", "Lead auditor's registration no.", lambda s: _qualification(s.lead)),
        Column(
            "members",
            "审核组员",
            "Team members",
            lambda s: "；".join(_person(m) for m in s.members),
            required=False,
            width=24,
        ),
        Column(
            "member_numbers",
            "审核组员注册号",
            "Members' registration nos.",
            # One number per member: a member without one leaves a gap the check must see.
            lambda s: (
                "；".join(_qualification(m) for m in s.members) if all(_qualification(m) for m in s.members) else ""
            ),
            required=_members_registered,
            width=30,
        ),
        Column(
            "notice_date", "审核通知日期", "Notice date", lambda s: s.audit.notice_sent_on, required=False, kind="date"
        ),
    ],
)


def _certificate_reason_required(source) -> bool:
    return source.status in STATUSES_NEEDING_REASON


def _status_changed(source) -> bool:
    return source.status != CertificateStatus.VALID or source.changed_in_month


CERTIFICATE = Table(
    code="certificate",
    zh="证书信息表",
    en="Certificate information",
    reference=lambda s: ("certificate", s.certificate.pk, s.certificate.number),
    columns=[
        Column("number", "证书编号", "Certificate number", lambda s: s.certificate.number, kind="code", width=24),
        Column("org_name", "组织名称", "Organisation", lambda s: s.certificate.enterprise_name, width=30),
        Column(
            "uscc",
            "统一社会信用代码",
            "Unified social credit code",
            lambda s: s.certificate.enterprise_uscc,
            kind="code",
        ),
        Column("org_address", "组织地址", "Organisation address", lambda s: s.certificate.enterprise_address, width=36),
        Column(
            "scheme",
            "认证依据",
            "Certification scheme",
            lambda s: f"{s.certificate.scheme_code} {s.certificate.scheme_version_label}".strip(),
            width=26,
        ),
        Column("scope", "认证范围", "Scope", lambda s: s.certificate.scope_text, width=40),
        Column("grade", "资质等级", "Grade", lambda s: s.certificate.grade_name, width=12),
        Column("issued_on", "颁证日期", "Issue date", lambda s: s.certificate.issued_on, kind="date", width=13),
        Column("expires_on", "证书到期日期", "Expiry date", lambda s: s.certificate.expires_on, kind="date", width=13),
        Column("status", "证书状态", "Certificate status", lambda s: zh(CertificateStatus(s.status).label), width=10),
        Column(
            "status_date",
            "状态变更日期",
            "Status change date",
            lambda s: s.status_since if _status_changed(s) else None,
            required=_status_changed,
            kind="date",
            width=13,
        ),
        Column(
            "status_reason",
            "状态变更原因",
            "Reason of the status change",
            lambda s: s.reason if _status_changed(s) else "",
            required=_certificate_reason_required,
            width=30,
        ),
        Column(
            "replaces",
            "原证书编号",
            "Replaces certificate",
            lambda s: s.certificate.supersedes.number if s.certificate.supersedes_id else "",
            required=False,
            kind="code",
            width=24,
        ),
    ],
)


AUDIT_RESULT = Table(
    code="audit_result",
    zh="审核结果信息表",
    en="Audit result information",
    reference=lambda s: ("audit", s.audit.pk, s.audit.reference),
    columns=[
        Column("plan_number", "审核计划编号", "Audit plan number", lambda s: s.audit.reference, kind="code"),
        Column("org_name", "组织名称", "Organisation", lambda s: s.audit.enterprise.name, width=30),
        Column(
            "uscc", "统一社会信用代码", "Unified social credit code", lambda s: s.audit.enterprise.uscc, kind="code"
        ),
        Column("audit_type", "审核类型", "Audit type", lambda s: zh(AuditType(s.audit.audit_type).label)),
        Column("start", "审核开始日期", "First audit day", lambda s: s.audit.first_day, kind="date", width=13),
        Column("end", "审核结束日期", "Last audit day", lambda s: s.audit.last_day, kind="date", width=13),
        Column("lead", "审核组长", "Lead auditor", lambda s: _person(s.lead), width=12),
        Column(
            "closing_date",
            "末次会议日期",
            "Closing meeting date",
            lambda s: local_date(s.audit.closed_at),
            kind="date",
            width=13,
        ),
        Column("conclusion", "审核结论", "Audit conclusion", _conclusion, width=40),
        Column("major", "严重不符合项数", "Major nonconformities", lambda s: s.audit.major_count, kind="number"),
        Column("minor", "一般不符合项数", "Minor nonconformities", lambda s: s.audit.minor_count, kind="number"),
        Column(
            "passed_on",
            "审核通过日期",
            "Audit passed on",
            lambda s: local_date(s.audit.passed_at),
            required=False,
            kind="date",
            width=13,
        ),
        Column("decision", "认证决定", "Certification decision", _decision_status, required=False, width=12),
        Column("decided_on", "认证决定日期", "Decision date", _decided_on, required=False, kind="date", width=13),
        Column(
            "certificate_number",
            "证书编号",
            "Certificate number",
            lambda s: s.certificate_number,
            required=False,
            kind="code",
            width=24,
        ),
    ],
)

TABLES = (AUDIT_PLAN, CERTIFICATE, AUDIT_RESULT)
