"""Demo of the surveillance programme: five A/0 certificates of new demo enterprises, one in each situation,
made through the services (certificates, audit planning and conduct), dated back from a reference day no later
than 4 December 2026 so that audit days and notices stay inside the years the holiday calendar covers:

- 佛山木语: surveillance overdue — its first window closed some three months ago with no audit;
- 广州织锦: surveillance planned — window open, a surveillance audit with dates proposed in the coming weeks;
- 江门锦程: surveillance due — its first window opened a month ago, nothing planned yet;
- 珠海巧匠: surveillance done — audit held inside the window with nothing found, passed; next window not open;
- 中山优品: a surveillance audit whose closing meeting listed a major nonconformity: the certificate was
  suspended at once with the reason; the corrections are still open.

The certificates demo's own A/0 certificates (深圳匠心, 杭州云裳 …) appear on the dashboard as well.
Idempotent: an enterprise that already has a certificate is left as it is. Runs after certflow.lifecycle.demo.
"""

from datetime import date, datetime, time

from django.utils import timezone

from certflow.accounts.models import User
from certflow.audits.demo import LATEST_BASE
from certflow.audits.models import Audit, ClosingMeeting, Finding, NonconformityConfirmation
from certflow.audits.selectors import audit_items
from certflow.audits.services import conduct, planning
from certflow.certificates import services as certificate_services
from certflow.certificates.models import Certificate
from certflow.core.schemes.services import scheme_version_for
from certflow.core.workdays.services import add_working_days, subtract_working_days
from certflow.reviews.models import Nonconformity
from certflow.surveillance.domain import add_months
from certflow.surveillance.programme_state import refresh_enterprise

MANAGER, COMMITTEE = "manager@olis-cert.example", "committee@olis-cert.example"
LEAD, AUDITOR = "lead@olis-cert.example", "auditor@olis-cert.example"
FULL_SCOPE = ["requirements_research", "solution_design", "manufacturing", "quality_inspection", "after_sales"]

# (name, first 17 characters of the USCC, address, owner e-mail, owner name). Fictional companies.
OVERDUE = (
    "佛山木语定制家具有限公司",
    "91440604MA55QW101",
    "广东省佛山市禅城区季华五路22号",
    "owner@muyu.example",
    "何嘉俊",
)
PLANNED = (
    "广州织锦定制服饰有限公司",
    "91440104MA5CQW202",
    "广东省广州市越秀区环市东路339号",
    "owner@zhijin.example",
    "罗小燕",
)
DUE = (
    "江门锦程定制家居有限公司",
    "91440703MA4WQW303",
    "广东省江门市蓬江区建设路66号",
    "owner@jincheng.example",
    "甘志强",
)
DONE = (
    "珠海巧匠定制门窗有限公司",
    "91440402MA4UQW404",
    "广东省珠海市香洲区前山路88号",
    "owner@qiaojiang.example",
    "邓丽",
)
MAJOR = (
    "中山优品定制橱柜有限公司",
    "91442000MA52QW505",
    "广东省中山市石岐区中山五路12号",
    "owner@youpin.example",
    "冯建华",
)

MAJOR_FINDINGS = {
    "4.3-1": ("major", "抽查 3 个在制订单，其中 2 个柜体尺寸偏差超过设计允差 3 mm，未见返工处理记录。"),
    "4.1-3": ("minor", "新入职的 2 名安装工未见岗前培训考核记录。"),
}
ATTENDEES = [
    {"name": "陈刚", "title": "审核组长", "side": "cb"},
    {"name": "王强", "title": "审核员", "side": "cb"},
]


def _at(day: date, hour: int, minute: int = 0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)), timezone.get_default_timezone())


def _certificate(spec, issued_on: date, committee: User) -> tuple[User, Certificate | None]:
    from certflow.reviews.demo import _enterprise

    owner, enterprise = _enterprise(spec)
    if Certificate.objects.filter(enterprise=enterprise).exists():
        return owner, None
    certificate = certificate_services.certificate_issue(
        by=committee,
        enterprise=enterprise,
        scheme_version=scheme_version_for(),
        grade_code="four_star",
        scope={"categories": ["custom_furniture"], "services": FULL_SCOPE},
        issued_on=issued_on,
        today=issued_on,
    )
    return owner, certificate


def _notified(certificate, owner, *, manager, lead, member, sent_on: date) -> tuple[Audit, list[date]]:
    days = [add_working_days(sent_on, 8), add_working_days(sent_on, 9)]
    audit = planning.surveillance_audit_create(
        by=manager, certificate=certificate, objectives="第一次监督审核：认证范围内的持续符合性。", today=sent_on
    )
    proposal = planning.dates_propose(by=manager, audit=audit, days=days, message="请确认监督审核日期。", today=sent_on)
    planning.dates_confirm(by=owner, audit=audit, proposal=proposal, today=sent_on)
    planning.team_set(by=manager, audit=audit, members=[lead, member], lead=lead)
    workshop = audit.sites.first() or planning.site_add(
        by=manager, audit=audit, kind="workshop", name="生产车间", address=certificate.enterprise_address or "—"
    )
    for day, start, end, activity in (
        (days[0], time(9, 0), time(9, 30), "首次会议"),
        (days[0], time(9, 30), time(17, 0), "监督审核：生产过程、人员、设备"),
        (days[1], time(9, 0), time(11, 30), "用户反馈与重大变更核查"),
        (days[1], time(14, 0), time(15, 0), "末次会议"),
    ):
        planning.schedule_slot_add(
            by=manager, audit=audit, day=day, start=start, end=end, activity=activity, site=workshop
        )
    planning.notice_send(by=manager, audit=audit, today=sent_on)
    audit.refresh_from_db()
    return audit, days


def _held(audit, owner, days, *, lead, member, findings) -> None:
    conduct.audit_start(by=lead, audit=audit, today=days[0])
    for item in audit_items(audit):
        result, note = findings.get(item.id, ("conform", ""))
        conduct.finding_record(
            by=member, audit=audit, item_id=item.id, result=result, note=note, revision=0, client_token=f"sv-{item.id}"
        )
    for item_id in findings:
        nc = conduct.nonconformity_raise_from_finding(by=member, audit=audit, item_id=item_id, today=days[0])
        conduct.nonconformity_confirm(by=owner, nonconformity=nc, representative_title="总经理", remark="确认。")
    conduct.closing_meeting_hold(
        by=lead,
        audit=audit,
        held_at=_at(days[-1], 15),
        attendees=[*ATTENDEES, {"name": owner.full_name, "title": "总经理", "side": "enterprise"}],
        conclusion=(
            "监督审核发现严重不符合 1 项、一般不符合 1 项；严重不符合项影响认证有效性，证书暂停至整改验证有效。"
            if findings
            else "企业持续符合认证规范要求，未发现不符合项，保持认证。"
        ),
        today=days[-1],
    )
    # The scenario happened on its audit days (the event log keeps the real load times).
    Audit.objects.filter(pk=audit.pk).update(started_at=_at(days[0], 9, 30), closed_at=_at(days[-1], 15, 30))
    Audit.objects.filter(pk=audit.pk, passed_at__isnull=False).update(passed_at=_at(days[-1], 15, 30))
    Finding.objects.filter(audit=audit).update(recorded_at=_at(days[0], 16))
    Nonconformity.objects.filter(audit=audit).update(raised_at=_at(days[0], 17))
    NonconformityConfirmation.objects.filter(nonconformity__audit=audit).update(confirmed_at=_at(days[-1], 11))
    ClosingMeeting.objects.filter(audit=audit).update(recorded_at=_at(days[-1], 15, 30))
    # QuerySet.update() sends no signal: the audit's held day moved, so its programme is computed again.
    refresh_enterprise(audit.enterprise_id)


def seed(stdout) -> list[tuple[str, str]]:
    users = {e: User.objects.filter(email=e).first() for e in (MANAGER, COMMITTEE, LEAD, AUDITOR)}
    if any(u is None for u in users.values()):
        return []
    manager, committee, lead, member = (users[e] for e in (MANAGER, COMMITTEE, LEAD, AUDITOR))
    base = min(timezone.localdate(), LATEST_BASE)

    _certificate(OVERDUE, add_months(base, -15), committee)
    _certificate(DUE, add_months(base, -10), committee)

    owner, certificate = _certificate(PLANNED, add_months(base, -11), committee)
    if certificate is not None:
        audit = planning.surveillance_audit_create(by=manager, certificate=certificate, today=base)
        days = [add_working_days(base, 12), add_working_days(base, 13)]
        planning.dates_propose(by=manager, audit=audit, days=days, message="请确认监督审核日期。", today=base)

    owner, certificate = _certificate(DONE, add_months(base, -14), committee)
    if certificate is not None:
        sent_on = subtract_working_days(add_months(base, -4), 10)
        audit, days = _notified(certificate, owner, manager=manager, lead=lead, member=member, sent_on=sent_on)
        _held(audit, owner, days, lead=lead, member=member, findings={})

    owner, certificate = _certificate(MAJOR, add_months(base, -13), committee)
    if certificate is not None:
        sent_on = subtract_working_days(base, 40)
        audit, days = _notified(certificate, owner, manager=manager, lead=lead, member=member, sent_on=sent_on)
        _held(audit, owner, days, lead=lead, member=member, findings=MAJOR_FINDINGS)

    stdout.write("  持续监督：木语 逾期；织锦 已安排；锦程 应安排；巧匠 已完成；优品 严重不符合项 → 证书暂停")
    return [
        (MANAGER, "审核方案管理 · 持续监督 /surveillance/"),
        (MAJOR[3], f"企业管理员 · {MAJOR[0]} · 监督审核严重不符合项，证书暂停"),
    ]
