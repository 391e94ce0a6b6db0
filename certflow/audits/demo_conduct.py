"""Demo of the conduct of on-site audits, made through the services on audits notified by the planning demo's
`notified_audit`:

- 温州瓯江: in progress — started on its first audit day, half the checklist recorded, a minor nonconformity
  raised and confirmed by the enterprise, a major one raised and awaiting confirmation;
- 佛山木匠坊: corrections — closing meeting held, a major and a minor nonconformity open, confirmed by the
  enterprise, the major's deadline a few days away;
- 苏州姑苏: passed — nothing found wanting, so the closing meeting passed the audit (and the application) at once.

No corrective action is made here: the reviews demo's test counts every corrective action in the demo; the
correction loop of on-site nonconformities (verification, accepted plans) is the reviews one, shown there.

Idempotent: an enterprise whose audit already left `notified` is skipped. The scenarios are dated back from a
reference day no later than 4 December 2026, so audit days and notices stay inside the years the holiday
calendar covers (decisions W1); correction deadlines are calendar days and may run into 2027 (provisional).
"""

from datetime import datetime, time

from django.utils import timezone

from certflow.accounts.models import User
from certflow.accounts.uscc import check_character
from certflow.audits.demo import LATEST_BASE, LEAD, notified_audit
from certflow.audits.domain import AuditStatus
from certflow.audits.models import Audit, ClosingMeeting, Finding, NonconformityConfirmation
from certflow.audits.selectors import audit_items
from certflow.audits.services import conduct
from certflow.core.workdays.services import add_working_days, subtract_working_days
from certflow.reviews.models import Nonconformity

AUDITOR = "auditor@olis-cert.example"

# (name, first 17 characters of the USCC, address, owner e-mail, owner name). Fictional companies.
IN_PROGRESS = (
    "温州瓯江定制鞋服有限公司",
    "91330302MA2J8LQ04",
    "浙江省温州市鹿城区学院中路256号",
    "owner@oujiang.example",
    "林晓峰",
)
CORRECTIONS = (
    "佛山顺德木匠坊定制家具有限公司",
    "91440606MA4UKX502",
    "广东省佛山市顺德区北滘镇工业大道8号",
    "owner@mujiangfang.example",
    "梁伟",
)
PASSED = (
    "苏州姑苏定制家居有限公司",
    "91320508MA1MT6P04",
    "江苏省苏州市姑苏区干将西路1111号",
    "owner@gusu.example",
    "周敏",
)

NOTES = {
    "4.1-1": "现场查看组织架构图，设计、生产、质检、客服岗位均有专人，与花名册一致。",
    "4.3.2-1": "车间按工艺流程布局，关键工序作业指导书张贴在工位。",
    "4.4-1": "抽查封边机、数控开料机维护记录，均按月保养。",
    "4.9-1": "安全生产责任制已签订至班组长。",
}
FINDINGS = {
    "4.5-1": ("minor", "抽查 5 名新入职员工，其中 2 名无岗前培训考核记录。"),
    "4.9-2": ("major", "喷涂车间消防通道被成品堆放堵塞，灭火器 2 具过期未检。"),
}
ATTENDEES = [
    {"name": "陈刚", "title": "审核组长", "side": "cb"},
    {"name": "王强", "title": "审核员", "side": "cb"},
]


def _users():
    return User.objects.get(email=LEAD), User.objects.get(email=AUDITOR)


def _record(audit, member, items, findings=FINDINGS) -> None:
    for item in items:
        if Finding.objects.filter(audit=audit, item_id=item.id).exists():
            continue
        result, note = findings.get(item.id, ("conform", NOTES.get(item.id, "")))
        conduct.finding_record(
            by=member,
            audit=audit,
            item_id=item.id,
            result=result,
            note=note,
            revision=0,
            client_token=f"demo-{item.id}",
        )


def _raise_all(audit, member, on) -> list[Nonconformity]:
    return [
        conduct.nonconformity_raise_from_finding(by=member, audit=audit, item_id=item_id, today=on)
        for item_id in FINDINGS
        if not Nonconformity.objects.filter(audit=audit, item_id=item_id).exists()
    ]


def _started(spec, *, sent_on):
    lead, member = _users()
    days = [add_working_days(sent_on, 8), add_working_days(sent_on, 9)]
    if Audit.objects.filter(enterprise__uscc=spec[1] + check_character(spec[1])).exists():
        return None, days  # loaded before: its application has moved past document review
    audit = notified_audit(spec, days=days, sent_on=sent_on)
    if audit.status != AuditStatus.NOTIFIED:
        return None, days
    return conduct.audit_start(by=lead, audit=audit, today=days[0]), days


def _closed(audit, owner, days, findings=FINDINGS) -> list[Nonconformity]:
    lead, member = _users()
    _record(audit, member, audit_items(audit), findings)
    ncs = _raise_all(audit, member, days[0]) if findings else []
    for nc in ncs:
        conduct.nonconformity_confirm(
            by=owner, nonconformity=nc, representative_title="总经理", remark="确认，将按期整改。"
        )
    held = timezone.make_aware(datetime.combine(days[-1], time(15, 0)))
    conduct.closing_meeting_hold(
        by=lead,
        audit=audit,
        held_at=held,
        attendees=[*ATTENDEES, {"name": owner.full_name, "title": "总经理", "side": "enterprise"}],
        conclusion=(
            "企业定制服务管理体系基本符合认证规范要求，存在严重不符合 1 项、一般不符合 1 项，须按期整改。"
            if ncs
            else "企业定制服务管理体系符合认证规范要求，未发现不符合项。"
        ),
        recommendation="严重不符合项验证关闭、一般不符合项验证关闭或整改计划获接受后，推荐认证。"
        if ncs
        else "推荐认证。",
        today=days[-1],
    )
    return list(Nonconformity.objects.filter(audit=audit).order_by("number"))


def _backdate(audit, days) -> None:
    """The scenario happened on its audit days: move the record times there (the event log keeps the real
    times the demo was loaded, as in the reviews demo)."""

    def at(day, hour, minute=0):
        return timezone.make_aware(datetime.combine(day, time(hour, minute)), timezone.get_default_timezone())

    Audit.objects.filter(pk=audit.pk).update(started_at=at(days[0], 9, 30))
    Audit.objects.filter(pk=audit.pk, closed_at__isnull=False).update(closed_at=at(days[-1], 15, 30))
    Audit.objects.filter(pk=audit.pk, passed_at__isnull=False).update(passed_at=at(days[-1], 15, 30))
    Finding.objects.filter(audit=audit).update(recorded_at=at(days[0], 16))
    Nonconformity.objects.filter(audit=audit).update(raised_at=at(days[0], 17))
    NonconformityConfirmation.objects.filter(nonconformity__audit=audit).update(confirmed_at=at(days[-1], 11))
    ClosingMeeting.objects.filter(audit=audit).update(recorded_at=at(days[-1], 15, 30))


def seed(stdout) -> list[tuple[str, str]]:
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    base = min(today, LATEST_BASE)
    lead, member = _users()

    # In progress: started on its first audit day (two working days ago), half the checklist done.
    audit, days = _started(IN_PROGRESS, sent_on=subtract_working_days(base, 10))
    if audit is not None:
        owner = User.objects.get(email=IN_PROGRESS[3])
        items = audit_items(audit)
        _record(audit, member, [*items[: len(items) // 2], *(i for i in items if i.id == "4.5-1")])
        _record(audit, lead, [i for i in items if i.id == "4.9-2"])
        minor, major = _raise_all(audit, member, days[0])
        conduct.nonconformity_confirm(by=owner, nonconformity=minor, representative_title="总经理")
        _backdate(audit, days)

    # Corrections: the closing meeting some weeks ago; the minor's corrective action awaits verification.
    audit, days = _started(CORRECTIONS, sent_on=subtract_working_days(base, 30))
    if audit is not None:
        owner = User.objects.get(email=CORRECTIONS[3])
        _closed(audit, owner, days)
        _backdate(audit, days)

    # Passed: nothing found wanting, so the closing meeting passed the audit at once.
    audit, days = _started(PASSED, sent_on=subtract_working_days(base, 60))
    if audit is not None:
        owner = User.objects.get(email=PASSED[3])
        _closed(audit, owner, days, findings={})
        _backdate(audit, days)

    stdout.write("  现场审核实施：瓯江 审核中；木匠坊 整改验证中；姑苏 已通过")
    return [
        (LEAD, "审核组长 · 现场审核检查表、末次会议、整改验证"),
        (IN_PROGRESS[3], f"企业管理员 · {IN_PROGRESS[0]} · 现场审核中，有不符合项待确认"),
        (CORRECTIONS[3], f"企业管理员 · {CORRECTIONS[0]} · 现场审核整改中"),
    ]
