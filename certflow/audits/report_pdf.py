"""The on-site audit report (现场审核报告, clause 6 现场审核 2–3) as a Chinese PDF with its font embedded."""

from fractions import Fraction

from django.utils import timezone, translation
from reportlab.lib import colors
from reportlab.platypus import KeepTogether, Spacer, TableStyle

from certflow.audits.domain import AuditStatus, AuditType
from certflow.audits.models import Audit, ClosingMeeting
from certflow.audits.selectors import findings_checklist, scheme_of
from certflow.core.pdf import CONTENT_WIDTH, build_pdf, para, table
from certflow.reviews.domain import ChecklistResult, NonconformityGrade, NonconformityState

MM = 72 / 25.4
SHADE = colors.HexColor("#f3f3f3")


def _date(value) -> str:
    if value is None:
        return "—"
    if hasattr(value, "astimezone"):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def _datetime(value) -> str:
    if value is None:
        return "—"
    local = timezone.localtime(value)
    return f"{_date(local)} {local:%H:%M}"


def _num(value) -> str:
    if value is None:
        return "—"
    text = f"{float(Fraction(value)):.1f}"
    return text[:-2] if text.endswith(".0") else text


def _person(user) -> str:
    return (user.full_name or user.email) if user else "—"


def _finding_text(finding) -> str:
    if finding is None:
        return ""
    if finding.result == ChecklistResult.NOT_APPLICABLE:
        return f"不适用理由：{finding.na_reason}" + (f"\n{finding.note}" if finding.note else "")
    files = list(finding.files.all())
    return finding.note + (f"\n证据：{'、'.join(f.original_name for f in files)}" if files else "")


def audit_report_pdf(audit: Audit) -> bytes:
    """The report of `audit` (load it with `selectors.conduct_detail` to keep the queries few).

    Always Chinese, whatever language the reader's pages are in: it is the formal record."""
    with translation.override("zh-hans"):
        return _report(audit)


def _report(audit: Audit) -> bytes:
    enterprise = audit.enterprise
    scheme = scheme_of(audit)
    meeting = ClosingMeeting.objects.filter(audit=audit).first()
    draft = meeting is None
    groups, score = findings_checklist(audit)
    team = "、".join(f"{_person(m.user)}（{m.get_role_display()}）" for m in audit.active_team) or "—"
    sites = "；".join(f"{s.name}（{s.address}）" for s in audit.sites.all()) or "—"
    days = "、".join(audit.days) or "—"

    story = [para("现场审核报告" + ("（草稿）" if draft else ""), "title")]
    if draft:
        story.append(para("本报告为审核进行中的草稿，末次会议后方为正式现场审核报告。", "small"))
    story.append(
        table(
            [
                ["认证机构", scheme.issuer.zh],
                ["审核编号", audit.reference],
                ["审核类型", str(AuditType(audit.audit_type).label)],
                ["申请编号", audit.application.reference if audit.application_id else "—"],
                ["受审核企业", enterprise.name],
                ["统一社会信用代码", enterprise.uscc],
                ["认证规范", f"{scheme.code}《{scheme.title.zh}》 版本 {scheme.version}"],
                ["审核日期", days],
                ["审核场所", sites],
                ["审核组", team],
                ["审核依据", "第5章 认证模式 2（现场审核）；第6章 认证流程 现场审核 2–3"],
            ],
            [38 * MM, CONTENT_WIDTH - 38 * MM],
            header=False,
        )
    )

    story.append(para("一、检查表结果", "heading"))
    rows = [["条款项", "要求", "结果", "得分", "审核发现"]]
    clause_rows = []
    for group in groups:
        clause_rows.append(len(rows))
        rows.append([f"{group.clause.number} {group.clause.title.zh}", "", "", "", ""])
        for row in group.rows:
            finding = row.finding
            result = str(ChecklistResult(finding.result).label) if finding else str(ChecklistResult.UNANSWERED.label)
            if finding is None or finding.result == ChecklistResult.NOT_APPLICABLE:
                points = f"— / {row.points.weight}" if finding else ""
            else:
                points = f"{_num(row.points.earned)} / {row.points.weight}"
            rows.append([row.item.id, row.item.title.zh, result, points, _finding_text(finding)])
    checklist_table = table(rows, [17 * MM, 40 * MM, 22 * MM, 18 * MM, CONTENT_WIDTH - 97 * MM])
    # A clause heading spans the whole row, shaded, so the items read as its sub-rows.
    checklist_table.setStyle(
        TableStyle(
            [cmd for r in clause_rows for cmd in (("SPAN", (0, r), (-1, r)), ("BACKGROUND", (0, r), (-1, r), SHADE))]
        )
    )
    story.append(checklist_table)
    story.append(Spacer(1, 2 * MM))
    story.append(
        para(
            f"现场审核得分：{_num(score.score)} / {score.max_score}（已评价 {score.answered} / {len(score.items)} 项；"
            f"各项按权重计分：符合得全部权重，一般不符合得一半，严重不符合不得分；“不适用”项不计入得分与总分）。"
            f"评分方法：{scheme.grading.label.zh}",
            "small",
        )
    )

    story.append(para("二、不符合项", "heading"))
    nonconformities = list(audit.nonconformities.all())
    if nonconformities:
        rows = [["编号", "条款项", "等级", "不符合事实", "整改期限", "状态"]]
        confirmations = [["编号", "企业代表", "确认时间", "方式", "企业意见"]]
        for nc in nonconformities:
            rows.append(
                [
                    nc.number,
                    nc.item_id,
                    str(NonconformityGrade(nc.grade).label),
                    nc.description,
                    _date(nc.due_date) + ("（暂定）" if nc.due_provisional else ""),
                    str(NonconformityState(nc.state).label),
                ]
            )
            c = getattr(nc, "confirmation", None)
            confirmations.append(
                [
                    nc.number,
                    (c.representative_name + (f"（{c.representative_title}）" if c.representative_title else ""))
                    if c
                    else "未确认",
                    _datetime(c.confirmed_at) if c else "—",
                    ("本人账户确认" if c.enterprise_user_id else "现场确认，审核员记录") if c else "—",
                    c.remark if c else "",
                ]
            )
        story.append(table(rows, [38 * MM, 15 * MM, 23 * MM, CONTENT_WIDTH - 126 * MM, 28 * MM, 22 * MM]))
        story.append(para("不符合项确认（末次会议前由企业代表确认）", "small"))
        story.append(table(confirmations, [38 * MM, 34 * MM, 38 * MM, 36 * MM, CONTENT_WIDTH - 146 * MM]))
        story.append(Spacer(1, 2 * MM))
        story.append(
            para(
                "企业须在整改期限内针对每个不符合项提交整改报告（原因分析、纠正、纠正措施及证据），由审核组长验证；"
                "严重不符合项须验证关闭，一般不符合项须验证关闭或其整改计划获审核组长接受，现场审核方可通过"
                "（第6章 现场审核 3；整改期限自末次会议之日起按日历日计算）。",
                "small",
            )
        )
        if audit.passed_on_plan:
            story.append(para(f"按已接受的整改计划通过的一般不符合项：{'、'.join(audit.passed_on_plan)}", "small"))
    else:
        story.append(para("未发现不符合项。"))

    story.append(para("三、末次会议", "heading"))
    if meeting:
        attendees = [["姓名", "职务", "一方"]] + [
            [a.get("name", ""), a.get("title", ""), "审核组" if a.get("side") == "cb" else "企业"]
            for a in meeting.attendees
        ]
        story.append(para(f"会议时间：{_datetime(meeting.held_at)}"))
        story.append(table(attendees, [50 * MM, 60 * MM, CONTENT_WIDTH - 110 * MM]))
        conclusion = [para("四、审核结论", "heading"), para(meeting.conclusion)]
        if meeting.recommendation:
            conclusion.append(para(f"审核组推荐意见：{meeting.recommendation}"))
        if audit.status == AuditStatus.PASSED:
            conclusion.append(para(f"现场审核已于 {_date(audit.passed_at)} 通过。"))
        lead = next((m.user for m in audit.active_team if m.role == "lead_auditor"), None)
        conclusion += [
            Spacer(1, 6 * MM),
            table(
                [["审核组长", _person(lead), "签字", ""], ["企业代表", "", "签字", ""]],
                [28 * MM, 62 * MM, 20 * MM, CONTENT_WIDTH - 110 * MM],
                header=False,
            ),
        ]
        story.append(KeepTogether(conclusion))
    else:
        story.append(para("（末次会议后列出）"))

    return build_pdf(
        story,
        title=f"现场审核报告 {audit.reference}",
        subject=f"{enterprise.name} · {scheme.code} {scheme.version}",
        author=scheme.issuer.zh,
        header_text=f"{scheme.issuer.zh} · 现场审核报告 · {audit.reference}",
        footer_text=f"{scheme.code} {scheme.version} · {enterprise.name}",
    )
