"""Demo on-site audits, one in each planning state, made through the services:

- 锦程 (document review passed in the reviews demo): scheduled — days agreed, team, sites and schedule
  set; the notice is ready to send and the planning page shows its last allowed day;
- 鹏城定制: planning — just opened, nothing proposed yet;
- 蓉城衣匠: dates proposed — the enterprise declined the first proposal with its own days, the programme
  manager answered with new ones (the whole exchange is on record);
- 津门木作: notified — the notice PDF sent.

Idempotent: an enterprise that already has an audit is skipped. The scenario is dated from a reference day
no later than 4 December 2026, so every audit day and notice period stays inside the years the holiday
calendar covers (decisions W1); a demo loaded later keeps those dates.

`notified_audit(spec, days=..., sent_on=...)` builds one more notified audit for another demo step (the
conduct of the audit) with days of its choosing.
"""

from datetime import date, time

from django.utils import timezone

from certflow.accounts.models import User
from certflow.audits.models import Audit
from certflow.audits.services import planning
from certflow.core.workdays.services import add_working_days
from certflow.reviews import services as review_services
from certflow.reviews.demo import PASSED, _accepted_application, _enterprise, _record

MANAGER, CLERK = "manager@olis-cert.example", "clerk@olis-cert.example"
LEAD, AUDITOR = "lead@olis-cert.example", "auditor@olis-cert.example"
LATEST_BASE = date(2026, 12, 4)

# (name, first 17 characters of the USCC, address, owner e-mail, owner name). Fictional companies.
PLANNING = (
    "深圳鹏城定制家居有限公司",
    "91440300MA5G8KQ02",
    "广东省深圳市南山区科技园南区18栋",
    "owner@pengcheng.example",
    "黄志明",
)
PROPOSED = (
    "成都蓉城衣匠定制服饰有限公司",
    "91510100MA6C2XH05",
    "四川省成都市高新区天府三街199号",
    "owner@rongcheng.example",
    "杜晓雯",
)
NOTIFIED = (
    "天津津门木作定制家具有限公司",
    "91120116MA07R3Y01",
    "天津市滨海新区经济技术开发区第九大街36号",
    "owner@jinmen.example",
    "孟凡",
)


def _passed_application(spec, clerk: User, reviewer: User, received: date):
    """An enterprise's application with its document review passed (no findings), through the services."""
    owner, enterprise = _enterprise(spec)
    # These enterprises are the demo's own: their one application, whatever stage it reached since.
    application = enterprise.applications.order_by("id").first()
    if application is None:
        application = _accepted_application(owner, enterprise, clerk, received)
        review = review_services.review_assign(by=clerk, application=application, reviewer=reviewer)
        _record(review, reviewer)
        review_services.review_complete(
            by=reviewer,
            review=review,
            summary="文件审核未发现不符合项，文件化管理符合认证规范第 4 章要求，可安排现场审核。",
            today=received,
        )
        application.refresh_from_db()
    return owner, enterprise, application


def _plan(audit: Audit, manager: User, lead: User, member: User, days) -> None:
    """Team, two more sites and a schedule over the agreed days."""
    planning.team_set(by=manager, audit=audit, members=[lead, member], lead=lead)
    studio = planning.site_add(
        by=manager, audit=audit, kind="design_studio", name="设计中心", address=f"{audit.enterprise.address}（二楼）"
    )
    planning.site_add(
        by=manager, audit=audit, kind="inspection_lab", name="质检室", address=f"{audit.enterprise.address}（一楼东侧）"
    )
    workshop = audit.sites.filter(kind="workshop").first()
    first, last = days[0], days[-1]
    lines = [
        (first, time(9, 0), time(9, 30), "首次会议", None, None, []),
        (first, time(9, 30), time(12, 0), "设计过程与设计规范审核", studio, lead, ["4.3.1-1", "4.3.1-2", "4.2-2"]),
        (first, time(9, 30), time(12, 0), "生产设备与生产过程审核", workshop, member, ["4.3.2-1", "4.3.2-2", "4.4-1"]),
        (first, time(13, 30), time(17, 0), "安全生产与环境保护现场检查", workshop, member, ["4.8-1", "4.9-1", "4.9-4"]),
        (last, time(9, 0), time(11, 30), "客户服务与售后回访记录审核", studio, lead, ["4.3.3-1", "4.6-1", "4.6-2"]),
        (last, time(14, 0), time(15, 0), "末次会议", None, None, []),
    ]
    for day, start, end, activity, site, auditor, items in lines:
        planning.schedule_slot_add(
            by=manager,
            audit=audit,
            day=day,
            start=start,
            end=end,
            activity=activity,
            site=site,
            auditor=auditor,
            item_ids=items,
        )


def notified_audit(spec, *, days, sent_on: date, propose_on: date | None = None) -> Audit:
    """A notified initial audit of a new demo enterprise `spec` on `days` (lead 陈刚, auditor 王强), the notice
    sent on `sent_on`; the dates are proposed and confirmed on `propose_on` (default: `sent_on`). Returns the
    enterprise's existing audit when it has one."""
    manager, clerk, lead, member = (User.objects.get(email=e) for e in (MANAGER, CLERK, LEAD, AUDITOR))
    propose_on = propose_on or sent_on
    owner, enterprise, application = _passed_application(spec, clerk, member, propose_on)
    existing = Audit.objects.filter(enterprise=enterprise).first()
    if existing is not None:
        return existing
    audit = planning.audit_create(by=manager, application=application, today=propose_on)
    proposal = planning.dates_propose(
        by=manager, audit=audit, days=list(days), message="请确认现场审核日期。", today=propose_on
    )
    planning.dates_confirm(by=owner, audit=audit, proposal=proposal, today=propose_on)
    audit.refresh_from_db()
    _plan(audit, manager, lead, member, list(days))
    planning.notice_send(by=manager, audit=audit, today=sent_on)
    audit.refresh_from_db()
    return audit


def seed(stdout) -> list[tuple[str, str]]:
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    base = min(today, LATEST_BASE)
    manager, clerk, lead, member = (User.objects.get(email=e) for e in (MANAGER, CLERK, LEAD, AUDITOR))
    # The audit days: the 8th and 9th working days after the reference day, so a notice sent on it is in time.
    days = [add_working_days(base, 8), add_working_days(base, 9)]

    # Notified.
    notified = notified_audit(NOTIFIED, days=days, sent_on=base)

    # Scheduled: 锦程's review passed in the reviews demo.
    owner, enterprise = _enterprise(PASSED)
    application = enterprise.applications.filter(status="document_review_passed").first()
    if application is not None and not Audit.objects.filter(enterprise=enterprise).exists():
        audit = planning.audit_create(by=manager, application=application, today=base)
        proposal = planning.dates_propose(
            by=manager, audit=audit, days=days, message="拟安排两天现场审核。", today=base
        )
        planning.dates_confirm(by=owner, audit=audit, proposal=proposal, today=base)
        audit.refresh_from_db()
        _plan(audit, manager, lead, member, days)

    # Dates proposed, after an enterprise counter-proposal.
    owner, enterprise, application = _passed_application(PROPOSED, clerk, member, base)
    if not Audit.objects.filter(enterprise=enterprise).exists():
        audit = planning.audit_create(by=manager, application=application, today=base)
        first = planning.dates_propose(by=manager, audit=audit, days=days, message="拟安排两天现场审核。", today=base)
        later = [add_working_days(base, 11), add_working_days(base, 12)]
        planning.dates_counter(
            by=owner,
            audit=audit,
            proposal=first,
            days=later,
            message="原定日期与我司年度盘点冲突，请改至以下日期。",
            today=base,
        )
        planning.dates_propose(
            by=manager,
            audit=audit,
            days=[later[0], add_working_days(later[0], 1)],
            message="审核组长首日另有安排，调整为以下两天，请确认。",
            today=base,
        )

    # Planning: just opened.
    owner, enterprise, application = _passed_application(PLANNING, clerk, member, base)
    if not Audit.objects.filter(enterprise=enterprise).exists():
        planning.audit_create(by=manager, application=application, today=base)

    stdout.write(f"  现场审核：{notified.reference} 已发通知；锦程 日期已确认；蓉城衣匠 待企业确认；鹏城 策划中")
    return [
        (MANAGER, "现场审核策划：4 项审核（策划中 / 待确认 / 已确认 / 已通知）"),
        (PROPOSED[3], f"企业管理员 · {PROPOSED[0]} · 待确认现场审核日期"),
        (NOTIFIED[3], f"企业管理员 · {NOTIFIED[0]} · 已收到审核通知"),
    ]
