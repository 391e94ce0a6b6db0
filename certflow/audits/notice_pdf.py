"""The audit notice (审核通知, clause 6 现场审核 1) as a Chinese A4 PDF with its font embedded.

The PDF is built once, when the notice is sent, and kept with its SHA-256: the enterprise downloads the
very document it received.
"""

from datetime import date

from django.utils import translation
from reportlab.platypus import KeepTogether, Spacer

from certflow.audits.domain import AuditType, notice_deadline_name, parse_days
from certflow.audits.models import Audit, TeamRole
from certflow.core.pdf import CONTENT_WIDTH, build_pdf, para, table

MM = 72 / 25.4
WEEKDAYS = "一二三四五六日"


def _date(value: date | None) -> str:
    return "—" if value is None else f"{value.year}年{value.month}月{value.day}日"


def _day(value: date) -> str:
    return f"{_date(value)}（星期{WEEKDAYS[value.weekday()]}）"


def _person(user) -> str:
    return (user.full_name or user.email) if user else "—"


def notice_pdf(audit: Audit, *, sent_on: date, last_allowed: date, sender=None) -> bytes:
    """The notice of `audit` as sent on `sent_on` (the plan is read from the database as it stands).

    The notice is a Chinese document whoever sends it: labels are rendered in Chinese.
    """
    with translation.override("zh-hans"):
        return _notice_pdf(audit, sent_on=sent_on, last_allowed=last_allowed, sender=sender)


def _notice_pdf(audit: Audit, *, sent_on: date, last_allowed: date, sender) -> bytes:
    from certflow.auditors.models import AuditorProfile

    scheme = audit.scheme_version.as_scheme()
    enterprise = audit.enterprise
    days = parse_days(audit.days)
    deadline = scheme.deadline(notice_deadline_name(audit.audit_type))
    members = list(audit.team.filter(removed_at__isnull=True).select_related("user").order_by("-role", "id"))
    numbers = dict(
        AuditorProfile.objects.filter(user_id__in=[m.user_id for m in members]).values_list(
            "user_id", "qualification_number"
        )
    )
    sites = list(audit.sites.all())
    slots = list(audit.schedule.select_related("site", "auditor").all())
    items = scheme.items_for_stage("onsite_audit")
    titles = {c.number: c.title.zh for c in scheme.clauses}

    story = [para("现场审核通知", "title")]
    story.append(para(f"致：{enterprise.name}"))
    story.append(
        para(
            f"根据 {scheme.code}《{scheme.title.zh}》（版本 {scheme.version}）第6章 认证流程 现场审核的规定，"
            f"{scheme.issuer.zh}定于下列日期对贵单位实施{AuditType(audit.audit_type).label}，现将审核安排通知如下。"
        )
    )
    facts = [
        ["认证机构", scheme.issuer.zh],
        ["审核编号", audit.reference],
        ["受审核企业", enterprise.name],
        ["统一社会信用代码", enterprise.uscc],
        ["企业地址", enterprise.address or "—"],
        ["审核类型", str(AuditType(audit.audit_type).label)],
        ["认证规范", f"{scheme.code}《{scheme.title.zh}》 版本 {scheme.version}"],
        ["审核日期", "\n".join(_day(d) for d in days)],
    ]
    if audit.application_id:
        facts.insert(2, ["申请编号", audit.application.reference])
    elif audit.certificate_id:
        facts.insert(2, ["证书编号", audit.certificate.number])
    if audit.audit_type == AuditType.SPECIAL and audit.special_reason:
        facts.append(["特殊审核事由", audit.special_reason])
    story.append(table(facts, [38 * MM, CONTENT_WIDTH - 38 * MM], header=False))

    story.append(para("一、审核组", "heading"))
    rows = [["姓名", "组内角色", "资格证书编号"]]
    for member in members:
        rows.append([_person(member.user), str(TeamRole(member.role).label), numbers.get(member.user_id, "—")])
    story.append(table(rows, [50 * MM, 40 * MM, CONTENT_WIDTH - 90 * MM]))

    story.append(para("二、审核场所", "heading"))
    rows = [["场所类型", "名称", "地址"]] + [[s.get_kind_display(), s.name, s.address] for s in sites]
    story.append(table(rows, [32 * MM, 50 * MM, CONTENT_WIDTH - 82 * MM]))

    story.append(para("三、审核日程", "heading"))
    if slots:
        rows = [["日期", "时间", "审核活动", "场所", "审核员", "条款项"]]
        for slot in slots:
            rows.append(
                [
                    f"{slot.day:%m-%d}",
                    f"{slot.start:%H:%M}–{slot.end:%H:%M}",
                    slot.activity,
                    slot.site.name if slot.site else "—",
                    _person(slot.auditor) if slot.auditor else "全体",
                    "、".join(slot.item_ids) or "—",
                ]
            )
        story.append(table(rows, [16 * MM, 24 * MM, 50 * MM, 30 * MM, 24 * MM, CONTENT_WIDTH - 144 * MM]))
    else:
        story.append(para("日程由审核组长在首次会议上确认。"))

    story.append(para("四、现场审核条款项", "heading"))
    rows = [["条款", "条款项", "要求"]]
    for item in items:
        rows.append([f"{item.clause} {titles.get(item.clause, '')}", item.id, item.title.zh])
    story.append(table(rows, [45 * MM, 20 * MM, CONTENT_WIDTH - 65 * MM]))

    closing = [
        para("五、说明", "heading"),
        para(
            f"本通知于{_date(sent_on)}发出。按认证规范要求，审核通知须至少提前 {deadline.amount} 个工作日发出"
            f"（{deadline.description.zh}；依据：{deadline.source}），工作日按国务院公布的法定节假日及调休安排计算；"
            f"本次审核首个审核日为{_date(days[0]) if days else '—'}，最迟通知日为{_date(last_allowed)}。"
        ),
        para(
            "请贵单位安排熟悉业务的人员陪同审核，并准备运营管理、设备、产品质量指标、环境保护、安全管理、"
            "客户服务等方面的记录备查。审核中发现的不符合项将在现场与贵单位确认，并在末次会议上通报审核结果和整改要求。"
        ),
        Spacer(1, 4 * MM),
        table(
            [
                ["联系人", _person(sender), "电子邮箱", getattr(sender, "email", "") or "—"],
                ["发出单位", scheme.issuer.zh, "发出日期", _date(sent_on)],
            ],
            [24 * MM, 60 * MM, 24 * MM, CONTENT_WIDTH - 108 * MM],
            header=False,
        ),
    ]
    story.append(KeepTogether(closing))

    return build_pdf(
        story,
        title=f"现场审核通知 {audit.reference}",
        subject=f"{enterprise.name} · {scheme.code} {scheme.version}",
        author=scheme.issuer.zh,
        header_text=f"{scheme.issuer.zh} · 现场审核通知 · {audit.reference}",
        footer_text=f"{scheme.code} {scheme.version} · {enterprise.name}",
    )
